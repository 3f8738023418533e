//! JSON-RPC over WebSocket (RFC 6455): `ws://` and `wss://` endpoints. The connection is rpc's
//! own, as for HTTP ([`super::http::HttpTransport::connect`]: TCP or `--unix-socket`, through
//! `HTTP(S)_PROXY` with `CONNECT`, TLS by rustls with what curl trusts); the opening handshake and
//! the frames are tokio-tungstenite's. The handshake carries `-H` headers, `-u` credentials,
//! `--origin` and `--ws-protocol`; `-vv` shows it, then every frame ([`super::messages`]).

use super::failure::{Cause, TransportError};
use super::http::{HttpRequest, HttpTransport};
use super::messages::WsStream;
use super::{Credentials, Options};
use crate::connect::Conn;
use crate::connect::Place;
use crate::error::{Error, Result};
use crate::trace::{Direction, Trace};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, http};
use url::Url;

/// What opens a WebSocket to one URL.
pub struct Handshake {
    url: Url,
    http: HttpTransport,
    headers: Vec<(String, String)>,
    auth: Option<Credentials>,
    /// `--origin`.
    origin: Option<String>,
    /// `--ws-protocol` (repeatable): the subprotocols offered, in order.
    protocols: Vec<String>,
}

impl Handshake {
    /// A handshake to `url` (`ws://` or `wss://`) on connections to `place` made as HTTP's
    /// are (proxies, TLS), with the options' headers, credentials, origin and subprotocols.
    pub fn new(url: &Url, options: &Options, trace: Trace, place: Place) -> Result<Handshake> {
        let http = HttpTransport::new(options, trace, &http_url(url), place)?;
        Ok(Handshake {
            url: url.clone(),
            http,
            headers: options.headers.clone(),
            auth: options.auth.clone(),
            origin: options.websocket.origin.clone(),
            protocols: options.websocket.protocols.clone(),
        })
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Connects and shakes hands (within `timeout`), messages bounded to `max_message` bytes.
    /// Errors: the transport's (exit 3); a server that answers the handshake with an HTTP status
    /// (exit 1, the status and the start of its body) or with something that is not one (exit 4).
    pub async fn open(
        &self,
        max_message: usize,
        timeout: Option<Duration>,
        trace: Trace,
    ) -> Result<WsStream> {
        let work = self.shake(max_message, trace);
        match timeout {
            None => work.await,
            Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| {
                Error::transport(super::http::target_of(&self.url), Cause::TimedOut(limit))
            })?,
        }
    }

    async fn shake(&self, max_message: usize, trace: Trace) -> Result<WsStream> {
        let target = super::http::target_of(&self.url);
        let stream = self
            .http
            .connect(&http_url(&self.url), &target, true)
            .await?;
        let request = self.request()?;
        trace.wire(Direction::Sent, &request_dump(&request));
        let config = super::messages::bounded(max_message);
        let shaken =
            tokio_tungstenite::client_async_with_config(request, Conn(stream, None), Some(config))
                .await;
        match shaken {
            Ok((ws, response)) => {
                trace.wire(Direction::Received, &response_dump(&response));
                Ok(ws)
            }
            Err(e) => Err(handshake_error(e, &target, trace)),
        }
    }

    /// The opening handshake's request: tungstenite's required headers (`Upgrade`, `Connection`,
    /// `Sec-WebSocket-Key`, `-Version`), then ours, `-H` replacing any of the same name.
    fn request(&self) -> Result<http::Request<()>> {
        let mut request = self
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::usage(format!("{}: {e}", self.url)))?;
        let mut ours: Vec<(String, String)> = Vec::new();
        if let Some(origin) = &self.origin {
            ours.push(("Origin".into(), origin.clone()));
        }
        if !self.protocols.is_empty() {
            ours.push(("Sec-WebSocket-Protocol".into(), self.protocols.join(", ")));
        }
        let get = HttpRequest {
            url: self.url.clone(),
            headers: ours,
            body: Vec::new(),
        };
        for (name, value) in get.wire_headers(&self.headers, self.auth.as_ref()) {
            if name.eq_ignore_ascii_case("content-length") {
                continue;
            }
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::usage(format!("invalid header name {name:?}")))?;
            let value = http::HeaderValue::from_str(&value)
                .map_err(|_| Error::usage(format!("invalid value for header {name}")))?;
            request.headers_mut().insert(name, value);
        }
        Ok(request)
    }
}

/// The URL of the HTTP request the handshake is: `http://` for `ws://`, `https://` for `wss://`
/// (what the connection, its proxy and its TLS go by).
fn http_url(url: &Url) -> Url {
    let mut url = url.clone();
    let scheme = if url.scheme() == "wss" {
        "https"
    } else {
        "http"
    };
    // ws/wss and http/https are all special schemes: the change cannot fail.
    let _ = url.set_scheme(scheme);
    url
}

/// A failed handshake, in the contract's terms.
fn handshake_error(e: tungstenite::Error, target: &str, trace: Trace) -> Error {
    match e {
        tungstenite::Error::Http(response) => {
            trace.wire(Direction::Received, &response_dump(&response));
            let status = response.status();
            // The start of the body on the error's one line: an HTML page's lines joined.
            let body = response
                .body()
                .as_deref()
                .map(|b| {
                    let text = String::from_utf8_lossy(b);
                    let words: Vec<&str> = text.split_whitespace().collect();
                    words.join(" ").chars().take(200).collect::<String>()
                })
                .unwrap_or_default();
            let status = crate::protocol::answer::status_text(status.as_u16());
            let hint = "the server does not take WebSocket connections here";
            Error::HttpStatus(match body.trim() {
                "" => format!("HTTP {status} to the WebSocket handshake ({hint})"),
                body => format!("HTTP {status} to the WebSocket handshake ({hint}): {body}"),
            })
        }
        tungstenite::Error::Io(e) => Error::Transport(TransportError::from_io(target, e)),
        // tungstenite refuses such an answer before it can be read as one: an HTTP/1.0 server
        // (`python3 -m http.server`) takes no upgrade.
        tungstenite::Error::Protocol(tungstenite::error::ProtocolError::WrongHttpVersion) => {
            Error::HttpStatus(
                "an HTTP/1.0 answer to the WebSocket handshake (the server does not take \
                 WebSocket connections here: an upgrade needs HTTP/1.1)"
                    .into(),
            )
        }
        tungstenite::Error::Protocol(why) => {
            Error::protocol(format!("{target} broke the WebSocket handshake: {why}"))
        }
        other => Error::protocol(format!("{target}: WebSocket handshake failed: {other}")),
    }
}

/// The handshake request as `-vv` shows it.
fn request_dump(request: &http::Request<()>) -> Vec<u8> {
    // The request line as it goes on the wire: the path, the host in its own header.
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut text = format!("GET {target} HTTP/1.1\r\n");
    for (name, value) in request.headers() {
        text.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("…")));
    }
    text.into_bytes()
}

/// The handshake answer as `-vv` shows it.
fn response_dump<B>(response: &http::Response<B>) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {}\r\n", response.status());
    for (name, value) in response.headers() {
        text.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("…")));
    }
    text.into_bytes()
}
