//! The gRPC load: each call is one HTTP/2 stream, made with h2 (the HTTP/2 crate under hyper and
//! tonic), on one of the `-c` connections, `--streams` of them at once on each connection. The
//! request (headers and framed message) is built once by the code `rpc call --dry-run` shows; each
//! answer's messages are decoded with the method's schema and its `grpc-status` is counted by
//! code, so a wrong answer is an error, never a fast success.
//!
//! Spec: <https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md>.

use super::conn::{settle, InFlight, Plan};
use super::stats::{Failure, Stats};
use crate::client::grpc::Preview;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::protocol::grpc::frames::{Encoding, Piece, Splitter};
use bytes::Bytes;
use h2::client::SendRequest;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use std::cell::RefCell;
use std::time::Instant;

/// HTTP/2 flow-control windows the load generator offers, in bytes: large, as h2load's are, so a
/// server stream is never held back by our side.
const STREAM_WINDOW: u32 = 1 << 24;
const CONNECTION_WINDOW: u32 = 1 << 30;

/// What every call of a gRPC run sends, and how its answers are read.
#[derive(Debug)]
pub struct Target {
    /// `http://HOST:PORT/pkg.Service/Method`: h2 takes `:scheme`, `:authority` and `:path` from it.
    uri: http::Uri,
    headers: http::HeaderMap,
    /// The request message, framed.
    frame: Bytes,
    /// The answer's message type.
    output: MessageDescriptor,
    /// A server-streaming method answers with any number of messages; a unary one with one.
    server_streaming: bool,
}

impl Target {
    /// The load's request from the call's preview (built once, with the schema), and where to
    /// connect (`HOST:PORT`, or `unix:PATH` with `--unix-socket`). Errors: a client-streaming
    /// method, `grpcs://` (usage).
    pub fn from_preview(client: &Client, preview: Preview) -> Result<(String, Target)> {
        if preview.client_streaming {
            let path = preview
                .url
                .splitn(4, '/')
                .nth(3)
                .unwrap_or_default()
                .to_owned();
            return Err(Error::usage(format!(
                "rpc bench measures unary and server-streaming methods; {path} takes a stream"
            )));
        }
        if preview.tls {
            return Err(Error::usage(
                "rpc bench speaks plain grpc:// (measure TLS with a TLS-terminating tool)",
            ));
        }
        let uri: http::Uri = preview
            .url
            .parse()
            .map_err(|e| Error::usage(format!("{}: {e}", preview.url)))?;
        let mut headers = http::HeaderMap::new();
        for (name, value) in &preview.headers {
            let name = http::HeaderName::try_from(name.as_str())
                .map_err(|e| Error::usage(format!("header {name}: {e}")))?;
            let value = http::HeaderValue::try_from(value.as_str())
                .map_err(|e| Error::usage(format!("header {name}: {e}")))?;
            headers.append(name, value);
        }
        let addr = match &client.options().unix_socket {
            Some(path) => format!("unix:{}", path.display()),
            None => uri.authority().map(|a| a.to_string()).unwrap_or_default(),
        };
        let target = Target {
            uri,
            headers,
            frame: Bytes::from(preview.frame),
            output: preview.output,
            server_streaming: preview.server_streaming,
        };
        Ok((addr, target))
    }

    fn request(&self) -> http::Request<()> {
        let mut request = http::Request::new(());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// Drives one connection (reopened as needed) with `plan.depth` streams at once until the run is
/// over; returns when it ended. A call the connection did not take (the server sent GOAWAY before
/// the stream was accepted, or refused it) goes again on the next connection, as gRPC clients
/// retry such calls: only calls the server accepted can fail.
pub async fn drive(plan: &Plan, target: &Target, stats: &RefCell<Stats>) -> Instant {
    let mut carried: Vec<InFlight> = Vec::new();
    loop {
        if carried.is_empty() {
            let Some(first) = plan.ticket(Instant::now()) else {
                return Instant::now();
            };
            carried.push(InFlight::new(first));
        }
        let sender = match connect(plan).await {
            Ok(sender) => sender,
            Err(failure) => {
                if let Some(call) = carried.pop() {
                    settle(plan, stats, call, Err(failure));
                }
                continue;
            }
        };
        stats.borrow_mut().connects += 1;
        let streams = if plan.per_call { 1 } else { plan.depth };
        let lanes = (0..streams).map(|_| calls(plan, target, stats, sender.clone(), carried.pop()));
        let ends = futures_util::future::join_all(lanes).await;
        let out_of_tickets = ends.iter().all(|end| matches!(end, LaneEnd::OutOfTickets));
        carried.extend(ends.into_iter().filter_map(|end| match end {
            LaneEnd::Reopen(call) => call,
            LaneEnd::OutOfTickets => None,
        }));
        if out_of_tickets && carried.is_empty() {
            return Instant::now();
        }
    }
}

/// Why a lane of calls stopped.
enum LaneEnd {
    OutOfTickets,
    /// The connection failed or is going away (or `--connections per-call`): open another, and
    /// send this call there, the connection having not taken it.
    Reopen(Option<InFlight>),
}

/// How a call did not succeed.
#[derive(Debug, PartialEq)]
enum Attempt {
    /// The connection did not take the stream (GOAWAY before it, REFUSED_STREAM, a connection
    /// already closing): nothing was processed, so it goes again.
    NotTaken,
    Failed(Failure),
}

/// Opens a connection and starts its HTTP/2 session; the session's own task reads and writes
/// frames for every stream on it.
async fn connect(plan: &Plan) -> std::result::Result<SendRequest<Bytes>, Failure> {
    let tcp = plan.dial.connect(plan.timeout, false).await?;
    let handshake = h2::client::Builder::new()
        .initial_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .handshake::<_, Bytes>(tcp);
    let (sender, session) = match tokio::time::timeout(plan.timeout, handshake).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => return Err(failure_of(&e)),
        Err(_) => return Err(Failure::Timeout),
    };
    tokio::spawn(async move {
        let _ = session.await;
    });
    Ok(sender)
}

/// One lane: a stream at a time, the next as soon as one is answered, until the run is over or
/// the connection fails. `first` is a call already handed out to this connection.
async fn calls(
    plan: &Plan,
    target: &Target,
    stats: &RefCell<Stats>,
    sender: SendRequest<Bytes>,
    mut first: Option<InFlight>,
) -> LaneEnd {
    let mut checked = Checked::default();
    loop {
        let call = match first.take() {
            Some(call) => call,
            None => match plan.ticket(Instant::now()) {
                Some(ticket) => InFlight::new(ticket),
                None => return LaneEnd::OutOfTickets,
            },
        };
        // A call may take `-t`, but not past the end of a `-d` run: a stream that never ends
        // (health Watch) must not hold the run open. A call cut by the end is not counted, as
        // wrk does not count the requests in flight when its time is up.
        let limit = tokio::time::Instant::now() + plan.timeout;
        let end = plan.clock.deadline.map(tokio::time::Instant::from_std);
        let cut = end.map_or(limit, |end| end.min(limit));
        let answered = tokio::time::timeout_at(cut, one_call(&sender, target, &mut checked)).await;
        let result = match answered {
            Ok(Ok(messages)) => {
                stats.borrow_mut().messages += messages;
                Ok(())
            }
            Ok(Err(Attempt::NotTaken)) => return LaneEnd::Reopen(Some(call)),
            Ok(Err(Attempt::Failed(failure))) => Err(failure),
            Err(_) if end.is_some_and(|end| tokio::time::Instant::now() >= end) => {
                return LaneEnd::OutOfTickets;
            }
            Err(_) => Err(Failure::Timeout),
        };
        let broken = matches!(
            result,
            Err(Failure::Io(_) | Failure::Closed | Failure::Timeout)
        );
        settle(plan, stats, call, result);
        if broken || plan.per_call {
            return LaneEnd::Reopen(None);
        }
    }
}

/// One call: the request on a new stream, then its answer read and checked. Returns the number of
/// messages the answer held.
async fn one_call(
    sender: &SendRequest<Bytes>,
    target: &Target,
    checked: &mut Checked,
) -> std::result::Result<u64, Attempt> {
    // Nothing of the call has gone until the request is sent: any failure until then is one
    // the connection did not take.
    let mut sender = sender
        .clone()
        .ready()
        .await
        .map_err(|_| Attempt::NotTaken)?;
    let (response, mut body) = sender
        .send_request(target.request(), false)
        .map_err(|_| Attempt::NotTaken)?;
    body.send_data(target.frame.clone(), true)
        .map_err(|e| attempt_of(&e))?;
    let (head, mut answer) = response.await.map_err(|e| attempt_of(&e))?.into_parts();
    // A status in the headers counts only when they end the stream ("Trailers-Only").
    if head.headers.contains_key("grpc-status") && answer.is_end_stream() {
        status_of(&head.headers)?;
        return expected(target, 0).map_err(Attempt::Failed);
    }
    if head.status != http::StatusCode::OK {
        return Err(Attempt::Failed(Failure::Http(head.status.as_u16())));
    }
    let grpc = head
        .headers
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    if !grpc {
        return Err(Attempt::Failed(Failure::Invalid));
    }
    let mut messages = 0u64;
    let mut splitter = Splitter::new(usize::MAX, Encoding::of(&head.headers));
    while let Some(data) = answer.data().await {
        let data = data.map_err(|e| attempt_of(&e))?;
        let _ = answer.flow_control().release_capacity(data.len());
        for (_, piece) in splitter.push(&data) {
            let Piece::Message(message) = piece else {
                return Err(Attempt::Failed(Failure::Invalid));
            };
            checked
                .check(&target.output, &message)
                .map_err(Attempt::Failed)?;
            messages += 1;
        }
    }
    if splitter.holds_partial() {
        return Err(Attempt::Failed(Failure::Invalid));
    }
    let trailers = answer
        .trailers()
        .await
        .map_err(|e| attempt_of(&e))?
        .ok_or(Attempt::Failed(Failure::Invalid))?;
    status_of(&trailers)?;
    expected(target, messages).map_err(Attempt::Failed)
}

/// An OK answer of a unary method holds exactly one message.
fn expected(target: &Target, messages: u64) -> std::result::Result<u64, Failure> {
    if target.server_streaming || messages == 1 {
        Ok(messages)
    } else {
        Err(Failure::Invalid)
    }
}

/// `grpc-status` read: OK, another status counted by its code, or an invalid answer without one.
fn status_of(headers: &http::HeaderMap) -> std::result::Result<(), Attempt> {
    let code = headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or(Attempt::Failed(Failure::Invalid))?;
    match code {
        0 => Ok(()),
        code => Err(Attempt::Failed(Failure::Status(code))),
    }
}

/// A stream's failure after it was sent: one the server reset with REFUSED_STREAM, or ended by
/// a graceful GOAWAY (NO_ERROR) before accepting it, was not taken; anything else failed.
fn attempt_of(error: &h2::Error) -> Attempt {
    let refused = error.reason() == Some(h2::Reason::REFUSED_STREAM);
    let graceful = error.is_go_away() && error.reason() == Some(h2::Reason::NO_ERROR);
    if refused || graceful {
        Attempt::NotTaken
    } else {
        Attempt::Failed(failure_of(error))
    }
}

fn failure_of(error: &h2::Error) -> Failure {
    if let Some(io) = error.get_io() {
        Failure::Io(io.kind())
    } else if error.is_go_away() {
        Failure::Closed
    } else if let Some(reason) = error.reason() {
        Failure::Reset(u32::from(reason))
    } else {
        Failure::Closed
    }
}

/// Remembers the last message that decoded: most methods answer the same request with the same
/// bytes, which then need no second decoding (as [`super::answer::Checked`] does for HTTP/1.1).
#[derive(Default)]
struct Checked {
    last: Bytes,
}

impl Checked {
    fn check(
        &mut self,
        output: &MessageDescriptor,
        message: &Bytes,
    ) -> std::result::Result<(), Failure> {
        if *message == self.last {
            return Ok(());
        }
        DynamicMessage::decode(output.clone(), message.clone()).map_err(|_| Failure::Invalid)?;
        self.last = message.clone();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_counted_by_code() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(status_of(&headers), Err(Attempt::Failed(Failure::Invalid)));
        headers.insert("grpc-status", http::HeaderValue::from_static("0"));
        assert_eq!(status_of(&headers), Ok(()));
        headers.insert("grpc-status", http::HeaderValue::from_static("5"));
        assert_eq!(
            status_of(&headers),
            Err(Attempt::Failed(Failure::Status(5)))
        );
    }

    #[test]
    fn a_stream_refused_or_gone_away_gracefully_was_not_taken() {
        let refused = h2::Error::from(h2::Reason::REFUSED_STREAM);
        assert_eq!(attempt_of(&refused), Attempt::NotTaken);
        let internal = h2::Error::from(h2::Reason::INTERNAL_ERROR);
        assert_eq!(attempt_of(&internal), Attempt::Failed(Failure::Reset(2)));
    }
}
