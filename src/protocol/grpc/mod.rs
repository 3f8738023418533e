//! gRPC (<https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md>): messages known at run
//! time ([`message`]), the schema they come from ([`schema`]), and status codes. The framing, the
//! HTTP/2 exchange and the trailers are tonic's and hyper's; this module knows no sockets.

pub mod describe;
pub mod frames;
pub mod json;
pub mod message;
pub mod schema;

use super::answer::{AnswerError, Mode, Reply};
use super::Outcome;

/// The status codes of gRPC, by number (`statuscodes.md`).
pub const STATUS_NAMES: &[&str] = &[
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// The answer rule of the protocol table. A gRPC answer is a stream of messages whose schema
/// only the call knows, ended by a status in the trailers, so the gRPC driver reads answers
/// itself (through tonic); this rule only says so to a caller that has nothing else.
pub fn read_answer(_: Reply<'_>, _: usize, _: Mode) -> Result<Vec<Outcome>, AnswerError> {
    Err(AnswerError::Invalid(
        "a gRPC answer is read by the gRPC client, with the method's schema".into(),
    ))
}
