//! Client side: endpoints, transports, and one small driver per protocol that joins a codec to a
//! transport. Commands (`call`, `list`, …) only ever see [`Client`].

pub mod failure;
pub mod grpc;
pub mod http;
mod jsonrpc;
pub mod lsp;
pub mod messages;
mod rawtcp;
pub mod reach;
pub mod stream;
mod tap;
pub mod tls;
pub mod websocket;
mod xmlrpc;

use crate::connect::Place;
use crate::error::{Error, Result};
use crate::framing::Framing;
use crate::protocol::answer::Reply;
use crate::protocol::{Call, Outcome, Proto, Transport as Carrier};
use crate::trace::Trace;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// The largest answer a client reads unless told otherwise (`--max-response`), in bytes.
pub const DEFAULT_MAX_RESPONSE: u64 = 64 * 1024 * 1024;

/// How to reach a server, whatever the protocol: built once at the command line's edge
/// (`cli.rs`), or in code (`rpc demo`, `rpc replay`).
#[derive(Debug, Clone)]
pub struct Options {
    /// `-P`: the protocol; None: the endpoint's scheme decides ([`default_proto`]).
    pub proto: Option<Proto>,
    /// `-H`: extra HTTP headers, in order, as (name, value).
    pub headers: Vec<(String, String)>,
    /// `-t`: the whole exchange's time limit; None: no limit, as curl.
    pub timeout: Option<Duration>,
    /// `-k`: do not verify the server's TLS certificate.
    pub insecure: bool,
    /// `--cacert`: a PEM file of certificates to trust as well.
    pub cacert: Option<PathBuf>,
    /// `--max-response`: the largest answer read, in bytes.
    pub max_response: u64,
    /// `--max-header-block`: the longest Content-Length header block read, in bytes.
    pub max_header_block: usize,
    /// `--api-key`: Reach's `X-API-Key`.
    pub api_key: Option<String>,
    /// gRPC: `--schema` files and `--import-path` directories (none: the server's reflection).
    pub schema: grpc::SchemaSource,
    /// gRPC: `--compress`, the encoding requests are sent with (none: uncompressed). Answers
    /// are read in gzip and deflate whatever this says.
    pub compress: Option<crate::protocol::grpc::frames::Encoding>,
    /// `--unix-socket PATH`: an `http(s)://` or `grpc(s)://` URL's bytes go to this Unix socket
    /// (`Host`/`:authority` still from the URL), as curl and buf curl do.
    pub unix_socket: Option<PathBuf>,
    /// `--framing`: how messages are cut on a byte stream (None: the protocol's own).
    pub framing: Option<crate::framing::Framing>,
    /// `stdio:` endpoints: where the child's stderr goes and how it is stopped.
    pub child: crate::connect::ChildOptions,
    /// `-P lsp`: the lifecycle's `--root` and `--open`.
    pub lsp: lsp::LspOptions,
    /// `ws://`, `wss://`: `--origin`, `--ws-protocol`, `--ping-interval`.
    pub websocket: WebSocketOptions,
    /// `-u` or `--cookie-file`: HTTP basic authentication (credentials in the URL are found by
    /// [`Client::new`]; these win over them, as in curl).
    pub auth: Option<Credentials>,
}

/// What a WebSocket's handshake and connection add to the HTTP options.
#[derive(Debug, Clone, Default)]
pub struct WebSocketOptions {
    /// `--origin`: the `Origin` header (browsers' servers check it).
    pub origin: Option<String>,
    /// `--ws-protocol` (repeatable): `Sec-WebSocket-Protocol`, the subprotocols offered.
    pub protocols: Vec<String>,
    /// `--ping-interval`: a ping this often keeps an idle connection open through proxies.
    pub ping_interval: Option<Duration>,
}

/// HTTP basic authentication: who, and how the user gave it, so `--curl` can give it back the
/// same way. Its `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
    pub given: Given,
}

/// Where credentials came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    /// `-u USER:PASS`.
    Flag,
    /// `-u USER`, the password asked at the terminal.
    Prompted,
    /// `http://USER:PASS@HOST/`.
    Url,
    /// `--cookie-file FILE` holding `USER:PASS` (bitcoind's `__cookie__:…`).
    CookieFile(PathBuf),
}

impl Credentials {
    /// `USER:PASS` (or `USER:` with an empty password) as given with `how`.
    pub fn parse(text: &str, how: Given) -> Option<Credentials> {
        let (user, password) = text.trim_end_matches(['\r', '\n']).split_once(':')?;
        Some(Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
            given: how,
        })
    }

    /// `Basic base64(USER:PASS)`, RFC 7617.
    pub fn basic_header(&self) -> String {
        use base64::Engine;
        let pair = format!("{}:{}", self.user, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"***")
            .field("given", &self.given)
            .finish()
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            proto: None,
            headers: Vec::new(),
            timeout: None,
            insecure: false,
            cacert: None,
            max_response: DEFAULT_MAX_RESPONSE,
            max_header_block: crate::framing::DEFAULT_MAX_HEADER_BLOCK,
            api_key: None,
            schema: grpc::SchemaSource::default(),
            compress: None,
            unix_socket: None,
            framing: None,
            child: crate::connect::ChildOptions::default(),
            lsp: lsp::LspOptions::default(),
            websocket: WebSocketOptions::default(),
            auth: None,
        }
    }
}

pub use crate::protocol::answer::Mode;

/// A request as it would go on the wire, for `--dry-run` and `--curl`.
#[derive(Debug, Clone)]
pub enum Wire {
    Http(http::HttpRequest),
    /// A gRPC request: its HTTP/2 POST and framed message (built with the method's schema).
    Grpc(grpc::Preview),
    /// Bytes written on one byte stream: raw-tcp to `HOST:PORT`, or framed JSON-RPC messages to
    /// any connector (`unix:PATH`, `stdio:CMD`).
    Tcp {
        addr: String,
        bytes: Vec<u8>,
    },
}

/// How a stream's connection ended ([`Client::ended`]).
pub struct Ended {
    /// Why, as a waiting call's error: a transport failure (exit 3) or an invalid answer (4).
    pub why: Error,
    /// The server ended it properly: a WebSocket close frame, a socket's end between messages.
    pub cleanly: bool,
}

/// Which ways a streaming method streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streams {
    /// The client sends any number of messages.
    pub client: bool,
    /// The server answers with any number of messages.
    pub server: bool,
}

/// The transport a protocol travels on; a client builds only the one its protocol needs.
enum Transport {
    // Boxed: an HTTP transport carries its options, a raw-tcp one two numbers.
    Http(Box<http::HttpTransport>),
    Tcp(rawtcp::TcpSettings),
    Grpc(std::sync::Arc<grpc::GrpcTransport>),
    Stream(std::sync::Arc<StreamSession>),
}

/// JSON-RPC on a byte stream, and its dialect's lifecycle.
struct StreamSession {
    transport: stream::StreamTransport,
    /// `-P lsp`: begun (initialize…) before the first call, ended (shutdown, exit) at close.
    lsp: Option<lsp::LspOptions>,
    begun: tokio::sync::OnceCell<()>,
    /// The `--callback`s that answer the server's own requests (the dialect's defaults after).
    callbacks: std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<reach::Interaction>>>>,
}

/// A connection to one endpoint over one protocol.
pub struct Client {
    pub url: Url,
    pub proto: Proto,
    pub trace: Trace,
    transport: Transport,
    /// The API key and interactive callbacks of Reach calls.
    reach: reach::Settings,
    /// The options in effect (for Reach, with its environment applied).
    options: Options,
}

impl Client {
    /// A client for `endpoint` (see [`parse_endpoint`]); a usage error for a bad endpoint or
    /// option, an I/O error when the TLS setup cannot be built.
    pub fn new(endpoint: &str, options: &Options, trace: Trace) -> Result<Client> {
        let mut url = parse_endpoint(endpoint)?;
        if options.unix_socket.is_some() && matches!(url.scheme(), "unix" | "stdio") {
            return Err(Error::usage(format!(
                "--unix-socket goes with an http(s):// or grpc(s):// URL; {endpoint} says where \
                 to connect already"
            )));
        }
        let from_url = take_credentials(&mut url);
        let proto = options.proto.unwrap_or_else(|| default_proto(&url));
        let url = with_default_path(url, endpoint, proto.spec().default_path);
        let mut options = if proto == Proto::Reach {
            reach::apply_env(options, trace)?
        } else {
            options.clone()
        };
        options.auth = options.auth.take().or(from_url);
        let place = place_of(&url, options.unix_socket.as_deref())?;
        let transport = transport_for(proto, &url, place, &options, trace)?;
        Ok(Client {
            url,
            proto,
            trace,
            transport,
            reach: reach::Settings {
                api_key: options.api_key.clone(),
                interaction: None,
            },
            options,
        })
    }

    /// The options in effect: the command line's, and for Reach its environment.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The raw-tcp settings; an internal error for a protocol that travels on HTTP (a driver bug).
    fn tcp(&self) -> Result<&rawtcp::TcpSettings> {
        match &self.transport {
            Transport::Tcp(tcp) => Ok(tcp),
            _ => Err(Error::internal(format!(
                "{} has no raw-tcp transport",
                self.proto.name()
            ))),
        }
    }

    /// The HTTP transport; an internal error for a protocol that has none (a driver bug).
    fn http(&self) -> Result<&http::HttpTransport> {
        match &self.transport {
            Transport::Http(http) => Ok(http),
            _ => Err(Error::internal(format!(
                "{} has no HTTP transport",
                self.proto.name()
            ))),
        }
    }

    /// Whether Reach calls are interactive (they send values and callbacks and answer `Kont`s).
    pub fn is_interactive(&self) -> bool {
        self.reach.interaction.is_some()
    }

    /// Sets the callbacks that answer the server: Reach calls become interactive (they send the
    /// values and callbacks, and answer each `Kont`); on a stream, the server's own requests are
    /// answered by them.
    pub fn set_interaction(&mut self, interaction: Option<reach::Interaction>) {
        let interaction = interaction.map(std::sync::Arc::new);
        if let Transport::Stream(session) = &self.transport {
            if let Ok(mut callbacks) = session.callbacks.write() {
                *callbacks = interaction.clone();
            }
        }
        self.reach.interaction = interaction;
    }

    /// Sends the calls and returns one outcome per call (none for notifications).
    /// The error line stays one sentence of `rpc`'s own; at `-v` the log adds the library's
    /// account of a failure.
    pub async fn run(&self, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
        let result = match self.proto {
            Proto::JsonRpc if self.on_stream() => self.run_on_stream(calls, mode).await,
            Proto::JsonRpc => jsonrpc::run(self, calls, mode).await,
            Proto::RawTcp => rawtcp::run(self, calls, mode).await,
            Proto::XmlRpc => xmlrpc::run(self, calls, mode).await,
            Proto::Reach => reach::run(self, calls, mode).await,
            Proto::Grpc => grpc::run(self, calls, mode).await,
            Proto::Lsp => self.run_on_stream(calls, mode).await,
        };
        if let Err(e) = &result {
            self.trace.detail(e);
        }
        result
    }

    /// One outcome per call from `reply`, by the protocol's answer rule; an answer that gives
    /// none is the command's error (the server's, an HTTP status, or an invalid answer).
    pub fn read_answer(&self, reply: Reply<'_>, count: usize, mode: Mode) -> Result<Vec<Outcome>> {
        (self.proto.spec().read_answer)(reply, count, mode)
            .map_err(|e| Error::from_answer(self.proto, e))
    }

    /// One HTTP exchange for `calls`: logged before and after, the answer read by the rule.
    async fn exchange(
        &self,
        calls: &[Call],
        mode: Mode,
        request: &http::HttpRequest,
    ) -> Result<Vec<Outcome>> {
        self.trace_calls(calls);
        let answer = self.http()?.send(request).await?;
        let reply = Reply::Http {
            status: answer.status,
            body: &answer.body,
        };
        let outcomes = self.read_answer(reply, calls.len(), mode)?;
        self.trace_answers(calls, &outcomes);
        Ok(outcomes)
    }

    /// Logs `RPC m args` for each call, before they go out.
    fn trace_calls(&self, calls: &[Call]) {
        for call in calls {
            self.trace.call(&call.method, &call.params.to_json());
        }
    }

    /// Logs `RPC m args ==> result` for each call and its outcome.
    fn trace_answers(&self, calls: &[Call], outcomes: &[Outcome]) {
        for (call, outcome) in calls.iter().zip(outcomes) {
            self.trace
                .answer(&call.method, &call.params.to_json(), outcome);
        }
    }

    /// An HTTP request as the transport would write it (`--dry-run`, `rpc bench`): every header
    /// in order, the credentials included.
    pub fn request_text(&self, request: &http::HttpRequest) -> Vec<u8> {
        request.to_http_text(&self.options.headers, self.options.auth.as_ref())
    }

    /// The `-H` headers every HTTP request carries.
    pub fn extra_headers(&self) -> &[(String, String)] {
        &self.options.headers
    }

    /// The requests `run` would send, without sending them, on every protocol: gRPC's need the
    /// method's schema (reflection may be asked), the others are built at once ([`Client::preview`]).
    pub async fn preview_all(&self, calls: &[Call], mode: Mode) -> Result<Vec<Wire>> {
        if self.proto != Proto::Grpc {
            return self.preview(calls, mode);
        }
        let mut wires = Vec::with_capacity(calls.len());
        for call in calls {
            wires.push(Wire::Grpc(grpc::preview(self, call).await?));
        }
        Ok(wires)
    }

    /// Whether `method` streams, and which way (gRPC's client, server and bidirectional
    /// streams): None for a call answered once, as every other protocol's are. Streams go through
    /// [`Client::call_streaming`].
    pub async fn streaming(&self, method: &str) -> Result<Option<Streams>> {
        if self.proto != Proto::Grpc {
            return Ok(None);
        }
        let method = self.grpc_method(method).await?;
        let streams = Streams {
            client: method.is_client_streaming(),
            server: method.is_server_streaming(),
        };
        Ok((streams.client || streams.server).then_some(streams))
    }

    /// A streaming call (see [`Client::streaming`]): each request message from `io.requests`,
    /// each answer handed to `io.on_response` as it arrives.
    pub async fn call_streaming(&self, method: &str, io: grpc::Streaming<'_>) -> Result<()> {
        grpc::call_streaming(self, method, io).await
    }

    /// The requests `run` would send, without sending them (not gRPC's: see
    /// [`Client::preview_all`]).
    pub fn preview(&self, calls: &[Call], mode: Mode) -> Result<Vec<Wire>> {
        if let Some(wire) = self.stream_preview(calls, mode)? {
            return Ok(vec![wire]);
        }
        match self.proto {
            Proto::JsonRpc => Ok(vec![Wire::Http(jsonrpc::request(self, calls, mode))]),
            Proto::RawTcp => Ok(vec![rawtcp::preview(self, calls, mode)?]),
            Proto::XmlRpc => Ok(vec![Wire::Http(xmlrpc::request(self, calls, mode)?)]),
            // One request per call; an interactive call shows its first request only.
            Proto::Reach => calls
                .iter()
                .map(|call| reach::request(self, call).map(Wire::Http))
                .collect(),
            // A gRPC request needs the method's schema (async: reflection may be asked), so
            // `rpc call --dry-run` and `rpc bench` build it through grpc::preview.
            Proto::Grpc => Err(Error::internal(
                "a gRPC request is built by client::grpc::preview, with its schema",
            )),
            Proto::Lsp => Err(Error::internal("an LSP request goes on a stream")),
        }
    }
}

/// Where an endpoint's bytes go: `unix:PATH` and `stdio:CMD` say it themselves; any other URL's
/// host and port, unless `--unix-socket` sends them to a socket.
pub fn place_of(url: &Url, unix_socket: Option<&std::path::Path>) -> Result<Place> {
    match url.scheme() {
        "unix" => Ok(Place::Unix(PathBuf::from(decoded_path(url)))),
        "stdio" => Place::child(&decoded_path(url)),
        "tcp" if unix_socket.is_none() => Ok(Place::Tcp(rawtcp::target(url)?)),
        _ => Ok(match unix_socket {
            Some(path) => Place::Unix(path.to_path_buf()),
            None => Place::Tcp(http::target_of(url)),
        }),
    }
}

/// A `unix:` or `stdio:` URL's text after the scheme, as typed.
fn decoded_path(url: &Url) -> String {
    percent_encoding::percent_decode_str(url.path())
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether the endpoint is a bare byte stream rather than HTTP: `unix:`, `stdio:`, `tcp://`.
fn is_stream_endpoint(url: &Url) -> bool {
    matches!(url.scheme(), "unix" | "stdio" | "tcp" | "ws" | "wss")
}

fn is_websocket(url: &Url) -> bool {
    matches!(url.scheme(), "ws" | "wss")
}

/// The one transport `proto` needs to reach `place`; a usage error for a protocol that cannot
/// travel there (XML-RPC on a bare stream).
fn transport_for(
    proto: Proto,
    url: &Url,
    place: Place,
    options: &Options,
    trace: Trace,
) -> Result<Transport> {
    let spec = proto.spec();
    // raw-tcp has a framing, for its own TCP: not a WebSocket's message protocol either.
    if is_websocket(url) && (spec.stream_framing.is_none() || spec.transport == Carrier::Tcp) {
        return Err(Error::usage(format!(
            "{} does not travel in WebSocket messages: a ws:// endpoint carries JSON-RPC \
             (-P json-rpc, the default)",
            spec.name
        )));
    }
    let on_stream = spec.transport == Carrier::Stream
        || (is_stream_endpoint(url) && url.scheme() != "tcp" && spec.transport == Carrier::Http)
        || (url.scheme() == "tcp" && proto == Proto::JsonRpc);
    if on_stream {
        let Some(framing) = spec.stream_framing else {
            return Err(Error::usage(format!(
                "{} travels over HTTP, not on a bare stream: give an http:// URL, with \
                 --unix-socket PATH for a Unix socket",
                spec.name
            )));
        };
        let websocket = match is_websocket(url) {
            true => Some(websocket::Handshake::new(
                url,
                options,
                trace,
                place.clone(),
            )?),
            false => None,
        };
        let session = StreamSession::new(proto, place, framing, websocket, options, trace);
        return Ok(Transport::Stream(std::sync::Arc::new(session)));
    }
    Ok(match spec.transport {
        Carrier::Tcp => Transport::Tcp(rawtcp::TcpSettings::new(options, place)?),
        Carrier::Http => Transport::Http(Box::new(http::HttpTransport::new(
            options, trace, url, place,
        )?)),
        Carrier::Http2 => Transport::Grpc(std::sync::Arc::new(grpc::GrpcTransport::new(
            url,
            options,
            options.schema.clone(),
            trace,
            place,
        ))),
        Carrier::Stream => return Err(Error::internal("a stream protocol reached HTTP")),
    })
}

impl StreamSession {
    fn new(
        proto: Proto,
        place: Place,
        framing: Framing,
        websocket: Option<websocket::Handshake>,
        options: &Options,
        trace: Trace,
    ) -> StreamSession {
        let settings = stream::Settings {
            place,
            websocket,
            ping_interval: options.websocket.ping_interval,
            framing: options.framing.unwrap_or(framing),
            timeout: options.timeout,
            bounds: crate::framing::Bounds {
                message: usize::try_from(options.max_response).unwrap_or(usize::MAX),
                header_block: options.max_header_block,
            },
            child: options.child.clone(),
            trace,
        };
        let callbacks = std::sync::Arc::default();
        let lsp = (proto == Proto::Lsp).then(|| options.lsp.clone());
        let answers: std::sync::Arc<dyn stream::ServerRequests> = match lsp {
            Some(_) => std::sync::Arc::new(lsp::EditorDefaults(std::sync::Arc::clone(&callbacks))),
            None => std::sync::Arc::new(stream::ByCallbacks(std::sync::Arc::clone(&callbacks))),
        };
        StreamSession {
            transport: stream::StreamTransport::new(settings, answers),
            lsp,
            begun: tokio::sync::OnceCell::new(),
            callbacks,
        }
    }

    /// The session, begun: for LSP, `initialize`, `initialized` and the `--open` files, once.
    async fn begun(&self) -> Result<&stream::StreamTransport> {
        Ok(self.begun_by(&[]).await?.0)
    }

    /// Like `begun`; when the session is not begun yet and `calls` start with an LSP
    /// `initialize` (a recorded editor session), that call begins it and its outcome comes back.
    async fn begun_by(
        &self,
        calls: &[Call],
    ) -> Result<(&stream::StreamTransport, Option<Outcome>)> {
        let Some(options) = &self.lsp else {
            return Ok((&self.transport, None));
        };
        let own = calls
            .first()
            .filter(|call| call.method == "initialize" && !self.begun.initialized());
        let params = own.map(|call| call.params.to_json());
        let mut first = None;
        self.begun
            .get_or_try_init(|| async {
                first = Some(lsp::begin(&self.transport, options, params.as_ref()).await?);
                Ok::<(), Error>(())
            })
            .await?;
        Ok((&self.transport, first.filter(|_| own.is_some())))
    }
}

impl Client {
    /// Whether this client's calls go on a byte stream.
    fn on_stream(&self) -> bool {
        matches!(self.transport, Transport::Stream(_))
    }

    async fn run_on_stream(&self, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
        let Transport::Stream(session) = &self.transport else {
            return Err(Error::internal("not a stream client"));
        };
        let calls: Vec<Call> = match session.lsp {
            Some(_) => calls.iter().map(lsp_call).collect(),
            None => calls.to_vec(),
        };
        let (transport, initialized) = session.begun_by(&calls).await?;
        if let Some(outcome) = initialized {
            // The session's own `initialize` was the first call: the rest follow it.
            let mut outcomes = vec![outcome];
            if calls.len() > 1 {
                let rest = Box::pin(self.run_on_stream(&calls[1..], mode)).await?;
                outcomes.extend(rest);
            }
            return Ok(outcomes);
        }
        // A protocol without batches (LSP) sends a `+` batch's calls one after the other.
        if mode == Mode::Batch && self.proto.spec().batching != crate::protocol::Batching::Array {
            let mut outcomes = Vec::with_capacity(calls.len());
            for call in &calls {
                let call = std::slice::from_ref(call);
                outcomes.extend(transport.run(self, call, Mode::Single).await?);
            }
            return Ok(outcomes);
        }
        transport.run(self, &calls, mode).await
    }

    /// `--dry-run`'s bytes for a stream: the framed message, written to the connector.
    fn stream_preview(&self, calls: &[Call], mode: Mode) -> Result<Option<Wire>> {
        let Transport::Stream(session) = &self.transport else {
            return Ok(None);
        };
        // An LSP session's requests are numbered after `initialize` (1).
        let first_id = if session.lsp.is_some() { 2 } else { 1 };
        let entries: Vec<serde_json::Value> = calls
            .iter()
            .map(|call| match session.lsp {
                Some(_) => lsp_call(call),
                None => call.clone(),
            })
            .enumerate()
            .map(|(i, call)| {
                let mut entry = serde_json::json!({"jsonrpc": "2.0", "method": call.method, "params": call.params.to_json()});
                if mode != Mode::Notify {
                    entry["id"] = serde_json::json!(i + first_id);
                }
                entry
            })
            .collect();
        let messages = match &session.lsp {
            // The whole session an editor would make, so that the bytes run as they are.
            Some(options) => lsp::session_messages(options, entries)?,
            None if entries.len() == 1 => entries,
            None => vec![serde_json::Value::Array(entries)],
        };
        let bytes = messages
            .iter()
            .flat_map(|message| session.transport.frame(message))
            .collect();
        Ok(Some(Wire::Tcp {
            addr: session.transport.target(),
            bytes,
        }))
    }

    /// Every message the server sends unasked from now on (a stream endpoint's notifications and
    /// requests); a usage error where nothing can arrive unasked (HTTP).
    pub fn listen(&self) -> Result<tokio::sync::broadcast::Receiver<stream::Unasked>> {
        match &self.transport {
            Transport::Stream(session) => Ok(session.transport.subscribe()),
            Transport::Tcp(_) => Err(Error::usage(format!(
                "{} speaks raw-tcp, whose server only answers, in order: --follow and --wait \
                 need JSON-RPC on a stream (ws://, wss://, stdio:, unix:, -P json-rpc tcp://)",
                self.endpoint()
            ))),
            _ => Err(Error::usage(format!(
                "{} is answered over HTTP, where a server cannot send notifications: --follow \
                 and --wait need a stream endpoint (ws://, wss://, stdio:, unix:, -P json-rpc \
                 tcp://)",
                self.endpoint()
            ))),
        }
    }

    /// Resolves once a stream's connection has ended, with why and whether the server ended it
    /// properly (never for other transports, which hold no connection between calls).
    pub async fn ended(&self) -> Ended {
        match &self.transport {
            Transport::Stream(session) => {
                session.transport.ended().await;
                Ended {
                    why: session.transport.why_ended(),
                    cleanly: session.transport.ended_cleanly(),
                }
            }
            _ => std::future::pending().await,
        }
    }

    /// Waits (within `-t`) for the server's notification `method`, after the session began, and
    /// returns its params.
    pub async fn wait_for(
        &self,
        listening: &mut tokio::sync::broadcast::Receiver<stream::Unasked>,
        method: &str,
    ) -> Result<serde_json::Value> {
        let Transport::Stream(session) = &self.transport else {
            return Err(Error::internal("not a stream client"));
        };
        session.begun().await?.wait_for(listening, method).await
    }

    /// The endpoint as a user writes it (what recordings keep and the REPL shows): the URL, or
    /// `unix:PATH`, `stdio:CMD ARGS` as typed.
    pub fn endpoint(&self) -> String {
        match self.url.scheme() {
            "unix" | "stdio" => format!("{}:{}", self.url.scheme(), decoded_path(&self.url)),
            _ => self.url.to_string(),
        }
    }

    /// A second client on the same stream connection (a REPL's bookkeeping client, which logs
    /// nothing): None where a connection is not kept (HTTP, raw-tcp, gRPC make their own).
    pub fn sharing(&self, trace: Trace) -> Option<Client> {
        let Transport::Stream(session) = &self.transport else {
            return None;
        };
        Some(Client {
            url: self.url.clone(),
            proto: self.proto,
            trace,
            transport: Transport::Stream(std::sync::Arc::clone(session)),
            reach: reach::Settings::default(),
            options: self.options.clone(),
        })
    }

    /// Whether the calls sit inside a lifecycle the session runs around them (LSP's initialize …
    /// exit), so one call cannot be repeated alone (`rpc bench` refuses it).
    pub fn has_lifecycle(&self) -> bool {
        matches!(&self.transport, Transport::Stream(session) if session.lsp.is_some())
    }

    /// Ends the session: a stream's connection closed (LSP: `shutdown`, `exit`), a child stopped
    /// and reaped. Every command calls it when done; nothing else needs it.
    pub async fn close(&self) {
        if let Transport::Stream(session) = &self.transport {
            if session.lsp.is_some() && session.begun.initialized() {
                lsp::end(&session.transport).await;
            }
            session.transport.close().await;
        }
    }
}

/// An LSP call's params with plain-path `uri`s made `file://` URIs.
fn lsp_call(call: &Call) -> Call {
    let params = match &call.params {
        crate::protocol::Params::Named(_) => {
            let json = lsp::with_file_uris(call.params.to_json());
            crate::args::parse_params_document(&json.to_string())
                .unwrap_or_else(|_| call.params.clone())
        }
        other => other.clone(),
    };
    Call {
        method: call.method.clone(),
        params,
    }
}

/// The protocol an endpoint implies when `-P` is not given.
pub fn default_proto(url: &Url) -> Proto {
    Proto::for_scheme(url.scheme())
}

/// `url` with the protocol's default path (XML-RPC's `/RPC2`, as Python's `ServerProxy` and
/// xmlrpc-c's client use) when `endpoint`, as typed, names no path (`:8000`, `http://host:8000`);
/// an explicit `/` is kept.
fn with_default_path(mut url: Url, endpoint: &str, default: Option<&str>) -> Url {
    let Some(default) = default else {
        return url;
    };
    let after_scheme = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    if !after_scheme.contains('/') {
        url.set_path(default);
    }
    url
}

/// Credentials written in the URL (`http://alice:secret@host/`), taken out of it so the URL can
/// be shown anywhere (errors, logs, recordings) without them.
fn take_credentials(url: &mut Url) -> Option<Credentials> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let credentials = Credentials {
        user: decode(url.username()),
        password: decode(url.password().unwrap_or_default()),
        given: Given::Url,
    };
    // Both setters fail only for URLs that cannot have credentials, which have none to take.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some(credentials)
}

/// Whether the endpoint is this machine: `localhost` and the names below it (RFC 6761 section
/// 6.3), with or without the root's trailing dot, or a loopback address (an IPv4 one written as
/// IPv6, `::ffff:127.0.0.1`, too).
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(ip)) => ip
            .to_ipv4_mapped()
            .map_or(ip.is_loopback(), |v4| v4.is_loopback()),
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// Parses ENDPOINT: a URL (`http://`, `https://`, `tcp://`, `grpc://`, `grpcs://`), `HOST:PORT`,
/// `:PORT` (localhost), `unix:PATH` or `stdio:CMD [ARG]…` (kept as `unix:`/`stdio:` URLs whose
/// path is the text as typed).
pub fn parse_endpoint(text: &str) -> Result<Url> {
    for scheme in ["unix:", "stdio:"] {
        if let Some(rest) = text.strip_prefix(scheme) {
            if rest.trim().is_empty() {
                return Err(Error::usage(format!(
                    "{scheme} names nothing: write {scheme}{}",
                    if scheme == "unix:" {
                        "PATH"
                    } else {
                        "CMD [ARG]..."
                    }
                )));
            }
            let encoded: String =
                percent_encoding::utf8_percent_encode(rest, percent_encoding::CONTROLS)
                    .to_string()
                    .replace(' ', "%20");
            return Url::parse(&format!("{scheme}{encoded}"))
                .map_err(|e| Error::usage(format!("invalid endpoint {text:?}: {e}")));
        }
    }
    let full = if text.contains("://") {
        text.to_owned()
    } else if let Some(port) = text.strip_prefix(':') {
        format!("http://localhost:{port}")
    } else {
        format!("http://{text}")
    };
    let url = Url::parse(&full).map_err(|e| {
        Error::usage(format!(
            "invalid endpoint {text:?}: {e} (try :8000, HOST:PORT or a URL)"
        ))
    })?;
    if !matches!(
        url.scheme(),
        "http" | "https" | "tcp" | "grpc" | "grpcs" | "ws" | "wss"
    ) {
        return Err(Error::usage(format!(
            "unsupported scheme {:?} in {text:?}: use http://, https://, ws://, wss://, tcp://, \
             grpc://, grpcs://, unix:PATH or stdio:CMD",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::usage(format!("endpoint {text:?} names no host")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_shorthands() {
        assert_eq!(
            parse_endpoint(":8000").unwrap().as_str(),
            "http://localhost:8000/"
        );
        assert_eq!(
            parse_endpoint("example.org:81").unwrap().as_str(),
            "http://example.org:81/"
        );
        assert_eq!(
            parse_endpoint("https://h/x").unwrap().as_str(),
            "https://h/x"
        );
        assert_eq!(parse_endpoint("tcp://h:9").unwrap().scheme(), "tcp");
        assert!(parse_endpoint("ftp://h").is_err());
        assert!(parse_endpoint(":notaport").is_err());
    }

    #[test]
    fn loopback_endpoints_are_recognised() {
        for endpoint in [
            ":8000",
            "127.0.0.1:1",
            "http://[::1]:2/",
            "https://LOCALHOST",
            "http://localhost.:3/",
            "ws://app.localhost/",
            "http://[::ffff:127.0.0.1]:4/",
            "127.3.2.1:5",
        ] {
            assert!(
                is_loopback(&parse_endpoint(endpoint).unwrap()),
                "{endpoint}"
            );
        }
        for endpoint in [
            "example.org:80",
            "10.0.0.1:1",
            "http://localhost.example/",
            "http://[::ffff:10.0.0.1]/",
            "http://notlocalhost/",
        ] {
            assert!(
                !is_loopback(&parse_endpoint(endpoint).unwrap()),
                "{endpoint}"
            );
        }
    }

    #[test]
    fn endpoints_without_a_path_get_the_default_path() {
        let url_for = |endpoint: &str| {
            with_default_path(parse_endpoint(endpoint).unwrap(), endpoint, Some("/RPC2"))
                .to_string()
        };
        assert_eq!(url_for(":8000"), "http://localhost:8000/RPC2");
        assert_eq!(url_for("h:81"), "http://h:81/RPC2");
        assert_eq!(url_for("http://h:81"), "http://h:81/RPC2");
        assert_eq!(url_for("http://h:81/"), "http://h:81/");
        assert_eq!(url_for("https://h/xmlrpc"), "https://h/xmlrpc");
    }

    #[test]
    fn tcp_urls_default_to_raw_tcp() {
        assert_eq!(
            default_proto(&parse_endpoint("tcp://h:9").unwrap()),
            Proto::RawTcp
        );
        assert_eq!(
            default_proto(&parse_endpoint(":9").unwrap()),
            Proto::JsonRpc
        );
    }
}
