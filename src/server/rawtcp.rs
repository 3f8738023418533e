//! JSON on a raw byte stream in the server (TCP or a Unix socket), told apart by the first
//! non-blank byte: `[` is raw-tcp (requests `["method", args…]`), `{` is JSON-RPC 2.0 objects on
//! the stream, as geth's and anvil's IPC and Electrum servers speak it. Either way requests are
//! framed by [`crate::protocol::rawtcp::Framer`] (one JSON value after another) and answered in
//! order, each answer one JSON value and a newline, so a client may pipeline several on one
//! connection; a JSON-RPC notification gets no answer.
//!
//! The connection closes when the client closes, after an answer to bytes that are not JSON (the
//! stream cannot be resynchronised), after a request over `--max-message` (answered with an error,
//! never truncated), when no complete request arrives within `--idle-timeout` of connecting or of the
//! last answer, and when the server shuts down: the request in flight, or one already received in
//! full, is answered first.

use super::probation::Probation;
use super::State;
use crate::connect::listen::Peer;
use crate::protocol::rawtcp::{self, FrameError, Framer, Read};
use crate::protocol::{codes, Fault, Outcome, Proto};
use crate::trace::Trace;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// What to do after answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    KeepOpen,
    Close,
}

/// What the requests on a stream are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `["method", args…]`, answered with the result's JSON or `{"error": …}`.
    RawTcp,
    /// JSON-RPC 2.0 request objects (and batches), answered as over HTTP.
    JsonRpc,
}

/// Serves requests on one connection until one of the reasons above closes it.
pub async fn serve_connection<S>(
    mut stream: S,
    dialect: Dialect,
    peer: Peer,
    state: Arc<State>,
    shutdown: CancellationToken,
    probation: &Probation,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut framer = Framer::new(state.limits.max_message);
    let idle = state.limits.idle_timeout;
    // Pipelined requests already received in full are answered before anything is written, so a
    // burst of N requests costs one write, not N: `ahead` is the next one, taken from the framer,
    // and `out` the answers not yet written.
    let mut ahead: Option<Result<Vec<u8>, FrameError>> = None;
    let mut out = Vec::new();
    loop {
        // Shutdown is checked first: once it starts nothing more is read. The request being
        // answered (below, outside the select) is finished, and so is one that had already arrived
        // in full: the client cannot tell it from one in flight. Then the connection closes.
        let read = match ahead.take() {
            // Received before any shutdown began, like a request in flight; if one has begun
            // since, its answer is the connection's last, as below.
            Some(frame) => Ok(Ok(frame.map(|frame| Read::Value {
                frame,
                closed: shutdown.is_cancelled(),
            }))),
            None => tokio::select! {
            biased;
            _ = shutdown.cancelled() => match framer.next_frame() {
                // `closed: true` makes its answer the connection's last.
                Ok(Some(frame)) => Ok(Ok(Ok(Read::Value { frame, closed: true }))),
                _ => return,
            },
            read = tokio::time::timeout(idle, rawtcp::read_frame(&mut stream, &mut framer, None)) => read,
            },
        };
        let next = match read {
            Err(_elapsed) => {
                note(&state, peer, "connection idle too long; closing");
                return;
            }
            Ok(Err(_)) | Ok(Ok(Ok(Read::Closed))) => return,
            Ok(Ok(Err(e))) => {
                write_fault(dialect, frame_fault(e, &state), &mut out);
                Next::Close
            }
            Ok(Ok(Ok(Read::Value { frame, closed }))) => {
                probation.prove();
                let next = answer(dialect, &state, peer, &frame, &mut out).await;
                if closed {
                    Next::Close
                } else {
                    next
                }
            }
        };
        if next == Next::KeepOpen && out.len() < MAX_UNWRITTEN {
            if let Some(frame) = framer.next_frame().transpose() {
                ahead = Some(frame);
                continue;
            }
        }
        // Write errors mean the client is gone; there is nobody left to tell.
        let sent = stream.write_all(&out).await;
        out.clear();
        if sent.is_err() {
            return;
        }
        if next == Next::Close {
            close_gently(&mut stream).await;
            return;
        }
    }
}

/// Most answer bytes held back while answering a pipelined burst; more are written at once.
const MAX_UNWRITTEN: usize = 64 * 1024;

/// Most time and bytes spent draining a connection being closed.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1024 * 1024;

/// Closes our side, then reads and drops what the client still sends: closing a socket with unread
/// bytes makes the kernel send a reset, and a reset can destroy the error answer just written
/// before the client reads it.
pub(crate) async fn close_gently<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut chunk = [0u8; 8192];
        let mut dropped = 0;
        while dropped < LINGER_BYTES {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => dropped += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

/// Answers one framed request (a notification: nothing) into `out`.
async fn answer(
    dialect: Dialect,
    state: &State,
    peer: Peer,
    frame: &[u8],
    out: &mut Vec<u8>,
) -> Next {
    match dialect {
        Dialect::RawTcp => {
            let (outcome, next) = answer_frame(state, peer, frame).await;
            out.extend_from_slice(&rawtcp::encode_answer(&outcome));
            next
        }
        Dialect::JsonRpc => {
            let answer = super::jsonrpc::handle(state, peer, frame)
                .await
                .unwrap_or_default();
            if !answer.is_empty() {
                out.extend_from_slice(&answer);
                out.push(b'\n');
            }
            // JSON that does not parse cannot be skipped on a stream: answered, then closed.
            match crate::protocol::json::passes_byte_checks(frame, state.limits.max_depth)
                && serde_json::from_slice::<serde::de::IgnoredAny>(frame).is_ok()
            {
                true => Next::KeepOpen,
                false => Next::Close,
            }
        }
    }
}

/// A fault about the stream itself (too large, cut short), in the dialect's shape.
fn write_fault(dialect: Dialect, fault: Fault, out: &mut Vec<u8>) {
    match dialect {
        Dialect::RawTcp => out.extend_from_slice(&rawtcp::encode_answer(&Err(fault))),
        Dialect::JsonRpc => {
            crate::protocol::jsonrpc::write_response(out, &serde_json::Value::Null, &Err(fault));
            out.push(b'\n');
        }
    }
}

/// Decodes and runs one request; a parse error closes the connection, other faults do not. A panic
/// while decoding (a bug: the framer and codec are fuzzed against it) is answered -32603, then the
/// connection closes, since nothing says the stream is still sound.
async fn answer_frame(state: &State, peer: Peer, frame: &[u8]) -> (Outcome, Next) {
    let limits = state.limits.codec();
    let Ok(decoded) = std::panic::catch_unwind(|| rawtcp::decode_request(frame, limits)) else {
        let fault = Fault::new(
            codes::INTERNAL_ERROR,
            "Internal error: the server failed while reading this request",
        );
        return (Err(fault), Next::Close);
    };
    match decoded {
        Ok(call) => (
            state.invoke(Proto::RawTcp, peer, &call).await,
            Next::KeepOpen,
        ),
        Err(fault) if fault.code == codes::PARSE_ERROR => (Err(fault), Next::Close),
        Err(fault) => (Err(fault), Next::KeepOpen),
    }
}

fn frame_fault(e: FrameError, state: &State) -> Fault {
    match e {
        FrameError::TooLarge(_) => Fault::new(
            codes::LIMIT_EXCEEDED,
            format!(
                "request larger than {} bytes (the server's --max-message)",
                state.limits.max_message
            ),
        ),
        FrameError::Truncated => Fault::new(
            codes::PARSE_ERROR,
            "Parse error: the connection closed in the middle of a JSON value",
        ),
    }
}

fn note(state: &State, peer: Peer, text: &str) {
    if !state.quiet {
        Trace::default().note(&format!("{peer} {text}"));
    }
}
