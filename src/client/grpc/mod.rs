//! gRPC over HTTP/2 (tonic's client over a connection rpc makes): the schema from `--schema`
//! files or the server's reflection (`v1`, falling back to `v1alpha`), and calls of the four
//! kinds. A unary call is an ordinary [`Client::run`] call (so `+` batches, the REPL and replay
//! work as on every protocol); streams go through [`call_streaming`], which prints each response
//! as it arrives.
//!
//! A failure is the server's only when it sent a status: a status tonic made up from a broken
//! connection (it carries the connection's error as its source) is a transport failure, one made
//! from an undecodable message an invalid answer.

use super::failure::{self, Cause, TransportError};
use super::{Client, Mode, Options};
use crate::error::{Error, Result};
use crate::protocol::grpc::message::{self, DynamicCodec, InvalidMessage};
use crate::protocol::grpc::schema::{method_name, Schema};
use crate::protocol::{Call, Fault, Outcome, Params, Proto};
use crate::trace::{Direction, Trace};
use crate::value::Value;
use futures_util::StreamExt;
use prost_reflect::{DynamicMessage, MethodDescriptor};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;
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
    url: Url,
    options: Options,
    source: SchemaSource,
    trace: Trace,
    channel: OnceCell<Channel>,
    schema: OnceCell<Schema>,
}

impl GrpcTransport {
    /// A transport for `url` (`grpc://` cleartext, `grpcs://` or `https://` TLS).
    pub fn new(url: &Url, options: &Options, source: SchemaSource, trace: Trace) -> GrpcTransport {
        if options.insecure && uses_tls(url) {
            trace.note("rpc: warning: TLS certificate verification is disabled (--insecure); the connection can be intercepted");
        }
        GrpcTransport {
            url: url.clone(),
            options: options.clone(),
            source,
            trace,
            channel: OnceCell::new(),
            schema: OnceCell::new(),
        }
    }

    /// The schema: `--schema` files when given, else the server's reflection.
    pub async fn schema(&self) -> Result<&Schema> {
        // Asking reflection is housekeeping for a call: its exchange shows at -vv, as headers do.
        let log = if self.trace.level >= 2 {
            self.trace
        } else {
            Trace::default()
        };
        self.schema_logged(log).await
    }

    /// The schema, as [`GrpcTransport::schema`], with each reflection question and answer logged
    /// to `log` when this is the first time it is needed (`rpc list -v` shows them at -v).
    pub async fn schema_logged(&self, log: Trace) -> Result<&Schema> {
        self.schema
            .get_or_try_init(|| async {
                let mut schema = Schema::builtin().map_err(Error::internal)?;
                if self.source.files.is_empty() {
                    super::grpc_reflection::load(self, &mut schema, log).await?;
                } else {
                    for file in &self.source.files {
                        schema
                            .add_file(file, &self.source.import_paths)
                            .map_err(Error::usage)?;
                    }
                }
                Ok(schema)
            })
            .await
    }

    /// The HTTP/2 connection, its answers' status details checked before tonic reads them (see
    /// [`drop_invalid_details`]): every gRPC exchange of the client goes through this.
    pub async fn checked_channel(&self) -> Result<Checked> {
        let channel = self.channel().await?;
        Ok(tower::util::BoxCloneService::new(
            tower::ServiceExt::map_response(
                channel,
                |mut response: http::Response<tonic::body::Body>| {
                    drop_invalid_details(response.headers_mut());
                    response
                        .map(|body| http_body_util::BodyExt::map_frame(body, checked_trailers as _))
                },
            ),
        ))
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
            url: self.url.clone(),
            options: Arc::new(self.options.clone()),
        };
        let connected = endpoint.connect_with_connector(connector).await;
        connected.map_err(|e| transport_error(&e, &target))
    }

    /// The `-H` headers as request metadata, and `-t` as the deadline (`grpc-timeout`).
    fn request<T>(&self, message: T) -> Result<tonic::Request<T>> {
        let mut request = tonic::Request::new(message);
        for (name, value) in self.metadata()? {
            let key = tonic::metadata::MetadataKey::from_bytes(name.as_bytes())
                .map_err(|_| Error::usage(format!("{name} cannot be gRPC metadata")))?;
            let value = value.parse().map_err(|_| {
                Error::usage(format!("the value of {name} cannot be gRPC metadata"))
            })?;
            request.metadata_mut().insert(key, value);
        }
        if let Some(timeout) = self.options.timeout {
            request.set_timeout(timeout);
        }
        Ok(request)
    }

    /// The request metadata, lower-cased, in order: the `-H` headers, then `authorization:
    /// Basic …` for `-u`/URL credentials unless `-H` gave one. The headers gRPC sets itself
    /// (`content-type`, `te`, `grpc-timeout`, …) cannot be given: a usage error says so.
    fn metadata(&self) -> Result<Vec<(String, String)>> {
        const RESERVED: &[&str] = &[
            "content-type",
            "te",
            "grpc-timeout",
            "grpc-encoding",
            "grpc-accept-encoding",
            "grpc-status",
            "grpc-message",
            "user-agent",
        ];
        let mut metadata = Vec::new();
        for (name, value) in &self.options.headers {
            let name = name.to_ascii_lowercase();
            if RESERVED.contains(&name.as_str()) {
                return Err(Error::usage(format!(
                    "-H {name}: gRPC sets this header itself (use -t for grpc-timeout)"
                )));
            }
            metadata.push((name, value.clone()));
        }
        if let Some(auth) = &self.options.auth {
            if !metadata.iter().any(|(name, _)| name == "authorization") {
                metadata.push(("authorization".into(), auth.basic_header()));
            }
        }
        Ok(metadata)
    }

    /// A client on the connection, ready, refusing an answer (all of a stream's messages) over
    /// `--max-response` bytes: the response body is bounded before tonic reads it, so the refusal
    /// is ours, typed (`LengthLimitError`), and never a status the server did not send.
    async fn ready_client(&self) -> Result<tonic::client::Grpc<Bounded>> {
        let limit = usize::try_from(self.options.max_response).unwrap_or(usize::MAX);
        let bounded = tower::util::BoxCloneService::new(tower::ServiceExt::map_response(
            self.checked_channel().await?,
            move |response: http::Response<CheckedBody>| {
                response.map(|body| http_body_util::Limited::new(body, limit))
            },
        ));
        let mut grpc = tonic::client::Grpc::new(bounded).max_decoding_message_size(usize::MAX);
        grpc.ready()
            .await
            .map_err(|e| transport_error(&e, &super::http::target_of(&self.url)))?;
        Ok(grpc)
    }

    /// Logs the answer's headers (and for a unary call its trailers, which tonic merges in) and
    /// its framed message at `-vv`.
    fn trace_response(
        &self,
        metadata: &tonic::metadata::MetadataMap,
        message: Option<&DynamicMessage>,
    ) {
        // tonic merges a unary answer's trailers into its metadata: they are shown after the
        // message, where they came.
        let lines = metadata_lines(metadata);
        let (trailers, headers): (Vec<&str>, Vec<&str>) = lines
            .lines()
            .partition(|line| line.starts_with("grpc-status") || line.starts_with("grpc-message"));
        let mut head = "HTTP/2 200\r\n".to_owned();
        headers
            .iter()
            .for_each(|line| head.push_str(&format!("{line}\r\n")));
        if let Some(message) = message {
            head.push_str("\r\n");
            head.push_str(&frame_text(message));
            head.push_str("\r\n");
        }
        trailers
            .iter()
            .for_each(|line| head.push_str(&format!("{line}\r\n")));
        self.trace
            .wire(Direction::Received, head.trim_end().as_bytes());
    }

    /// What a status means to `rpc` (see [`status_error`]); a cleartext connection the server
    /// broke off also says that it may want TLS.
    pub(super) fn failure(&self, status: tonic::Status) -> Error {
        let target = super::http::target_of(&self.url);
        match status_error(status, &target, self.options.timeout) {
            Error::Transport(t) if !uses_tls(&self.url) && matches!(t.cause, Cause::Broken(_)) => {
                let Cause::Broken(how) = &t.cause else {
                    return Error::Transport(t);
                };
                let hint = format!("{how}; if the server speaks only TLS, use grpcs://");
                Error::transport(t.target.clone(), Cause::Broken(hint))
            }
            other => other,
        }
    }

    /// Logs the request's metadata and framed message at `-vv`.
    fn trace_request(&self, method: &MethodDescriptor, message: &DynamicMessage) {
        self.dumper().request(method, message, true);
    }

    /// What dumps requests at `-vv`, for a task of its own (a client stream's sender).
    fn dumper(&self) -> Dumper {
        Dumper {
            trace: self.trace,
            timeout: self.options.timeout,
            headers: self.metadata().unwrap_or_default(),
        }
    }
}

/// The channel with its response bodies bounded by `--max-response`, their trailers checked.
type Bounded = tower::util::BoxCloneService<
    http::Request<tonic::body::Body>,
    http::Response<http_body_util::Limited<CheckedBody>>,
    tonic::transport::Error,
>;

/// The channel with its answers' status details checked.
pub type Checked = tower::util::BoxCloneService<
    http::Request<tonic::body::Body>,
    http::Response<CheckedBody>,
    tonic::transport::Error,
>;

/// A response body whose trailers went through [`checked_trailers`].
pub type CheckedBody = http_body_util::combinators::MapFrame<
    tonic::body::Body,
    fn(hyper::body::Frame<bytes::Bytes>) -> hyper::body::Frame<bytes::Bytes>,
>;

/// The trailers of a frame with [`drop_invalid_details`] applied; other frames as they are.
fn checked_trailers(frame: hyper::body::Frame<bytes::Bytes>) -> hyper::body::Frame<bytes::Bytes> {
    match frame.into_trailers() {
        Ok(mut trailers) => {
            drop_invalid_details(&mut trailers);
            hyper::body::Frame::trailers(trailers)
        }
        Err(frame) => frame,
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

/// Dumps requests at `-vv`: the first message of a stream with the request's headers, each
/// further one as its frame alone.
struct Dumper {
    trace: Trace,
    timeout: Option<Duration>,
    headers: Vec<(String, String)>,
}

impl Dumper {
    fn request(&self, method: &MethodDescriptor, message: &DynamicMessage, with_head: bool) {
        let mut dump = String::new();
        if with_head {
            dump.push_str(&format!(
                "POST /{}/{} HTTP/2\r\ncontent-type: application/grpc\r\nte: trailers\r\n",
                method.parent_service().full_name(),
                method.name()
            ));
            if let Some(timeout) = self.timeout {
                dump.push_str(&format!("grpc-timeout: {}m\r\n", timeout.as_millis()));
            }
            for (name, value) in &self.headers {
                dump.push_str(&format!("{name}: {value}\r\n"));
            }
            dump.push_str("\r\n");
        }
        dump.push_str(&frame_text(message));
        self.trace.wire(Direction::Sent, dump.as_bytes());
    }
}

/// `name: value` lines of metadata (binary values by their size).
fn metadata_lines(metadata: &tonic::metadata::MetadataMap) -> String {
    metadata
        .iter()
        .map(|entry| match entry {
            tonic::metadata::KeyAndValueRef::Ascii(key, value) => {
                format!("{key}: {}\r\n", value.to_str().unwrap_or("(not text)"))
            }
            tonic::metadata::KeyAndValueRef::Binary(key, value) => {
                format!("{key}: {} bytes\r\n", value.as_encoded_bytes().len())
            }
        })
        .collect()
}

/// Whether the endpoint is reached through TLS.
fn uses_tls(url: &Url) -> bool {
    matches!(url.scheme(), "grpcs" | "https")
}

/// `[frame: 0 00000009] {"json"}`: a message's 5-byte prefix (compressed flag, length) and body.
fn frame_text(message: &DynamicMessage) -> String {
    let framed = message::framed(message);
    let prefix: String = framed[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("[frame {prefix}] {}", message::to_json(message))
}

/// Makes the TCP connection (and TLS with ALPN h2 for grpcs://) for tonic's channel.
#[derive(Clone)]
struct Connector {
    url: Url,
    options: Arc<Options>,
}

impl tower_service::Service<Uri> for Connector {
    type Response = hyper_util::rt::TokioIo<Box<dyn super::http::Stream>>;
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
        let options = Arc::clone(&self.options);
        Box::pin(async move {
            let target = super::http::target_of(&url);
            let stream =
                super::http::open_stream(&url, &target, &options, &[b"h2"], uses_tls(&url))
                    .await
                    .map_err(|e| match e {
                        Error::Transport(t) => t,
                        other => {
                            TransportError::new(&target, Cause::Broken(other.to_string()), None)
                        }
                    })?;
            Ok(hyper_util::rt::TokioIo::new(stream))
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
/// (our own deadline, a broken connection, a message we could not decode).
fn status_error(status: tonic::Status, target: &str, timeout: Option<Duration>) -> Error {
    use std::error::Error as _;
    if let Some(source) = status.source() {
        if failure::find_in_chain::<tonic::TimeoutExpired>(source).is_some() {
            return Error::transport(target, Cause::TimedOut(timeout.unwrap_or_default()));
        }
        if failure::find_in_chain::<http_body_util::LengthLimitError>(source).is_some() {
            return Error::protocol(format!(
                "the answer from {target} is larger than --max-response allows (raise it)"
            ));
        }
        if let Some(invalid) = failure::find_in_chain::<InvalidMessage>(source) {
            return Error::protocol(invalid.0.clone());
        }
        if let Some(t) = failure::find_in_chain::<TransportError>(source) {
            return Error::transport(t.target.clone(), t.cause.clone());
        }
        let cause = match failure::find_in_chain::<std::io::Error>(source) {
            Some(io) => failure::io_cause(io),
            None => Cause::Broken(format!("the HTTP/2 stream failed ({})", status.message())),
        };
        return Error::transport(target, cause);
    }
    Error::server(Proto::Grpc, fault_of(&status))
}

/// The server's status as a fault: its code, message and decoded `google.rpc.Status` details.
pub fn fault_of(status: &tonic::Status) -> Fault {
    let mut fault = Fault::new(i64::from(status.code() as i32), status.message());
    if !status.details().is_empty() {
        fault.data = Some(details_json(status.details()));
    }
    fault
}

/// `grpc-status-details-bin` as JSON: a `google.rpc.Status` with its details, shown with the
/// built-in schema (unknown detail types stay base64).
fn details_json(bytes: &[u8]) -> serde_json::Value {
    let decoded = Schema::builtin().ok().and_then(|schema| {
        let status = schema.pool().get_message_by_name("google.rpc.Status")?;
        let message = DynamicMessage::decode(status, bytes).ok()?;
        Some(message::to_json(&message)["details"].clone())
    });
    decoded.unwrap_or_else(|| {
        use base64::Engine;
        serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
    })
}

/// The request message of a call: `-d` JSON (a one-element array or object of params), or the
/// words.
fn request_message(method: &MethodDescriptor, params: &Params) -> Result<DynamicMessage> {
    let input = method.input();
    match params {
        Params::Named(map) => {
            let json = serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            );
            message::from_json(&input, &json).map_err(Error::usage)
        }
        Params::Positional(values) => {
            let words: Vec<String> = values.iter().map(positional_word).collect();
            message::from_words(&input, &words).map_err(Error::usage)
        }
    }
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
/// headers, and its message framed (the 5-byte prefix, then the protobuf bytes).
#[derive(Debug, Clone)]
pub struct Preview {
    /// `http(s)://HOST:PORT/pkg.Service/Method`.
    pub url: String,
    pub tls: bool,
    pub headers: Vec<(String, String)>,
    pub frame: Vec<u8>,
    /// The message as JSON, for people.
    pub json: serde_json::Value,
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
    let method = transport
        .schema()
        .await?
        .method(&call.method)
        .map_err(Error::usage)?;
    let message = request_message(&method, &call.params)?;
    let tls = uses_tls(&transport.url);
    let scheme = if tls { "https" } else { "http" };
    let target = super::http::target_of(&transport.url);
    let mut headers = vec![
        ("content-type".to_owned(), "application/grpc".to_owned()),
        ("te".to_owned(), "trailers".to_owned()),
    ];
    if let Some(timeout) = transport.options.timeout {
        headers.push(("grpc-timeout".into(), format!("{}m", timeout.as_millis())));
    }
    headers.extend(transport.metadata()?);
    Ok(Preview {
        url: format!(
            "{scheme}://{target}/{}/{}",
            method.parent_service().full_name(),
            method.name()
        ),
        tls,
        headers,
        frame: message::framed(&message),
        json: message::to_json(&message),
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
    let schema = transport.schema().await?;
    let mut outcomes = Vec::with_capacity(calls.len());
    for call in calls {
        let method = schema.method(&call.method).map_err(Error::usage)?;
        if method.is_client_streaming() || method.is_server_streaming() {
            return Err(Error::usage(format!(
                "{} is a streaming method: call it alone (not in a + batch)",
                method_name(&method)
            )));
        }
        let message = request_message(&method, &call.params)?;
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
    transport.trace_request(method, &message);
    let mut grpc = transport.ready_client().await?;
    let request = transport.request(message)?;
    let path = path_of(method)?;
    let codec = DynamicCodec::new(method.output());
    let answered = within(transport, grpc.unary(request, path, codec)).await?;
    let outcome = match answered {
        Ok(response) => {
            transport.trace_response(response.metadata(), Some(response.get_ref()));
            Ok(json_value(&message::to_json(response.get_ref()))?)
        }
        Err(status) => match transport.failure(status) {
            Error::Answered(_, fault) => Err(fault),
            other => return Err(other),
        },
    };
    transport.trace.answer(&name, &shown, &outcome);
    Ok(outcome)
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
            .map_err(|_| {
                Error::transport(
                    super::http::target_of(&transport.url),
                    Cause::TimedOut(limit),
                )
            }),
    }
}

fn path_of(method: &MethodDescriptor) -> Result<PathAndQuery> {
    let path = format!("/{}/{}", method.parent_service().full_name(), method.name());
    PathAndQuery::try_from(path).map_err(|e| Error::usage(format!("invalid method path: {e}")))
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
    let transport = client.grpc()?;
    let schema = transport.schema().await?;
    let method = schema.method(method_text).map_err(Error::usage)?;
    let name = method_name(&method);
    let input = method.input();
    let trace = transport.trace;
    let Streaming {
        mut requests,
        on_response,
        sent: sent_log,
    } = io;
    let mut grpc = transport.ready_client().await?;
    let path = path_of(&method)?;
    let codec = DynamicCodec::new(method.output());
    let failure: Arc<Mutex<Option<Error>>> = Arc::default();
    let bad = Arc::clone(&failure);
    let wire_method = method.clone();
    // The last message sent, shown in each answer's log line.
    let last_sent: Arc<Mutex<serde_json::Value>> = Arc::default();
    let sent = Arc::clone(&last_sent);
    let dumper = transport.dumper();
    let outgoing = async_stream_of(move |sender| async move {
        let mut first = true;
        while let Some(document) = requests.recv().await {
            let message = document
                .map_err(Error::usage)
                .and_then(|json| message::from_json(&input, &json).map_err(Error::usage));
            match message {
                Ok(message) => {
                    let json = message::to_json(&message);
                    trace.call(&method_name(&wire_method), &json);
                    dumper.request(&wire_method, &message, first);
                    first = false;
                    if let Some(log) = &sent_log {
                        log.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(json.clone());
                    }
                    *sent.lock().unwrap_or_else(|p| p.into_inner()) = json;
                    if sender.send(message).await.is_err() {
                        break;
                    }
                }
                Err(e) => {
                    *bad.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    break;
                }
            }
        }
    });
    let request = transport.request(outgoing)?;
    let answered = within(transport, async {
        let response = grpc.streaming(request, path, codec).await?;
        transport.trace_response(response.metadata(), None);
        let mut stream = response.into_inner();
        while let Some(message) = stream.next().await {
            let message = message?;
            transport
                .trace
                .wire(Direction::Received, frame_text(&message).as_bytes());
            let json = message::to_json(&message);
            let shown: Outcome = Value::from_json(&json).map_err(|e| Fault::new(0, e.to_string()));
            let request = last_sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
            trace.answer(&name, &request, &shown);
            on_response(&json);
        }
        if let Ok(Some(trailers)) = stream.trailers().await {
            trace.wire(
                Direction::Received,
                metadata_lines(&trailers).trim_end().as_bytes(),
            );
        }
        Ok::<(), tonic::Status>(())
    })
    .await?;
    if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    answered.map_err(|status| transport.failure(status))
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
    /// The gRPC schema: `--schema` files or the server's reflection.
    pub async fn grpc_schema(&self) -> Result<&Schema> {
        self.grpc()?.schema().await
    }

    /// The gRPC schema for an introspection command (`rpc list`, `describe`): the reflection
    /// exchange is what the user asked for, so it is logged at -v like the calls of the others.
    pub async fn grpc_schema_listed(&self) -> Result<&Schema> {
        let transport = self.grpc()?;
        transport.schema_logged(transport.trace).await
    }

    /// The gRPC method `name`, from the schema (`--schema` files or the server's reflection).
    pub async fn grpc_method(&self, name: &str) -> Result<MethodDescriptor> {
        self.grpc()?
            .schema()
            .await?
            .method(name)
            .map_err(Error::usage)
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
}
