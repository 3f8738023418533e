//! HTTP/1.1 on hyper: routing by path and body, body limits, keep-alive, graceful shutdown.
//!
//! Routes: `GET|POST /health` → `true`; `POST /` or `/RPC2` with an XML body → XML-RPC, with a
//! JSON body → JSON-RPC; `POST /<method>` → Reach.

use super::State;
use crate::protocol::codes;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

pub type Reply = Response<Full<Bytes>>;

/// Serves HTTP/1.1 on one connection (plain or TLS) until it closes or the server shuts down.
pub async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    state: Arc<State>,
    shutdown: CancellationToken,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let header_timeout = Duration::from_secs_f64(state.limits.header_timeout);
    let service = hyper::service::service_fn(move |req| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(route(req, &state, peer).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Which protocol a POST is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    JsonRpc,
    XmlRpc,
    Reach,
}

/// Picks the protocol from the body's first non-blank byte and the path. XML is XML-RPC and a
/// JSON object is JSON-RPC on any path (so clients that post to `/rpc` or `/xmlrpc` work): a Reach
/// body is always an array. An array is a JSON-RPC batch at `/` and `/RPC2`, else Reach arguments.
pub fn route_for(path: &str, body: &[u8]) -> Route {
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match (first, path) {
        (Some(b'<'), _) => Route::XmlRpc,
        (Some(b'{'), _) | (_, "/" | "/RPC2") => Route::JsonRpc,
        _ => Route::Reach,
    }
}

async fn route(req: Request<Incoming>, state: &Arc<State>, peer: SocketAddr) -> Reply {
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
    let headers = req.headers().clone();
    let body = match read_body(req, state.limits.max_body).await {
        Ok(body) => body,
        Err(response) => return response,
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

/// Reads the body, refusing it with 413 before reading when Content-Length is over the limit.
async fn read_body(req: Request<Incoming>, max: u64) -> Result<Bytes, Reply> {
    let too_large = || {
        error_reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::LIMIT_EXCEEDED,
            &format!("request body larger than {max} bytes (the server's --max-body)"),
        )
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    match Limited::new(req.into_body(), limit).collect().await {
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
        assert_eq!(
            route_for("/xmlrpc", b"<?xml version=\"1.0\"?>"),
            Route::XmlRpc
        );
    }
}
