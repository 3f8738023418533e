//! gRPC in `rpc serve`: HTTP/2 (cleartext with prior knowledge, or TLS with ALPN `h2`) on the
//! same port as every other protocol. Served: the seed's `Router` ([`router`]), the toy math
//! service (`rpc.math.Math`, each call through [`State::invoke`] like every protocol's), server
//! reflection `v1` and `v1alpha` (tonic-reflection) and `grpc.health.v1.Health` (tonic-health).
//!
//! The messages are dynamic (prost-reflect), framed by tonic through [`DynamicCodec`]; every
//! method of the two services is served as a bidirectional stream, which on the wire is what each
//! of the four kinds is. `grpc-timeout` bounds every call of every service, reflection and health
//! included (the work is dropped when it passes); gzip and deflate requests are read (and answered
//! in kind), another encoding is refused with UNIMPLEMENTED, as the spec asks.

mod math;
mod router;

use super::State;
use crate::connect::listen::Peer;
use crate::protocol::grpc::message::DynamicCodec;
use crate::protocol::grpc::schema::Schema;
use futures_util::Stream;
use hyper::body::Incoming;
use prost_reflect::{DynamicMessage, MethodDescriptor};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status, Streaming};
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;

/// The `.proto` sources of what `rpc serve` offers, compiled at start (no build step).
pub const MATH_PROTO: &str = include_str!("math.proto");
pub const ROUTETABLE_PROTO: &str = include_str!("routetable.proto");

/// A response stream of a method.
pub type Answers = Pin<Box<dyn Stream<Item = Result<DynamicMessage, Status>> + Send>>;

type HttpService = BoxCloneSyncService<http::Request<Incoming>, http::Response<Body>, Infallible>;

/// What every gRPC connection shares: the schema, the route table, reflection and health.
pub struct GrpcState {
    schema: Schema,
    routes: router::RouteTable,
    reflection_v1: HttpService,
    reflection_v1alpha: HttpService,
    health: HttpService,
}

impl GrpcState {
    /// Compiles the served schema and sets up reflection (both versions) and health (every
    /// service SERVING). `max_routes` bounds the route table.
    pub fn new(max_routes: usize) -> Result<GrpcState, String> {
        let set = served_set()?;
        let mut schema = Schema::builtin()?;
        schema.add_encoded_set(&set)?;
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(&set)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        };
        let reflection_v1 = reflection()
            .build_v1()
            .map_err(|e| e.to_string())?
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Deflate);
        let reflection_v1alpha = reflection()
            .build_v1alpha()
            .map_err(|e| e.to_string())?
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Deflate);
        let (reporter, health) = tonic_health::server::health_reporter();
        let health = health
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Deflate);
        for service in ["", "rpc.math.Math", "Router"] {
            // The reporter's channel is fresh and nobody watches yet: setting cannot wait.
            let reporter = reporter.clone();
            tokio::spawn(async move {
                reporter
                    .set_service_status(service, tonic_health::ServingStatus::Serving)
                    .await
            });
        }
        Ok(GrpcState {
            schema,
            routes: router::RouteTable::new(max_routes),
            reflection_v1: BoxCloneSyncService::new(reflection_v1),
            reflection_v1alpha: BoxCloneSyncService::new(reflection_v1alpha),
            health: BoxCloneSyncService::new(health),
        })
    }
}

/// math.proto and routetable.proto with their imports, and `google.rpc.Status` with the error
/// details a status can carry: every type `rpc serve` can put on the wire (health's own file is
/// registered beside it), so a client's reflection describes all of them.
fn served_set() -> Result<Vec<u8>, String> {
    crate::protocol::grpc::schema::compile_sources(
        &[
            ("rpc/math.proto", MATH_PROTO),
            ("routetable.proto", ROUTETABLE_PROTO),
        ],
        &["google/rpc/status.proto", "google/rpc/error_details.proto"],
    )
}

/// Serves gRPC on one HTTP/2 connection until it closes or the server shuts down; on shutdown
/// the connection sends GOAWAY and lets the streams in flight finish.
pub async fn serve_connection<I>(io: I, peer: Peer, state: Arc<State>, shutdown: CancellationToken)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let limits = &state.limits;
    let mut builder =
        hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .max_concurrent_streams(u32::try_from(limits.max_streams).unwrap_or(u32::MAX))
        .max_header_list_size(u32::try_from(limits.max_header_list).unwrap_or(u32::MAX))
        .max_pending_accept_reset_streams(limits.max_resets)
        .max_local_error_reset_streams(Some(limits.max_resets))
        // A connection that sent the preface and then nothing is closed like a silent one.
        .keep_alive_interval(Some(limits.idle_timeout))
        .keep_alive_timeout(limits.header_timeout);
    let service = hyper_util::service::TowerToHyperService::new(GrpcService {
        state: Arc::clone(&state),
        peer,
    });
    let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Routes a request to reflection, health, or the dynamic services.
#[derive(Clone)]
struct GrpcService {
    state: Arc<State>,
    peer: Peer,
}

impl tower_service::Service<http::Request<Incoming>> for GrpcService {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Incoming>) -> Self::Future {
        let state = Arc::clone(&self.state);
        let peer = self.peer;
        Box::pin(async move {
            let Some(deadline) = grpc_timeout(request.headers()) else {
                return route(state, peer, request).await;
            };
            // One deadline for every gRPC path: the work is dropped when it passes, before the
            // answer's headers (a Trailers-Only DEADLINE_EXCEEDED) or after them (the same status
            // in the trailers, ending the stream).
            let expiry = tokio::time::Instant::now() + deadline;
            match tokio::time::timeout_at(expiry, route(state, peer, request)).await {
                Ok(answer) => answer
                    .map(|response| response.map(|body| Body::new(Deadline::new(body, expiry)))),
                Err(_) => Ok(deadline_passed().into_http()),
            }
        })
    }
}

/// The status of a call whose `grpc-timeout` passed.
fn deadline_passed() -> Status {
    Status::deadline_exceeded("the call's grpc-timeout passed")
}

/// A response body that ends with DEADLINE_EXCEEDED in its trailers when the call's deadline
/// passes first; the rest of the answer (and the work making it) is dropped.
struct Deadline {
    inner: Option<Body>,
    expiry: Pin<Box<tokio::time::Sleep>>,
}

impl Deadline {
    fn new(inner: Body, expiry: tokio::time::Instant) -> Deadline {
        Deadline {
            inner: Some(inner),
            expiry: Box::pin(tokio::time::sleep_until(expiry)),
        }
    }
}

impl hyper::body::Body for Deadline {
    type Data = bytes::Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, Status>>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        if let Poll::Ready(frame) = Pin::new(inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if self.expiry.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.inner = None;
        let mut trailers = http::HeaderMap::new();
        if deadline_passed().add_header(&mut trailers).is_err() {
            return Poll::Ready(None);
        }
        Poll::Ready(Some(Ok(hyper::body::Frame::trailers(trailers))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.is_end_stream())
    }
}

/// Routes a request to reflection, health, or the dynamic services.
async fn route(
    state: Arc<State>,
    peer: Peer,
    request: http::Request<Incoming>,
) -> Result<http::Response<Body>, Infallible> {
    let grpc = &state.grpc;
    let path = request.uri().path().to_owned();
    let standard = if path.starts_with("/grpc.reflection.v1.ServerReflection/") {
        Some(grpc.reflection_v1.clone())
    } else if path.starts_with("/grpc.reflection.v1alpha.ServerReflection/") {
        Some(grpc.reflection_v1alpha.clone())
    } else if path.starts_with("/grpc.health.v1.Health/") {
        Some(grpc.health.clone())
    } else {
        None
    };
    let is_grpc = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    match standard {
        Some(service) => service.oneshot(request).await,
        None if is_grpc => Ok(dynamic(&state, peer, &path, request).await),
        // JSON-RPC, XML-RPC and Reach over HTTP/2 (curl offers h2 over TLS): the same
        // routing as HTTP/1.1.
        None => {
            let reply = super::http::route(request, &state, peer).await;
            Ok(reply.map(Body::new))
        }
    }
}

/// A call to one of the dynamic services: decoded, answered as a stream, encoded.
async fn dynamic(
    state: &Arc<State>,
    peer: Peer,
    path: &str,
    request: http::Request<Incoming>,
) -> http::Response<Body> {
    let Some(method) = find_method(&state.grpc.schema, path) else {
        return Status::unimplemented(format!("no method {path} (reflection lists the methods)"))
            .into_http();
    };
    let max = usize::try_from(state.limits.max_body).unwrap_or(usize::MAX);
    let mut grpc = tonic::server::Grpc::new(DynamicCodec::new(method.input()))
        .max_decoding_message_size(max)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Deflate);
    // A compressed request is answered compressed the same way, as grpc-go's servers do (when
    // the client accepts it).
    let asked = request
        .headers()
        .get("grpc-encoding")
        .and_then(|v| v.to_str().ok());
    match asked {
        Some("gzip") => grpc = grpc.send_compressed(CompressionEncoding::Gzip),
        Some("deflate") => grpc = grpc.send_compressed(CompressionEncoding::Deflate),
        _ => {}
    }
    let handler = Handler {
        state: Arc::clone(state),
        peer,
        method,
    };
    grpc.streaming(handler, request).await
}

/// The method a request path (`/pkg.Service/Method`) names.
fn find_method(schema: &Schema, path: &str) -> Option<MethodDescriptor> {
    let (service, method) = path.trim_start_matches('/').split_once('/')?;
    let service = schema.pool().get_service_by_name(service)?;
    let found = service.methods().find(|m| m.name() == method);
    found
}

/// `grpc-timeout` (`100m`, `5S`…, PROTOCOL-HTTP2.md) as a duration.
fn grpc_timeout(headers: &http::HeaderMap) -> Option<Duration> {
    let text = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    let amount: u64 = digits.parse().ok().filter(|_| digits.len() <= 8)?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

/// One call: the method's answers to the client's messages.
#[derive(Clone)]
struct Handler {
    state: Arc<State>,
    peer: Peer,
    method: MethodDescriptor,
}

impl tonic::server::StreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type ResponseStream = Answers;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Response<Answers>, Status>> + Send>>;

    fn call(&mut self, request: Request<Streaming<DynamicMessage>>) -> Self::Future {
        let handler = self.clone();
        Box::pin(async move {
            let incoming = request.into_inner();
            let answers = match handler.method.parent_service().full_name() {
                "Router" => router::answer(&handler, incoming).await?,
                _ => math::answer(&handler, incoming).await?,
            };
            Ok(Response::new(answers))
        })
    }
}

/// The one message of a unary or server-streaming call: a second one, or none, is the client's
/// mistake.
async fn single(mut incoming: Streaming<DynamicMessage>) -> Result<DynamicMessage, Status> {
    let first = incoming
        .message()
        .await?
        .ok_or_else(|| Status::invalid_argument("the call sent no message"))?;
    if incoming.message().await?.is_some() {
        return Err(Status::invalid_argument(
            "the method takes one message; the call sent more",
        ));
    }
    Ok(first)
}

/// What answers come to, for the log: the one answer, the status, or how many a stream had.
fn outcome_of(result: &[Result<DynamicMessage, Status>]) -> crate::protocol::Outcome {
    match result {
        [Ok(one)] => crate::value::Value::from_json(&shown(one))
            .map_err(|e| crate::protocol::Fault::new(0, e.to_string())),
        [.., Err(status)] => Err(math::fault_of(status)),
        many => Ok(crate::value::Value::String(format!(
            "{} messages",
            many.len()
        ))),
    }
}

/// A stream of the given answers.
fn answers(items: Vec<Result<DynamicMessage, Status>>) -> Answers {
    Box::pin(futures_util::stream::iter(items))
}

/// A message as the log shows it.
fn shown(message: &DynamicMessage) -> serde_json::Value {
    crate::protocol::grpc::message::to_json(message)
}

/// The call's line in the server log, as on every protocol: `PEER grpc RPC Service/Method {…}
/// ==> answer` (the one answer, or how many a stream had), or `=!>` and the status.
fn log(
    handler: &Handler,
    request: &serde_json::Value,
    outcome: &crate::protocol::Outcome,
    start: std::time::Instant,
) {
    if handler.state.quiet {
        return;
    }
    let method = crate::protocol::grpc::schema::method_name(&handler.method);
    let line = crate::trace::server_line(
        &handler.peer.to_string(),
        crate::protocol::Proto::Grpc.name(),
        &method,
        request,
        outcome,
        start.elapsed(),
    );
    super::log::line(line);
}
