//! WebSocket through the proxy (an HTTP/1.1 `GET` with `Upgrade: websocket`, RFC 6455): the
//! proxy makes the same handshake with the server (the client's headers, `Sec-WebSocket-Protocol`
//! and `Origin` included, but a key of its own), passes a refusal back as it came, and answers a
//! success with its own `101` (the accept key of the client's key, the subprotocol the server
//! chose). Then each message passes on whole, both ways, and each one is logged as JSON-RPC on a
//! stream is ([`super::stream::Watch`]): answers matched to their calls by id, notifications
//! labelled with the subscribe that opened them, the client's calls recorded with `--record` as
//! sent to `ws://…` at the same path.
//!
//! The proxy ends both WebSockets (tokio-tungstenite on each side) rather than copying bytes:
//! messages are what it logs, and each side gets frames it can trust. So each side's pings are
//! answered by the proxy, fragmented messages pass as whole ones, and extensions (compression)
//! are not offered to the server. A close passes on with its code and reason.

use super::http1::{plain, Body};
use super::log::Way;
use super::stream::Watch;
use super::Shared;
use crate::client::http::Stream;
use crate::client::messages::closed_by;
use crate::protocol::Proto;
use futures_util::{Sink, SinkExt, StreamExt};
use http_body_util::BodyExt;
use hyper::header::{HeaderMap, SEC_WEBSOCKET_PROTOCOL};
use hyper::{Request, Response, StatusCode};
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

/// Headers the proxy does not pass to the server's handshake: its own handshake's (tungstenite
/// writes them), the hop-by-hop ones, and extensions it would not understand in the frames.
const NOT_PASSED: &[&str] = &[
    "host",
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-accept",
    "content-length",
    "transfer-encoding",
    "proxy-connection",
    "keep-alive",
    "te",
];

/// How long the second side may take to close once the first has (the close frame's echo).
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// An upgrade agreed with both sides, relayed once hyper lets go of the client's connection.
pub struct Relay {
    client: hyper::upgrade::OnUpgrade,
    server: WebSocketStream<Box<dyn Stream>>,
    /// The path (and query) upgraded, where a replay sends the recorded calls.
    path: String,
}

/// Where [`handshake`] leaves an agreed upgrade for [`relay`].
pub type Pending = Arc<Mutex<Option<Relay>>>;

/// Answers the client's upgrade request `request`: a refusal of the client's handshake (`400`,
/// `426`) or of the server's (its own answer, passed back) or an unreachable server (`502`);
/// else `101`, the relay left in `pending`.
pub async fn handshake(
    mut request: Request<hyper::body::Incoming>,
    conn: u64,
    shared: &Shared,
    pending: &Pending,
) -> Response<Body> {
    let start = format!("{} {}", request.method(), request.uri());
    shared
        .log
        .head(conn, Way::Request, &start, request.headers());
    let mut reply = crate::server::websocket::accept(&request).map(|body| body.boxed());
    if reply.status() != StatusCode::SWITCHING_PROTOCOLS {
        return reply;
    }
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let (server, answer) = match server_handshake(shared, &path, request.headers(), conn).await {
        Ok(agreed) => agreed,
        Err(refusal) => return refusal,
    };
    shared.log.head(
        conn,
        Way::Answer,
        &answer.status().to_string(),
        answer.headers(),
    );
    if let Some(chosen) = answer.headers().get(SEC_WEBSOCKET_PROTOCOL) {
        reply
            .headers_mut()
            .insert(SEC_WEBSOCKET_PROTOCOL, chosen.clone());
    }
    let relay = Relay {
        client: hyper::upgrade::on(&mut request),
        server,
        path,
    };
    *super::lock(pending) = Some(relay);
    reply
}

/// The server's side of the handshake, within `--connect-timeout`: its WebSocket and its `101`,
/// or the answer the client gets instead.
async fn server_handshake(
    shared: &Shared,
    path: &str,
    headers: &HeaderMap,
    conn: u64,
) -> Result<(WebSocketStream<Box<dyn Stream>>, Response<()>), Response<Body>> {
    let unreachable = |why: String| {
        shared.log.note(conn, &why);
        plain(StatusCode::BAD_GATEWAY, why)
    };
    let request = server_request(shared, path, headers).map_err(unreachable)?;
    let Some(stream) = shared.upstream_for(conn).await else {
        return Err(plain(
            StatusCode::BAD_GATEWAY,
            "cannot reach the server".into(),
        ));
    };
    let limits = shared.config.limits;
    let shaking =
        tokio_tungstenite::client_async_with_config(request, stream, Some(config(shared)));
    match tokio::time::timeout(limits.connect_timeout, shaking).await {
        Ok(Ok((ws, answer))) => Ok((ws, answer.map(|_| ()))),
        Ok(Err(tungstenite::Error::Http(refusal))) => Err(passed_back(*refusal, conn, shared)),
        Ok(Err(e)) => Err(unreachable(format!(
            "the server's WebSocket handshake failed: {e}"
        ))),
        Err(_) => Err(unreachable(
            "the server's WebSocket handshake did not end within --connect-timeout".into(),
        )),
    }
}

/// The handshake request to the server: its authority, the client's path, the client's headers
/// but [`NOT_PASSED`].
fn server_request(
    shared: &Shared,
    path: &str,
    headers: &HeaderMap,
) -> Result<tungstenite::handshake::client::Request, String> {
    let url = format!("ws://{}{path}", shared.authority);
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("cannot ask {url} for a WebSocket: {e}"))?;
    for (name, value) in headers {
        if !NOT_PASSED.contains(&name.as_str()) {
            request.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(request)
}

/// The server's refusal of the handshake, as the client gets it (its status, headers and body).
fn passed_back(
    refusal: tungstenite::http::Response<Option<Vec<u8>>>,
    conn: u64,
    shared: &Shared,
) -> Response<Body> {
    shared.log.head(
        conn,
        Way::Answer,
        &refusal.status().to_string(),
        refusal.headers(),
    );
    let (parts, body) = refusal.into_parts();
    let body = body.unwrap_or_default();
    shared.log.bytes(conn, Way::Answer, &body);
    let mut answer = plain(parts.status, String::new());
    *answer.body_mut() = http_body_util::Full::new(bytes::Bytes::from(body)).boxed();
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "connection" | "transfer-encoding" | "content-length"
        ) {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}

/// Messages up to `--max-body`, as the proxy holds HTTP bodies.
fn config(shared: &Shared) -> WebSocketConfig {
    crate::client::messages::bounded(
        usize::try_from(shared.config.limits.max_body).unwrap_or(usize::MAX),
    )
}

/// Passes messages both ways until both sides have closed, or `shutdown` and `--drain-timeout`;
/// logs the calls left unanswered.
pub async fn relay(relay: Relay, conn: u64, shared: &Shared, shutdown: CancellationToken) {
    let upgraded = match relay.client.await {
        Ok(upgraded) => upgraded,
        Err(e) => {
            shared
                .log
                .note(conn, &format!("the client's upgrade failed: {e}"));
            return;
        }
    };
    let io = hyper_util::rt::TokioIo::new(upgraded);
    let client = WebSocketStream::from_raw_socket(io, Role::Server, Some(config(shared))).await;
    let watch = Mutex::new(Watch::new(conn, shared, Proto::JsonRpc).on_websocket(&relay.path));
    let (to_client, from_client) = client.split();
    let (to_server, from_server) = relay.server.split();
    let up = pass(from_client, to_server, Way::Request, &watch);
    let down = pass(from_server, to_client, Way::Answer, &watch);
    tokio::select! {
        () = both_ends(up, down) => {}
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(shared.config.limits.drain_timeout).await;
        } => {}
    }
    super::lock(&watch).unanswered();
}

/// Runs both directions; once one has ended (its side closed, and the close passed on), the
/// other gets `CLOSE_WAIT` to answer it: a side that never closes cannot hold the connection.
async fn both_ends(
    up: impl std::future::Future<Output = ()>,
    down: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(up, down);
    tokio::select! {
        () = &mut up => { let _ = tokio::time::timeout(CLOSE_WAIT, down).await; }
        () = &mut down => { let _ = tokio::time::timeout(CLOSE_WAIT, up).await; }
    }
}

/// One direction: each data message logged and passed on; a close passed on, then this
/// direction is over. Pings stay on their side (tungstenite answers them).
async fn pass<R, W>(mut from: R, mut to: W, way: Way, watch: &Mutex<Watch<'_>>)
where
    R: futures_util::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
    W: Sink<Message, Error = tungstenite::Error> + Unpin,
{
    let side = if way == Way::Request {
        "the client"
    } else {
        "the server"
    };
    while let Some(frame) = from.next().await {
        let message = match frame {
            Ok(message) => message,
            Err(e) => {
                super::lock(watch).note(&format!("{side}'s WebSocket failed: {e}"));
                break;
            }
        };
        match &message {
            Message::Text(text) => super::lock(watch).websocket_message(way, text.as_bytes()),
            Message::Binary(bytes) => super::lock(watch).websocket_message(way, bytes),
            Message::Close(frame) => {
                super::lock(watch).note(&closed_by(side, frame.as_ref()));
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
        }
        let closing = message.is_close();
        if to.send(message).await.is_err() || closing {
            break;
        }
    }
    let _ = to.close().await;
}
