//! HTTP/1.1 through the proxy (JSON-RPC, XML-RPC, Reach), request by request: hyper reads the
//! client's request and writes the answer; each request goes to the server on this client's own
//! kept-alive upstream connection (reopened when the server closes it).
//!
//! Forwarding is faithful: the method, the path and query, every header but the hop-by-hop ones
//! (RFC 9110 section 7.6.1; `Host` names the server), header names in the case they were sent, the
//! body byte for byte, chunked when it came chunked. The answer comes back the same way with its
//! status; a server that closes after it (it says so, or it ends the body by closing) makes the
//! proxy close the client's connection after it too. Trailers of HTTP/1.1 chunked bodies and
//! upgrades (`Upgrade: websocket`) are not forwarded.
//!
//! Each body is read whole (up to `--max-body`) to log it: the protocol is the one `rpc serve`
//! would route the request to ([`crate::server::http::route_for`]), and its calls and answers are
//! decoded by the protocol's own codecs. A body that does not decode is still forwarded.

use super::log::{Answered, Carrier, Way};
use super::Shared;
use crate::error::Error;
use crate::protocol::{self, codes, jsonrpc, reach, xmlrpc, Fault, Limits, Outcome, Proto};
use crate::server::http::{route_for, Route};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, HOST};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use indexmap::IndexMap;
use serde_json::{json, Value as Json};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

/// A body the proxy sends: the bytes it read, with or without a length.
pub type Body = BoxBody<Bytes, Infallible>;
type Sender = hyper::client::conn::http1::SendRequest<Body>;

/// Headers that belong to one connection, not to the message (RFC 9110 section 7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "te",
    "transfer-encoding",
    "upgrade",
];

/// Forwards the HTTP/1.1 requests of one client connection until it closes or the proxy stops.
pub async fn forward<C>(io: C, conn: u64, shared: &Arc<Shared>, shutdown: CancellationToken)
where
    C: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let upstream = Arc::new(tokio::sync::Mutex::new(None::<Sender>));
    let pending = super::websocket::Pending::default();
    let service = {
        let shared = Arc::clone(shared);
        let pending = Arc::clone(&pending);
        hyper::service::service_fn(move |request| {
            let (shared, upstream) = (Arc::clone(&shared), Arc::clone(&upstream));
            let pending = Arc::clone(&pending);
            async move {
                if crate::server::websocket::is_upgrade(&request) {
                    let reply = super::websocket::handshake(request, conn, &shared, &pending);
                    return Ok::<_, Infallible>(reply.await);
                }
                Ok::<_, Infallible>(exchange(request, conn, &shared, &upstream).await)
            }
        })
    };
    let limits = shared.config.limits;
    // hyper's header timer also runs while a kept-alive connection waits for its next request.
    let wait = limits.header_timeout.min(limits.idle_timeout);
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(wait)
        .preserve_header_case(true)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    // As super::serve_until, for the upgradeable connection hyper-util has no trait for.
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
    // A WebSocket agreed on this connection: relayed here, once hyper has let go of it.
    let relay = super::lock(&pending).take();
    if let Some(relay) = relay {
        super::websocket::relay(relay, conn, shared, shutdown).await;
    }
}

/// One request: read, logged, forwarded; the answer read, logged, returned.
async fn exchange(
    request: Request<Incoming>,
    conn: u64,
    shared: &Shared,
    upstream: &tokio::sync::Mutex<Option<Sender>>,
) -> Response<Body> {
    let limits = shared.config.limits;
    let (mut parts, body) = request.into_parts();
    let framing = Framing::of(&parts.headers);
    let reading = Limited::new(body, usize::try_from(limits.max_body).unwrap_or(usize::MAX));
    let body = match tokio::time::timeout(limits.body_timeout, reading.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            let why = format!(
                "a request body over --max-body ({} bytes): answered 413",
                limits.max_body
            );
            shared.log.note(conn, &why);
            return plain(StatusCode::PAYLOAD_TOO_LARGE, why);
        }
        Ok(Err(e)) => return plain(StatusCode::BAD_REQUEST, format!("request body: {e}")),
        Err(_) => {
            let why = "the request body did not come within --body-timeout: answered 408";
            shared.log.note(conn, why);
            return plain(StatusCode::REQUEST_TIMEOUT, why.to_owned());
        }
    };
    let started = Instant::now();
    shared.log.head(
        conn,
        Way::Request,
        &format!("{} {}", parts.method, parts.uri),
        &parts.headers,
    );
    shared.log.bytes(conn, Way::Request, &body);
    let seen = Seen::read(&parts, &body, conn, shared);
    strip_hop_by_hop(&mut parts.headers);
    if let Ok(host) = HeaderValue::from_str(&shared.authority) {
        parts.headers.insert(HOST, host);
    }
    if let Some(path) = parts.uri.path_and_query() {
        if let Ok(uri) = path.as_str().parse() {
            parts.uri = uri;
        }
    }
    let outgoing = Outgoing {
        parts,
        body,
        framing,
    };
    let answer = match send(&outgoing, shared, upstream).await {
        Ok(answer) => answer,
        Err(e) => return seen.unreachable(conn, shared, &e.to_string()),
    };
    let (mut parts, body) = answer.into_parts();
    let framing = Framing::of(&parts.headers);
    let reading = Limited::new(body, usize::try_from(limits.max_body).unwrap_or(usize::MAX));
    let body = match reading.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return seen.unreachable(conn, shared, &format!("its answer: {e}")),
    };
    shared.log.head(
        conn,
        Way::Answer,
        &format!("{:?} {}", parts.version, parts.status),
        &parts.headers,
    );
    shared.log.bytes(conn, Way::Answer, &body);
    seen.answered(parts.status.as_u16(), &body, started, conn, shared);
    // A server that closes after this answer (it says so, or it ended the body by closing):
    // the client's connection closes after it too.
    let bodiless = matches!(parts.status.as_u16(), 100..=199 | 204 | 304);
    let closes = closes(&parts.headers) || (framing == Framing::UntilClose && !bodiless);
    strip_hop_by_hop(&mut parts.headers);
    if closes {
        parts
            .headers
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Response::from_parts(parts, framing.body(body))
}

/// How a message's body is delimited on the wire, kept when it is forwarded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    /// `Content-Length`.
    Length,
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Neither: no body (a request), or the body runs until the server closes (an answer);
    /// forwarded with its length.
    UntilClose,
}

impl Framing {
    fn of(headers: &HeaderMap) -> Framing {
        let chunked = headers
            .get_all(hyper::header::TRANSFER_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            Framing::Chunked
        } else if headers.contains_key(CONTENT_LENGTH) {
            Framing::Length
        } else {
            Framing::UntilClose
        }
    }

    /// The body of `bytes`, framed as it came: chunked (a stream of unknown length, which hyper
    /// sends chunked, empty or not) or with its length.
    fn body(self, bytes: Bytes) -> Body {
        match self {
            Framing::Chunked => {
                let frames =
                    futures_util::stream::iter((!bytes.is_empty()).then(|| Ok(Frame::data(bytes))));
                StreamBody::new(frames).boxed()
            }
            Framing::Length | Framing::UntilClose => Full::new(bytes).boxed(),
        }
    }
}

/// A request as it goes to the server, kept so it can go again.
struct Outgoing {
    parts: hyper::http::request::Parts,
    body: Bytes,
    framing: Framing,
}

impl Outgoing {
    fn request(&self) -> Request<Body> {
        Request::from_parts(self.parts.clone(), self.framing.body(self.body.clone()))
    }
}

/// Sends on the client's upstream connection, opening it (again) when there is none or the
/// server has closed it. On a kept-alive connection that dies before any answer (the server
/// closed it while idle, as the request went), the request goes once more on a new connection,
/// as curl does ("Connection died, retrying a fresh connect").
async fn send(
    outgoing: &Outgoing,
    shared: &Shared,
    upstream: &tokio::sync::Mutex<Option<Sender>>,
) -> crate::error::Result<Response<Incoming>> {
    let broken = |e: hyper::Error| {
        Error::transport(
            &shared.target,
            crate::client::failure::Cause::Broken(e.to_string()),
        )
    };
    let mut slot = upstream.lock().await;
    let reused = match slot.as_mut() {
        Some(sender) => sender.ready().await.is_ok(),
        None => false,
    };
    let mut sender = match (reused, slot.take()) {
        (true, Some(sender)) => sender,
        _ => open(shared).await?,
    };
    let answer = match sender.send_request(outgoing.request()).await {
        Err(e) if reused && died_before_answering(&e) => {
            sender = open(shared).await?;
            sender
                .send_request(outgoing.request())
                .await
                .map_err(broken)
        }
        other => other.map_err(broken),
    };
    *slot = Some(sender);
    answer
}

/// Whether a request failed because its connection was gone before any answer came: closed
/// (`is_incomplete_message`), not taken, reset or broken.
fn died_before_answering(error: &hyper::Error) -> bool {
    use std::error::Error as _;
    let io_kind = error
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    error.is_incomplete_message()
        || error.is_canceled()
        || matches!(
            io_kind,
            Some(std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe)
        )
}

/// A new HTTP/1.1 connection to the server, its header case kept as the client wrote it.
async fn open(shared: &Shared) -> crate::error::Result<Sender> {
    let stream = shared.connect_upstream(&[b"http/1.1"]).await?;
    let (sender, connection) = hyper::client::conn::http1::Builder::new()
        .preserve_header_case(true)
        .handshake(TokioIo::new(stream))
        .await
        .map_err(|e| {
            Error::transport(
                &shared.target,
                crate::client::failure::Cause::Broken(e.to_string()),
            )
        })?;
    tokio::spawn(connection);
    Ok(sender)
}

pub fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(text)).boxed());
    *response.status_mut() = status;
    response
}

/// Removes the hop-by-hop headers, and those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
    for name in named {
        headers.remove(name);
    }
}

fn closes(headers: &HeaderMap) -> bool {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")))
}

/// Reach interactive calls waiting for a `/kont` answer: which call each continuation belongs
/// to, so the conversation is logged as one.
#[derive(Default)]
pub struct Konts(Mutex<IndexMap<String, Origin>>);

/// The interactive call a continuation belongs to.
#[derive(Clone)]
struct Origin {
    method: String,
    params: Json,
    started: Instant,
}

impl Konts {
    /// Remembers a continuation, forgetting the oldest beyond `max` (`--max-konts`).
    fn insert(&self, kid: String, origin: Origin, max: usize) {
        let mut konts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        konts.insert(kid, origin);
        while konts.len() > max.max(1) {
            konts.shift_remove_index(0);
        }
    }

    fn take(&self, kid: &str) -> Option<Origin> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .shift_remove(kid)
    }
}

/// A call of a JSON-RPC request, with the id its answer will carry.
struct JsonCall {
    id: Option<Json>,
    method: String,
    params: Json,
}

/// What a request was, as far as the log is concerned.
enum Seen {
    JsonRpc {
        calls: Vec<JsonCall>,
        /// The request was a batch (an array), even of one call.
        batch: bool,
    },
    XmlRpc {
        method: String,
        params: Json,
        /// `system.multicall`: the calls inside, each answered in its slot.
        inner: Option<Vec<(String, Json)>>,
    },
    Reach {
        method: String,
        params: Json,
        /// A `/kont` step: the interactive call it continues.
        origin: Option<Origin>,
    },
    /// Not an RPC request (a GET, a body that did not decode): logged as such.
    Other(Proto),
}

impl Seen {
    /// Decodes the request and logs its calls.
    fn read(parts: &hyper::http::request::Parts, body: &[u8], conn: u64, shared: &Shared) -> Seen {
        let log = &shared.log;
        if parts.method != hyper::Method::POST {
            log.note(
                conn,
                &format!("{} {} (not a call)", parts.method, parts.uri),
            );
            return Seen::Other(Proto::JsonRpc);
        }
        let limits = Limits::CLIENT;
        let path = parts.uri.path();
        let seen = match route_for(path, body) {
            Route::JsonRpc => Seen::json_rpc(body, limits),
            Route::XmlRpc => Seen::xml_rpc(body, limits),
            Route::Reach => Seen::reach(path, body, limits, shared),
        };
        let proto = seen.proto();
        match &seen {
            Seen::JsonRpc { calls, .. } => {
                for call in calls {
                    log.call(conn, proto, &call.method, &call.params);
                }
            }
            Seen::XmlRpc {
                inner: Some(inner), ..
            } => {
                for (method, params) in inner {
                    log.call(conn, proto, method, params);
                }
            }
            Seen::XmlRpc { method, params, .. } => log.call(conn, proto, method, params),
            Seen::Reach {
                origin: Some(origin),
                params,
                ..
            } => log.note(
                conn,
                &format!(
                    "RPC {} continues: the client answers {params}",
                    origin.method
                ),
            ),
            Seen::Reach { method, params, .. } => log.call(conn, proto, method, params),
            Seen::Other(_) => {
                log.undecoded(conn, Way::Request, &format!("not {}", proto.name()), body)
            }
        }
        seen
    }

    fn proto(&self) -> Proto {
        match self {
            Seen::JsonRpc { .. } => Proto::JsonRpc,
            Seen::XmlRpc { .. } => Proto::XmlRpc,
            Seen::Reach { .. } => Proto::Reach,
            Seen::Other(proto) => *proto,
        }
    }

    fn json_rpc(body: &[u8], limits: Limits) -> Seen {
        let (entries, batch) = match jsonrpc::decode_request(body, limits) {
            jsonrpc::Request::Single(entry) => (vec![entry], false),
            jsonrpc::Request::Batch(entries) => (entries, true),
        };
        let calls: Vec<JsonCall> = entries
            .into_iter()
            .filter_map(|entry| match entry {
                jsonrpc::Entry::Call { call, id } => Some(JsonCall {
                    id,
                    params: call.params.to_json(),
                    method: call.method,
                }),
                jsonrpc::Entry::Invalid { .. } => None,
            })
            .collect();
        if calls.is_empty() {
            Seen::Other(Proto::JsonRpc)
        } else {
            Seen::JsonRpc { calls, batch }
        }
    }

    fn xml_rpc(body: &[u8], limits: Limits) -> Seen {
        let Ok(call) = xmlrpc::decode_call(body, limits) else {
            return Seen::Other(Proto::XmlRpc);
        };
        let inner = (call.method == "system.multicall")
            .then(|| xmlrpc::multicall_entries(&call.params).ok())
            .flatten()
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|entry| match entry {
                        Ok(call) => (call.method, call.params.to_json()),
                        Err(fault) => ("(invalid)".to_owned(), fault.to_json()),
                    })
                    .collect()
            });
        Seen::XmlRpc {
            params: call.params.to_json(),
            method: call.method,
            inner,
        }
    }

    fn reach(path: &str, body: &[u8], limits: Limits, shared: &Shared) -> Seen {
        let Ok(args) = reach::decode_args(body, limits) else {
            return Seen::Other(Proto::Reach);
        };
        let origin = if path.ends_with("/kont") {
            reach::decode_kont_args(&args)
                .ok()
                .and_then(|(kid, _)| shared.konts.take(kid))
        } else {
            None
        };
        Seen::Reach {
            method: path.to_owned(),
            params: Json::Array(args),
            origin,
        }
    }

    /// Logs the answer to each call of the request.
    fn answered(&self, status: u16, body: &[u8], started: Instant, conn: u64, shared: &Shared) {
        let log = &shared.log;
        let proto = self.proto();
        let answer = |method: &str, params: &Json, outcome: Result<&Json, &Json>| {
            log.answer(&Answered {
                conn,
                proto,
                method,
                params,
                outcome,
                duration: started.elapsed(),
                carrier: Carrier::Native,
            })
        };
        let reply = protocol::answer::Reply::Http { status, body };
        match self {
            Seen::JsonRpc { calls, .. } => match json_answers(body) {
                Some(answers) => {
                    // By id: a batch is answered in any order (JSON-RPC 2.0, section 6).
                    let by_id: std::collections::HashMap<String, &JsonCall> = calls
                        .iter()
                        .filter_map(|c| c.id.as_ref().map(|id| (id.to_string(), c)))
                        .collect();
                    for (id, outcome) in answers {
                        let call = by_id.get(&id.to_string());
                        let (method, params) =
                            call.map_or(("?", &Json::Null), |c| (&c.method, &c.params));
                        let shown = shown(&outcome);
                        answer(method, params, shown.as_ref());
                    }
                }
                None if calls.iter().all(|c| c.id.is_none()) => {
                    log.note(conn, &format!("notification answered HTTP {status}"))
                }
                None => log.undecoded(conn, Way::Answer, "not a JSON-RPC answer", body),
            },
            Seen::XmlRpc {
                method,
                params,
                inner,
            } => match (xmlrpc::decode_response(body, Limits::CLIENT), inner) {
                (Ok(Ok(value)), Some(inner)) => {
                    match xmlrpc::multicall_outcomes(value, inner.len()) {
                        Ok(outcomes) => {
                            for ((method, params), outcome) in inner.iter().zip(outcomes) {
                                let shown = shown(&outcome);
                                answer(method, params, shown.as_ref());
                            }
                        }
                        Err(_) => log.undecoded(conn, Way::Answer, "not a multicall answer", body),
                    }
                }
                (Ok(outcome), _) => {
                    let shown = shown(&outcome);
                    answer(method, params, shown.as_ref());
                }
                (Err(_), _) => log.undecoded(conn, Way::Answer, "not an XML-RPC answer", body),
            },
            Seen::Reach {
                method,
                params,
                origin,
            } => match reach::decode_answer(reply) {
                Ok(outcome) => {
                    let (method, params, started) = match origin {
                        Some(origin) => (&origin.method, &origin.params, origin.started),
                        None => (method, params, started),
                    };
                    let step = Step {
                        method,
                        params,
                        started,
                        interactive: origin.is_some(),
                    };
                    step.answered(outcome, conn, shared)
                }
                Err(_) => log.undecoded(conn, Way::Answer, "not a Reach answer", body),
            },
            Seen::Other(_) => log.note(
                conn,
                &format!("answered HTTP {status}, {} bytes", body.len()),
            ),
        }
    }

    /// The server could not be reached: the client gets the protocol's own server-failure
    /// answer with HTTP 502, and the log says why.
    fn unreachable(&self, conn: u64, shared: &Shared, why: &str) -> Response<Body> {
        let message = format!("rpc proxy: cannot reach the server: {why}");
        shared.log.note(conn, &message);
        let fault = Fault::new(codes::INTERNAL_ERROR, message.clone());
        let (content_type, body) = match self {
            Seen::JsonRpc { calls, batch } => {
                let error =
                    |id: &Json| json!({"jsonrpc": "2.0", "error": fault.to_json(), "id": id});
                let answer = match (calls.as_slice(), batch) {
                    ([single], false) => error(single.id.as_ref().unwrap_or(&Json::Null)),
                    // A batch gets a batch: one error per call that expects an answer.
                    (calls, _) => Json::Array(
                        calls
                            .iter()
                            .filter_map(|c| c.id.as_ref().map(error))
                            .collect(),
                    ),
                };
                ("application/json", answer.to_string().into_bytes())
            }
            Seen::XmlRpc { .. } => ("text/xml", xmlrpc::encode_fault(&fault)),
            Seen::Reach { .. } => (
                "application/json",
                reach::error_body(&fault).to_string().into_bytes(),
            ),
            Seen::Other(_) => ("text/plain", message.into_bytes()),
        };
        let mut response = Response::new(Full::new(Bytes::from(body)).boxed());
        *response.status_mut() = StatusCode::BAD_GATEWAY;
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type),
        );
        response
    }
}

/// One answer of a Reach call: to its first request, or to a `/kont` step of an interactive call.
struct Step<'a> {
    method: &'a str,
    params: &'a Json,
    started: Instant,
    /// The call asked the client back at least once (this answers a `/kont`).
    interactive: bool,
}

impl Step<'_> {
    /// A callback the server asks for (remembered until its `/kont`), or the end of the call: an
    /// interactive call's `Done` is logged against its first request, and not recorded (a replay
    /// has no client to answer the callbacks).
    fn answered(&self, outcome: Result<Json, Fault>, conn: u64, shared: &Shared) {
        let log = &shared.log;
        if let Ok(answer) = &outcome {
            if let Ok(reach::Step::Kont {
                kid,
                method: callback,
                args,
            }) = reach::decode_step(answer)
            {
                let args: Vec<String> = args.iter().map(Json::to_string).collect();
                log.note(
                    conn,
                    &format!(
                        "RPC {} asks the client: {callback}({})",
                        self.method,
                        args.join(",")
                    ),
                );
                shared.konts.insert(
                    kid,
                    Origin {
                        method: self.method.to_owned(),
                        params: self.params.clone(),
                        started: self.started,
                    },
                    shared.config.limits.max_konts,
                );
                return;
            }
        }
        let error = outcome.as_ref().err().map(Fault::to_json);
        let answered = Answered {
            conn,
            proto: Proto::Reach,
            method: self.method,
            params: self.params,
            outcome: match (&outcome, &error) {
                (Ok(result), _) => Ok(result),
                (Err(_), Some(error)) => Err(error),
                (Err(_), None) => return,
            },
            duration: self.started.elapsed(),
            carrier: Carrier::Native,
        };
        if self.interactive {
            log.answer_line(&answered);
        } else {
            log.answer(&answered);
        }
    }
}

/// The outcome as the log shows it: the result, or the error object.
fn shown(outcome: &Outcome) -> Result<Json, Json> {
    match outcome {
        Ok(value) => Ok(value.to_json()),
        Err(fault) => Err(fault.to_json()),
    }
}

/// The `(id, outcome)` of each response object of a JSON-RPC answer (one, or a batch's).
fn json_answers(body: &[u8]) -> Option<Vec<(Json, Outcome)>> {
    let doc: Json = serde_json::from_slice(protocol::strip_bom(body)).ok()?;
    let objects = match doc {
        Json::Array(items) => items,
        object @ Json::Object(_) => vec![object],
        _ => return None,
    };
    objects
        .iter()
        .map(|object| jsonrpc::decode_response_object(object).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_are_removed() {
        let mut headers = HeaderMap::new();
        headers.insert(CONNECTION, HeaderValue::from_static("keep-alive, x-hop"));
        headers.insert("x-hop", HeaderValue::from_static("1"));
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1);
        assert!(headers.contains_key("x-api-key"));
    }

    #[test]
    fn batch_answers_are_read_by_id() {
        let answers = json_answers(br#"[{"jsonrpc":"2.0","result":3,"id":"b"},{"jsonrpc":"2.0","error":{"code":1,"message":"x"},"id":7}]"#).unwrap();
        assert_eq!(answers[0].0, json!("b"));
        assert_eq!(answers[1].0, json!(7));
        assert!(answers[1].1.is_err());
        assert!(json_answers(b"nonsense").is_none());
    }
}
