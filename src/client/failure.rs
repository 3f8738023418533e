//! Why nothing usable came back from a server: a transport failure with a typed cause, told
//! apart by the types in the error's source chain (never by its text), worded once as a sentence
//! of `rpc`'s own that says what to do. The library's error stays attached as the source.

use std::error::Error as StdError;
use std::fmt;
use std::io::ErrorKind;
use std::time::Duration;
use tokio_rustls::rustls;

/// A transport failure: where, why, and the underlying error.
#[derive(Debug)]
pub struct TransportError {
    /// `HOST:PORT` the client talked to.
    pub target: String,
    pub cause: Cause,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// The kinds of transport failure the contract names (exit 3), each with its own advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// Nothing listens there.
    Refused,
    /// The host name has no address.
    Resolve { host: String },
    /// No answer within `-t` (or `REACH_RPC_TIMEOUT`).
    TimedOut(Duration),
    /// The server's certificate is not trusted; says why.
    Certificate(String),
    /// The TLS handshake got something that is not TLS: the server speaks plain HTTP.
    NotTls,
    /// Any other TLS failure; says what.
    Tls(String),
    /// The connection broke (reset, closed, unreachable); says how.
    Broken(String),
}

impl TransportError {
    /// A failure of `cause` on `target`, keeping `source` for the verbose log.
    pub fn new(
        target: impl Into<String>,
        cause: Cause,
        source: Option<Box<dyn StdError + Send + Sync>>,
    ) -> TransportError {
        TransportError {
            target: target.into(),
            cause,
            source,
        }
    }

    /// `target` (`HOST:PORT`) names a host that has no address.
    pub fn unresolved(
        target: &str,
        source: Option<Box<dyn StdError + Send + Sync>>,
    ) -> TransportError {
        let host = target.rsplit_once(':').map_or(target, |(host, _)| host);
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        TransportError::new(target, Cause::Resolve { host }, source)
    }

    /// The failure of a socket operation on `target`, classified by the I/O error's kind and,
    /// for TLS, by the rustls error inside it.
    pub fn from_io(target: &str, e: std::io::Error) -> TransportError {
        let cause = io_cause(&e);
        TransportError::new(target, cause, Some(Box::new(e)))
    }
}

/// The innermost of I/O errors wrapped in one another (hyper wraps tokio-rustls's).
pub fn innermost_io(e: &std::io::Error) -> &std::io::Error {
    let mut e = e;
    while let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<std::io::Error>()) {
        e = inner;
    }
    e
}

/// The cause an I/O error stands for.
pub fn io_cause(e: &std::io::Error) -> Cause {
    let e = innermost_io(e);
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return tls_cause(tls);
    }
    match e.kind() {
        ErrorKind::ConnectionRefused => Cause::Refused,
        ErrorKind::TimedOut => Cause::TimedOut(Duration::ZERO),
        ErrorKind::ConnectionReset => Cause::Broken("the server reset the connection".into()),
        ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof => {
            Cause::Broken("the server closed the connection".into())
        }
        _ => Cause::Broken(e.to_string()),
    }
}

/// The cause a rustls error stands for, in `rpc`'s words.
pub fn tls_cause(e: &rustls::Error) -> Cause {
    use rustls::{CertificateError, InvalidMessage};
    match e {
        rustls::Error::InvalidCertificate(why) => Cause::Certificate(match why {
            CertificateError::UnknownIssuer => {
                "it is signed by an authority rpc does not trust".into()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "it is not valid for this host name".into()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "it has expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "it is not valid yet".into()
            }
            CertificateError::Revoked => "it has been revoked".into(),
            CertificateError::BadSignature => "its signature does not verify".into(),
            _ => "it is not trusted".into(),
        }),
        rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType) => Cause::NotTls,
        _ => Cause::Tls("the TLS handshake failed".into()),
    }
}

/// The first error of type `T` in `e`'s source chain, `e` included.
pub fn find_in_chain<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = &self.target;
        match &self.cause {
            Cause::Refused => write!(
                f,
                "connection refused by {target}: is a server running there? (start one with \
                 `rpc serve --addr {target}`)"
            ),
            Cause::Resolve { host } => write!(
                f,
                "cannot resolve {host}: no such host is known (check the host name in the endpoint)"
            ),
            Cause::TimedOut(after) => write!(
                f,
                "timed out after {}s waiting for {target} (give it longer with -t SECS)",
                after.as_secs_f64()
            ),
            Cause::Certificate(why) => write!(
                f,
                "TLS failure with {target}: the server's certificate is refused, {why} (trust its \
                 CA with --cacert FILE, or skip checks with -k)"
            ),
            Cause::NotTls => write!(
                f,
                "TLS failure with {target}: the server did not answer in TLS (does the server \
                 speak HTTPS? for plain HTTP use http://, or start it with `rpc serve --tls`; \
                 for plain gRPC use grpc://, for a plain WebSocket ws://)"
            ),
            Cause::Tls(what) => write!(f, "TLS failure with {target}: {what}"),
            Cause::Broken(how) => write!(f, "connection to {target} failed: {how}"),
        }
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_come_from_types_not_text() {
        let refused = std::io::Error::from(ErrorKind::ConnectionRefused);
        assert_eq!(io_cause(&refused), Cause::Refused);
        let certificate =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped =
            std::io::Error::other(std::io::Error::new(ErrorKind::InvalidData, certificate));
        assert!(matches!(io_cause(&wrapped), Cause::Certificate(_)));
        // A message that merely mentions a certificate is not a certificate failure.
        let text = std::io::Error::other("certificate Connection refused");
        assert!(matches!(io_cause(&text), Cause::Broken(_)));
    }

    #[test]
    fn the_error_line_is_rpcs_own_sentence_and_the_source_is_kept() {
        let e = TransportError::from_io("h:1", std::io::Error::from(ErrorKind::ConnectionRefused));
        assert_eq!(
            e.to_string(),
            "connection refused by h:1: is a server running there? (start one with `rpc serve --addr h:1`)"
        );
        assert!(e.source().is_some());
        assert_eq!(
            TransportError::unresolved("[::x]:80", None).cause,
            Cause::Resolve { host: "::x".into() }
        );
    }
}
