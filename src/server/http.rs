//! HTTP/1.1 on hyper: routing by path and body, body limits, keep-alive, graceful shutdown.
//!
//! Routes: `GET|POST /health` → `true`; `POST /` or `/RPC2` with an XML body → XML-RPC, with a
//! JSON body → JSON-RPC; `POST /<method>` → Reach.
//!
//! Limits (docs/security.md): headers within `--header-timeout`, the body within `--body-timeout`
//! (408) and `--max-body` (413), no `Content-Encoding` but identity (415), and a keep-alive
//! connection closed after `--idle-timeout` without a request.

use super::probation::Probation;
use super::woken::poll_when_woken;
use super::State;
use crate::connect::listen::Peer;
use crate::protocol::codes;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{
    HeaderValue, ACCEPT_ENCODING, ALLOW, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH,
    CONTENT_TYPE, TRANSFER_ENCODING,
};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

pub type Reply = Response<Full<Bytes>>;

/// Serves HTTP/1.1 on one connection (plain or TLS) until it closes or the server shuts down.
pub async fn serve_connection<I>(
    io: I,
    peer: Peer,
    state: Arc<State>,
    shutdown: CancellationToken,
    probation: Arc<Probation>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (header_timeout, idle_timeout) = (state.limits.header_timeout, state.limits.idle_timeout);
    let activity = Arc::new(Activity::new());
    // A WebSocket upgrade accepted on this connection: served here once hyper lets go of it.
    let upgraded: Arc<std::sync::Mutex<Option<hyper::upgrade::OnUpgrade>>> = Arc::default();
    let service = {
        let activity = Arc::clone(&activity);
        let upgraded = Arc::clone(&upgraded);
        let state = Arc::clone(&state);
        hyper::service::service_fn(move |mut req| {
            let state = Arc::clone(&state);
            probation.prove();
            let busy = activity.begin();
            let upgrade = super::websocket::is_upgrade(&req).then(|| {
                let reply = super::websocket::accept(&req);
                if reply.status() == StatusCode::SWITCHING_PROTOCOLS {
                    if let Ok(mut slot) = upgraded.lock() {
                        *slot = Some(hyper::upgrade::on(&mut req));
                    }
                }
                reply
            });
            async move {
                if let Some(reply) = upgrade {
                    return Ok::<_, Infallible>(reply);
                }
                // Boxed: the routing future is several KiB, and hyper moves the request's future
                // a few times; moving a pointer instead saves a large memcpy per move.
                let routed = Box::pin(route(req, &state, peer));
                let reply = answer_or_internal_error(routed).await;
                drop(busy);
                Ok::<_, Infallible>(reply)
            }
        })
    };
    // hyper's header timer also runs while a keep-alive connection waits for its next request,
    // so an idle connection closes after the shorter of --header-timeout and --idle-timeout.
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(conn);
    // The guards are polled only when they are woken, not on each of the connection's wake-ups.
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = poll_when_woken(shutdown.cancelled()) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
        _ = poll_when_woken(activity.idle_for(idle_timeout)) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
    let pending = upgraded.lock().ok().and_then(|mut slot| slot.take());
    if let Some(pending) = pending {
        if let Ok(io) = pending.await {
            super::websocket::serve(io, state, peer, shutdown).await;
        }
    }
}

/// Runs the routing and decoding of one request; a panic there (a bug: the codecs are fuzzed and
/// linted against it) becomes a 500 with -32603 instead of a connection dropped without a word.
/// Methods have their own guard in `State::invoke`.
async fn answer_or_internal_error(routed: impl std::future::Future<Output = Reply>) -> Reply {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(routed)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| {
            closing(error_reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL_ERROR,
                "Internal error: the server failed while handling this request",
            ))
        })
}

/// Whether a connection has a request in hand, and since when it has had none.
struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds after `start` when the last request was answered.
    last_done_ms: AtomicU64,
}

/// Marks a request as in hand until dropped.
struct Busy(Arc<Activity>);

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_done_ms: AtomicU64::new(0),
        }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    fn since_start_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Resolves once no request has been in hand for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let wait = if self.in_flight.load(Ordering::SeqCst) > 0 {
                idle
            } else {
                let quiet_ms = self
                    .since_start_ms()
                    .saturating_sub(self.last_done_ms.load(Ordering::SeqCst));
                match idle.checked_sub(Duration::from_millis(quiet_ms)) {
                    Some(left) if !left.is_zero() => left,
                    _ => return,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .last_done_ms
            .store(activity.since_start_ms(), Ordering::SeqCst);
        activity.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Which protocol a POST is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    JsonRpc,
    XmlRpc,
    Reach,
}

/// Picks the protocol from the body's first non-blank byte and the path. XML is XML-RPC on any
/// path, and so is a JSON-RPC object (one with a `"jsonrpc"` member), so clients that post to
/// `/rpc` or `/xmlrpc` work; a Reach body is always an array, and any other object at a method path
/// gets Reach's own error. At `/` and `/RPC2`, JSON is JSON-RPC (an array is a batch).
pub fn route_for(path: &str, body: &[u8]) -> Route {
    let first = crate::protocol::strip_bom(body)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    match (first, path) {
        (Some(b'<'), _) => Route::XmlRpc,
        (_, "/" | "/RPC2") => Route::JsonRpc,
        (Some(b'{'), _) if mentions_jsonrpc(body) => Route::JsonRpc,
        _ => Route::Reach,
    }
}

fn mentions_jsonrpc(body: &[u8]) -> bool {
    body.windows(b"\"jsonrpc\"".len())
        .any(|w| w == b"\"jsonrpc\"")
}

/// The answer to one HTTP request (of either version): health, JSON-RPC, XML-RPC or Reach.
pub async fn route(req: Request<Incoming>, state: &Arc<State>, peer: Peer) -> Reply {
    let path = req.uri().path().to_owned();
    let is_post = req.method() == Method::POST;
    if path == "/health" && (is_post || req.method() == Method::GET) {
        return reply(StatusCode::OK, "application/json", "true");
    }
    if !is_post {
        let mut response = error_reply(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::INVALID_REQUEST,
            "use POST (GET only serves /health)",
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    // The headers are moved out of the request, not copied: Reach reads them after the body.
    let (parts, incoming) = req.into_parts();
    let headers = parts.headers;
    if let Some(refusal) = refuse_encoding(&headers) {
        return refusal;
    }
    let read = read_body(&headers, incoming, state.limits.max_body);
    let body = match within(state.limits.body_timeout, read).await {
        Ok(Ok(body)) => body,
        Ok(Err(response)) => return response,
        Err(BodyTimedOut) => {
            return closing(error_reply(
                StatusCode::REQUEST_TIMEOUT,
                codes::LIMIT_EXCEEDED,
                &format!(
                    "request body not received within {} s (the server's --body-timeout)",
                    state.limits.body_timeout.as_secs_f64()
                ),
            ))
        }
    };
    match route_for(&path, &body) {
        Route::JsonRpc => match super::jsonrpc::handle(state, peer, &body).await {
            Some(answer) => reply(StatusCode::OK, "application/json", answer),
            None => reply(StatusCode::NO_CONTENT, "application/json", Bytes::new()),
        },
        // Faults too travel with 200: the spec reserves other statuses for HTTP-level trouble.
        Route::XmlRpc => reply(
            StatusCode::OK,
            "text/xml",
            super::xmlrpc::handle(state, peer, &body).await,
        ),
        Route::Reach => super::reach::handle(state, peer, &path, &headers, &body).await,
    }
}

/// Refuses a compressed body before reading it: decompressing would turn a small request into an
/// unbounded one. `Content-Encoding` other than identity → 415; a transfer coding other than
/// chunked (hyper decodes only that one and would pass, say, gzip bytes on as they are) → 501.
fn refuse_encoding(headers: &hyper::HeaderMap) -> Option<Reply> {
    if let Some(refused) = first_coding_except(headers, &CONTENT_ENCODING, "identity") {
        let mut response = closing(error_reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::INVALID_REQUEST,
            &format!("Content-Encoding {refused} is not accepted: send the body uncompressed"),
        ));
        response
            .headers_mut()
            .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        return Some(response);
    }
    let refused = first_coding_except(headers, &TRANSFER_ENCODING, "chunked")?;
    Some(closing(error_reply(
        StatusCode::NOT_IMPLEMENTED,
        codes::INVALID_REQUEST,
        &format!("Transfer-Encoding {refused} is not supported: only chunked"),
    )))
}

/// The first coding listed in the `name` headers that is not `allowed` (case-insensitively).
fn first_coding_except(
    headers: &hyper::HeaderMap,
    name: &hyper::header::HeaderName,
    allowed: &str,
) -> Option<String> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("(not text)").split(','))
        .map(str::trim)
        .find(|c| !c.is_empty() && !c.eq_ignore_ascii_case(allowed))
        .map(str::to_owned)
}

/// Marks an answer as the connection's last: sent before the body was read, its leftovers would
/// otherwise be taken for the next request.
fn closing(mut response: Reply) -> Reply {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The body was not in hand within `--body-timeout`.
struct BodyTimedOut;

/// Runs `read` for at most `limit`. The timer is armed only if `read` is not done on its first
/// poll: a small body that arrived with the headers (the common case under load) then costs no
/// timer registration in tokio's wheel and no clock read, which `tokio::time::timeout` pays on
/// every request. The limit counts from that first poll, made as soon as the route starts.
async fn within<T>(
    limit: Duration,
    read: impl std::future::Future<Output = T>,
) -> Result<T, BodyTimedOut> {
    use std::future::Future;
    use std::task::Poll;
    let mut read = std::pin::pin!(read);
    let mut timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(done) = read.as_mut().poll(cx) {
            return Poll::Ready(Ok(done));
        }
        let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        timer.as_mut().poll(cx).map(|()| Err(BodyTimedOut))
    })
    .await
}

/// Reads the body, refusing it with 413 before reading when Content-Length is over the limit.
async fn read_body(headers: &hyper::HeaderMap, body: Incoming, max: u64) -> Result<Bytes, Reply> {
    let too_large = || {
        closing(error_reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::LIMIT_EXCEEDED,
            &format!("request body larger than {max} bytes (the server's --max-body)"),
        ))
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(e) => Err(error_reply(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            &format!("could not read the request body: {e}"),
        )),
    }
}

pub fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An HTTP error whose body is a JSON-RPC error with id null, readable by any JSON client.
pub fn error_reply(status: StatusCode, code: i64, message: &str) -> Reply {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "error": {"code": code, "message": message},
        "id": null,
    });
    reply(status, "application/json", body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_path_and_body() {
        assert_eq!(route_for("/", b"{\"jsonrpc\":\"2.0\"}"), Route::JsonRpc);
        assert_eq!(route_for("/", b"  <?xml version=\"1.0\"?>"), Route::XmlRpc);
        assert_eq!(route_for("/RPC2", b"<methodCall/>"), Route::XmlRpc);
        assert_eq!(route_for("/RPC2", b"[{}]"), Route::JsonRpc);
        assert_eq!(route_for("/add", b"[1,2]"), Route::Reach);
        assert_eq!(route_for("/echo", b"[{\"jsonrpc\":\"2.0\"}]"), Route::Reach);
        assert_eq!(route_for("/rpc", b" {\"jsonrpc\":\"2.0\"}"), Route::JsonRpc);
        assert_eq!(route_for("/add", b"{\"a\":1}"), Route::Reach);
        assert_eq!(
            route_for("/xmlrpc", b"<?xml version=\"1.0\"?>"),
            Route::XmlRpc
        );
    }
}
