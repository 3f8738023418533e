//! The HTTP(S) transport: one HTTP/1.1 exchange per request on hyper's client connection, over a
//! TCP connection made here (directly, or through `HTTP(S)_PROXY`), with TLS by rustls
//! ([`super::tls`]). Every step is ours, so a failure is known by the step it happened in and the
//! type of its error, and the `-vv` dump is the bytes on the connection ([`super::tap`]).
//!
//! The request's headers are decided here, once, in the order they are sent ([`HttpRequest::
//! wire_headers`]): `Host`, the protocol's own (`Content-Type`, Reach's `X-API-Key`), then the
//! user's `-H` (replacing a header of the same name wherever it stands), `User-Agent`,
//! `Authorization` for `-u` and URL credentials, and `Content-Length`. `--dry-run` and `rpc bench`
//! print or send the same list.

use super::failure::{self, Cause, TransportError};
use super::tap::{Tap, Tapped};
use super::{Credentials, Options};
use crate::error::{Error, Result};
use crate::trace::{Direction, Trace};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue, LOCATION};
use hyper_util::rt::TokioIo;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::ClientConfig;
use url::Url;

/// One HTTP request, as built before sending (also what `--dry-run` prints).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub url: Url,
    /// The protocol's own headers (`Content-Type`, Reach's `X-API-Key`), in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A POST of `body` with the given content type.
    pub fn post(url: Url, content_type: &str, body: Vec<u8>) -> Self {
        HttpRequest {
            url,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// The protocol's headers with the user's `extra` applied: one of the same name (compared
    /// without case) is replaced where it stands, the others follow in the order given.
    pub fn headers_with(&self, extra: &[(String, String)]) -> Vec<(String, String)> {
        let mut headers = self.headers.clone();
        let end = headers.len();
        merge(&mut headers, extra, end);
        headers
    }

    /// Every header as it is sent, in order (see the module's documentation).
    pub fn wire_headers(
        &self,
        extra: &[(String, String)],
        auth: Option<&Credentials>,
    ) -> Vec<(String, String)> {
        let mut headers = vec![("Host".to_owned(), host_header(&self.url))];
        headers.extend(self.headers.iter().cloned());
        let own_end = headers.len();
        headers.push(("User-Agent".into(), USER_AGENT.into()));
        if let Some(auth) = auth {
            headers.push(("Authorization".into(), auth.basic_header()));
        }
        headers.push(("Content-Length".into(), self.body.len().to_string()));
        merge(&mut headers, extra, own_end);
        headers
    }

    /// The request as HTTP/1.1 text: start line, [`HttpRequest::wire_headers`], blank line, body.
    pub fn to_http_text(&self, extra: &[(String, String)], auth: Option<&Credentials>) -> Vec<u8> {
        let mut text = format!("POST {} HTTP/1.1\r\n", path_and_query(&self.url));
        for (name, value) in self.wire_headers(extra, auth) {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The `User-Agent` every request carries unless `-H` says otherwise.
pub const USER_AGENT: &str = concat!("rpc/", env!("CARGO_PKG_VERSION"));

/// Applies `extra` to `headers`: a header of the same name is replaced in place (with the user's
/// spelling of the name); a new one goes in at `insert_at` and after, in order.
fn merge(headers: &mut Vec<(String, String)>, extra: &[(String, String)], mut insert_at: usize) {
    for (name, value) in extra {
        match headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => *slot = (name.clone(), value.clone()),
            None => {
                headers.insert(insert_at, (name.clone(), value.clone()));
                insert_at += 1;
            }
        }
    }
}

/// `host[:port]`, the port only when it is not the scheme's default.
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// `/path?query`, the request target of a request sent straight to the server.
fn path_and_query(url: &Url) -> String {
    // `grpc://HOST:PORT` and `tcp://HOST:PORT` have an empty path (not special schemes); over
    // HTTP that is `/`.
    let path = match url.path() {
        "" => "/",
        path => path,
    };
    match url.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    }
}

/// `HOST:PORT` of a URL, as errors and `connect` name it.
pub fn target_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    format!("{host}:{}", url.port_or_known_default().unwrap_or_default())
}

/// An HTTP answer.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A stream HTTP can run over (any connector's, or TLS inside one).
pub use crate::connect::Stream;

/// A configured HTTP client: TLS settings, proxy, extra headers, credentials, timeout, answer
/// size bound.
pub struct HttpTransport {
    /// Where the bytes go: the URL's host, or `--unix-socket`'s path.
    place: Place,
    /// Made on the first `https://` request: reading the system's trust store takes a moment.
    tls: OnceLock<Arc<ClientConfig>>,
    cacert: Option<std::path::PathBuf>,
    insecure: bool,
    proxy: Option<Url>,
    extra_headers: Vec<(String, String)>,
    auth: Option<Credentials>,
    timeout: Option<Duration>,
    max_response: u64,
    trace: Trace,
}

impl HttpTransport {
    /// An HTTP(S) client with the options of `args` for requests to `url`. Loopback endpoints
    /// never use a proxy: a proxy, being another machine, cannot reach them (Go's net/http never
    /// proxies them either).
    pub fn new(args: &Options, trace: Trace, url: &Url, place: Place) -> Result<HttpTransport> {
        if args.insecure {
            trace.note("rpc: warning: TLS certificate verification is disabled (--insecure); the connection can be intercepted");
        }
        if place.is_child() {
            return Err(Error::usage(
                "HTTP does not run on a child process's pipes: use an http:// URL",
            ));
        }
        // A Unix socket is this machine: no proxy reaches it.
        let proxy = if super::is_loopback(url) || matches!(place, Place::Unix(_)) {
            None
        } else {
            proxy_for(url)?
        };
        Ok(HttpTransport {
            place,
            tls: OnceLock::new(),
            cacert: args.cacert.clone(),
            insecure: args.insecure,
            proxy,
            extra_headers: args.headers.clone(),
            auth: args.auth.clone(),
            timeout: args.timeout,
            max_response: args.max_response,
            trace,
        })
    }

    /// The credentials sent as `Authorization: Basic …`.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.auth.as_ref()
    }

    /// Sends the request and reads the whole answer (up to `--max-response`), within `-t`. The
    /// bytes that went each way are dumped at `-vv`, also when the exchange failed.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpAnswer> {
        let target = target_of(&request.url);
        let tapped = Arc::new(Mutex::new(Tapped::default()));
        let work = self.exchange(request, &target, Arc::clone(&tapped));
        let result = match self.timeout {
            None => work.await,
            Some(limit) => tokio::time::timeout(limit, work)
                .await
                .unwrap_or_else(|_| Err(Error::transport(&target, Cause::TimedOut(limit)))),
        };
        let tapped = tapped.lock().unwrap_or_else(|e| e.into_inner());
        self.trace.wire(Direction::Sent, &tapped.sent);
        if !tapped.received.is_empty() {
            self.trace.wire(Direction::Received, &tapped.received);
        }
        result.map_err(|e| plain_http_to_tls(e, &tapped.received, &request.url))
    }

    async fn exchange(
        &self,
        request: &HttpRequest,
        target: &str,
        tapped: Arc<Mutex<Tapped>>,
    ) -> Result<HttpAnswer> {
        let stream = self.connect(&request.url, target, false).await?;
        let io = TokioIo::new(Tap::new(stream, Some(tapped)));
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .title_case_headers(true)
            .handshake::<_, Full<Bytes>>(io)
            .await
            .map_err(|e| hyper_error(e, target))?;
        // The connection is driven beside the request and dropped with it: one exchange each.
        let driver = tokio::spawn(connection);
        let answer = self.ask(&mut sender, request, target).await;
        driver.abort();
        answer
    }

    async fn ask(
        &self,
        sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
        request: &HttpRequest,
        target: &str,
    ) -> Result<HttpAnswer> {
        let response = sender
            .send_request(self.hyper_request(request)?)
            .await
            .map_err(|e| hyper_error(e, target))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers().get(LOCATION).cloned();
            return Err(redirect_error(status, location, &request.url));
        }
        let declared = response
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_response) {
            return Err(self.too_large());
        }
        let mut incoming = response.into_body();
        let mut body = Vec::new();
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| hyper_error(e, target))?;
            if let Ok(chunk) = frame.into_data() {
                if body.len() as u64 + chunk.len() as u64 > self.max_response {
                    return Err(self.too_large());
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(HttpAnswer {
            status: status.as_u16(),
            body,
        })
    }

    /// The request for hyper: the headers of [`HttpRequest::wire_headers`], in order. Sent
    /// through a proxy, the target is the absolute URL, as RFC 9112 asks.
    fn hyper_request(&self, request: &HttpRequest) -> Result<hyper::Request<Full<Bytes>>> {
        let target = match (&self.proxy, request.url.scheme()) {
            (Some(_), "http") => request.url.as_str().to_owned(),
            _ => path_and_query(&request.url),
        };
        let mut builder = hyper::Request::post(target);
        for (name, value) in request.wire_headers(&self.extra_headers, self.auth.as_ref()) {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::usage(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(&value)
                .map_err(|_| Error::usage(format!("invalid value for header {name}")))?;
            builder = builder.header(name, value);
        }
        builder
            .body(Full::new(Bytes::from(request.body.clone())))
            .map_err(|e| Error::usage(format!("cannot build the request: {e}")))
    }

    /// A connection to the server (through the proxy, if any, tunnelled with `CONNECT` for
    /// `https://` or when `tunnel` says so: a WebSocket's; to `--unix-socket`'s socket), inside
    /// TLS for `https://`.
    pub async fn connect(&self, url: &Url, target: &str, tunnel: bool) -> Result<Box<dyn Stream>> {
        let tcp: Box<dyn Stream> = match (&self.proxy, &self.place) {
            (Some(proxy), _) => Box::new(self.through_proxy(proxy, url, target, tunnel).await?),
            (None, place) => open_place(place).await?,
        };
        if url.scheme() != "https" {
            return Ok(Box::new(tcp));
        }
        let config = match self.tls.get() {
            Some(config) => Arc::clone(config),
            None => {
                let config = super::tls::client_config(
                    self.cacert.as_deref(),
                    self.insecure,
                    &[b"http/1.1"],
                )?;
                Arc::clone(self.tls.get_or_init(|| config))
            }
        };
        start_tls(config, url, tcp, target).await
    }

    /// A TCP connection to the proxy: as is for `http://` (the request names the URL), tunnelled
    /// with `CONNECT` for `https://` or when `tunnel` says so.
    async fn through_proxy(
        &self,
        proxy: &Url,
        url: &Url,
        target: &str,
        tunnel: bool,
    ) -> Result<TcpStream> {
        let via = target_of(proxy);
        let mut tcp = open_tcp(&via).await?;
        if url.scheme() != "https" && !tunnel {
            return Ok(tcp);
        }
        let connect = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n");
        let io = |e| Error::Transport(TransportError::from_io(&via, e));
        self.trace
            .wire(Direction::Sent, connect.trim_end().as_bytes());
        tcp.write_all(connect.as_bytes()).await.map_err(io)?;
        let head = read_head(&mut tcp).await.map_err(io)?;
        self.trace
            .wire(Direction::Received, head.trim_end().as_bytes());
        let status = head.split_whitespace().nth(1).unwrap_or_default();
        if status != "200" {
            let line = head.lines().next().unwrap_or_default().to_owned();
            return Err(Error::transport(
                via,
                Cause::Broken(format!("the proxy refused to connect to {target}: {line}")),
            ));
        }
        Ok(tcp)
    }

    fn too_large(&self) -> Error {
        Error::protocol(format!(
            "the answer is larger than {} bytes (raise --max-response)",
            self.max_response
        ))
    }
}

/// A connection to `place` (TCP or a Unix socket) as one stream.
async fn open_place(place: &Place) -> Result<Box<dyn Stream>> {
    let connection = crate::connect::open(place, &Default::default(), Trace::default()).await?;
    Ok(connection.into_stream().0)
}

/// TLS over `tcp` (any connector's stream) to the host of `url`, with `config`.
async fn start_tls(
    config: Arc<ClientConfig>,
    url: &Url,
    tcp: Box<dyn Stream>,
    target: &str,
) -> Result<Box<dyn Stream>> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let name = rustls_pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| Error::usage(format!("{host:?} is not a name TLS can check")))?;
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map(|tls| Box::new(tls) as Box<dyn Stream>)
        .map_err(|e| tls_error(e, target))
}

/// A direct connection to `place`, inside TLS (to the URL's host) offering `alpn` when `tls`
/// (gRPC's `h2`): the connection of the HTTP/2 transports and the proxy's upstream, which do not
/// go through HTTP proxies.
pub async fn open_stream(
    url: &Url,
    place: &Place,
    options: &Options,
    alpn: &[&[u8]],
    tls: bool,
) -> Result<Box<dyn Stream>> {
    let tcp = open_place(place).await?;
    if !tls {
        return Ok(tcp);
    }
    let target = place.shown();
    let target = target.as_str();
    let config = super::tls::client_config(options.cacert.as_deref(), options.insecure, alpn)?;
    start_tls(config, url, tcp, target).await
}

use crate::connect::{open_tcp, Place};

/// The head of a proxy's answer to `CONNECT`, up to its blank line (at most 8 KiB).
async fn read_head(tcp: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        if tcp.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The proxy for `url` from the environment, as curl reads it: `http_proxy` for `http://`,
/// `HTTPS_PROXY` (or `https_proxy`) for `https://`, `ALL_PROXY` for either, unless `NO_PROXY`
/// names the host (a suffix match; `*` for all).
fn proxy_for(url: &Url) -> Result<Option<Url>> {
    let read = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    };
    let host = url.host_str().unwrap_or_default();
    if let Some(skip) = read(&["no_proxy", "NO_PROXY"]) {
        let skipped = skip.split(',').map(str::trim).any(|entry| {
            let entry = entry.trim_start_matches('.');
            entry == "*" || host == entry || host.ends_with(&format!(".{entry}"))
        });
        if skipped {
            return Ok(None);
        }
    }
    let chosen = match url.scheme() {
        "https" => read(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
        _ => read(&["http_proxy", "all_proxy", "ALL_PROXY"]),
    };
    let Some(text) = chosen else {
        return Ok(None);
    };
    let with_scheme = if text.contains("://") {
        text.clone()
    } else {
        format!("http://{text}")
    };
    Url::parse(&with_scheme)
        .ok()
        .filter(|proxy| proxy.scheme() == "http")
        .map(Some)
        .ok_or_else(|| Error::usage(format!("the proxy {text:?} is not an http:// URL")))
}

/// A TLS handshake that failed: the server closed in the middle of it (it does not speak TLS:
/// `rpc serve` without --tls closes on a ClientHello), or the rustls error inside the I/O one.
fn tls_error(e: std::io::Error, target: &str) -> Error {
    let cause = if failure::innermost_io(&e).kind() == std::io::ErrorKind::UnexpectedEof {
        Cause::NotTls
    } else {
        failure::io_cause(&e)
    };
    Error::Transport(TransportError::new(target, cause, Some(Box::new(e))))
}

/// A failure inside the HTTP exchange: the connection broke (a transport failure, by the I/O
/// error's kind), or what came back is not HTTP (an invalid answer).
fn hyper_error(e: hyper::Error, target: &str) -> Error {
    if e.is_parse() || e.is_parse_status() {
        return Error::protocol(format!("{target} answered with something that is not HTTP"));
    }
    let cause = match failure::find_in_chain::<std::io::Error>(&e) {
        Some(io) => failure::io_cause(io),
        None if e.is_incomplete_message() || e.is_closed() || e.is_canceled() => {
            Cause::Broken("the server closed the connection before answering".into())
        }
        None => Cause::Broken("the HTTP exchange failed".into()),
    };
    Error::Transport(TransportError::new(target, cause, Some(Box::new(e))))
}

/// A plain-HTTP request answered with a TLS record (`0x15` alert, `0x16` handshake) is a server
/// that speaks only TLS: say so at once, instead of "not HTTP".
fn plain_http_to_tls(e: Error, received: &[u8], url: &Url) -> Error {
    let tls_record = matches!(received.first(), Some(0x15 | 0x16));
    if url.scheme() == "http" && tls_record && matches!(e, Error::Protocol(_)) {
        let target = target_of(url);
        return Error::transport(
            target,
            Cause::Tls("the server answered with TLS: use https://".into()),
        );
    }
    e
}

/// A redirect is reported, never followed: following it would send the body and the API key to
/// wherever the server points, possibly another host.
fn redirect_error(status: hyper::StatusCode, location: Option<HeaderValue>, url: &Url) -> Error {
    let location = location
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_else(|| "nowhere (no Location header)".into());
    Error::HttpStatus(format!(
        "HTTP {status}: {url} redirects to {location}; rpc does not follow redirects (they could \
         carry the request and its API key elsewhere), call that URL directly if you trust it"
    ))
}

/// Parses `Name: value`.
pub fn parse_header(text: &str) -> Result<(String, String)> {
    let (name, value) = text.split_once(':').ok_or_else(|| {
        Error::usage(format!(
            "invalid header {text:?}: write it as 'Name: value'"
        ))
    })?;
    let name = name.trim();
    if name.is_empty() || HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(Error::usage(format!(
            "invalid header name in {text:?}: a name is letters, digits and -, with no spaces ('Name: value')"
        )));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse() {
        assert_eq!(
            parse_header("X-A: b c").unwrap(),
            ("X-A".into(), "b c".into())
        );
        assert!(parse_header("novalue").is_err());
        assert!(parse_header("bad name: x").is_err());
    }

    #[test]
    fn http_text_has_start_line_headers_and_body() {
        let req = HttpRequest::post(
            Url::parse("http://h:1/x").unwrap(),
            "application/json",
            b"{}".to_vec(),
        );
        let text =
            String::from_utf8(req.to_http_text(&[("X-A".into(), "1".into())], None)).unwrap();
        assert_eq!(
            text,
            format!("POST /x HTTP/1.1\r\nHost: h:1\r\nContent-Type: application/json\r\nX-A: 1\r\nUser-Agent: {USER_AGENT}\r\nContent-Length: 2\r\n\r\n{{}}")
        );
    }

    #[test]
    fn a_header_the_user_gives_replaces_the_default_of_that_name() {
        let req = HttpRequest::post(
            Url::parse("http://h/").unwrap(),
            "application/json",
            Vec::new(),
        );
        let extra = [
            ("content-type".to_owned(), "application/json-rpc".to_owned()),
            ("X-B".to_owned(), "2".to_owned()),
            ("USER-AGENT".to_owned(), "mine".to_owned()),
        ];
        let names: Vec<(String, String)> = req.wire_headers(&extra, None);
        let shown: Vec<String> = names.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        assert_eq!(
            shown,
            [
                "Host: h",
                "content-type: application/json-rpc",
                "X-B: 2",
                "USER-AGENT: mine",
                "Content-Length: 0"
            ]
        );
        assert_eq!(
            req.headers_with(&extra[..2]),
            [
                ("content-type".to_owned(), "application/json-rpc".to_owned()),
                ("X-B".to_owned(), "2".to_owned())
            ]
        );
    }
}
