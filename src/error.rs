//! One error type for the whole binary; its kind decides the exit code (see CONTRACT.md).

use crate::protocol::{Fault, Proto};
use std::process::ExitCode;

/// Everything that can end a command unsuccessfully.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered, and the answer is an error (JSON-RPC error, XML-RPC fault, HTTP status).
    #[error("{0}")]
    Server(Fault),
    /// An XML-RPC fault, printed in XML-RPC's words: `fault CODE: STRING`.
    #[error("fault {}: {}", .0.code, .0.message)]
    Fault(Fault),
    /// The server answered with an HTTP error status and no RPC-level error: `HTTP 404 Not Found: …`.
    #[error("{0}")]
    HttpStatus(String),
    /// Bad flags or arguments: the user has to change the command line.
    #[error("{0}")]
    Usage(String),
    /// Nothing usable came back: refused, DNS, timeout, TLS.
    #[error("{0}")]
    Transport(String),
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
            Error::Server(_) | Error::Fault(_) | Error::HttpStatus(_) => 1,
            Error::Usage(_) => 2,
            Error::Transport(_) => 3,
            Error::Protocol(_) => 4,
            Error::Local(_) => 5,
        })
    }

    /// The error for a call the server answered with `fault`, worded as `proto` words it.
    pub fn server(proto: Proto, fault: Fault) -> Self {
        match proto {
            Proto::XmlRpc => Error::Fault(fault),
            _ => Error::Server(fault),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Error::Protocol(message.into())
    }

    pub fn transport(message: impl Into<String>) -> Self {
        Error::Transport(message.into())
    }

    /// A fault in `rpc` itself (a bug), reported rather than panicked on.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Local(format!(
            "internal error: {} (please report it)",
            message.into()
        ))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
