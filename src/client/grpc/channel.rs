//! The one channel every gRPC exchange of the client goes through (calls, streams, reflection):
//! tonic's channel with the answer checked before tonic reads it, and tapped for `-vv`.
//!
//! What tonic would otherwise get wrong, and the rule `rpc` follows instead (grpc-go's):
//! - a `grpc-status` in headers that do not end the stream is not a status: only a
//!   Trailers-Only answer (headers with END_STREAM) carries one there, so the trailers decide;
//! - an HTTP status other than 200 without `grpc-status` is that HTTP status (exit 1), named with
//!   the code gRPC maps it to (http-grpc-status-mapping.md), not a status the server sent;
//! - a content type that is not `application/grpc…`, and an answer that ends without a
//!   `grpc-status`, are invalid answers (exit 4) naming what came;
//! - a `grpc-status-details-bin` that is not base64 is dropped (tonic panics on one);
//! - an answer over `--max-response` is refused by the client.
//!
//! At `-vv` the tap shows the request's headers as tonic wrote them and each message as it
//! goes, then the answer's headers, each message as it comes and the trailers, in the order they
//! pass, whatever the outcome.

use crate::protocol::grpc::frames::{Encoding, Piece, Prefix, Splitter};
use crate::protocol::grpc::json;
use crate::trace::{Direction, Trace};
use bytes::Bytes;
use hyper::body::{Body as _, Frame, SizeHint};
use prost_reflect::{DynamicMessage, MessageDescriptor};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tonic::Status;

/// A boxed error, as tonic takes a service's errors.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The checked channel: tonic's requests in, checked answers out.
pub type Checked = tower::util::BoxCloneService<
    http::Request<tonic::body::Body>,
    http::Response<Answer>,
    ChannelError,
>;

/// Why the checked channel gave no answer: the connection's failure, or [`NotGrpc`], as its
/// source. A concrete type rather than a boxed error: tonic's generic bounds on a `dyn` error
/// defeat the compiler's proof that the futures built on it are `Send` (rust-lang/rust#102211).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChannelError(#[source] BoxError);

/// The message types of an exchange, put in a request's extensions so the `-vv` tap can show
/// each message as JSON (without them, messages show as their size).
#[derive(Debug, Clone)]
pub struct MessageTypes {
    pub input: MessageDescriptor,
    pub output: MessageDescriptor,
}

/// How long an answer that is not gRPC gets to show its first bytes for the error message.
const FIRST_BYTES_WAIT: Duration = Duration::from_secs(2);
/// How many of its first bytes are shown.
const FIRST_BYTES: usize = 120;

/// An answer that is not a gRPC answer, as the client finds it: never a status of the server's.
#[derive(Debug, thiserror::Error)]
pub enum NotGrpc {
    /// An HTTP error status with no `grpc-status` (exit 1).
    #[error("HTTP {status} from {target}, with no grpc-status ({mapped} by gRPC's mapping of HTTP statuses){what}")]
    HttpStatus {
        status: String,
        target: String,
        mapped: String,
        what: String,
    },
    /// Something that is not a gRPC answer, or one broken off (exit 4).
    #[error("{0}")]
    Invalid(String),
}

/// The channel for `target`, its answers checked, tapped into `trace` at `-vv`, bounded by
/// `max_response` bytes of messages.
pub fn checked(
    channel: tonic::transport::Channel,
    target: String,
    trace: Trace,
    max_response: usize,
) -> Checked {
    tower::util::BoxCloneService::new(tower::service_fn(move |request| {
        exchange(
            channel.clone(),
            request,
            target.clone(),
            trace,
            max_response,
        )
    }))
}

async fn exchange(
    channel: tonic::transport::Channel,
    request: http::Request<tonic::body::Body>,
    target: String,
    trace: Trace,
    max_response: usize,
) -> Result<http::Response<Answer>, ChannelError> {
    use tower::ServiceExt;
    let mut request = request;
    // Compressed answers are inflated here (see [`Answer`]), so tonic is not told to accept
    // them; the server is.
    request.headers_mut().insert(
        "grpc-accept-encoding",
        http::HeaderValue::from_static("gzip,deflate"),
    );
    let types = request.extensions().get::<MessageTypes>().cloned();
    let tapping = trace.level >= 2;
    let request = if tapping {
        trace.wire(Direction::Sent, request_head(&request).as_bytes());
        let encoding = Encoding::of(request.headers());
        let input = types.as_ref().map(|t| t.input.clone());
        request.map(|body| {
            let tap = FrameTap::new(trace, Direction::Sent, input, encoding, max_response);
            tonic::body::Body::new(Tapped { inner: body, tap })
        })
    } else {
        request
    };
    let response = channel
        .oneshot(request)
        .await
        .map_err(|e| ChannelError(Box::new(e)))?;
    let (mut head, body) = response.into_parts();
    let trailers_only = head.headers.contains_key("grpc-status") && body.is_end_stream();
    if !trailers_only {
        // A status counts in the headers only when they end the stream (Trailers-Only).
        for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
            head.headers.remove(name);
        }
    }
    super::drop_invalid_details(&mut head.headers);
    if tapping {
        trace.wire(Direction::Received, response_head(&head).as_bytes());
    }
    let body = match trailers_only {
        true => body,
        false => grpc_body(&head, body, &target)
            .await
            .map_err(|e| ChannelError(Box::new(e)))?,
    };
    let encoding = Encoding::of(&head.headers);
    // tonic sees the messages inflated: it must not look for an encoding it was not told of.
    head.headers.remove("grpc-encoding");
    let tap = tapping.then(|| {
        let output = types.map(|t| t.output);
        FrameTap::new(
            trace,
            Direction::Received,
            output,
            encoding.clone(),
            max_response,
        )
    });
    let answer = Answer {
        inner: body,
        tap,
        splitter: Splitter::new(max_response, encoding),
        queue: std::collections::VecDeque::new(),
        status_seen: trailers_only,
        ended: false,
        received: 0,
        max_response,
    };
    Ok(http::Response::from_parts(head, answer))
}

/// The body of an answer whose head says it is gRPC (HTTP 200, `application/grpc…`); anything
/// else is the error that names what came.
async fn grpc_body(
    head: &http::response::Parts,
    body: tonic::body::Body,
    target: &str,
) -> Result<tonic::body::Body, NotGrpc> {
    let content_type = head
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if head.status == http::StatusCode::OK && content_type.starts_with("application/grpc") {
        return Ok(body);
    }
    let first = first_bytes(body).await;
    let shown = shown_bytes(&first);
    if head.status != http::StatusCode::OK {
        let what = match (content_type.as_str(), first.is_empty()) {
            ("", true) => String::new(),
            ("", false) => format!(": {shown}"),
            (kind, true) => format!(": {kind}, empty"),
            (kind, false) => format!(": {kind} {shown}"),
        };
        return Err(NotGrpc::HttpStatus {
            status: crate::protocol::answer::status_text(head.status.as_u16()),
            target: target.to_owned(),
            mapped: mapped_status(head.status.as_u16()),
            what,
        });
    }
    let kind = match content_type.as_str() {
        "" => "no content type".to_owned(),
        kind => kind.to_owned(),
    };
    let what = if first.is_empty() {
        String::new()
    } else {
        format!(" ({shown})")
    };
    Err(NotGrpc::Invalid(format!(
        "{target} answered HTTP 200 with {kind}, not application/grpc: not a gRPC answer{what}"
    )))
}

/// The first bytes of a body that is not gRPC, for the error that names it; what comes within
/// [`FIRST_BYTES_WAIT`], at most [`FIRST_BYTES`] of it.
async fn first_bytes(mut body: tonic::body::Body) -> Vec<u8> {
    let mut first = Vec::new();
    let read = async {
        while first.len() < FIRST_BYTES {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
            match frame {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => first.extend_from_slice(&data),
                    Err(_) => break,
                },
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(FIRST_BYTES_WAIT, read).await;
    first.truncate(FIRST_BYTES);
    first
}

/// Bytes for people: quoted text when they are text, else hex.
pub(super) fn shown_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') =>
        {
            format!("{:?}", text.trim_end())
        }
        _ => bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The status gRPC reads an HTTP status as (http-grpc-status-mapping.md): `UNIMPLEMENTED (12)`.
fn mapped_status(http: u16) -> String {
    let code: usize = match http {
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 | 502 | 503 | 504 => 14,
        _ => 2,
    };
    let name = crate::protocol::grpc::STATUS_NAMES
        .get(code)
        .copied()
        .unwrap_or("UNKNOWN");
    format!("{name} ({code})")
}

/// `POST /pkg.Service/Method HTTP/2` and the request's headers, as tonic wrote them.
fn request_head(request: &http::Request<tonic::body::Body>) -> String {
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut text = format!("POST {path} HTTP/2\r\n");
    text.push_str(&super::metadata::header_lines(request.headers()));
    text.trim_end().to_owned()
}

/// `HTTP/2 200` and the answer's headers.
fn response_head(head: &http::response::Parts) -> String {
    let mut text = format!("HTTP/2 {}\r\n", head.status.as_u16());
    text.push_str(&super::metadata::header_lines(&head.headers));
    text.trim_end().to_owned()
}

/// A request body passed on unchanged, its messages shown at `-vv` as they go.
struct Tapped {
    inner: tonic::body::Body,
    tap: FrameTap,
}

impl hyper::body::Body for Tapped {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            self.tap.frame(frame);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The answer's body as tonic reads it: each message cut out, inflated when it was compressed
/// and passed on uncompressed (so `--max-response` bounds what is inflated, and an encoding
/// `rpc` cannot read is named), shown at -vv, and the whole required to end with a status.
pub struct Answer {
    inner: tonic::body::Body,
    tap: Option<FrameTap>,
    splitter: Splitter,
    /// Frames made from what was read, not yet handed on.
    queue: std::collections::VecDeque<Frame<Bytes>>,
    /// A `grpc-status` came (in the trailers, or in Trailers-Only headers).
    status_seen: bool,
    /// The end was reached (or an error reported); nothing more comes.
    ended: bool,
    /// Bytes of messages (inflated) so far.
    received: usize,
    max_response: usize,
}

impl Answer {
    /// Cuts `data` into messages and queues each as a prefix frame and a body frame.
    fn data(&mut self, data: &Bytes) -> Result<(), Status> {
        for (prefix, piece) in self.splitter.push(data) {
            if let Some(tap) = &self.tap {
                tap.piece(prefix, &piece);
            }
            let message = match piece {
                Piece::Message(message) => message,
                Piece::Unread(_) if prefix.len > self.max_response => {
                    return Err(too_large(self.max_response))
                }
                Piece::Unread(why) => {
                    return Err(invalid(format!(
                        "a message of the answer is unreadable: {why}"
                    )))
                }
            };
            self.received += message.len();
            if self.received > self.max_response {
                return Err(too_large(self.max_response));
            }
            let mut head = Vec::with_capacity(5);
            head.push(0);
            head.extend_from_slice(
                &u32::try_from(message.len())
                    .unwrap_or(u32::MAX)
                    .to_be_bytes(),
            );
            self.queue.push_back(Frame::data(Bytes::from(head)));
            self.queue.push_back(Frame::data(message));
        }
        Ok(())
    }

    /// Checks the trailers (a status, details that are base64) and queues them.
    fn trailers(&mut self, mut trailers: http::HeaderMap) -> Result<(), Status> {
        super::drop_invalid_details(&mut trailers);
        if let Some(tap) = &self.tap {
            tap.trailers(&trailers);
        }
        if !trailers.contains_key("grpc-status") {
            return Err(invalid("the answer's trailers carry no grpc-status".into()));
        }
        self.ended_whole()?;
        self.status_seen = true;
        self.queue.push_back(Frame::trailers(trailers));
        Ok(())
    }

    /// An answer may end only between messages.
    fn ended_whole(&self) -> Result<(), Status> {
        match self.splitter.holds_partial() {
            true => Err(invalid(
                "the answer ended in the middle of a message".into(),
            )),
            false => Ok(()),
        }
    }

    fn read(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, Status>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) if self.status_seen => Poll::Ready(Ok(false)),
            Poll::Ready(None) => Poll::Ready(self.ended_whole().and(Err(invalid(
                "the answer ended without a grpc-status (no trailers)".into(),
            )))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Err(e)),
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(match frame.into_data() {
                Ok(data) => self.data(&data).map(|()| true),
                Err(frame) => match frame.into_trailers() {
                    Ok(trailers) => self.trailers(trailers).map(|()| true),
                    Err(_) => Ok(true),
                },
            }),
        }
    }
}

impl hyper::body::Body for Answer {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        loop {
            if let Some(frame) = self.queue.pop_front() {
                return Poll::Ready(Some(Ok(frame)));
            }
            if self.ended {
                return Poll::Ready(None);
            }
            match self.read(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(true)) => {}
                Poll::Ready(Ok(false)) => self.ended = true,
                Poll::Ready(Err(status)) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(status)));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.queue.is_empty() && (self.ended || (self.status_seen && self.inner.is_end_stream()))
    }
}

/// A status that stands for a client-side finding: its source says so, so it is reported as
/// an invalid answer, never as the server's.
fn invalid(why: String) -> Status {
    let mut status = Status::internal(why.clone());
    status.set_source(std::sync::Arc::new(NotGrpc::Invalid(why)));
    status
}

/// An answer over `--max-response`, refused by the client.
fn too_large(max: usize) -> Status {
    let why = format!("the answer is larger than --max-response allows ({max} bytes; raise it)");
    invalid(why)
}

/// What `-vv` shows of one direction's frames: each message as `[frame PREFIX] JSON` (or its
/// size without a type), trailers as header lines.
struct FrameTap {
    trace: Trace,
    direction: Direction,
    kind: Option<MessageDescriptor>,
    splitter: Splitter,
}

impl FrameTap {
    fn new(
        trace: Trace,
        direction: Direction,
        kind: Option<MessageDescriptor>,
        encoding: Encoding,
        max: usize,
    ) -> FrameTap {
        FrameTap {
            trace,
            direction,
            kind,
            splitter: Splitter::new(max, encoding),
        }
    }

    /// A frame of the request as it goes: cut into messages here.
    fn frame(&mut self, frame: &Frame<Bytes>) {
        if let Some(trailers) = frame.trailers_ref() {
            self.trailers(trailers);
            return;
        }
        let Some(data) = frame.data_ref() else { return };
        for (prefix, piece) in self.splitter.push(data) {
            self.piece(prefix, &piece);
        }
    }

    /// `[frame PREFIX] JSON` for one message.
    fn piece(&self, prefix: Prefix, piece: &Piece) {
        let shown = match piece {
            Piece::Message(bytes) => self.shown(bytes),
            Piece::Unread(why) => format!("(not shown: {why})"),
        };
        let line = format!("[frame {prefix}] {shown}");
        self.trace.wire(self.direction, line.as_bytes());
    }

    fn trailers(&self, trailers: &http::HeaderMap) {
        let text = super::metadata::header_lines(trailers);
        self.trace.wire(self.direction, text.trim_end().as_bytes());
    }

    fn shown(&self, bytes: &[u8]) -> String {
        let Some(kind) = &self.kind else {
            return format!("({} bytes)", bytes.len());
        };
        match DynamicMessage::decode(kind.clone(), bytes) {
            Ok(message) => json::to_json(&message).to_string(),
            Err(e) => format!("(not a {}: {e})", kind.full_name()),
        }
    }
}
