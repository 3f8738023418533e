//! HTTP/2 through the proxy (gRPC), stream by stream: hyper's HTTP/2 server takes the client's
//! streams, each goes to the server on this client's own HTTP/2 connection with its headers, and
//! its body and trailers are passed on frame by frame as they come, both ways. Nothing waits for
//! a whole stream: each DATA frame is looked at on its way through ([`Tap`]), its gRPC messages
//! cut at their 5-byte prefix and decoded with the method's schema (the server's reflection,
//! asked once, or `--schema`), each logged as it passes. A message that cannot be decoded is
//! forwarded all the same: without a schema, or not matching it, it is shown as bytes; compressed
//! or over `--max-body`, it is noted with its size.
//!
//! Spec: <https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md>.

use super::log::{Answered, Carrier, Way};
use super::Shared;
use crate::client::Client;
use crate::protocol::grpc::frames::{Encoding, Piece, Splitter};
use crate::protocol::grpc::schema::{method_name, Schema};
use crate::protocol::Proto;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::HeaderValue;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor};
use serde_json::{json, Value as Json};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

type ProxyBody = UnsyncBoxBody<Bytes, hyper::Error>;
type Sender = hyper::client::conn::http2::SendRequest<ProxyBody>;

/// How often an HTTP/2 client is pinged, and how long its answer may take.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(20);
/// `UNAVAILABLE`, the status a client gets when the server cannot be reached (statuscodes.md).
const UNAVAILABLE: u16 = 14;

/// How long after a failed schema fetch the proxy asks again.
const SCHEMA_RETRY: std::time::Duration = std::time::Duration::from_secs(30);

/// The schema the proxy reads gRPC messages with: asked of the server's reflection on the first
/// gRPC stream (within `--connect-timeout`), or read from `--schema`; after a failure, asked again
/// [`SCHEMA_RETRY`] later, meanwhile messages are shown as bytes.
#[derive(Default)]
pub struct SchemaCache(tokio::sync::Mutex<Cached>);

#[derive(Default)]
enum Cached {
    #[default]
    Unknown,
    Known(Arc<Schema>),
    Failed(Instant),
}

impl SchemaCache {
    async fn get(&self, conn: u64, shared: &Shared) -> Option<Arc<Schema>> {
        let mut cached = self.0.lock().await;
        match &*cached {
            Cached::Known(schema) => return Some(Arc::clone(schema)),
            Cached::Failed(at) if at.elapsed() < SCHEMA_RETRY => return None,
            Cached::Failed(_) | Cached::Unknown => {}
        }
        let limit = shared.config.limits.connect_timeout;
        let fetched = tokio::time::timeout(limit, fetch_schema(shared)).await;
        match fetched {
            Ok(Ok(schema)) => {
                let schema = Arc::new(schema);
                *cached = Cached::Known(Arc::clone(&schema));
                Some(schema)
            }
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!(
                        "no answer within --connect-timeout ({} s)",
                        limit.as_secs_f64()
                    ),
                };
                shared.log.note(
                    conn,
                    &format!("no gRPC schema ({why}): messages are shown as bytes for now"),
                );
                *cached = Cached::Failed(Instant::now());
                None
            }
        }
    }
}

/// The server's schema: `--schema` files, else its reflection service.
async fn fetch_schema(shared: &Shared) -> crate::error::Result<Schema> {
    let scheme = if shared.upstream_tls { "grpcs" } else { "grpc" };
    // A server on a Unix socket is asked through it, by the name it is given.
    let unix_socket = match &shared.place {
        crate::connect::Place::Unix(path) => Some(path.clone()),
        _ => None,
    };
    let url = format!("{scheme}://{}", shared.authority);
    let options = crate::client::Options {
        proto: Some(Proto::Grpc),
        timeout: Some(shared.config.limits.connect_timeout),
        unix_socket,
        ..shared.config.client.clone()
    };
    let client = Client::new(&url, &options, crate::trace::Trace::default())?;
    client.grpc_schema().await
}

/// Forwards the HTTP/2 streams of one client connection until it closes or the proxy stops.
pub async fn forward<C>(io: C, conn: u64, shared: &Arc<Shared>, shutdown: CancellationToken)
where
    C: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let upstream = Arc::new(tokio::sync::Mutex::new(None::<Sender>));
    let service = {
        let shared = Arc::clone(shared);
        hyper::service::service_fn(move |request| {
            let (shared, upstream) = (Arc::clone(&shared), Arc::clone(&upstream));
            async move {
                Ok::<_, std::convert::Infallible>(exchange(request, conn, shared, &upstream).await)
            }
        })
    };
    // Pings find a client that went away without a word; the HTTP/2 connection then closes.
    let connection = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(KEEP_ALIVE))
        .keep_alive_timeout(KEEP_ALIVE)
        .max_concurrent_streams(u32::try_from(shared.config.limits.max_streams).unwrap_or(u32::MAX))
        .serve_connection(TokioIo::new(io), service);
    super::serve_until(connection, &shutdown).await;
}

/// One stream: its request passed to the server, the server's answer passed back, both watched.
async fn exchange(
    request: Request<Incoming>,
    conn: u64,
    shared: Arc<Shared>,
    upstream: &tokio::sync::Mutex<Option<Sender>>,
) -> Response<ProxyBody> {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let is_grpc = parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"));
    let method = match is_grpc {
        true => match shared.grpc_schema.get(conn, &shared).await {
            Some(schema) => schema.method(path.trim_start_matches('/')).ok(),
            None => None,
        },
        false => None,
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or(path.clone(), |p| p.as_str().to_owned());
    shared.log.head(
        conn,
        Way::Request,
        &format!("{} {target}", parts.method),
        &parts.headers,
    );
    if !is_grpc {
        shared.log.note(
            conn,
            &format!(
                "{} {target} over HTTP/2, not gRPC: forwarded unread",
                parts.method
            ),
        );
    }
    let mut call = Call::new(conn, &path, method, &shared, Encoding::of(&parts.headers));
    call.grpc = is_grpc;
    // Reflection is how a client learns the schema, not a call of the application: its
    // exchanges (long descriptors, several per call) show with -v, as headers do.
    call.quiet = path.starts_with("/grpc.reflection.") && shared.log.style().verbose == 0;
    let call = Arc::new(Mutex::new(call));
    let scheme = if shared.upstream_tls { "https" } else { "http" };
    if let Ok(uri) = format!("{scheme}://{}{target}", shared.authority).parse() {
        parts.uri = uri;
    }
    let watched = Arc::clone(&call);
    let body = Tap::new(body, move |frame| {
        super::lock(&watched).request_frame(frame)
    })
    .boxed_unsync();
    let answer = match send(Request::from_parts(parts, body), &shared, upstream).await {
        Ok(answer) => answer,
        Err(why) => return super::lock(&call).unavailable(&why),
    };
    let (parts, body) = answer.into_parts();
    shared.log.head(
        conn,
        Way::Answer,
        &format!("{}", parts.status),
        &parts.headers,
    );
    // A status counts in the headers only when they end the stream ("Trailers-Only").
    if parts.headers.contains_key("grpc-status") && body.is_end_stream() {
        let mut call = super::lock(&call);
        if call.grpc && !call.quiet {
            call.ended(&parts.headers);
        }
    }
    super::lock(&call).answers_use(Encoding::of(&parts.headers));
    let watched = Arc::clone(&call);
    let body =
        Tap::new(body, move |frame| super::lock(&watched).answer_frame(frame)).boxed_unsync();
    Response::from_parts(parts, body)
}

/// Sends on the client's upstream HTTP/2 connection, opening it when there is none or it has
/// closed; a stream the connection did not take (the server sent GOAWAY) goes once more on a new
/// connection.
async fn send(
    request: Request<ProxyBody>,
    shared: &Shared,
    upstream: &tokio::sync::Mutex<Option<Sender>>,
) -> Result<Response<Incoming>, String> {
    let failed = |e: hyper::Error| format!("{}: {e}", shared.target);
    let (mut sender, reused) = {
        let mut slot = upstream.lock().await;
        match slot.as_ref().filter(|s| !s.is_closed()) {
            Some(sender) => (sender.clone(), true),
            None => {
                let sender = open(shared).await?;
                *slot = Some(sender.clone());
                (sender, false)
            }
        }
    };
    let ready = sender.ready().await;
    let unsent = match ready {
        Ok(()) => match sender.try_send_request(request).await {
            Ok(answer) => return Ok(answer),
            Err(mut unsent) => match unsent.take_message() {
                Some(request) if reused => request,
                _ => return Err(failed(unsent.into_error())),
            },
        },
        // The connection went away between streams: nothing of this one was sent.
        Err(_) if reused => request,
        Err(e) => return Err(failed(e)),
    };
    let mut sender = open(shared).await?;
    *upstream.lock().await = Some(sender.clone());
    sender.ready().await.map_err(failed)?;
    sender.send_request(unsent).await.map_err(failed)
}

/// A new HTTP/2 connection to the server (ALPN `h2` under TLS).
async fn open(shared: &Shared) -> Result<Sender, String> {
    let stream = shared
        .connect_upstream(&[b"h2"])
        .await
        .map_err(|e| e.to_string())?;
    let (sender, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .timer(TokioTimer::new())
        .handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP/2 with {}: {e}", shared.target))?;
    tokio::spawn(connection);
    Ok(sender)
}

/// What looks at each frame of a [`Tap`]ped body.
type Observer = Box<dyn FnMut(&Frame<Bytes>) + Send>;

/// A body passed through unchanged, each frame shown to `observe` on its way.
pub struct Tap<B> {
    inner: B,
    observe: Observer,
}

impl<B> Tap<B> {
    fn new(inner: B, observe: impl FnMut(&Frame<Bytes>) + Send + 'static) -> Tap<B> {
        Tap {
            inner,
            observe: Box::new(observe),
        }
    }
}

impl<B: Body<Data = Bytes> + Unpin> Body for Tap<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            (self.observe)(frame);
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

/// One gRPC call as the proxy watches it: the messages each way, cut and decoded as their bytes
/// pass, and the status it ends with.
struct Call {
    conn: u64,
    shared: Arc<Shared>,
    /// `Service/Method`, as the log names it.
    name: String,
    method: Option<MethodDescriptor>,
    requests: Splitter,
    answers: Splitter,
    /// The last request message, shown in each answer's line.
    last_request: Json,
    started: Instant,
    /// With `--record`: every message each way, for the recording of a stream.
    kept: Option<(Vec<Json>, Vec<Json>)>,
    done: bool,
    /// The stream is gRPC (`content-type: application/grpc…`); other HTTP/2 bodies pass unread,
    /// their bytes shown at `-vv`.
    grpc: bool,
    /// Its messages and status are not logged (reflection without -v).
    quiet: bool,
}

impl Call {
    fn new(
        conn: u64,
        path: &str,
        method: Option<MethodDescriptor>,
        shared: &Arc<Shared>,
        encoding: Encoding,
    ) -> Call {
        let name = match &method {
            Some(method) => method_name(method),
            None => path.trim_start_matches('/').to_owned(),
        };
        let max = usize::try_from(shared.config.limits.max_body).unwrap_or(usize::MAX);
        Call {
            conn,
            shared: Arc::clone(shared),
            name,
            requests: Splitter::new(max, encoding),
            answers: Splitter::new(max, Encoding::Identity),
            last_request: Json::Null,
            started: Instant::now(),
            // Reflection is how a client learns the schema, not a call of the application:
            // logged, never recorded.
            kept: (shared.log.recording() && !path.starts_with("/grpc.reflection."))
                .then(Default::default),
            method,
            done: false,
            grpc: true,
            quiet: false,
        }
    }

    fn is_unary(&self) -> bool {
        self.method
            .as_ref()
            .is_some_and(|m| !m.is_client_streaming() && !m.is_server_streaming())
    }

    /// The answer's messages are compressed with `encoding` (its `grpc-encoding`).
    fn answers_use(&mut self, encoding: Encoding) {
        let max = usize::try_from(self.shared.config.limits.max_body).unwrap_or(usize::MAX);
        self.answers = Splitter::new(max, encoding);
    }

    fn request_frame(&mut self, frame: &Frame<Bytes>) {
        let Some(data) = frame.data_ref() else { return };
        self.shared.log.bytes(self.conn, Way::Request, data);
        if !self.grpc || self.quiet {
            return;
        }
        let input = self.method.as_ref().map(MethodDescriptor::input);
        for (_, message) in self.requests.push(data) {
            let Some(json) = self.decode(&message, input.as_ref(), Way::Request) else {
                continue;
            };
            self.shared
                .log
                .call(self.conn, Proto::Grpc, &self.name, &json);
            if let Some((sent, _)) = &mut self.kept {
                sent.push(json.clone());
            }
            self.last_request = json;
        }
    }

    fn answer_frame(&mut self, frame: &Frame<Bytes>) {
        if let Some(trailers) = frame.trailers_ref() {
            self.shared
                .log
                .head(self.conn, Way::Answer, "trailers", trailers);
            if self.grpc && !self.quiet {
                self.ended(trailers);
            }
            return;
        }
        let Some(data) = frame.data_ref() else { return };
        self.shared.log.bytes(self.conn, Way::Answer, data);
        if !self.grpc || self.quiet {
            return;
        }
        let output = self.method.as_ref().map(MethodDescriptor::output);
        for (_, message) in self.answers.push(data) {
            let Some(json) = self.decode(&message, output.as_ref(), Way::Answer) else {
                continue;
            };
            let answered = Answered {
                conn: self.conn,
                proto: Proto::Grpc,
                method: &self.name,
                params: &self.last_request,
                outcome: Ok(&json),
                duration: self.started.elapsed(),
                carrier: Carrier::Native,
            };
            if self.is_unary() {
                self.shared.log.answer(&answered);
            } else {
                self.shared.log.answer_line(&answered);
            }
            if let Some((_, received)) = &mut self.kept {
                received.push(json);
            }
        }
    }

    /// A message as JSON, or None (shown as bytes) when it cannot be read.
    fn decode(&self, message: &Piece, kind: Option<&MessageDescriptor>, way: Way) -> Option<Json> {
        let log = &self.shared.log;
        match (message, kind) {
            (Piece::Message(bytes), Some(kind)) => {
                match DynamicMessage::decode(kind.clone(), bytes.clone()) {
                    Ok(decoded) => Some(crate::protocol::grpc::json::to_json(&decoded)),
                    Err(e) => {
                        log.undecoded(
                            self.conn,
                            way,
                            &format!("not a {}: {e}", kind.full_name()),
                            bytes,
                        );
                        None
                    }
                }
            }
            (Piece::Message(bytes), None) => {
                log.undecoded(
                    self.conn,
                    way,
                    &format!("a {} message, no schema", self.name),
                    bytes,
                );
                None
            }
            (Piece::Unread(why), _) => {
                log.note(
                    self.conn,
                    &format!("{}: a message forwarded unread ({why})", self.name),
                );
                None
            }
        }
    }

    /// The status in the trailers (or a Trailers-Only answer's headers): an error is logged as
    /// the call's answer; a stream's end is noted, and recorded with `--record`.
    fn ended(&mut self, trailers: &hyper::HeaderMap) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let log = &self.shared.log;
        let Some((code, status)) = status_json(trailers, self.pool().as_ref()) else {
            log.note(
                self.conn,
                &format!(
                    "{}: the answer ended without a grpc-status: not a gRPC answer",
                    self.name
                ),
            );
            return;
        };
        if code != 0 {
            let answered = Answered {
                conn: self.conn,
                proto: Proto::Grpc,
                method: &self.name,
                params: &self.last_request,
                outcome: Err(&status),
                duration: self.started.elapsed(),
                carrier: Carrier::Native,
            };
            if self.is_unary() {
                log.answer(&answered);
            } else {
                log.answer_line(&answered);
            }
        } else if !self.is_unary() {
            log.note(
                self.conn,
                &format!("{}: status OK, the stream has ended", self.name),
            );
        }
        if let (Some((requests, responses)), false) = (self.kept.take(), self.is_unary()) {
            log.record_stream(
                crate::record::Stream {
                    method: self.name.clone(),
                    requests,
                    responses,
                    status,
                },
                self.started.elapsed(),
            );
        }
    }

    /// The server's schema, as the method came from (for the types of a status's details).
    fn pool(&self) -> Option<DescriptorPool> {
        self.method.as_ref().map(|m| m.parent_pool().clone())
    }

    /// The server could not be reached: the client gets UNAVAILABLE (Trailers-Only), as from a
    /// gRPC server that failed (a stream that is not gRPC: HTTP 502), and the log says why.
    fn unavailable(&mut self, why: &str) -> Response<ProxyBody> {
        let message = format!("rpc proxy: cannot reach the server: {why}");
        self.shared.log.note(self.conn, &message);
        if !self.grpc {
            let body = http_body_util::Full::new(Bytes::from(message));
            let mut response = Response::new(body.map_err(|never| match never {}).boxed_unsync());
            *response.status_mut() = hyper::StatusCode::BAD_GATEWAY;
            return response;
        }
        let mut response =
            Response::new(Empty::new().map_err(|never| match never {}).boxed_unsync());
        let headers = response.headers_mut();
        headers.insert("content-type", HeaderValue::from_static("application/grpc"));
        headers.insert("grpc-status", HeaderValue::from(UNAVAILABLE));
        let encoded: String =
            percent_encoding::utf8_percent_encode(&message, percent_encoding::NON_ALPHANUMERIC)
                .collect();
        if let Ok(value) = HeaderValue::from_str(&encoded) {
            headers.insert("grpc-message", value);
        }
        if !self.quiet {
            self.ended(&response.headers().clone());
        }
        response
    }
}

/// The status in `trailers` as the client records it: `{"code":0}`, or the status as a fault
/// with its message and each detail decoded with `pool` when given (the server's schema) or the
/// built-in one, as `rpc call` reads them, so a replay compares like with like. None without a
/// `grpc-status`: no status was sent, and none is made up.
fn status_json(trailers: &hyper::HeaderMap, pool: Option<&DescriptorPool>) -> Option<(i64, Json)> {
    let mut trailers = trailers.clone();
    crate::client::grpc::drop_invalid_details(&mut trailers);
    let status = tonic::Status::from_header_map(&trailers)?;
    if status.code() == tonic::Code::Ok {
        return Some((0, json!({"code": 0})));
    }
    let mut fault = crate::protocol::Fault::new(i64::from(status.code() as i32), status.message());
    if !status.details().is_empty() {
        let builtin = Schema::builtin().unwrap_or_else(|_| Schema::new());
        let pool = pool.unwrap_or(builtin.pool());
        fault.data = Some(crate::client::grpc::details_json(pool, status.details()));
    }
    Some((fault.code, fault.to_json()))
}
