//! gRPC over HTTP/2 (tonic's client over a connection rpc makes): the schema from `--schema`
//! files or the server's reflection (`v1`, falling back to `v1alpha`), learnt as it is needed
//! ([`schema`]), and calls of the four kinds. A unary call is an ordinary [`Client::run`] call (so
//! `+` batches, the REPL and replay work as on every protocol); streams go through
//! [`call_streaming`], which hands on each response as it arrives. Every exchange goes through
//! one checked channel ([`channel`]), which also taps it for `-vv`.
//!
//! A failure is the server's only when it sent a status: a status tonic made up from a broken
//! connection (it carries the connection's error as its source) is a transport failure, one made
//! from an undecodable message or an answer that is not gRPC an invalid answer.

mod channel;
mod metadata;
mod reflection;
mod schema;

pub use channel::{Checked, MessageTypes};
pub use metadata::engine as base64_engine;
pub use schema::details_json;

use super::failure::{self, Cause, TransportError};
use super::tap::{Tap, Tapped};
use super::{Client, Mode, Options};
use crate::error::{Error, Result};
use crate::protocol::grpc::frames::Encoding;
use crate::protocol::grpc::message::{self, DynamicCodec, InvalidMessage};
use crate::protocol::grpc::schema::{method_name, Schema};
use crate::protocol::{Call, Fault, Outcome, Params, Proto};
use crate::trace::Trace;
use crate::value::Value;
use futures_util::StreamExt;
use prost_reflect::{DynamicMessage, MethodDescriptor};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;
use tonic::codec::CompressionEncoding;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint, Uri};
use url::Url;

/// Where the schema comes from: files given with `--schema`, else the server's reflection.
#[derive(Debug, Clone, Default)]
pub struct SchemaSource {
    /// `--schema FILE` (repeatable): `.proto` sources or FileDescriptorSets.
    pub files: Vec<PathBuf>,
    /// `--import-path DIR` (repeatable), for the sources' imports.
    pub import_paths: Vec<PathBuf>,
}

/// A gRPC connection to one server: made at the first call, reused by the next ones.
pub struct GrpcTransport {
    /// Where the bytes go.
    place: crate::connect::Place,
    url: Url,
    options: Options,
    source: SchemaSource,
    trace: Trace,
    channel: OnceCell<Channel>,
    schema: tokio::sync::Mutex<schema::Known>,
    /// The first bytes the server sent on the connection.
    first_bytes: Arc<Mutex<Tapped>>,
}

impl GrpcTransport {
    /// A transport for `url` (`grpc://` cleartext, `grpcs://` or `https://` TLS) whose bytes go
    /// to `place` (the URL's host, or a Unix socket).
    pub fn new(
        url: &Url,
        options: &Options,
        source: SchemaSource,
        trace: Trace,
        place: crate::connect::Place,
    ) -> GrpcTransport {
        if options.insecure && uses_tls(url) {
            trace.note("rpc: warning: TLS certificate verification is disabled (--insecure); the connection can be intercepted");
        }
        GrpcTransport {
            place,
            url: url.clone(),
            options: options.clone(),
            source,
            trace,
            channel: OnceCell::new(),
            schema: tokio::sync::Mutex::default(),
            first_bytes: Arc::new(Mutex::new(Tapped::first(FIRST_BYTES))),
        }
    }

    /// The HTTP/2 connection with every answer checked and tapped (see [`channel`]): every gRPC
    /// exchange of the client goes through this.
    pub async fn checked_channel(&self) -> Result<Checked> {
        let channel = self.channel().await?;
        let max = usize::try_from(self.options.max_response).unwrap_or(usize::MAX);
        Ok(channel::checked(channel, self.target(), self.trace, max))
    }

    /// `HOST:PORT`.
    fn target(&self) -> String {
        super::http::target_of(&self.url)
    }

    /// The encoding requests are sent with (`--compress`).
    fn send_encoding(&self) -> Option<CompressionEncoding> {
        match self.options.compress {
            Some(Encoding::Gzip) => Some(CompressionEncoding::Gzip),
            Some(Encoding::Deflate) => Some(CompressionEncoding::Deflate),
            _ => None,
        }
    }

    /// The HTTP/2 connection, made on first use.
    async fn channel(&self) -> Result<Channel> {
        self.channel
            .get_or_try_init(|| self.connect())
            .await
            .cloned()
    }

    async fn connect(&self) -> Result<Channel> {
        let scheme = if uses_tls(&self.url) { "https" } else { "http" };
        let target = super::http::target_of(&self.url);
        let endpoint = Endpoint::from_shared(format!("{scheme}://{target}"))
            .map_err(|e| Error::usage(format!("invalid endpoint {}: {e}", self.url)))?;
        let connector = Connector {
            place: self.place.clone(),
            url: self.url.clone(),
            options: Arc::new(self.options.clone()),
            first: Arc::clone(&self.first_bytes),
        };
        let connected = endpoint.connect_with_connector(connector).await;
        match connected {
            Ok(channel) => Ok(channel),
            Err(e) => Err(self.mixup(transport_error(&e, &target)).await),
        }
    }

    /// A request carrying the `-H` headers as metadata (`-bin` keys as bytes), `-t` as the
    /// deadline (`grpc-timeout`), and the message types for the `-vv` tap.
    fn request<T>(&self, message: T, types: Option<MessageTypes>) -> Result<tonic::Request<T>> {
        let mut request = tonic::Request::new(message);
        metadata::apply(&self.metadata()?, request.metadata_mut())?;
        if let Some(timeout) = self.options.timeout {
            request.set_timeout(timeout);
        }
        if let Some(types) = types {
            request.extensions_mut().insert(types);
        }
        Ok(request)
    }

    /// The request metadata, lower-cased, in order: the `-H` headers, then `authorization:
    /// Basic …` for `-u`/URL credentials unless `-H` gave one (see [`metadata::from_headers`]).
    fn metadata(&self) -> Result<Vec<(String, String)>> {
        let basic = self.options.auth.as_ref().map(|auth| auth.basic_header());
        metadata::from_headers(&self.options.headers, basic)
    }

    /// A client on the checked channel (which inflates compressed answers), ready, sending with
    /// `--compress`.
    async fn ready_client(&self) -> Result<tonic::client::Grpc<Checked>> {
        let mut grpc = tonic::client::Grpc::new(self.checked_channel().await?)
            .max_decoding_message_size(usize::MAX);
        if let Some(encoding) = self.send_encoding() {
            grpc = grpc.send_compressed(encoding);
        }
        if let Err(e) = grpc.ready().await {
            return Err(self.mixup(transport_error(&e, &self.target())).await);
        }
        Ok(grpc)
    }
}

/// Removes a `grpc-status-details-bin` that is not base64 (PROTOCOL-HTTP2.md: binary metadata is
/// base64, padded or not). tonic's `Status::from_header_map` panics on one; a server must not be
/// able to crash `rpc`. The status and message still count; only the details are lost, and the
/// message says so.
pub(crate) fn drop_invalid_details(headers: &mut http::HeaderMap) {
    use base64::Engine;
    const DETAILS: &str = "grpc-status-details-bin";
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let valid = headers
        .get(DETAILS)
        .is_none_or(|value| engine.decode(value.as_bytes()).is_ok());
    if valid {
        return;
    }
    headers.remove(DETAILS);
    let note = "(the server's grpc-status-details-bin was not base64: its details are left out)";
    let given = headers
        .get("grpc-message")
        .map(|m| {
            percent_encoding::percent_decode(m.as_bytes())
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    let message = if given.is_empty() {
        note.to_owned()
    } else {
        format!("{given} {note}")
    };
    let encoded: String =
        percent_encoding::utf8_percent_encode(&message, percent_encoding::NON_ALPHANUMERIC)
            .collect();
    if let Ok(value) = http::HeaderValue::from_str(&encoded) {
        headers.insert("grpc-message", value);
    }
}

/// Whether the endpoint is reached through TLS.
fn uses_tls(url: &Url) -> bool {
    matches!(url.scheme(), "grpcs" | "https")
}

/// How many of the first bytes a server sends are kept, to tell which mix-up a failed
/// connection was ([`GrpcTransport::mixup`]).
const FIRST_BYTES: usize = 16;

/// Whether `first` begins as an HTTP/2 server's connection does: a SETTINGS frame (RFC 9113
/// section 3.4).
fn speaks_http2(first: &[u8]) -> bool {
    first.len() >= 4 && first[3] == 0x04
}

/// How long the mix-up probe waits to connect, and then for an answer.
const PROBE_WAIT: Duration = Duration::from_secs(1);

/// The first bytes a server answers an HTTP/1.1 request with (`OPTIONS *`, which asks nothing of
/// an application), on a connection of its own: for a cleartext connection the server broke off
/// without a word, where its answer may have been lost to the reset. Nothing when it says
/// nothing within [`PROBE_WAIT`].
async fn probe(target: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ask = async {
        let mut tcp = tokio::time::timeout(PROBE_WAIT, tokio::net::TcpStream::connect(target))
            .await
            .ok()?
            .ok()?;
        let request = format!("OPTIONS * HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.ok()?;
        let mut first = vec![0u8; FIRST_BYTES];
        let read = tokio::time::timeout(PROBE_WAIT, tcp.read(&mut first))
            .await
            .ok()?
            .ok()?;
        first.truncate(read);
        Some(first)
    };
    ask.await.unwrap_or_default()
}

/// Makes the TCP connection (and TLS with ALPN h2 for grpcs://) for tonic's channel, keeping
/// the first bytes the server sends on it.
#[derive(Clone)]
struct Connector {
    place: crate::connect::Place,
    url: Url,
    options: Arc<Options>,
    first: Arc<Mutex<Tapped>>,
}

impl tower_service::Service<Uri> for Connector {
    type Response = hyper_util::rt::TokioIo<Tap<Box<dyn super::http::Stream>>>;
    type Error = TransportError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = std::result::Result<Self::Response, TransportError>>
                + Send,
        >,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), TransportError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let url = self.url.clone();
        let place = self.place.clone();
        let options = Arc::clone(&self.options);
        let first = Arc::clone(&self.first);
        Box::pin(async move {
            let target = super::http::target_of(&url);
            let stream = super::http::open_stream(&url, &place, &options, &[b"h2"], uses_tls(&url))
                .await
                .map_err(|e| match e {
                    Error::Transport(t) => t,
                    other => TransportError::new(&target, Cause::Broken(other.to_string()), None),
                })?;
            Ok(hyper_util::rt::TokioIo::new(Tap::new(stream, Some(first))))
        })
    }
}

/// A channel that could not be made, as the transport error inside it.
fn transport_error(e: &(dyn std::error::Error + 'static), target: &str) -> Error {
    match failure::find_in_chain::<TransportError>(e) {
        Some(t) => Error::transport(t.target.clone(), t.cause.clone()),
        None => Error::transport(target, Cause::Broken("the HTTP/2 connection failed".into())),
    }
}

/// What a status means to `rpc`: the server's answer, or a failure tonic reported as a status
/// (our own deadline, a broken connection, a message we could not decode, an answer that is not
/// gRPC). `None` for the server's own status, which [`GrpcTransport::fault`] reads.
fn client_failure(
    status: &tonic::Status,
    target: &str,
    timeout: Option<Duration>,
) -> Option<Error> {
    use std::error::Error as _;
    // The deadline was ours (-t): whoever noticed it first, the call timed out.
    if status.code() == tonic::Code::DeadlineExceeded && timeout.is_some() {
        return Some(Error::transport(
            target,
            Cause::TimedOut(timeout.unwrap_or_default()),
        ));
    }
    let source = status.source()?;
    if failure::find_in_chain::<tonic::TimeoutExpired>(source).is_some() {
        return Some(Error::transport(
            target,
            Cause::TimedOut(timeout.unwrap_or_default()),
        ));
    }
    if let Some(not_grpc) = failure::find_in_chain::<channel::NotGrpc>(source) {
        return Some(match not_grpc {
            channel::NotGrpc::HttpStatus { .. } => Error::HttpStatus(not_grpc.to_string()),
            channel::NotGrpc::Invalid(why) => Error::protocol(why.clone()),
        });
    }
    if let Some(invalid) = failure::find_in_chain::<InvalidMessage>(source) {
        return Some(Error::protocol(invalid.0.clone()));
    }
    if let Some(t) = failure::find_in_chain::<TransportError>(source) {
        return Some(Error::transport(t.target.clone(), t.cause.clone()));
    }
    let cause = match failure::find_in_chain::<std::io::Error>(source) {
        Some(io) => failure::io_cause(io),
        None => Cause::Broken(format!("the HTTP/2 stream failed ({})", status.message())),
    };
    Some(Error::transport(target, cause))
}

/// The server's status as a fault: its code, message and details decoded with the built-in
/// schema (for places with no server to ask: the log of reflection itself).
pub fn fault_of(status: &tonic::Status) -> Fault {
    let mut fault = Fault::new(i64::from(status.code() as i32), status.message());
    if !status.details().is_empty() {
        let schema = Schema::builtin().unwrap_or_else(|_| Schema::new());
        fault.data = Some(details_json(schema.pool(), status.details()));
    }
    fault
}

/// The request message of a call: named params as proto3 JSON, or positional words read by
/// each field's type; the `Any` types they name looked up first.
async fn request_message(
    transport: &GrpcTransport,
    method: &MethodDescriptor,
    params: &Params,
) -> Result<DynamicMessage> {
    let input = method.input();
    let json = match params {
        Params::Named(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
        }
        Params::Positional(values) => {
            let words: Vec<String> = values.iter().map(positional_word).collect();
            message::words_json(&input, &words).map_err(Error::usage)?
        }
    };
    transport.message_from_json(&input, &json).await
}

/// A positional value back as the word it was typed as (strings without quotes), so the field's
/// type decides how it is read.
fn positional_word(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_json().to_string(),
    }
}

/// A gRPC request as it would go, for `--dry-run` and `--curl`: the URL of its HTTP/2 POST, its
/// headers, and its message framed (the 5-byte prefix, then the protobuf bytes, compressed with
/// `--compress`).
#[derive(Debug, Clone)]
pub struct Preview {
    /// `http(s)://HOST:PORT/pkg.Service/Method`.
    pub url: String,
    pub tls: bool,
    pub headers: Vec<(String, String)>,
    pub frame: Vec<u8>,
    /// The message as JSON, for people.
    pub json: serde_json::Value,
    /// The answer's message type, and which ways the method streams (for `rpc bench`).
    pub output: prost_reflect::MessageDescriptor,
    pub client_streaming: bool,
    pub server_streaming: bool,
}

impl Preview {
    /// The request as text: start line, headers, blank line, the framed message shown as its
    /// prefix and JSON.
    pub fn text(&self) -> String {
        let path = self.url.splitn(4, '/').nth(3).unwrap_or_default();
        let mut text = format!("POST /{path} HTTP/2\n");
        for (name, value) in &self.headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        let prefix: String = self.frame[..5].iter().map(|b| format!("{b:02x}")).collect();
        text.push_str(&format!("\n[frame {prefix}] {}", self.json));
        text
    }
}

/// The request of one call, as [`Preview`]; the schema is needed, so reflection may be asked.
pub async fn preview(client: &Client, call: &Call) -> Result<Preview> {
    let transport = client.grpc()?;
    let method = transport.method(&call.method).await?;
    let message = request_message(transport, &method, &call.params).await?;
    let tls = uses_tls(&transport.url);
    let scheme = if tls { "https" } else { "http" };
    let mut headers = vec![
        ("content-type".to_owned(), "application/grpc".to_owned()),
        ("te".to_owned(), "trailers".to_owned()),
        ("grpc-accept-encoding".to_owned(), "gzip,deflate".to_owned()),
    ];
    let encoding = transport
        .options
        .compress
        .clone()
        .unwrap_or(Encoding::Identity);
    if encoding != Encoding::Identity {
        headers.push(("grpc-encoding".into(), encoding.name().to_owned()));
    }
    if let Some(timeout) = transport.options.timeout {
        headers.push(("grpc-timeout".into(), format!("{}m", timeout.as_millis())));
    }
    headers.extend(transport.metadata()?);
    Ok(Preview {
        url: format!("{scheme}://{}{}", transport.target(), path_text(&method)),
        tls,
        headers,
        frame: crate::protocol::grpc::frames::frame(
            &prost::Message::encode_to_vec(&message),
            &encoding,
        ),
        json: message::to_json(&message),
        output: method.output(),
        client_streaming: method.is_client_streaming(),
        server_streaming: method.is_server_streaming(),
    })
}

/// Runs unary calls one after the other on one connection (a `+` batch is several).
pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    if mode == Mode::Notify {
        return Err(Error::usage(
            "gRPC has no notifications: every call is answered (drop --notify)",
        ));
    }
    let transport = client.grpc()?;
    let mut outcomes = Vec::with_capacity(calls.len());
    for call in calls {
        let method = transport.method(&call.method).await?;
        if method.is_client_streaming() || method.is_server_streaming() {
            return Err(Error::usage(format!(
                "{} is a streaming method: call it alone (not in a + batch)",
                method_name(&method)
            )));
        }
        let message = request_message(transport, &method, &call.params).await?;
        outcomes.push(unary(transport, &method, message).await?);
    }
    Ok(outcomes)
}

async fn unary(
    transport: &GrpcTransport,
    method: &MethodDescriptor,
    message: DynamicMessage,
) -> Result<Outcome> {
    let shown = message::to_json(&message);
    let name = method_name(method);
    transport.trace.call(&name, &shown);
    let mut grpc = transport.ready_client().await?;
    let request = transport.request(message, Some(types_of(method)))?;
    let path = path_of(method)?;
    let codec = DynamicCodec::new(method.output());
    let answered = within(transport, grpc.unary(request, path, codec)).await?;
    let outcome = match answered {
        Ok(response) => {
            let message = transport.readable(response.into_inner()).await?;
            Ok(json_value(&message::to_json(&message))?)
        }
        Err(status) => Err(transport.server_fault(status).await?),
    };
    transport.trace.answer(&name, &shown, &outcome);
    Ok(outcome)
}

impl GrpcTransport {
    /// What a status means to `rpc`, as [`client_failure`] finds; a connection the server
    /// broke off also says which mix-up it was.
    pub(super) async fn failure(&self, status: tonic::Status) -> Error {
        let target = self.target();
        match client_failure(&status, &target, self.options.timeout) {
            Some(other) => self.mixup(other).await,
            None => Error::server(Proto::Grpc, fault_of(&status)),
        }
    }

    /// A connection that broke, with the hint that fits the mix-up: what the server said first
    /// on it, or, when it said nothing, what it says to a probe (see [`probe`]).
    async fn mixup(&self, error: Error) -> Error {
        let Error::Transport(t) = &error else {
            return error;
        };
        let Cause::Broken(how) = &t.cause else {
            return error;
        };
        let mut first = self
            .first_bytes
            .lock()
            .map(|tapped| tapped.received.clone())
            .unwrap_or_default();
        let tls = uses_tls(&self.url);
        if first.is_empty() && !tls {
            first = probe(&t.target).await;
        }
        let hint = if first.starts_with(b"HTTP/") {
            "the server speaks HTTP/1.x there, not gRPC's HTTP/2 (for JSON-RPC or XML-RPC over \
             HTTP use http:// or https://)"
                .to_owned()
        } else if !tls && matches!(first.first(), Some(0x15 | 0x16)) {
            "the server speaks TLS: use grpcs://".to_owned()
        } else if !tls && first.is_empty() {
            "the server closed without a word; if it speaks only TLS, use grpcs://".to_owned()
        } else if speaks_http2(&first) {
            return error;
        } else {
            format!(
                "the server's first bytes are not HTTP/2 ({}): it does not speak gRPC there",
                channel::shown_bytes(&first)
            )
        };
        Error::transport(t.target.clone(), Cause::Broken(format!("{how}; {hint}")))
    }

    /// Whether `status` is one the server sent (not a failure tonic or the channel reported).
    pub(super) fn is_server_status(&self, status: &tonic::Status) -> bool {
        client_failure(status, &self.target(), self.options.timeout).is_none()
    }

    /// The server's status as the fault of the call (details decoded with the server's types),
    /// or the failure the status stands for.
    async fn server_fault(&self, status: tonic::Status) -> Result<Fault> {
        match client_failure(&status, &self.target(), self.options.timeout) {
            None => self.fault(&status).await,
            Some(_) => Err(self.failure(status).await),
        }
    }
}

/// The message types of `method`, for the `-vv` tap.
fn types_of(method: &MethodDescriptor) -> MessageTypes {
    MessageTypes {
        input: method.input(),
        output: method.output(),
    }
}

/// `-t` bounds the whole call on our side too (the server may ignore `grpc-timeout`).
async fn within<T>(
    transport: &GrpcTransport,
    work: impl std::future::Future<Output = T>,
) -> Result<T> {
    match transport.options.timeout {
        None => Ok(work.await),
        Some(limit) => tokio::time::timeout(limit + Duration::from_millis(200), work)
            .await
            .map_err(|_| Error::transport(transport.target(), Cause::TimedOut(limit))),
    }
}

/// `/pkg.Service/Method`.
fn path_text(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

fn path_of(method: &MethodDescriptor) -> Result<PathAndQuery> {
    PathAndQuery::try_from(path_text(method))
        .map_err(|e| Error::usage(format!("invalid method path: {e}")))
}

/// A response as rpc's value (exact integers kept).
fn json_value(json: &serde_json::Value) -> Result<Value> {
    Value::from_json(json).map_err(|e| Error::protocol(e.to_string()))
}

/// Where the messages of a client stream come from, and where the answers go.
pub struct Streaming<'a> {
    /// Each JSON document is one request message, sent as soon as it is complete.
    pub requests: tokio::sync::mpsc::Receiver<std::result::Result<serde_json::Value, String>>,
    /// Called with each response as it arrives.
    pub on_response: &'a mut (dyn FnMut(&serde_json::Value) + Send),
    /// When given, each request message is pushed here as it is sent (for a recording; without
    /// one, a long client stream is not kept).
    pub sent: Option<Arc<Mutex<Vec<serde_json::Value>>>>,
}

/// A streaming call: the request messages from `io.requests` (a single one for a
/// server-streaming method), each response handed to `io.on_response` as it arrives. Messages
/// handed over before a failure stay handed over.
pub async fn call_streaming(client: &Client, method_text: &str, io: Streaming<'_>) -> Result<()> {
    let transport = client.grpc_shared()?;
    let method = transport.method(method_text).await?;
    let name = method_name(&method);
    let trace = transport.trace;
    let Streaming {
        requests,
        on_response,
        sent: sent_log,
    } = io;
    let mut grpc = transport.ready_client().await?;
    let path = path_of(&method)?;
    let codec = DynamicCodec::new(method.output());
    let failure: Arc<Mutex<Option<Error>>> = Arc::default();
    // The last message sent, shown in each answer's log line.
    let last_sent: Arc<Mutex<serde_json::Value>> = Arc::default();
    let outgoing = Outgoing {
        transport: Arc::clone(&transport),
        method: method.clone(),
        failure: Arc::clone(&failure),
        last_sent: Arc::clone(&last_sent),
        sent_log,
    };
    let stream = async_stream_of(move |sender| outgoing.feed(requests, sender));
    let request = transport.request(stream, Some(types_of(&method)))?;
    let answered = within(&transport, async {
        let response = grpc.streaming(request, path, codec).await?;
        let mut stream = response.into_inner();
        while let Some(message) = stream.next().await {
            let message = match transport.readable(message?).await {
                Ok(message) => message,
                Err(e) => return Ok(Err(e)),
            };
            let json = message::to_json(&message);
            let shown: Outcome = Value::from_json(&json).map_err(|e| Fault::new(0, e.to_string()));
            let request = last_sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
            trace.answer(&name, &request, &shown);
            on_response(&json);
        }
        Ok::<_, tonic::Status>(Ok(()))
    })
    .await?;
    if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    match answered {
        Ok(done) => done,
        Err(status) => Err(transport.status_error(status).await),
    }
}

/// The requests of a stream, read from JSON documents as they come and sent in order; the first
/// one that is not a message of the method's input ends the stream and is the call's error.
struct Outgoing {
    transport: Arc<GrpcTransport>,
    method: MethodDescriptor,
    failure: Arc<Mutex<Option<Error>>>,
    last_sent: Arc<Mutex<serde_json::Value>>,
    sent_log: Option<Arc<Mutex<Vec<serde_json::Value>>>>,
}

impl Outgoing {
    async fn feed(
        self,
        mut requests: tokio::sync::mpsc::Receiver<std::result::Result<serde_json::Value, String>>,
        sender: tokio::sync::mpsc::Sender<DynamicMessage>,
    ) {
        let input = self.method.input();
        let name = method_name(&self.method);
        while let Some(document) = requests.recv().await {
            let message = match document {
                Ok(json) => self.transport.message_from_json(&input, &json).await,
                Err(why) => Err(Error::usage(why)),
            };
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    break;
                }
            };
            let json = message::to_json(&message);
            self.transport.trace.call(&name, &json);
            if let Some(log) = &self.sent_log {
                log.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(json.clone());
            }
            *self.last_sent.lock().unwrap_or_else(|p| p.into_inner()) = json;
            if sender.send(message).await.is_err() {
                break;
            }
        }
    }
}

impl GrpcTransport {
    /// The error a status stands for: the server's (its details decoded with the server's
    /// types), or the client's finding.
    async fn status_error(&self, status: tonic::Status) -> Error {
        match self.server_fault(status).await {
            Ok(fault) => Error::server(Proto::Grpc, fault),
            Err(e) => e,
        }
    }
}

/// A stream fed by a task: what `fill` sends comes out, in order.
fn async_stream_of<F, Fut>(
    fill: F,
) -> impl futures_util::Stream<Item = DynamicMessage> + Send + 'static
where
    F: FnOnce(tokio::sync::mpsc::Sender<DynamicMessage>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    tokio::spawn(fill(sender));
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|message| (message, receiver))
    })
}

/// Feeds `sender` with the JSON documents of `-d`'s source (`@-` stdin, `@FILE`, or the text
/// itself), each as soon as it is complete (one per line or simply concatenated), from a thread
/// of its own so a pipe or a terminal can drive a bidirectional call. Without `many`, a second
/// document is an error (the method takes one message).
pub fn documents(
    source: &str,
    sender: tokio::sync::mpsc::Sender<std::result::Result<serde_json::Value, String>>,
    many: bool,
) -> Result<()> {
    let reader: Box<dyn std::io::Read + Send> = match source.strip_prefix('@') {
        Some("-") => Box::new(std::io::stdin()),
        Some(path) => Box::new(std::fs::File::open(path).map_err(|e| {
            Error::usage(format!(
                "cannot read params from {path}: {}",
                crate::error::plain(&e)
            ))
        })?),
        None => Box::new(std::io::Cursor::new(source.as_bytes().to_vec())),
    };
    std::thread::spawn(move || {
        let documents =
            serde_json::Deserializer::from_reader(reader).into_iter::<serde_json::Value>();
        for (count, document) in documents.enumerate() {
            let item = match document {
                Err(e) => Err(format!("-d: document {} is not JSON: {e}", count + 1)),
                Ok(_) if !many && count > 0 => {
                    Err("the method takes one message; -d holds more than one document".into())
                }
                Ok(json) => Ok(json),
            };
            let failed = item.is_err();
            if sender.blocking_send(item).is_err() || failed {
                break;
            }
        }
    });
    Ok(())
}

impl Client {
    /// The gRPC schema with every service the server offers (see
    /// [`GrpcTransport::schema_logged`]); the reflection exchanges shown at -vv.
    pub async fn grpc_schema(&self) -> Result<Schema> {
        self.grpc()?.schema().await
    }

    /// The gRPC schema for an introspection command (`rpc list`, `describe`): the reflection
    /// exchange is what the user asked for, so it is logged at -v like the calls of the others.
    pub async fn grpc_schema_listed(&self) -> Result<Schema> {
        let transport = self.grpc()?;
        transport.schema_logged(transport.trace).await
    }

    /// The gRPC method `name`, in any form people type it, learnt from `--schema` files or the
    /// server's reflection (see [`GrpcTransport::method`]).
    pub async fn grpc_method(&self, name: &str) -> Result<MethodDescriptor> {
        self.grpc()?.method(name).await
    }

    /// The gRPC method `name` for an introspection command: as [`Client::grpc_method`], the
    /// reflection exchanges logged at -v.
    pub async fn grpc_method_listed(&self, name: &str) -> Result<MethodDescriptor> {
        let transport = self.grpc()?;
        transport.method_logged(name, transport.trace).await
    }

    /// The gRPC transport; an internal error for another protocol (a driver bug).
    pub(crate) fn grpc(&self) -> Result<&GrpcTransport> {
        match &self.transport {
            super::Transport::Grpc(grpc) => Ok(grpc),
            _ => Err(Error::internal(format!(
                "{} has no gRPC transport",
                self.proto.name()
            ))),
        }
    }

    /// The gRPC transport, shared with a task of its own (a client stream's sender).
    fn grpc_shared(&self) -> Result<Arc<GrpcTransport>> {
        match &self.transport {
            super::Transport::Grpc(grpc) => Ok(Arc::clone(grpc)),
            _ => Err(Error::internal(format!(
                "{} has no gRPC transport",
                self.proto.name()
            ))),
        }
    }
}
