//! The client side of gRPC server reflection (`grpc/reflection/v1/reflection.proto`): the
//! services a server lists, and the files that describe them with every file they import. Asks
//! `grpc.reflection.v1` first and falls back to `v1alpha` when the server answers UNIMPLEMENTED
//! (Python's grpcio-reflection and grpcurl 1.8 speak only v1alpha).

use super::GrpcTransport;
use crate::error::{Error, Result};
use crate::protocol::grpc::schema::{decode_files, Schema};
use crate::trace::Trace;
use prost_types::FileDescriptorProto;
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

/// The services the server's reflection lists, in its order.
pub async fn list_services(transport: &GrpcTransport, log: Trace) -> Result<Vec<String>> {
    match ask(transport, Ask::ListServices, log).await? {
        Answer::Services(names) => Ok(names),
        _ => Err(Error::protocol(
            "the reflection service did not list services",
        )),
    }
}

/// Loads the file that defines `symbol` (a service or a message type), with every file it
/// imports, into `schema`. `Ok(Err(why))` when reflection cannot describe it: it does not know
/// the symbol, or cannot give a file that the symbol's file imports; an `Err` is an exchange
/// that failed.
pub async fn load_symbol(
    transport: &GrpcTransport,
    schema: &mut Schema,
    symbol: &str,
    log: Trace,
) -> Result<std::result::Result<(), String>> {
    let files = match ask(transport, Ask::FileContainingSymbol(symbol.to_owned()), log).await? {
        Answer::Files(files) => files,
        Answer::NotFound(why) => {
            return Ok(Err(format!(
                "the server's reflection does not know {symbol} ({why})"
            )))
        }
        Answer::Services(_) => return Err(off_the_point()),
    };
    let mut files = match decode_files(&files) {
        Ok(files) => files,
        Err(why) => return Ok(Err(why)),
    };
    // Servers may leave imports out: ask for each one missing, once, until none is.
    let mut asked: BTreeSet<String> = BTreeSet::new();
    while let Some(missing) = schema
        .missing_imports(&files)
        .into_iter()
        .find(|name| !asked.contains(name))
    {
        asked.insert(missing.clone());
        match ask(transport, Ask::FileByName(missing.clone()), log).await? {
            Answer::Files(got) => match decode_files(&got) {
                Ok(got) => merge(&mut files, got),
                Err(why) => return Ok(Err(why)),
            },
            Answer::NotFound(why) => {
                let importer = files
                    .iter()
                    .find(|f| f.dependency.contains(&missing))
                    .map_or_else(|| symbol.to_owned(), |f| f.name().to_owned());
                return Ok(Err(format!(
                    "{importer} imports {missing}, which the server's reflection cannot give ({why})"
                )));
            }
            Answer::Services(_) => return Err(off_the_point()),
        }
    }
    Ok(schema.add_files(files))
}

fn off_the_point() -> Error {
    Error::protocol("the reflection service answered off the point")
}

/// Adds the files of `got` that `files` does not have yet (by name).
fn merge(files: &mut Vec<FileDescriptorProto>, got: Vec<FileDescriptorProto>) {
    for file in got {
        if !files.iter().any(|f| f.name() == file.name()) {
            files.push(file);
        }
    }
}

/// Asks v1, then v1alpha when v1 is not there; the question and answer are logged to `log`.
async fn ask(transport: &GrpcTransport, question: Ask, log: Trace) -> Result<Answer> {
    let channel = transport.checked_channel().await?;
    let asked = question.to_json();
    let listing = matches!(question, Ask::ListServices);
    let (version, answered) = match ask_v1(channel.clone(), question.clone()).await {
        Err(status) if status.code() == tonic::Code::Unimplemented => {
            (SERVICES[1], ask_v1alpha(channel, question).await)
        }
        other => (SERVICES[0], other),
    };
    let method = format!("{version}/ServerReflectionInfo");
    let shown = match &answered {
        Ok(answer) => Ok(answer.to_value()),
        Err(status) => Err(super::fault_of(status)),
    };
    log.call(&method, &asked);
    log.answer(&method, &asked, &shown);
    match answered {
        // tonic-reflection answers a symbol or file it does not have with a status, where
        // grpc-go and grpcio answer an error_response: the same refusal.
        Err(status)
            if !listing
                && matches!(
                    status.code(),
                    tonic::Code::NotFound | tonic::Code::InvalidArgument
                )
                && transport.is_server_status(&status) =>
        {
            Ok(Answer::NotFound(status.message().to_owned()))
        }
        Ok(answer) => Ok(answer),
        Err(status) => Err(no_reflection(transport, status).await),
    }
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
async fn no_reflection(transport: &GrpcTransport, status: tonic::Status) -> Error {
    use std::error::Error as _;
    if status.code() == tonic::Code::Unimplemented && status.source().is_none() {
        return Error::usage(
            "the server offers no reflection (grpc.reflection.v1 or v1alpha): give its schema with \
             --schema FILE.proto (or a .protoset)",
        );
    }
    transport.failure(status).await
}

/// One question over one version of the reflection service. The two versions' messages are
/// the same fields in two packages (two sets of generated types), so one body serves both.
macro_rules! ask_version {
    ($name:ident, $version:ident) => {
        async fn $name(
            channel: super::Checked,
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
                $version::server_reflection_client::ServerReflectionClient::new(channel)
                    .max_decoding_message_size(usize::MAX);
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
