//! JSON-RPC on a byte stream through the proxy — JSON-RPC objects on TCP or a Unix socket, a
//! language server on stdio (`--stdio`): the bytes pass unchanged as they come, both ways, while
//! each direction is cut into messages by the stream's framing and each message is logged. A
//! request is logged as a call and remembered by its id for the answer coming the other way
//! (requests go both ways: a language server asks its client too, shown `RPC <- method`); a
//! notification is a call with no answer; a response is the answer to the call of its id, in any
//! order. Calls the client made are recorded with `--record`; the server's own are only logged.

use super::log::{Answered, Carrier, Way};
use super::tunnel::{pump, Activity};
use super::Shared;
use crate::framing::{Bounds, Framing, Unframe};
use crate::protocol::{jsonrpc, Proto};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

/// Forwards one connection of JSON-RPC objects (one JSON value after another) to the server,
/// logging every message, until both sides have closed or, after `shutdown`, `--drain-timeout`.
pub async fn forward<C>(client: C, conn: u64, shared: &Arc<Shared>, shutdown: CancellationToken)
where
    C: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Some(upstream) = shared.upstream_for(conn).await else {
        return;
    };
    let (client_read, client_write) = tokio::io::split(client);
    let (server_read, server_write) = tokio::io::split(upstream);
    let ends = Ends {
        client_read,
        client_write,
        server_read,
        server_write,
        client_done: None,
    };
    pipe(ends, Some(Framing::Json), conn, shared, shutdown).await;
}

/// Both sides of a piped connection: what the client writes goes to the server, and back.
pub struct Ends<CR, CW, SR, SW> {
    pub client_read: CR,
    pub client_write: CW,
    pub server_read: SR,
    pub server_write: SW,
    /// Told when the client's side has ended (`--stdio` then gives the server its grace).
    pub client_done: Option<Arc<tokio::sync::Notify>>,
}

/// Pumps both ways, each byte passed on as it comes, each message logged by [`Watch`]; with no
/// `framing`, each direction's first bytes tell it (`Content-Length` headers, else JSON values).
pub async fn pipe<CR, CW, SR, SW>(
    ends: Ends<CR, CW, SR, SW>,
    framing: Option<Framing>,
    conn: u64,
    shared: &Shared,
    shutdown: CancellationToken,
) where
    CR: AsyncRead + Unpin,
    CW: AsyncWrite + Unpin,
    SR: AsyncRead + Unpin,
    SW: AsyncWrite + Unpin,
{
    let limits = &shared.config.limits;
    let bounds = Bounds {
        message: usize::try_from(limits.max_body).unwrap_or(usize::MAX),
        header_block: limits.max_header_block,
    };
    let watch = Mutex::new(Watch::new(
        conn,
        shared,
        framing.map_or(Proto::JsonRpc, proto_on),
    ));
    let activity = Activity::new();
    let idle = (shared.config.limits.idle_timeout, &activity);
    let mut from_client = Side::new(framing, bounds, Way::Request);
    let mut from_server = Side::new(framing, bounds, Way::Answer);
    let client_done = ends.client_done.clone();
    let on_request = |bytes: &[u8]| {
        if bytes.is_empty() {
            if let Some(done) = &client_done {
                done.notify_one();
            }
        }
        let mut watch = super::lock(&watch);
        from_client.take(bytes, &mut watch);
        activity.set_waiting(watch.waiting());
    };
    let on_answer = |bytes: &[u8]| {
        let mut watch = super::lock(&watch);
        from_server.take(bytes, &mut watch);
        activity.set_waiting(watch.waiting());
    };
    let pumps = async {
        tokio::join!(
            pump(ends.client_read, ends.server_write, idle, on_request),
            pump(ends.server_read, ends.client_write, idle, on_answer)
        )
    };
    tokio::select! {
        _ = pumps => {}
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(shared.config.limits.drain_timeout).await;
        } => {}
    }
    super::lock(&watch).unanswered();
}

/// The protocol JSON-RPC messages in `framing` are logged and recorded as: LSP for its
/// Content-Length headers (a replay then runs the LSP lifecycle), else JSON-RPC.
fn proto_on(framing: Framing) -> Proto {
    match framing {
        Framing::ContentLength => Proto::Lsp,
        Framing::Json | Framing::Ndjson => Proto::JsonRpc,
    }
}

/// The framing a direction's first bytes tell: LSP's headers, else JSON values.
fn told_by(first: &[u8]) -> Framing {
    let head = first.trim_ascii_start();
    let prefix = b"content-length:";
    match head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix) {
        true => Framing::ContentLength,
        false => Framing::Json,
    }
}

/// One direction: its bytes, cut into messages (the reader made at the first bytes when the
/// framing is told by them).
struct Side {
    reader: Option<Box<dyn Unframe>>,
    bounds: Bounds,
    way: Way,
    /// The framing failed: the bytes still pass, unread.
    broken: bool,
}

impl Side {
    fn new(framing: Option<Framing>, bounds: Bounds, way: Way) -> Side {
        Side {
            reader: framing.map(|f| f.reader(bounds)),
            bounds,
            way,
            broken: false,
        }
    }

    /// Takes a chunk (an empty one: the end of the direction) and logs its whole messages.
    fn take(&mut self, bytes: &[u8], watch: &mut Watch) {
        watch.shared.log.bytes(watch.conn, self.way, bytes);
        if self.broken {
            return;
        }
        let end = bytes.is_empty();
        let reader = match &mut self.reader {
            Some(reader) => reader,
            unread => {
                let framing = told_by(bytes);
                if matches!(self.way, Way::Request) {
                    watch.proto = proto_on(framing);
                }
                unread.insert(framing.reader(self.bounds))
            }
        };
        reader.push(bytes);
        loop {
            let next = if end { reader.finish() } else { reader.next() };
            match next {
                Ok(Some(message)) => watch.message(self.way, &message),
                Ok(None) => break,
                Err(e) => {
                    self.broken = true;
                    let why = format!("framing: {e}; the rest passes unread");
                    watch
                        .shared
                        .log
                        .undecoded(watch.conn, self.way, &why, bytes);
                    break;
                }
            }
            if end {
                break;
            }
        }
    }
}

/// A request seen going one way, waiting for its answer the other way.
struct Asked {
    method: String,
    params: Json,
    at: Instant,
}

/// A subscription the client opened on this connection.
struct Subscription {
    /// The subscribe call that opened it, `eth_subscribe ["newHeads"]`: its notifications'
    /// label.
    label: String,
    /// When it was answered.
    at: Instant,
    /// Its notifications recorded so far (`--record-notifications` at most).
    recorded: usize,
}

/// The calls of a connection, by direction and id, and how each message is logged.
pub(super) struct Watch<'a> {
    conn: u64,
    /// What the client's messages are (told by their framing).
    proto: Proto,
    shared: &'a Shared,
    /// Requests the client made, by id (as JSON text).
    client_asked: HashMap<String, Asked>,
    /// Requests the server made of the client.
    server_asked: HashMap<String, Asked>,
    /// The client's subscriptions, by the id the server answered (as JSON text).
    subscriptions: HashMap<String, Subscription>,
    /// The messages travel in the WebSocket upgraded at this path (see [`super::websocket`]).
    websocket: Option<String>,
}

impl<'a> Watch<'a> {
    pub(super) fn new(conn: u64, shared: &'a Shared, proto: Proto) -> Watch<'a> {
        Watch {
            conn,
            proto,
            shared,
            client_asked: HashMap::new(),
            server_asked: HashMap::new(),
            subscriptions: HashMap::new(),
            websocket: None,
        }
    }

    /// A watch of the WebSocket upgraded at `path`: its calls are recorded as sent to it.
    pub(super) fn on_websocket(mut self, path: &str) -> Watch<'a> {
        self.websocket = Some(path.to_owned());
        self
    }

    /// A note on this connection's log.
    pub(super) fn note(&self, text: &str) {
        self.shared.log.note(self.conn, text);
    }

    /// One whole message of a WebSocket: its bytes dumped at `-vv`, then read as JSON-RPC.
    pub(super) fn websocket_message(&mut self, way: Way, bytes: &[u8]) {
        self.shared.log.bytes(self.conn, way, bytes);
        self.message(way, bytes);
    }

    pub(super) fn waiting(&self) -> usize {
        self.client_asked.len() + self.server_asked.len()
    }

    /// A subscribe of the client's answered with an id (`eth_subscribe` → `"0x1"`): kept, at most
    /// `--max-pending` of them, to label the notifications that name it.
    fn remember_subscription(&mut self, asked: &Asked, outcome: Result<&Json, &Json>) {
        let Some(id) = outcome
            .ok()
            .and_then(|r| crate::follow::subscription_id(&asked.method, r))
        else {
            return;
        };
        if self.subscriptions.len() < self.shared.config.limits.max_pending.max(1) {
            let subscription = Subscription {
                label: format!("{} {}", asked.method, asked.params),
                at: Instant::now(),
                recorded: 0,
            };
            self.subscriptions.insert(id.to_string(), subscription);
        }
    }

    /// One message going `way`: a batch's entries one by one.
    pub(super) fn message(&mut self, way: Way, bytes: &[u8]) {
        match serde_json::from_slice::<Json>(bytes) {
            Ok(Json::Array(entries)) => entries.iter().for_each(|entry| self.entry(way, entry)),
            Ok(entry) => self.entry(way, &entry),
            Err(_) => {
                let what = "a message that is not JSON";
                self.shared.log.undecoded(self.conn, way, what, bytes);
            }
        }
    }

    fn entry(&mut self, way: Way, entry: &Json) {
        let from_client = matches!(way, Way::Request);
        let method = entry.get("method").and_then(Json::as_str);
        let id = entry
            .get("id")
            .filter(|id| !id.is_null())
            .map(Json::to_string);
        match (method, id) {
            (Some(method), id) => self.request(from_client, method, entry, id),
            (None, Some(id)) => self.response(from_client, entry, &id),
            (None, None) => {
                let what = "neither a request nor an answer";
                self.shared
                    .log
                    .undecoded(self.conn, way, what, entry.to_string().as_bytes());
            }
        }
    }

    /// A request or notification: logged now; a request remembered for its answer (at most
    /// `--max-pending` per direction: past that, the oldest are forgotten).
    fn request(&mut self, from_client: bool, method: &str, entry: &Json, id: Option<String>) {
        let params = entry.get("params").cloned().unwrap_or(Json::Null);
        let shown = match self.subscription_of(from_client, &params) {
            Some(subscription) => format!("<- {method} (of {})", subscription.label),
            None => shown_method(from_client, method),
        };
        if id.is_none() {
            self.record_notification(from_client, method, &params);
        }
        self.shared.log.call(self.conn, self.proto, &shown, &params);
        let Some(id) = id else { return };
        let asked = match from_client {
            true => &mut self.client_asked,
            false => &mut self.server_asked,
        };
        if asked.len() >= self.shared.config.limits.max_pending.max(1) {
            let oldest = asked
                .iter()
                .min_by_key(|(_, a)| a.at)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                asked.remove(&oldest);
            }
        }
        let asked_call = Asked {
            method: method.to_owned(),
            params,
            at: Instant::now(),
        };
        asked.insert(id, asked_call);
    }

    /// An answer, to the call of its id made the other way.
    fn response(&mut self, from_client: bool, entry: &Json, id: &str) {
        // The client answers the server's requests, and the server the client's.
        let asked = match from_client {
            true => self.server_asked.remove(id),
            false => self.client_asked.remove(id),
        };
        let way = if from_client {
            Way::Request
        } else {
            Way::Answer
        };
        let Some(asked) = asked else {
            let what = format!("an answer to no call remembered (id {id})");
            self.shared
                .log
                .undecoded(self.conn, way, &what, entry.to_string().as_bytes());
            return;
        };
        let outcome = match jsonrpc::decode_response_object(entry) {
            Ok((_, Ok(value))) => Ok(value.to_json()),
            Ok((_, Err(fault))) => Err(fault.to_json()),
            Err(why) => {
                self.shared
                    .log
                    .undecoded(self.conn, way, &why, entry.to_string().as_bytes());
                return;
            }
        };
        let method = shown_method(!from_client, &asked.method);
        let answered = Answered {
            conn: self.conn,
            proto: self.proto,
            method: &method,
            params: &asked.params,
            outcome: outcome.as_ref(),
            duration: asked.at.elapsed(),
            carrier: carrier(self.websocket.as_deref()),
        };
        // The client's calls are what a replay sends again; the server's own are only logged.
        match from_client {
            false => self.shared.log.answer(&answered),
            true => self.shared.log.answer_line(&answered),
        }
        if !from_client {
            self.remember_subscription(&asked, outcome.as_ref());
        }
    }

    /// The subscription a server's notification belongs to (`params.subscription` names it).
    fn subscription_of(&self, from_client: bool, params: &Json) -> Option<&Subscription> {
        let id = params.get("subscription").filter(|_| !from_client)?;
        self.subscriptions.get(&id.to_string())
    }

    /// Records one of the first `--record-notifications` notifications of a client's
    /// subscription (with `--record`).
    fn record_notification(&mut self, from_client: bool, method: &str, params: &Json) {
        let limit = self.shared.config.limits.record_notifications;
        let carrier = carrier(self.websocket.as_deref());
        let Some(id) = params.get("subscription").filter(|_| !from_client) else {
            return;
        };
        let Some(subscription) = self.subscriptions.get_mut(&id.to_string()) else {
            return;
        };
        if subscription.recorded >= limit || !self.shared.log.recording() {
            return;
        }
        subscription.recorded += 1;
        let since = subscription.at.elapsed();
        let log = &self.shared.log;
        log.record_notification(self.proto, carrier, method, params, since);
    }

    /// Calls still waiting when the connection ends.
    pub(super) fn unanswered(&mut self) {
        for (from_client, asked) in [(true, &self.client_asked), (false, &self.server_asked)] {
            for call in asked.values() {
                let method = shown_method(from_client, &call.method);
                let text = format!("RPC {method} {} got no answer", call.params);
                self.shared.log.note(self.conn, &text);
            }
        }
    }
}

/// How the messages travel: in the WebSocket upgraded at this path, or on the byte stream.
fn carrier(websocket: Option<&str>) -> Carrier<'_> {
    match websocket {
        Some(path) => Carrier::WebSocket(path),
        None => Carrier::Stream,
    }
}

/// A method as the log shows it: the client's as it is, the server's behind `<- `.
fn shown_method(from_client: bool, method: &str) -> String {
    match from_client {
        true => method.to_owned(),
        false => format!("<- {method}"),
    }
}
