//! The toy math service over gRPC (`rpc.math.Math`, see math.proto): each unary method is a
//! call of the same service table every protocol uses, through [`State::invoke`] (so the
//! numeric rules and the log line are the same); a fault becomes a status carrying the service's
//! code and message, with a `google.rpc.ErrorInfo` detail. `Count` and `RunningSum` are
//! gRPC's own streams.

use super::{answers, log, shown, single, Answers, Handler};
use crate::protocol::grpc::message;
use crate::protocol::{codes, Call, Fault, Params, Proto};
use crate::value::Value;
use futures_util::StreamExt;
use prost::Message;
use prost_reflect::{DynamicMessage, ReflectMessage};
use serde_json::{json, Value as Json};
use std::time::Instant;
use tonic::{Code, Status, Streaming};

/// The most numbers `Count` streams.
const MAX_COUNT: i64 = 10_000;

/// Answers one call of the math service.
pub async fn answer(
    handler: &Handler,
    incoming: Streaming<DynamicMessage>,
) -> Result<Answers, Status> {
    match handler.method.name() {
        "RunningSum" => Ok(running_sum(handler.clone(), incoming)),
        "Count" => count(handler, incoming).await,
        name => unary(handler, &name.to_ascii_lowercase(), incoming).await,
    }
}

/// A unary method: the service table's method of the same name, lower-cased.
async fn unary(
    handler: &Handler,
    name: &str,
    incoming: Streaming<DynamicMessage>,
) -> Result<Answers, Status> {
    let request = single(incoming).await?;
    let call = Call {
        method: name.to_owned(),
        params: params_of(&request)?,
    };
    let outcome = handler.state.invoke(Proto::Grpc, handler.peer, &call).await;
    let answer = match outcome {
        Ok(value) => {
            message::from_json(&handler.method.output(), &value.to_json()).map_err(Status::internal)
        }
        Err(fault) => Err(status_of(&fault)),
    };
    Ok(answers(vec![answer]))
}

/// The params of a request: a wrapper or `Value`'s JSON is the one argument; `Empty` has none;
/// any other message gives its fields in declaration order.
fn params_of(request: &DynamicMessage) -> Result<Params, Status> {
    let json = shown(request);
    let values = match json {
        Json::Object(fields) if request.descriptor().full_name() != "google.protobuf.Value" => {
            let by_name: Vec<Json> = request
                .descriptor()
                .fields()
                .map(|f| fields.get(f.json_name()).cloned().unwrap_or(Json::Null))
                .collect();
            by_name
        }
        other => vec![other],
    };
    let values = values
        .iter()
        .map(Value::from_json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Status::invalid_argument(e.to_string()))?;
    Ok(Params::Positional(values))
}

/// `Count(x)`: the numbers 1..=x, one message each.
async fn count(handler: &Handler, incoming: Streaming<DynamicMessage>) -> Result<Answers, Status> {
    let start = Instant::now();
    let request = single(incoming).await?;
    let x = match shown(&request)["x"].as_i64() {
        Some(x) if (0..=MAX_COUNT).contains(&x) => x,
        _ => {
            return Err(Status::invalid_argument(format!(
                "Count counts from 1 to x, with x from 0 to {MAX_COUNT}"
            )))
        }
    };
    let output = handler.method.output();
    let summary = Ok(Value::String(format!("{x} messages")));
    log(handler, &shown(&request), &summary, start);
    // Made one at a time as the client reads: a client that stops reading holds one message,
    // not ten thousand.
    let items =
        (1..=x).map(move |n| message::from_json(&output, &json!(n)).map_err(Status::internal));
    Ok(Box::pin(futures_util::stream::iter(items)))
}

/// `RunningSum`: each number of the client's stream added to the total so far, the total
/// answered at once, before the next number is read.
fn running_sum(handler: Handler, incoming: Streaming<DynamicMessage>) -> Answers {
    Box::pin(futures_util::stream::unfold(
        (handler, incoming, Value::Int(0), false),
        |(handler, mut incoming, total, over)| async move {
            if over {
                return None;
            }
            let next = match incoming.next().await? {
                Ok(operand) => operand,
                Err(status) => return Some((Err(status), (handler, incoming, total, true))),
            };
            let x = shown(&next)["x"].as_i64().unwrap_or(0);
            let call = Call {
                method: "add".into(),
                params: Params::Positional(vec![total, Value::Int(x)]),
            };
            match handler.state.invoke(Proto::Grpc, handler.peer, &call).await {
                Ok(sum) => {
                    let answer = message::from_json(&handler.method.output(), &sum.to_json())
                        .map_err(Status::internal);
                    Some((answer, (handler, incoming, sum, false)))
                }
                Err(fault) => Some((
                    Err(status_of(&fault)),
                    (handler, incoming, Value::Int(0), true),
                )),
            }
        },
    ))
}

/// The gRPC code of a service fault: the client's mistakes are INVALID_ARGUMENT, an overflow
/// OUT_OF_RANGE, an unknown method UNIMPLEMENTED, a limit RESOURCE_EXHAUSTED, a bug INTERNAL.
fn code_of(fault: &Fault) -> Code {
    match fault.code {
        codes::INTEGER_OVERFLOW => Code::OutOfRange,
        codes::METHOD_NOT_FOUND => Code::Unimplemented,
        codes::LIMIT_EXCEEDED => Code::ResourceExhausted,
        codes::INTERNAL_ERROR => Code::Internal,
        _ => Code::InvalidArgument,
    }
}

/// A status carrying the fault's message and, as a `google.rpc.ErrorInfo` detail, its code.
pub fn status_of(fault: &Fault) -> Status {
    let code = code_of(fault);
    match error_details(fault, code) {
        Some(details) => Status::with_details(code, fault.message.clone(), details.into()),
        None => Status::new(code, fault.message.clone()),
    }
}

/// `google.rpc.Status { code, message, details: [ErrorInfo { reason, domain, metadata }] }`.
fn error_details(fault: &Fault, code: Code) -> Option<Vec<u8>> {
    let reason = match fault.code {
        codes::DIVISION_BY_ZERO => "DIVISION_BY_ZERO",
        codes::INTEGER_OVERFLOW => "INTEGER_OVERFLOW",
        codes::NOT_FINITE => "NOT_FINITE",
        codes::INVALID_PARAMS => "INVALID_PARAMS",
        _ => "SERVICE_ERROR",
    };
    let info = prost_types::Any {
        type_url: "type.googleapis.com/google.rpc.ErrorInfo".into(),
        value: error_info(reason, fault.code),
    };
    let status = RpcStatus {
        code: code as i32,
        message: fault.message.clone(),
        details: vec![info],
    };
    Some(status.encode_to_vec())
}

/// `google.rpc.ErrorInfo`, encoded: field 1 reason, 2 domain, 3 metadata {"code": CODE}.
fn error_info(reason: &str, code: i64) -> Vec<u8> {
    let info = ErrorInfo {
        reason: reason.into(),
        domain: "rpc".into(),
        metadata: [("code".to_owned(), code.to_string())]
            .into_iter()
            .collect(),
    };
    info.encode_to_vec()
}

/// google/rpc/status.proto's `Status`, for encoding the details trailer.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// google/rpc/error_details.proto's `ErrorInfo`.
#[derive(Clone, PartialEq, prost::Message)]
struct ErrorInfo {
    #[prost(string, tag = "1")]
    reason: String,
    #[prost(string, tag = "2")]
    domain: String,
    #[prost(btree_map = "string, string", tag = "3")]
    metadata: std::collections::BTreeMap<String, String>,
}

/// A status as the log's fault: its code and message.
pub fn fault_of(status: &Status) -> Fault {
    Fault::new(i64::from(status.code() as i32), status.message())
}
