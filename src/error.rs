//! One error type for the whole binary; its kind decides the exit code (see CONTRACT.md).

use crate::client::failure::{Cause, TransportError};
use crate::protocol::answer::AnswerError;
use crate::protocol::{Fault, Proto};
use std::process::ExitCode;

/// Everything that can end a command unsuccessfully.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered, and the answer is an error (JSON-RPC error object, XML-RPC fault,
    /// Reach error, raw-tcp error object), printed in the protocol's words: `error CODE: MESSAGE`
    /// or XML-RPC's `fault CODE: STRING`.
    #[error("{} {}: {}{}", .0.spec().error_word, code_text(*.0, .1.code), .1.message, data_suffix(.1))]
    Answered(Proto, Fault),
    /// The server answered with an HTTP error status and no RPC-level error: `HTTP 404 Not Found: …`.
    #[error("{0}")]
    HttpStatus(String),
    /// Bad flags or arguments: the user has to change the command line.
    #[error("{0}")]
    Usage(String),
    /// Nothing usable came back: refused, DNS, timeout, TLS; the cause is typed, the library's
    /// error kept as its source.
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// Something came back, but it is not valid for the protocol.
    #[error("invalid answer: {0}")]
    Protocol(String),
    /// A local failure: a file that cannot be written, a port that cannot be had, an internal
    /// fault. Not the server's doing, nor the command line's.
    #[error("{0}")]
    Local(String),
}

impl Error {
    /// The exit status the contract assigns to this kind of failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Error::Answered(..) | Error::HttpStatus(_) => 1,
            Error::Usage(_) => 2,
            Error::Transport(_) => 3,
            Error::Protocol(_) => 4,
            Error::Local(_) => 5,
        })
    }

    /// The error for a call the server answered with `fault`, worded as `proto` words it.
    pub fn server(proto: Proto, fault: Fault) -> Self {
        Error::Answered(proto, fault)
    }

    /// An answer that gave no outcome per call, as the command's error.
    pub fn from_answer(proto: Proto, error: AnswerError) -> Self {
        match error {
            AnswerError::Refused(fault) => Error::Answered(proto, fault),
            AnswerError::Status { status, body } => {
                let status = crate::protocol::answer::status_text(status);
                Error::HttpStatus(if body.is_empty() {
                    format!("HTTP {status}")
                } else {
                    format!("HTTP {status}: {body}")
                })
            }
            AnswerError::Invalid(why) => Error::Protocol(why),
        }
    }

    /// The server's fault, when the server answered with one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::Answered(_, fault) => Some(fault),
            _ => None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Error::Protocol(message.into())
    }

    /// A transport failure of `cause` on `target`, with no library error behind it.
    pub fn transport(target: impl Into<String>, cause: Cause) -> Self {
        Error::Transport(TransportError::new(target, cause, None))
    }

    /// A fault in `rpc` itself (a bug), reported rather than panicked on.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Local(format!(
            "internal error: {} (please report it)",
            message.into()
        ))
    }
}

/// An error from the standard library or a library in `rpc`'s words: an I/O error by its kind
/// (`no such file`, `permission denied`), anything else by its message without the operating
/// system's error number.
pub fn plain(e: &(dyn std::error::Error + 'static)) -> String {
    use std::io::ErrorKind;
    let io = crate::client::failure::find_in_chain::<std::io::Error>(e);
    match io.map(std::io::Error::kind) {
        Some(ErrorKind::NotFound) => "no such file or directory".into(),
        Some(ErrorKind::PermissionDenied) => "permission denied".into(),
        Some(ErrorKind::IsADirectory) => "it is a directory".into(),
        Some(ErrorKind::AlreadyExists) => "it already exists".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}

/// The code as the protocol names it: `NOT_FOUND (5)` for gRPC, the number elsewhere.
fn code_text(proto: Proto, code: i64) -> String {
    let names = proto.spec().code_names;
    match usize::try_from(code).ok().and_then(|i| names.get(i)) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    }
}

/// ` (DATA)` after a fault's message when it carries data, else nothing.
fn data_suffix(fault: &Fault) -> String {
    fault
        .data
        .as_ref()
        .map(|data| format!(" ({data})"))
        .unwrap_or_default()
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
