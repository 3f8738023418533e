//! The load over WebSocket (`rpc bench ws://…`): each of the `-c` connections is opened and shaken
//! hands with by the code `rpc call` uses ([`Handshake`], so `-H`, `-u`, `--origin`, TLS and
//! proxies hold), then carries `--pipeline` requests at once, each one text frame, each answer
//! frame checked by the protocol's decoder. Frames are tokio-tungstenite's (RFC 6455): a client's
//! frames are masked, so they cannot be written once and repeated as the byte-stream load does.

use super::answer::Checked;
use super::conn::{fail_all, settle, InFlight, Plan};
use super::stats::{Failure, Stats};
use crate::client::messages::WsStream;
use crate::client::websocket::Handshake;
use crate::trace::Trace;
use futures_util::{SinkExt, StreamExt};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Instant;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// What every call of a WebSocket run sends, and where.
pub struct Target {
    pub handshake: Handshake,
    /// The request message (a text frame's payload), shared by every frame sent.
    pub message: Utf8Bytes,
    /// `--max-response`: the largest answer message read.
    pub max_message: usize,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebSocket {}", self.handshake.url())
    }
}

/// Drives one connection (reopened when the server closes it) until the run is over; returns
/// when it ended. Calls in flight when a connection fails are counted as failed: a WebSocket
/// server that closes has not answered them.
pub async fn drive(plan: &Plan, target: &Target, stats: &RefCell<Stats>) -> Instant {
    let mut checked = Checked::default();
    loop {
        let Some(first) = plan.ticket(Instant::now()) else {
            return Instant::now();
        };
        let first = InFlight::new(first);
        let opened = target
            .handshake
            .open(target.max_message, Some(plan.timeout), Trace::default())
            .await;
        let ws = match opened {
            Ok(ws) => ws,
            Err(e) => {
                settle(plan, stats, first, Err(connect_failure(&e)));
                continue;
            }
        };
        stats.borrow_mut().connects += 1;
        if let Session::OutOfTickets = session(plan, target, stats, ws, first, &mut checked).await {
            return Instant::now();
        }
    }
}

/// How a connection's calls ended.
enum Session {
    OutOfTickets,
    Reopen,
}

/// Sends and answers calls on one open WebSocket, `plan.depth` at once, until the run is over
/// (then it is closed with a close frame) or the connection fails.
async fn session(
    plan: &Plan,
    target: &Target,
    stats: &RefCell<Stats>,
    mut ws: WsStream,
    first: InFlight,
    checked: &mut Checked,
) -> Session {
    let mut in_flight = VecDeque::from([first]);
    let depth = if plan.per_call { 1 } else { plan.depth };
    let mut out_of_tickets = plan.refill(&mut in_flight, depth);
    let mut to_send = in_flight.len();
    loop {
        if to_send > 0 {
            if let Err(failure) = send(&mut ws, &target.message, to_send).await {
                fail_all(plan, stats, &mut in_flight, failure);
                return Session::Reopen;
            }
            to_send = 0;
        }
        if in_flight.is_empty() {
            let _ = ws.close(None).await;
            return Session::OutOfTickets;
        }
        let answer = match tokio::time::timeout(plan.timeout, next_text(&mut ws)).await {
            Ok(Ok(text)) => checked.raw(plan.proto, text.as_bytes()),
            Ok(Err(failure)) => {
                fail_all(plan, stats, &mut in_flight, failure);
                return Session::Reopen;
            }
            Err(_) => {
                fail_all(plan, stats, &mut in_flight, Failure::Timeout);
                return Session::Reopen;
            }
        };
        if let Some(call) = in_flight.pop_front() {
            settle(plan, stats, call, answer);
        }
        if plan.per_call {
            let _ = ws.close(None).await;
            return if out_of_tickets {
                Session::OutOfTickets
            } else {
                Session::Reopen
            };
        }
        if !out_of_tickets {
            let before = in_flight.len();
            out_of_tickets = plan.refill(&mut in_flight, depth);
            to_send += in_flight.len() - before;
        }
    }
}

/// Writes `count` request frames and flushes once.
async fn send(ws: &mut WsStream, message: &Utf8Bytes, count: usize) -> Result<(), Failure> {
    for _ in 0..count {
        ws.feed(Message::Text(message.clone()))
            .await
            .map_err(io_failure)?;
    }
    ws.flush().await.map_err(io_failure)
}

/// The next data message; pings are answered by tungstenite and pongs skipped. A close frame or
/// the end of the connection: the server closed.
async fn next_text(ws: &mut WsStream) -> Result<Utf8Bytes, Failure> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text),
            Some(Ok(Message::Binary(_))) => return Err(Failure::Invalid),
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            Some(Ok(Message::Close(_))) | None => return Err(Failure::Closed),
            Some(Err(e)) => return Err(io_failure(e)),
        }
    }
}

fn io_failure(e: tokio_tungstenite::tungstenite::Error) -> Failure {
    use tokio_tungstenite::tungstenite::Error as Ws;
    match e {
        Ws::Io(e) => Failure::Io(e.kind()),
        Ws::ConnectionClosed | Ws::AlreadyClosed => Failure::Closed,
        _ => Failure::Invalid,
    }
}

/// A failed handshake as the report counts it: an HTTP status, a timeout, or a connection error.
fn connect_failure(e: &crate::error::Error) -> Failure {
    use crate::client::failure::Cause;
    match e {
        crate::error::Error::HttpStatus(text) => {
            let status = text
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse().ok());
            status.map_or(Failure::Invalid, Failure::Http)
        }
        crate::error::Error::Transport(t) => match t.cause {
            Cause::TimedOut(_) => Failure::Timeout,
            Cause::Refused => Failure::Connect(std::io::ErrorKind::ConnectionRefused),
            _ => Failure::Connect(std::io::ErrorKind::Other),
        },
        _ => Failure::Invalid,
    }
}
