//! JSON-RPC over WebSocket in `rpc serve` (RFC 6455, frames by tokio-tungstenite): a `GET` with
//! `Upgrade: websocket` on any path of the one port is answered `101`, and the connection then
//! carries JSON-RPC messages, one per text (or binary) frame: every method of the service,
//! batches, and a toy subscription of the connection's own — `subscribe ["ticks", MS]` sends
//! `{"method":"subscription","params":{"subscription":ID,"result":{"topic":"ticks","count":N}}}`
//! every MS milliseconds (1000 unless said; at least [`MIN_TICK`]), `unsubscribe [ID]` stops it.
//!
//! Bounds (docs/security.md): a message over `--max-body` closes the connection with 1009; at most
//! `--max-subscriptions` per connection; at most `--max-ws-queue` messages wait for a client
//! that does not read, then it is cut off (1008) — the server never holds more; nothing received
//! for `--idle-timeout` with no subscription closes it (1000). SIGTERM closes every socket with
//! 1001 once the call in hand is answered.

use super::jsonrpc::{handle_with, Local};
use super::State;
use crate::connect::listen::Peer;
use crate::protocol::{codes, Call, Fault, Outcome, Params};
use crate::value::Value;
use futures_util::{SinkExt, StreamExt};
use hyper::header::{HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::{Request, StatusCode};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::sync::CancellationToken;

/// The shortest tick a subscription may ask for: faster would be a flood, not a toy.
pub const MIN_TICK: Duration = Duration::from_millis(10);

/// The tick of a `subscribe` that names none.
const DEFAULT_TICK: Duration = Duration::from_secs(1);

/// Bytes read from a WebSocket at a time: tungstenite's default (128 KiB) is held by every open
/// connection, 8 MiB for 64 of them; JSON-RPC messages are small, and a larger one is read in
/// more calls, as hyper reads HTTP/1.1.
const READ_BUFFER: usize = 8 * 1024;

/// How long a closing socket's last frames (and the close) may take to go out.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Whether `req` asks to become a WebSocket (RFC 6455 section 4.2.1).
pub fn is_upgrade<B>(req: &Request<B>) -> bool {
    let has = |name, word: &str| {
        req.headers().get_all(name).iter().any(|value| {
            value
                .to_str()
                .is_ok_and(|v| v.split(',').any(|w| w.trim().eq_ignore_ascii_case(word)))
        })
    };
    req.method() == hyper::Method::GET && has(UPGRADE, "websocket") && has(CONNECTION, "upgrade")
}

/// The answer to an upgrade request: `101 Switching Protocols` with its accept key, or `400`
/// (no key) / `426` (another version) with why.
pub fn accept<B>(req: &Request<B>) -> super::http::Reply {
    let version_13 = req
        .headers()
        .get("sec-websocket-version")
        .is_some_and(|v| v.as_bytes() == b"13");
    if !version_13 {
        let mut refused = super::http::error_reply(
            StatusCode::UPGRADE_REQUIRED,
            codes::INVALID_REQUEST,
            "WebSocket version 13 (RFC 6455) only",
        );
        refused
            .headers_mut()
            .insert("sec-websocket-version", HeaderValue::from_static("13"));
        return refused;
    }
    let Some(key) = req.headers().get(SEC_WEBSOCKET_KEY) else {
        return super::http::error_reply(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "a WebSocket handshake needs Sec-WebSocket-Key",
        );
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut response = hyper::Response::new(Default::default());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// Serves JSON-RPC on an upgraded connection until the client closes, a bound is crossed, or
/// `shutdown`.
pub async fn serve(
    upgraded: hyper::upgrade::Upgraded,
    state: Arc<State>,
    peer: Peer,
    shutdown: CancellationToken,
) {
    let max = usize::try_from(state.limits.max_body).unwrap_or(usize::MAX);
    let config = crate::client::messages::bounded(max)
        // What tungstenite may hold of frames not yet written: a message and a little.
        .max_write_buffer_size(max.saturating_mul(2).max(1 << 20))
        .read_buffer_size(READ_BUFFER);
    let io = hyper_util::rt::TokioIo::new(upgraded);
    let ws =
        tokio_tungstenite::WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
    let (sink, mut incoming) = ws.split();
    let (queue, outgoing) = mpsc::channel(state.limits.max_ws_queue.max(1));
    let cut_off = CancellationToken::new();
    let writer = tokio::spawn(write_all(sink, outgoing));
    let mut subscriptions = Subscriptions {
        live: Vec::new(),
        next: 1,
        max: state.limits.max_subscriptions,
        queue: queue.clone(),
        cut_off: cut_off.clone(),
    };
    let ending = loop {
        let idle = subscriptions
            .live
            .is_empty()
            .then_some(state.limits.idle_timeout);
        let frame = tokio::select! {
            frame = incoming.next() => frame,
            () = shutdown.cancelled() => break close(CloseCode::Away, "the server is shutting down"),
            () = cut_off.cancelled() => break slow_reader(&state),
            () = sleep_or_never(idle) => break close(CloseCode::Normal, "idle"),
        };
        let message = match frame {
            Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
            Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
            // tungstenite answers pings and echoes the close itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            Some(Ok(Message::Close(_))) | None => break None,
            Some(Err(e)) => break refusal(&e, max),
        };
        let answer = handle_with(&state, peer, &message, &mut subscriptions).await;
        let Some(answer) = answer.filter(|a| !a.is_empty()) else {
            continue;
        };
        let text = String::from_utf8_lossy(&answer).into_owned();
        if queue.try_send(Message::text(text)).is_err() {
            break slow_reader(&state);
        }
    };
    subscriptions.stop_all();
    if let Some(frame) = ending {
        // Behind the answers already queued; a client that does not read never gets it.
        let _ = tokio::time::timeout(CLOSE_WAIT, queue.send(frame)).await;
    }
    drop(queue);
    drop(subscriptions);
    let mut writer = writer;
    if tokio::time::timeout(CLOSE_WAIT, &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Writes each queued frame, in order, until the queue closes or the client is gone.
async fn write_all(
    mut sink: futures_util::stream::SplitSink<
        tokio_tungstenite::WebSocketStream<hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>>,
        Message,
    >,
    mut outgoing: mpsc::Receiver<Message>,
) {
    while let Some(frame) = outgoing.recv().await {
        // What else is queued goes out in the same write: a pipelining client's answers and a
        // burst of ticks cost one flush, not one each.
        let mut last = matches!(frame, Message::Close(_));
        let mut fed = sink.feed(frame).await;
        while let (Ok(()), false, Ok(next)) = (&fed, last, outgoing.try_recv()) {
            last = matches!(next, Message::Close(_));
            fed = sink.feed(next).await;
        }
        if fed.is_err() || sink.flush().await.is_err() || last {
            break;
        }
    }
    let _ = sink.close().await;
}

fn close(code: CloseCode, reason: &str) -> Option<Message> {
    Some(Message::Close(Some(CloseFrame {
        code,
        reason: reason.to_owned().into(),
    })))
}

/// The close for a client that let `--max-ws-queue` messages pile up unread.
fn slow_reader(state: &State) -> Option<Message> {
    close(
        CloseCode::Policy,
        &format!(
            "more than {} messages waiting: the client does not read (--max-ws-queue)",
            state.limits.max_ws_queue
        ),
    )
}

/// The close for what tungstenite refused: a message over the bound (1009), a broken frame
/// (1002); nothing when the connection is already gone.
fn refusal(e: &tungstenite::Error, max: usize) -> Option<Message> {
    match e {
        tungstenite::Error::Capacity(_) => close(
            CloseCode::Size,
            &format!("a message over {max} bytes (--max-body)"),
        ),
        tungstenite::Error::Protocol(why) => close(CloseCode::Protocol, &why.to_string()),
        tungstenite::Error::Utf8(_) => close(CloseCode::Invalid, "a text frame that is not UTF-8"),
        _ => None,
    }
}

async fn sleep_or_never(idle: Option<Duration>) {
    match idle {
        Some(idle) => tokio::time::sleep(idle).await,
        None => std::future::pending().await,
    }
}

/// The connection's subscriptions: each a task sending its ticks into the outgoing queue.
struct Subscriptions {
    live: Vec<(String, tokio::task::JoinHandle<()>)>,
    next: u64,
    /// `--max-subscriptions`.
    max: usize,
    queue: mpsc::Sender<Message>,
    /// Cancelled by a tick that finds the queue full.
    cut_off: CancellationToken,
}

impl Local for Subscriptions {
    fn answer(&mut self, call: &Call) -> Option<Outcome> {
        match call.method.as_str() {
            "subscribe" => Some(self.subscribe(&call.params)),
            "unsubscribe" => Some(self.unsubscribe(&call.params)),
            _ => None,
        }
    }
}

impl Subscriptions {
    /// `subscribe ["ticks", MS]` (or named `topic`, `interval_ms`): the new subscription's id.
    fn subscribe(&mut self, params: &Params) -> Outcome {
        let (topic, interval) = subscribe_params(params)?;
        self.live.retain(|(_, task)| !task.is_finished());
        if self.live.len() >= self.max {
            return Err(Fault::new(
                codes::LIMIT_EXCEEDED,
                format!(
                    "at most {} subscriptions per connection (--max-subscriptions)",
                    self.max
                ),
            ));
        }
        let id = format!("0x{:x}", self.next);
        self.next += 1;
        let task = tokio::spawn(tick(
            id.clone(),
            topic,
            interval,
            self.queue.clone(),
            self.cut_off.clone(),
        ));
        self.live.push((id.clone(), task));
        Ok(Value::String(id))
    }

    /// `unsubscribe [ID]`: true if it was live, false if there was none such.
    fn unsubscribe(&mut self, params: &Params) -> Outcome {
        let id = match params {
            Params::Positional(items) => items.first(),
            Params::Named(map) => map.get("subscription"),
        };
        let Some(Value::String(id)) = id else {
            return Err(Fault::new(
                codes::INVALID_PARAMS,
                "unsubscribe takes the subscription id: [\"0x1\"]",
            ));
        };
        let found = self.live.iter().position(|(live, _)| live == id);
        Ok(Value::Bool(match found {
            Some(at) => {
                self.live.remove(at).1.abort();
                true
            }
            None => false,
        }))
    }

    fn stop_all(&mut self) {
        for (_, task) in self.live.drain(..) {
            task.abort();
        }
    }
}

/// The topic and tick of a `subscribe`: `["ticks"]`, `["ticks", MS]`, `{"topic", "interval_ms"}`.
fn subscribe_params(params: &Params) -> Result<(String, Duration), Fault> {
    let (topic, ms) = match params {
        Params::Positional(items) => (items.first(), items.get(1)),
        Params::Named(map) => (map.get("topic"), map.get("interval_ms")),
    };
    let usage = || {
        Fault::new(
            codes::INVALID_PARAMS,
            "subscribe takes a topic and a tick in milliseconds: [\"ticks\", 500]",
        )
    };
    let topic = match topic {
        Some(Value::String(topic)) if topic == "ticks" => topic.clone(),
        Some(Value::String(other)) => {
            return Err(Fault::new(
                codes::INVALID_PARAMS,
                format!("no topic {other:?}: the one topic is \"ticks\""),
            ))
        }
        _ => return Err(usage()),
    };
    let interval = match ms {
        None => DEFAULT_TICK,
        Some(Value::Int(ms)) => u64::try_from(*ms)
            .map(Duration::from_millis)
            .map_err(|_| usage())?,
        Some(_) => return Err(usage()),
    };
    if interval < MIN_TICK {
        return Err(Fault::new(
            codes::INVALID_PARAMS,
            format!("a tick is at least {} ms", MIN_TICK.as_millis()),
        ));
    }
    Ok((topic, interval))
}

/// Sends a notification every `interval` until stopped; a full queue (the client does not read)
/// cuts the connection off instead of waiting.
async fn tick(
    id: String,
    topic: String,
    interval: Duration,
    queue: mpsc::Sender<Message>,
    cut_off: CancellationToken,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    for count in 1u64.. {
        ticks.tick().await;
        let notification = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "subscription",
            "params": {"subscription": id, "result": {"topic": topic, "count": count}},
        });
        match queue.try_send(Message::text(notification.to_string())) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                cut_off.cancel();
                return;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
    }
}
