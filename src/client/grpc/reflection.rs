//! The client side of gRPC server reflection (`grpc/reflection/v1/reflection.proto`): the
//! services a server lists, and the files that describe them with every file they import. Asks
//! `grpc.reflection.v1` first and falls back to `v1alpha` when the server answers UNIMPLEMENTED
//! (Python's grpcio-reflection and grpcurl 1.8 speak only v1alpha).

use super::grpc::GrpcTransport;
use crate::error::{Error, Result};
use crate::protocol::grpc::schema::Schema;
use crate::trace::Trace;
use std::collections::BTreeSet;
use tonic_reflection::pb::{v1, v1alpha};

/// The reflection services, which `rpc list` hides unless asked.
pub const SERVICES: [&str; 2] = [
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

/// One question to the reflection service, in the terms both versions share.
#[derive(Debug, Clone)]
enum Ask {
    ListServices,
    FileContainingSymbol(String),
    FileByName(String),
}

/// One answer: service names, encoded files, or the server's refusal.
enum Answer {
    Services(Vec<String>),
    Files(Vec<Vec<u8>>),
    NotFound(String),
}

/// Fills `schema` from the server's reflection: every listed service's file and its imports.
/// Each question and answer is logged to `log` in the trace format.
pub async fn load(transport: &GrpcTransport, schema: &mut Schema, log: Trace) -> Result<()> {
    let ask = |question| ask(transport, question, log);
    let services = match ask(Ask::ListServices).await? {
        Answer::Services(names) => names,
        _ => {
            return Err(Error::protocol(
                "the reflection service did not list services",
            ))
        }
    };
    for service in &services {
        schema.offer(service.clone());
    }
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut known: BTreeSet<String> = BTreeSet::new();
    for service in services.iter().filter(|s| !SERVICES.contains(&s.as_str())) {
        if let Answer::Files(got) = ask(Ask::FileContainingSymbol(service.clone())).await? {
            collect(got, &mut files, &mut known);
        }
    }
    // Servers may leave imports out; ask for each one missing until none is.
    while let Some(missing) = missing_import(&files, &known, schema) {
        match ask(Ask::FileByName(missing.clone())).await? {
            Answer::Files(got) => collect(got, &mut files, &mut known),
            Answer::NotFound(why) => {
                return Err(Error::protocol(format!(
                    "the server's reflection cannot give {missing}, which its files import: {why}"
                )))
            }
            Answer::Services(_) => {
                return Err(Error::protocol(
                    "the reflection service answered off the point",
                ))
            }
        }
        known.insert(missing);
    }
    schema.add_encoded_files(&files).map_err(Error::protocol)
}

fn collect(got: Vec<Vec<u8>>, files: &mut Vec<Vec<u8>>, known: &mut BTreeSet<String>) {
    use prost::Message;
    for bytes in got {
        let Ok(file) = prost_types::FileDescriptorProto::decode(bytes.as_slice()) else {
            continue;
        };
        if known.insert(file.name().to_owned()) {
            files.push(bytes);
        }
    }
}

/// An import that neither the files received nor the built-in schema hold.
fn missing_import(files: &[Vec<u8>], known: &BTreeSet<String>, schema: &Schema) -> Option<String> {
    use prost::Message;
    files
        .iter()
        .filter_map(|bytes| prost_types::FileDescriptorProto::decode(bytes.as_slice()).ok())
        .flat_map(|file| file.dependency)
        .find(|name| !known.contains(name) && schema.pool().get_file_by_name(name).is_none())
}

/// Asks v1, then v1alpha when v1 is not there; the question and answer are logged to `log`.
async fn ask(transport: &GrpcTransport, question: Ask, log: Trace) -> Result<Answer> {
    let channel = transport.checked_channel().await?;
    let asked = question.to_json();
    let (version, answered) = match ask_v1(channel.clone(), question.clone()).await {
        Err(status) if status.code() == tonic::Code::Unimplemented => {
            (SERVICES[1], ask_v1alpha(channel, question).await)
        }
        other => (SERVICES[0], other),
    };
    let method = format!("{version}/ServerReflectionInfo");
    let shown = match &answered {
        Ok(answer) => Ok(answer.to_value()),
        Err(status) => Err(super::grpc::fault_of(status)),
    };
    log.call(&method, &asked);
    log.answer(&method, &asked, &shown);
    answered.map_err(|status| no_reflection(transport, status))
}

impl Ask {
    /// The question as the request message's JSON form.
    fn to_json(&self) -> serde_json::Value {
        match self {
            Ask::ListServices => serde_json::json!({"listServices": ""}),
            Ask::FileContainingSymbol(symbol) => {
                serde_json::json!({ "fileContainingSymbol": symbol })
            }
            Ask::FileByName(name) => serde_json::json!({ "fileByFilename": name }),
        }
    }
}

impl Answer {
    /// The answer for the log: service names, the names of the files given, or the refusal.
    fn to_value(&self) -> crate::value::Value {
        use crate::value::Value;
        use prost::Message;
        let strings =
            |items: Vec<String>| Value::Array(items.into_iter().map(Value::String).collect());
        match self {
            Answer::Services(names) => strings(names.clone()),
            Answer::Files(files) => strings(
                files
                    .iter()
                    .map(|bytes| {
                        prost_types::FileDescriptorProto::decode(bytes.as_slice())
                            .map(|file| file.name().to_owned())
                            .unwrap_or_else(|_| "(a file that does not decode)".into())
                    })
                    .collect(),
            ),
            Answer::NotFound(why) => Value::String(format!("not found: {why}")),
        }
    }
}

/// A server without reflection: say so and name `--schema`.
fn no_reflection(transport: &GrpcTransport, status: tonic::Status) -> Error {
    use std::error::Error as _;
    if status.code() == tonic::Code::Unimplemented && status.source().is_none() {
        return Error::usage(
            "the server offers no reflection (grpc.reflection.v1 or v1alpha): give its schema with \
             --schema FILE.proto (or a .protoset)",
        );
    }
    transport.failure(status)
}

/// One question over one version of the reflection service. The two versions' messages are
/// the same fields in two packages (two sets of generated types), so one body serves both.
macro_rules! ask_version {
    ($name:ident, $version:ident) => {
        async fn $name(
            channel: super::grpc::Checked,
            question: Ask,
        ) -> std::result::Result<Answer, tonic::Status> {
            use $version::server_reflection_request::MessageRequest as Q;
            use $version::server_reflection_response::MessageResponse as A;
            let request = $version::ServerReflectionRequest {
                host: String::new(),
                message_request: Some(match question {
                    Ask::ListServices => Q::ListServices(String::new()),
                    Ask::FileContainingSymbol(s) => Q::FileContainingSymbol(s),
                    Ask::FileByName(f) => Q::FileByFilename(f),
                }),
            };
            let mut client =
                $version::server_reflection_client::ServerReflectionClient::new(channel);
            let mut answers = client
                .server_reflection_info(futures_util::stream::iter([request]))
                .await?
                .into_inner();
            let answer = answers.message().await?.and_then(|a| a.message_response);
            Ok(match answer {
                Some(A::ListServicesResponse(list)) => {
                    Answer::Services(list.service.into_iter().map(|s| s.name).collect())
                }
                Some(A::FileDescriptorResponse(files)) => {
                    Answer::Files(files.file_descriptor_proto)
                }
                Some(A::ErrorResponse(e)) => Answer::NotFound(e.error_message),
                _ => Answer::NotFound("no answer".into()),
            })
        }
    };
}

ask_version!(ask_v1, v1);
ask_version!(ask_v1alpha, v1alpha);
