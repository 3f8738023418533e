//! The answer rule: how what a server sent back becomes one [`Outcome`] per call, or an error
//! that is about the whole exchange. Each protocol writes its rule once, in its codec file, and
//! names it in its [`super::Spec`] row; `rpc call`, the REPL, `rpc bench`, `rpc replay` and
//! `rpc demo` all read answers through it.

use super::{Fault, Outcome};

/// How calls are sent together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One call, answered.
    Single,
    /// Several calls in one exchange where the protocol has one, answered in order.
    Batch,
    /// No answer wanted (JSON-RPC notifications).
    Notify,
}

/// What came back, before any protocol reads it.
#[derive(Debug, Clone, Copy)]
pub enum Reply<'a> {
    /// An HTTP answer: its status code and body.
    Http { status: u16, body: &'a [u8] },
    /// One value cut from a raw-tcp stream by the framer.
    Frame(&'a [u8]),
}

impl Reply<'_> {
    /// The HTTP status, when the reply is HTTP.
    pub fn status(&self) -> Option<u16> {
        match self {
            Reply::Http { status, .. } => Some(*status),
            Reply::Frame(_) => None,
        }
    }

    /// Whether the HTTP status says success (a raw-tcp frame has none and counts as one).
    pub fn is_success(&self) -> bool {
        self.status().is_none_or(|s| (200..300).contains(&s))
    }

    /// The body or frame.
    pub fn body(&self) -> &[u8] {
        match self {
            Reply::Http { body, .. } => body,
            Reply::Frame(frame) => frame,
        }
    }
}

/// An answer that gives no outcome per call.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerError {
    /// The server refused the whole exchange with an RPC error of its own (a JSON-RPC error
    /// object with id null, an XML-RPC fault to the multicall itself).
    Refused(Fault),
    /// An HTTP error status with no RPC answer in the body: the status and the start of the body.
    Status { status: u16, body: String },
    /// Not a valid answer for the protocol; says why.
    Invalid(String),
}

/// A protocol's answer rule: the reply to `count` calls sent in `mode` → one outcome per call
/// (none for notifications).
pub type Rule = fn(reply: Reply<'_>, count: usize, mode: Mode) -> Result<Vec<Outcome>, AnswerError>;

/// The rule shared by the protocols whose RPC answer wins over the HTTP status (servers send
/// errors with 200, 400 or 500 alike): what `decode` makes of the body; failing that, an error
/// status is the server's HTTP error and a success status an invalid answer. A notification's
/// answer only has to be a success.
pub fn rpc_over_status(
    reply: Reply<'_>,
    mode: Mode,
    decode: impl FnOnce(&[u8]) -> Result<Vec<Outcome>, AnswerError>,
) -> Result<Vec<Outcome>, AnswerError> {
    if mode == Mode::Notify {
        return if reply.is_success() {
            Ok(Vec::new())
        } else {
            Err(status_error(reply))
        };
    }
    match decode(reply.body()) {
        Err(AnswerError::Invalid(_)) if !reply.is_success() => Err(status_error(reply)),
        other => other,
    }
}

/// An HTTP error status as an answer error, with the start of the body.
pub fn status_error(reply: Reply<'_>) -> AnswerError {
    let body = String::from_utf8_lossy(reply.body());
    AnswerError::Status {
        status: reply.status().unwrap_or_default(),
        body: body.trim().chars().take(300).collect(),
    }
}

/// The one outcome of a single call, from a rule's answer.
pub fn single(outcomes: Vec<Outcome>) -> Result<Outcome, AnswerError> {
    outcomes
        .into_iter()
        .next()
        .ok_or_else(|| AnswerError::Invalid("the server sent no answer".into()))
}

/// `404 Not Found`: the code and its reason phrase, as HTTP clients show a status.
pub fn status_text(status: u16) -> String {
    match hyper::StatusCode::from_u16(status) {
        Ok(code) => code.to_string(),
        Err(_) => status.to_string(),
    }
}
