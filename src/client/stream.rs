//! JSON-RPC 2.0 on a byte stream — a Unix socket (geth's and anvil's IPC), a TCP connection
//! (Electrum, stratum), a child process's stdin and stdout (language servers, MCP servers) — cut
//! into messages by a framing ([`crate::framing`]). One connection for the whole session (a REPL
//! keeps it between lines), opened at the first call.
//!
//! A reader task takes every message as it comes: an answer goes to the call of its id, in any
//! order; what the server sends unasked — a notification, a request of its own — is shown in the
//! trace (`RPC <- method params`), handed to whoever listens ([`StreamTransport::subscribe`]),
//! and never taken for an answer; a request of the server's is answered by `--callback`, by the
//! dialect's defaults (LSP's editor-with-no-settings answers), or with -32601.
//!
//! Faults keep the contract's exit codes: a connection or child that ends before answering is
//! exit 3 (a child's last stderr lines in the message), a message that is not JSON exit 4 naming
//! it (on a child's stdout: the classic server that logs to stdout).

use super::failure::{Cause, TransportError};
use super::messages::{Incoming, Outgoing, ReadError};
use super::{Client, Mode};
use crate::connect::{self, ChildOptions, ChildProcess, Place};
use crate::error::{Error, Result};
use crate::framing::{Bounds, FrameError, Framing};
use crate::protocol::{jsonrpc, Call, Fault, Outcome};
use crate::trace::Trace;
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};

/// How long a closing session waits for the server's echo of a WebSocket close frame.
const CLOSE_ECHO_WAIT: Duration = Duration::from_secs(2);

/// How many unasked messages a slow listener may fall behind by before it misses some.
const UNASKED_BACKLOG: usize = 256;

/// A message the server sent unasked: a notification, or a request of its own.
#[derive(Debug, Clone)]
pub struct Unasked {
    pub method: String,
    pub params: Json,
    /// The request's id; None for a notification.
    pub id: Option<Json>,
}

/// An answer to one of the server's requests, on its way (it may come from a person at a
/// prompt, or a command).
pub type Answering<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = std::result::Result<Json, Fault>> + Send + 'a>,
>;

/// Answers to the server's own requests: `--callback`, then the dialect's defaults.
pub trait ServerRequests: Send + Sync {
    /// The result for the server's request `method` with `params`; an error is answered as the
    /// error object it holds.
    fn answer<'a>(&'a self, method: &'a str, params: &'a Json) -> Answering<'a>;
}

/// The settings of a stream transport.
pub struct Settings {
    pub place: Place,
    pub framing: Framing,
    /// `-t`: how long a call waits for its answer.
    pub timeout: Option<Duration>,
    /// `--max-response` and `--max-header-block`: what a message read may take.
    pub bounds: Bounds,
    pub child: ChildOptions,
    pub trace: Trace,
    /// `ws://`, `wss://`: the WebSocket handshake made on the connection (the framing is then
    /// the WebSocket's own).
    pub websocket: Option<super::websocket::Handshake>,
    /// `--ping-interval`: a WebSocket ping when the connection has been this long without one.
    pub ping_interval: Option<Duration>,
}

/// JSON-RPC on one byte stream, opened at the first call and kept for the session.
pub struct StreamTransport {
    settings: Settings,
    answers: Arc<dyn ServerRequests>,
    link: tokio::sync::Mutex<Option<Link>>,
    unasked: broadcast::Sender<Unasked>,
    /// A call ran out of `-t`: the server is busy or gone, so closing does not wait for it.
    timed_out: std::sync::atomic::AtomicBool,
}

/// The open connection.
struct Link {
    writer: Arc<tokio::sync::Mutex<Outgoing>>,
    shared: Arc<Mutex<Shared>>,
    reader: tokio::task::JoinHandle<()>,
    /// `--ping-interval`'s task, if any.
    pinger: Option<tokio::task::JoinHandle<()>>,
    child: Arc<tokio::sync::Mutex<Option<ChildProcess>>>,
    next_id: AtomicU64,
}

/// What the reader task and the callers share.
#[derive(Default)]
struct Shared {
    /// Calls waiting for their answers, by id (as JSON text).
    pending: HashMap<String, oneshot::Sender<Json>>,
    /// Why the connection ended; a call that was waiting reads it.
    ended: Option<Ending>,
}

/// Why a stream's connection is over.
#[derive(Debug, Clone)]
enum Ending {
    /// It broke, or a child exited: said as a transport failure.
    Closed(String),
    /// The server ended it properly (a WebSocket close frame, a socket's end between messages):
    /// a transport failure for a call still waiting, the end of a `--follow`.
    Finished(String),
    /// It sent something that is not a message: an invalid answer.
    Invalid(String),
}

impl StreamTransport {
    /// A transport to `settings.place`; `answers` answers the server's own requests.
    pub fn new(settings: Settings, answers: Arc<dyn ServerRequests>) -> StreamTransport {
        StreamTransport {
            settings,
            answers,
            link: tokio::sync::Mutex::new(None),
            unasked: broadcast::channel(UNASKED_BACKLOG).0,
            timed_out: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Every message the server sends unasked from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Unasked> {
        self.unasked.subscribe()
    }

    /// The endpoint, as errors name it: the WebSocket's URL, or the connector's place.
    pub fn target(&self) -> String {
        match &self.settings.websocket {
            Some(handshake) => handshake.url().to_string(),
            None => self.settings.place.shown(),
        }
    }

    /// A message's bytes as this stream's framing writes them (a WebSocket's: the text frame's
    /// payload).
    pub fn frame(&self, message: &Json) -> Vec<u8> {
        match &self.settings.websocket {
            Some(_) => message.to_string().into_bytes(),
            None => self.settings.framing.frame(message.to_string().as_bytes()),
        }
    }

    /// Sends one request (logged as a call) and waits for its answer, the whole answer object as
    /// it came.
    pub async fn request(&self, method: &str, params: &Json) -> Result<Json> {
        let trace = self.settings.trace;
        trace.call(method, params);
        let link = self.link().await?;
        let id = link.next_id();
        let receiver = link.expect(&id);
        self.send(&link, &envelope(method, params, Some(id)))
            .await?;
        drop(link);
        let answer = self.answer_to(receiver).await?;
        if let Ok((_, outcome)) = jsonrpc::decode_response_object(&answer) {
            trace.answer(method, params, &outcome);
        }
        Ok(answer)
    }

    /// Sends a notification (logged as a call): no answer is waited for.
    pub async fn notify(&self, method: &str, params: &Json) -> Result<()> {
        self.settings.trace.call(method, params);
        let link = self.link().await?;
        self.send(&link, &envelope(method, params, None)).await
    }

    /// Runs `calls` as `mode` says: one request, one batch (an array in one message, answered
    /// in any order), or notifications.
    pub async fn run(&self, client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
        client.trace_calls(calls);
        let link = self.link().await?;
        let mut receivers = Vec::new();
        let mut entries = Vec::new();
        for call in calls {
            let mut entry =
                json!({"jsonrpc": "2.0", "method": call.method, "params": call.params.to_json()});
            if mode != Mode::Notify {
                let id = link.next_id();
                receivers.push(link.expect(&id));
                entry["id"] = json!(id);
            }
            entries.push(entry);
        }
        // Several calls go as one batch (notifications too); one alone as itself.
        let message = match entries.len() {
            1 => entries.into_iter().next().unwrap_or(Json::Null),
            _ => Json::Array(entries),
        };
        self.send(&link, &message).await?;
        drop(link);
        let mut outcomes = Vec::with_capacity(receivers.len());
        for receiver in receivers {
            let answer = self.answer_to(receiver).await?;
            let (_, outcome) = jsonrpc::decode_response_object(&answer)
                .map_err(|why| Error::protocol(format!("{} answered {why}", self.target())))?;
            outcomes.push(outcome);
        }
        client.trace_answers(calls, &outcomes);
        Ok(outcomes)
    }

    /// Waits (within `-t`) for the first message the server sends unasked with `method` (a
    /// notification such as LSP's `textDocument/publishDiagnostics`), from `listening`.
    pub async fn wait_for(
        &self,
        listening: &mut broadcast::Receiver<Unasked>,
        method: &str,
    ) -> Result<Json> {
        let wait = async {
            loop {
                match listening.recv().await {
                    Ok(unasked) if unasked.method == method => return Ok(unasked.params),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return Err(self.ended_error()),
                }
            }
        };
        let work = async {
            tokio::select! {
                waited = wait => waited,
                // The connection may end while we wait: say why rather than wait on.
                () = self.ended() => Err(self.ended_error()),
            }
        };
        self.within(work).await?
    }

    /// Resolves once the connection has ended (the server closed it, a child exited, it broke).
    pub async fn ended(&self) {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if self.link.lock().await.as_ref().is_some_and(Link::ended) {
                return;
            }
        }
    }

    /// Ends the session: a WebSocket closed with a close frame and its echo waited for (at most
    /// [`CLOSE_ECHO_WAIT`]); a byte stream closed (a child's stdin), the child given
    /// `--stop-grace` to exit, then killed, and reaped.
    pub async fn close(&self) {
        let Some(mut link) = self.link.lock().await.take() else {
            return;
        };
        if let Some(pinger) = link.pinger.take() {
            pinger.abort();
        }
        let child = link.child.lock().await.take();
        let echo = !link.ended() && link.writer.lock().await.close(self.settings.trace).await;
        let timed_out = self.timed_out.load(Ordering::Relaxed);
        let wait = if timed_out {
            Duration::ZERO
        } else {
            CLOSE_ECHO_WAIT
        };
        let echoed = echo && tokio::time::timeout(wait, &mut link.reader).await.is_ok();
        // The reader task holds the writer too (to answer the server's requests): it goes
        // first, so that dropping the writer closes the stream (a child's stdin) at once and the
        // child can exit on its own within its grace.
        if !echoed {
            link.reader.abort();
            let _ = link.reader.await;
        }
        drop(link.writer);
        if let Some(child) = child {
            child.stop().await;
        }
    }

    /// The open connection, opened now when there is none, or again when the server has ended
    /// the last one (a WebSocket's idle close under `rpc repl`; said at `-v`). A child is not
    /// started again: its end is the session's (its error says how it ended).
    async fn link(&self) -> Result<tokio::sync::MappedMutexGuard<'_, Link>> {
        let mut slot = self.link.lock().await;
        let reopen = !matches!(self.settings.place, Place::Child(_));
        if let Some(mut ended) = slot.take_if(|link| reopen && link.ended()) {
            if let Some(pinger) = ended.pinger.take() {
                pinger.abort();
            }
            let why = ended.ending().map(|e| self.error_of(e).to_string());
            let note = format!(
                "rpc: the connection had ended ({}): connecting again",
                why.unwrap_or_default()
            );
            if self.settings.trace.level >= 1 {
                self.settings.trace.note(&note);
            }
        }
        if slot.is_none() {
            *slot = Some(self.open().await?);
        }
        tokio::sync::MutexGuard::try_map(slot, Option::as_mut)
            .map_err(|_| Error::internal("the stream's connection went missing"))
    }

    /// The connection's two halves: a WebSocket's, or a byte stream's cut by the framing (and
    /// the child behind it).
    async fn halves(&self) -> Result<(Incoming, Outgoing, Option<ChildProcess>)> {
        let s = &self.settings;
        if let Some(handshake) = &s.websocket {
            let ws = handshake.open(s.bounds.message, s.timeout, s.trace).await?;
            let (sink, stream) = futures_util::StreamExt::split(ws);
            return Ok((Incoming::WebSocket(stream), Outgoing::WebSocket(sink), None));
        }
        let connection = connect::open(&s.place, &s.child, s.trace).await?;
        let (reader, writer, child) = connection.into_halves();
        let incoming = Incoming::framed(reader, s.framing.reader(s.bounds));
        Ok((incoming, Outgoing::framed(writer, s.framing), child))
    }

    async fn open(&self) -> Result<Link> {
        let s = &self.settings;
        let (incoming, outgoing, child) = self.halves().await?;
        let writer = Arc::new(tokio::sync::Mutex::new(outgoing));
        let shared: Arc<Mutex<Shared>> = Arc::default();
        let child = Arc::new(tokio::sync::Mutex::new(child));
        let read = Reading {
            speaks: match s.websocket {
                Some(_) => "WebSocket".to_owned(),
                None => format!("{} framing", s.framing.name()),
            },
            trace: s.trace,
            target: self.target(),
            is_child: s.place.is_child(),
            shared: Arc::clone(&shared),
            writer: Arc::clone(&writer),
            child: Arc::clone(&child),
            answers: Arc::clone(&self.answers),
            unasked: self.unasked.clone(),
        };
        let reader = tokio::spawn(read.run(incoming));
        let pinger = s
            .ping_interval
            .map(|every| tokio::spawn(ping(Arc::clone(&writer), every, s.trace)));
        Ok(Link {
            writer,
            shared,
            reader,
            pinger,
            child,
            next_id: AtomicU64::new(1),
        })
    }

    /// Writes one message (dumped at -vv).
    async fn send(&self, link: &Link, message: &Json) -> Result<()> {
        if let Some(ending) = link.ending() {
            return Err(self.error_of(ending));
        }
        let bytes = message.to_string().into_bytes();
        let mut writer = link.writer.lock().await;
        let written = writer.send(&bytes, self.settings.trace);
        match self.within(written).await? {
            Ok(()) => Ok(()),
            // A child that exited (or a server that closed) before it could be written to: the
            // reader says why.
            Err(e) => {
                drop(writer);
                tokio::time::sleep(Duration::from_millis(200)).await;
                match link.ending() {
                    Some(ending) => Err(self.error_of(ending)),
                    None => Err(Error::Transport(TransportError::from_io(&self.target(), e))),
                }
            }
        }
    }

    /// The answer `receiver` gets (within `-t`), or why none will come.
    async fn answer_to(&self, receiver: oneshot::Receiver<Json>) -> Result<Json> {
        match self.within(receiver).await? {
            Ok(answer) => Ok(answer),
            Err(_) => Err(self.ended_error()),
        }
    }

    /// `work` within `-t`.
    async fn within<T>(&self, work: impl std::future::Future<Output = T>) -> Result<T> {
        match self.settings.timeout {
            None => Ok(work.await),
            Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| {
                self.timed_out.store(true, Ordering::Relaxed);
                Error::transport(self.target(), Cause::TimedOut(limit))
            }),
        }
    }

    /// Why the connection ended, as the command's error.
    pub fn why_ended(&self) -> Error {
        self.ended_error()
    }

    /// Whether the server ended the connection properly (see [`Ending::Finished`]).
    pub fn ended_cleanly(&self) -> bool {
        let link = self.link.try_lock();
        let ending = link
            .ok()
            .and_then(|link| link.as_ref().and_then(Link::ending));
        matches!(ending, Some(Ending::Finished(_)))
    }

    fn ended_error(&self) -> Error {
        let ending = self
            .link
            .try_lock()
            .ok()
            .and_then(|link| link.as_ref().and_then(Link::ending));
        match ending {
            Some(ending) => self.error_of(ending),
            None => Error::transport(
                self.target(),
                Cause::Broken("the connection ended before the answer came".into()),
            ),
        }
    }

    fn error_of(&self, ending: Ending) -> Error {
        match ending {
            Ending::Closed(why) | Ending::Finished(why) => {
                Error::transport(self.target(), Cause::Broken(why))
            }
            Ending::Invalid(why) => Error::protocol(why),
        }
    }
}

impl Link {
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers a call of `id`, before its request goes, so no answer can be missed.
    fn expect(&self, id: &u64) -> oneshot::Receiver<Json> {
        let (sender, receiver) = oneshot::channel();
        if let Ok(mut shared) = self.shared.lock() {
            shared.pending.insert(id.to_string(), sender);
        }
        receiver
    }

    fn ending(&self) -> Option<Ending> {
        self.shared.lock().ok().and_then(|s| s.ended.clone())
    }

    fn ended(&self) -> bool {
        self.ending().is_some()
    }
}

/// `--ping-interval`: a ping every `every` while the connection lasts (a WebSocket's; nothing is
/// sent on a byte stream).
async fn ping(writer: Arc<tokio::sync::Mutex<Outgoing>>, every: Duration, trace: Trace) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if writer.lock().await.ping(trace).await.is_err() {
            return;
        }
    }
}

/// The reader task: every message as it comes, until the stream ends or breaks.
struct Reading {
    /// What the stream speaks, as errors name it: `content-length framing`, `WebSocket`.
    speaks: String,
    trace: Trace,
    target: String,
    is_child: bool,
    shared: Arc<Mutex<Shared>>,
    writer: Arc<tokio::sync::Mutex<Outgoing>>,
    child: Arc<tokio::sync::Mutex<Option<ChildProcess>>>,
    answers: Arc<dyn ServerRequests>,
    unasked: broadcast::Sender<Unasked>,
}

impl Reading {
    async fn run(self, mut incoming: Incoming) {
        let ending = self.read_all(&mut incoming).await;
        let ending = match ending {
            Ending::Closed(why) => Ending::Closed(self.obituary(why).await),
            invalid => invalid,
        };
        if let Ok(mut shared) = self.shared.lock() {
            shared.ended = Some(ending);
            // The senders go: every waiting call wakes, reads `ended`.
            shared.pending.clear();
        }
    }

    async fn read_all(&self, incoming: &mut Incoming) -> Ending {
        loop {
            match incoming.next(self.trace).await {
                Ok(Some(message)) => {
                    if let Err(ending) = self.take(&message).await {
                        return ending;
                    }
                }
                Ok(None) if self.is_child => return self.closed(),
                Ok(None) => return Ending::Finished("the server closed the connection".into()),
                Err(ReadError::Frame(e)) => return self.frame_ending(e),
                Err(ReadError::Closed(why)) => return Ending::Closed(why),
                Err(ReadError::Finished(why)) => return Ending::Finished(why),
            }
        }
    }

    fn closed(&self) -> Ending {
        Ending::Closed(match self.is_child {
            true => "closed its stdout".into(),
            false => "the server closed the connection".into(),
        })
    }

    /// For a child, how it ended and its last stderr lines.
    async fn obituary(&self, why: String) -> String {
        let mut child = self.child.lock().await;
        match child.as_mut() {
            Some(child) => format!("the server {}", child.obituary().await),
            None => why,
        }
    }

    fn frame_ending(&self, e: FrameError) -> Ending {
        match e {
            FrameError::Truncated => self.closed(),
            FrameError::TooLarge(max) => Ending::Invalid(format!(
                "{} sent a message larger than {max} bytes (raise --max-response)",
                self.target
            )),
            FrameError::Malformed(why) => Ending::Invalid(format!(
                "{} does not speak the {}: {why}",
                self.target, self.speaks
            )),
        }
    }

    /// One message: an answer delivered, the server's own requests and notifications shown.
    async fn take(&self, message: &[u8]) -> std::result::Result<(), Ending> {
        let json: Json = serde_json::from_slice(message).map_err(|_| self.not_json(message))?;
        match json {
            Json::Array(entries) => {
                for entry in entries {
                    self.entry(entry).await;
                }
            }
            entry => self.entry(entry).await,
        }
        Ok(())
    }

    fn not_json(&self, message: &[u8]) -> Ending {
        let line = String::from_utf8_lossy(message);
        let line: String = line
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect();
        let advice = match self.is_child {
            true => " — a server must write only messages on its stdout and log to stderr",
            false => "",
        };
        let what = match line.trim().is_empty() {
            // An HTTP server's answer read as LSP's framing comes out so (`content-length: 0`).
            true => "an empty message (is it another protocol?)".to_owned(),
            false => format!("something that is not a JSON-RPC message: {line:?}"),
        };
        Ending::Invalid(format!("{} wrote {what}{advice}", self.target))
    }

    async fn entry(&self, entry: Json) {
        let method = entry
            .get("method")
            .and_then(Json::as_str)
            .map(str::to_owned);
        let id = entry.get("id").filter(|id| !id.is_null()).cloned();
        match (method, id) {
            (Some(method), id) => self.unasked(method, entry, id).await,
            (None, Some(id)) => self.deliver(&id, entry),
            (None, None) => self.trace.note(&format!(
                "rpc: {} sent neither a request nor an answer: {entry}",
                self.target
            )),
        }
    }

    fn deliver(&self, id: &Json, entry: Json) {
        let sender = self
            .shared
            .lock()
            .ok()
            .and_then(|mut shared| shared.pending.remove(&id.to_string()));
        match sender {
            Some(sender) => {
                let _ = sender.send(entry);
            }
            None => self.trace.note(&format!(
                "rpc: an answer to no call of ours (id {id}): {entry}"
            )),
        }
    }

    /// A notification or a request of the server's: shown, handed to listeners, a request
    /// answered.
    async fn unasked(&self, method: String, entry: Json, id: Option<Json>) {
        let params = entry.get("params").cloned().unwrap_or(Json::Null);
        let shown = format!("<- {method}");
        self.trace.call(&shown, &params);
        let _ = self.unasked.send(Unasked {
            method: method.clone(),
            params: params.clone(),
            id: id.clone(),
        });
        let Some(id) = id else { return };
        let outcome = self.answers.answer(&method, &params).await;
        let traced: Outcome = match &outcome {
            Ok(result) => {
                crate::value::Value::from_json(result).map_err(|e| Fault::new(0, e.to_string()))
            }
            Err(fault) => Err(fault.clone()),
        };
        self.trace.answer(&shown, &params, &traced);
        let answer = match outcome {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(fault) => json!({"jsonrpc": "2.0", "id": id, "error": fault.to_json()}),
        };
        let bytes = answer.to_string().into_bytes();
        let _ = self.writer.lock().await.send(&bytes, self.trace).await;
    }
}

/// A request (with `id`) or notification; no `params` member when there are none, as JSON-RPC
/// asks (`shutdown` and `exit` have none).
fn envelope(method: &str, params: &Json, id: Option<u64>) -> Json {
    let mut message = json!({"jsonrpc": "2.0", "method": method});
    if !params.is_null() {
        message["params"] = params.clone();
    }
    if let Some(id) = id {
        message["id"] = json!(id);
    }
    message
}

/// The `--callback`s a client was given, shared with its transport (set after it is made).
pub type Callbacks = Arc<std::sync::RwLock<Option<Arc<super::reach::Interaction>>>>;

/// The server's requests answered by `--callback` alone: any other is -32601.
pub struct ByCallbacks(pub Callbacks);

impl ServerRequests for ByCallbacks {
    fn answer<'a>(&'a self, method: &'a str, params: &'a Json) -> Answering<'a> {
        Box::pin(async move {
            let interaction = self.0.read().ok().and_then(|i| i.clone());
            match by_callback(interaction.as_deref(), method, params).await {
                Some(answer) => answer,
                None => Err(Fault::new(
                    crate::protocol::codes::METHOD_NOT_FOUND,
                    format!("Method not found: {method} (answer it with --callback {method}=JSON)"),
                )),
            }
        })
    }
}

/// The `--callback` answer to the server's request `method`, when one is given for it: the
/// params are the callback's arguments (an array as it is, anything else as the one argument).
pub async fn by_callback(
    interaction: Option<&super::reach::Interaction>,
    method: &str,
    params: &Json,
) -> Option<std::result::Result<Json, Fault>> {
    let interaction = interaction?;
    if !interaction
        .callbacks
        .names()
        .iter()
        .any(|name| name == method)
    {
        return None;
    }
    let args = match params {
        Json::Array(items) => items.clone(),
        Json::Null => Vec::new(),
        other => vec![other.clone()],
    };
    Some(
        interaction
            .callbacks
            .answer(method, &args)
            .await
            .map_err(|e| Fault::new(crate::protocol::codes::INTERNAL_ERROR, e.to_string())),
    )
}
