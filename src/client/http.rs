//! The HTTP(S) transport (reqwest): POST a body, get status, headers and a size-bounded body back.

use super::failure::{self, Cause, TransportError};
use super::Options;
use crate::error::{Error, Result};
use crate::trace::{Direction, Trace};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use std::time::Duration;

/// One HTTP request, as built before sending (also what `--dry-run` prints).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub url: Url,
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

    /// The request as HTTP/1.1 text: start line, headers, blank line, body.
    pub fn to_http_text(&self, extra_headers: &[(String, String)]) -> Vec<u8> {
        let mut path = self.url.path().to_owned();
        if let Some(q) = self.url.query() {
            path = format!("{path}?{q}");
        }
        let host = match self.url.port() {
            Some(port) => format!("{}:{port}", self.url.host_str().unwrap_or_default()),
            None => self.url.host_str().unwrap_or_default().to_owned(),
        };
        let mut text = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\n");
        for (name, value) in self.headers.iter().chain(extra_headers) {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: reqwest::StatusCode,
    pub body: Vec<u8>,
}

/// A configured HTTP client: TLS settings, extra headers, timeout, answer size bound.
pub struct HttpTransport {
    client: reqwest::Client,
    extra_headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    max_response: u64,
    trace: Trace,
}

impl HttpTransport {
    /// An HTTP(S) client with the TLS, header, time and size options of `args`. Without
    /// `use_proxy` it ignores HTTP(S)_PROXY: for loopback endpoints, which a proxy, being another
    /// machine, cannot reach (Go's net/http never proxies them either). A usage error for an
    /// unreadable `--cacert`, a local error when the TLS stack cannot be set up.
    pub fn new(args: &Options, trace: Trace, use_proxy: bool) -> Result<HttpTransport> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("rpc/", env!("CARGO_PKG_VERSION")))
            // No redirect is followed: an RPC endpoint that moves is an answer to show, and
            // following one could carry credentials to another host.
            .redirect(reqwest::redirect::Policy::none());
        if !use_proxy {
            builder = builder.no_proxy();
        }
        if args.insecure {
            trace.note("rpc: warning: TLS certificate verification is disabled (--insecure); the connection can be intercepted");
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(path) = &args.cacert {
            builder = builder.add_root_certificate(read_certificate(path)?);
        }
        let client = builder.build().map_err(|e| {
            Error::Local(format!(
                "cannot set up the HTTP client: {}",
                error_chain(&e)
            ))
        })?;
        Ok(HttpTransport {
            client,
            extra_headers: args.headers.clone(),
            timeout: args.timeout,
            max_response: args.max_response,
            trace,
        })
    }

    /// Sends the request and reads the whole answer (up to the response size limit).
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpAnswer> {
        self.trace
            .wire(Direction::Sent, &request.to_http_text(&self.extra_headers));
        let mut headers = HeaderMap::new();
        for (name, value) in request.headers.iter().chain(&self.extra_headers) {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::usage(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::usage(format!("invalid value for header {name}")))?;
            headers.append(name, value);
        }
        let mut builder = self
            .client
            .post(request.url.clone())
            .headers(headers)
            .body(request.body.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| send_error(e, &request.url, self.timeout))?;
        let answer = self.read_answer(response, &request.url).await?;
        Ok(answer)
    }

    async fn read_answer(&self, mut response: reqwest::Response, url: &Url) -> Result<HttpAnswer> {
        let status = response.status();
        let mut head = format!("{:?} {}\r\n", response.version(), status);
        for (name, value) in response.headers() {
            head.push_str(&format!(
                "{name}: {}\r\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        if status.is_redirection() {
            return Err(redirect_error(status, response.headers(), url));
        }
        if response
            .content_length()
            .is_some_and(|n| n > self.max_response)
        {
            return Err(self.too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| send_error(e, url, self.timeout))?
        {
            if body.len() as u64 + chunk.len() as u64 > self.max_response {
                return Err(self.too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let mut dump = head.into_bytes();
        dump.extend_from_slice(b"\r\n");
        dump.extend_from_slice(&body);
        self.trace.wire(Direction::Received, &dump);
        Ok(HttpAnswer { status, body })
    }

    fn too_large(&self) -> Error {
        Error::protocol(format!(
            "the answer is larger than {} bytes (raise --max-response)",
            self.max_response
        ))
    }
}

/// A redirect is reported, never followed: following it would send the body and the API key to
/// wherever the server points, possibly another host.
fn redirect_error(status: reqwest::StatusCode, headers: &HeaderMap, url: &Url) -> Error {
    let location = headers
        .get(reqwest::header::LOCATION)
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

fn read_certificate(path: &std::path::Path) -> Result<reqwest::Certificate> {
    let pem = std::fs::read(path)
        .map_err(|e| Error::usage(format!("cannot read --cacert {}: {e}", path.display())))?;
    reqwest::Certificate::from_pem(&pem).map_err(|e| {
        Error::usage(format!(
            "--cacert {} is not a PEM certificate: {e}",
            path.display()
        ))
    })
}

/// Turns a reqwest failure into a transport error, classified by the types in its source chain:
/// a timeout, a rustls error, an I/O error; a connection that failed to a host with no address is
/// a resolution failure (checked by resolving it again, since the resolver's error has no type
/// of its own).
fn send_error(e: reqwest::Error, url: &Url, timeout: Option<Duration>) -> Error {
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or_default();
    let target = format!("{host}:{port}");
    let cause = if e.is_timeout() {
        Cause::TimedOut(timeout.unwrap_or_default())
    } else if let Some(tls) = failure::find_in_chain::<tokio_rustls::rustls::Error>(&e) {
        failure::tls_cause(tls)
    } else if let Some(io) = failure::find_in_chain::<std::io::Error>(&e) {
        // A server that closes in the middle of the TLS handshake does not speak TLS (`rpc serve`
        // without --tls closes on a ClientHello).
        let eof = failure::innermost_io(io).kind() == std::io::ErrorKind::UnexpectedEof;
        if eof && e.is_connect() && url.scheme() == "https" {
            Cause::NotTls
        } else {
            failure::io_cause(io)
        }
    } else if e.is_connect() && !resolves(&host, port) {
        Cause::Resolve { host }
    } else {
        Cause::Broken(error_chain(&e))
    };
    Error::Transport(TransportError::new(target, cause, Some(Box::new(e))))
}

/// Whether `host` has an address (asked only after a connection failed).
fn resolves(host: &str, port: u16) -> bool {
    use std::net::ToSocketAddrs;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (host, port)
        .to_socket_addrs()
        .is_ok_and(|mut addrs| addrs.next().is_some())
}

/// The error and its sources, joined, since reqwest's top-level message hides the cause.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = inner.source();
    }
    text
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
        let text = String::from_utf8(req.to_http_text(&[("X-A".into(), "1".into())])).unwrap();
        assert_eq!(
            text,
            "POST /x HTTP/1.1\r\nHost: h:1\r\nContent-Type: application/json\r\nX-A: 1\r\nContent-Length: 2\r\n\r\n{}"
        );
    }
}
