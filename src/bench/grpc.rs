//! The gRPC load: each call is one HTTP/2 stream, made with h2 (the HTTP/2 crate under hyper and
//! tonic), on one of the `-c` connections, `--streams` of them at once on each connection. The
//! request (headers and framed message) is built once by the code `rpc call --dry-run` shows; each
//! answer's messages are decoded with the method's schema and its `grpc-status` is counted by
//! code, so a wrong answer is an error, never a fast success.
//!
//! Spec: <https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md>.

use super::conn::{settle, InFlight, Plan};
use super::stats::{Failure, Stats};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::protocol::grpc::message::{read_prefix, PREFIX_LEN};
use crate::protocol::Call;
use bytes::{Buf, Bytes, BytesMut};
use h2::client::SendRequest;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use std::cell::RefCell;
use std::time::Instant;
use tokio::net::TcpStream;

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
    /// The call's request, built once with the schema (reflection may be asked, so this runs
    /// the client's runtime for a moment), and the `HOST:PORT` to connect to. Errors: a
    /// client-streaming method, `grpcs://`, an unknown method (usage).
    pub fn prepare(client: &Client, call: &Call) -> Result<(String, Target)> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Local(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(async {
            let method = client.grpc_method(&call.method).await?;
            if method.is_client_streaming() {
                return Err(Error::usage(format!(
                    "rpc bench measures unary and server-streaming methods; {} takes a stream",
                    crate::protocol::grpc::schema::method_name(&method)
                )));
            }
            let preview = crate::client::grpc::preview(client, call).await?;
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
            let addr = uri.authority().map(|a| a.to_string()).unwrap_or_default();
            let target = Target {
                uri,
                headers,
                frame: Bytes::from(preview.frame),
                output: method.output(),
                server_streaming: method.is_server_streaming(),
            };
            Ok((addr, target))
        })
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
/// over; returns when it ended.
pub async fn drive(plan: &Plan, target: &Target, stats: &RefCell<Stats>) -> Instant {
    loop {
        let Some(first) = plan.ticket(Instant::now()) else {
            return Instant::now();
        };
        let mut first = Some(InFlight::new(first));
        let sender = match connect(plan).await {
            Ok(sender) => sender,
            Err(failure) => {
                if let Some(call) = first {
                    settle(plan, stats, call, Err(failure));
                }
                continue;
            }
        };
        stats.borrow_mut().connects += 1;
        let streams = if plan.per_call { 1 } else { plan.depth };
        let lanes = (0..streams).map(|_| calls(plan, target, stats, sender.clone(), first.take()));
        let ends = futures_util::future::join_all(lanes).await;
        if ends.iter().all(|end| matches!(end, LaneEnd::OutOfTickets)) {
            return Instant::now();
        }
    }
}

/// Why a lane of calls stopped.
enum LaneEnd {
    OutOfTickets,
    /// The connection failed (or `--connections per-call`): open another.
    Reopen,
}

/// Opens a connection and starts its HTTP/2 session; the session's own task reads and writes
/// frames for every stream on it.
async fn connect(plan: &Plan) -> std::result::Result<SendRequest<Bytes>, Failure> {
    let tcp = match tokio::time::timeout(plan.timeout, TcpStream::connect(plan.addr)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => return Err(Failure::Connect(e.kind())),
        Err(_) => return Err(Failure::Timeout),
    };
    let _ = tcp.set_nodelay(true);
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
            Ok(Err(failure)) => Err(failure),
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
            return LaneEnd::Reopen;
        }
    }
}

/// One call: the request on a new stream, then its answer read and checked. Returns the number of
/// messages the answer held.
async fn one_call(
    sender: &SendRequest<Bytes>,
    target: &Target,
    checked: &mut Checked,
) -> std::result::Result<u64, Failure> {
    let mut sender = sender.clone().ready().await.map_err(|e| failure_of(&e))?;
    let (response, mut body) = sender
        .send_request(target.request(), false)
        .map_err(|e| failure_of(&e))?;
    body.send_data(target.frame.clone(), true)
        .map_err(|e| failure_of(&e))?;
    let (head, mut answer) = response.await.map_err(|e| failure_of(&e))?.into_parts();
    if head.status != http::StatusCode::OK {
        return Err(Failure::Http(head.status.as_u16()));
    }
    let mut messages = 0u64;
    // A status with no messages may come alone, in the headers ("Trailers-Only").
    if head.headers.contains_key("grpc-status") {
        status_of(&head.headers)?;
        return expected(target, messages);
    }
    let mut pending = BytesMut::new();
    while let Some(data) = answer.data().await {
        let data = data.map_err(|e| failure_of(&e))?;
        let _ = answer.flow_control().release_capacity(data.len());
        pending.extend_from_slice(&data);
        while let Some(message) = next_message(&mut pending)? {
            checked.check(&target.output, &message)?;
            messages += 1;
        }
    }
    if !pending.is_empty() {
        return Err(Failure::Invalid);
    }
    let trailers = answer
        .trailers()
        .await
        .map_err(|e| failure_of(&e))?
        .ok_or(Failure::Invalid)?;
    status_of(&trailers)?;
    expected(target, messages)
}

/// An OK answer of a unary method holds exactly one message.
fn expected(target: &Target, messages: u64) -> std::result::Result<u64, Failure> {
    if target.server_streaming || messages == 1 {
        Ok(messages)
    } else {
        Err(Failure::Invalid)
    }
}

/// Cuts the next whole message off `pending`; `None` until one is complete. A compressed message
/// is invalid: the request offered no compression.
fn next_message(pending: &mut BytesMut) -> std::result::Result<Option<Bytes>, Failure> {
    let Some((compressed, len)) = read_prefix(pending) else {
        return Ok(None);
    };
    if compressed {
        return Err(Failure::Invalid);
    }
    if pending.len() < PREFIX_LEN + len {
        return Ok(None);
    }
    pending.advance(PREFIX_LEN);
    Ok(Some(pending.split_to(len).freeze()))
}

/// `grpc-status` read: OK, another status counted by its code, or an invalid answer without one.
fn status_of(headers: &http::HeaderMap) -> std::result::Result<(), Failure> {
    let code = headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or(Failure::Invalid)?;
    match code {
        0 => Ok(()),
        code => Err(Failure::Status(code)),
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
    fn messages_are_cut_at_their_length() {
        let mut pending = BytesMut::from(&[0u8, 0, 0, 0, 2, 8, 5, 0, 0][..]);
        assert_eq!(
            next_message(&mut pending),
            Ok(Some(Bytes::from_static(&[8, 5])))
        );
        assert_eq!(
            next_message(&mut pending),
            Ok(None),
            "a partial prefix waits"
        );
        pending.extend_from_slice(&[0, 0, 0]);
        assert_eq!(next_message(&mut pending), Ok(Some(Bytes::new())));
        let mut compressed = BytesMut::from(&[1u8, 0, 0, 0, 0][..]);
        assert_eq!(next_message(&mut compressed), Err(Failure::Invalid));
    }

    #[test]
    fn statuses_are_counted_by_code() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(status_of(&headers), Err(Failure::Invalid));
        headers.insert("grpc-status", http::HeaderValue::from_static("0"));
        assert_eq!(status_of(&headers), Ok(()));
        headers.insert("grpc-status", http::HeaderValue::from_static("5"));
        assert_eq!(status_of(&headers), Err(Failure::Status(5)));
    }
}
