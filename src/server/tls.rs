//! HTTPS for `rpc serve`: a rustls acceptor with either a self-signed certificate made at start (for
//! `localhost` and `127.0.0.1`) or the PEM files of `--cert`/`--key`. TLS connections share the port
//! with plain ones; [`super::sniff`] tells them apart by their first byte (0x16, a TLS handshake).
//!
//! The Reach RPC protocol asks for HTTPS (<https://docs.reach.sh/ref-backends-rpc-proto.html>).

use super::TlsSource;
use crate::error::{Error, Result};
use ring::digest::{digest, SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// The names the self-signed certificate is valid for.
pub const SELF_SIGNED_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// A ready TLS setup: the acceptor and what to tell the user about the certificate.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// SHA-256 of the leaf certificate (DER), as colon-separated uppercase hex.
    pub fingerprint: String,
    /// Where the certificate came from, for the startup note.
    pub origin: String,
}

impl Tls {
    /// The acceptor for `source`: the PEM files read and checked, or a self-signed certificate
    /// made now. A usage error names the file that cannot be used.
    pub fn new(source: &TlsSource) -> Result<Tls> {
        let (chain, key, origin) = match source {
            TlsSource::Files { cert, key } => (
                read_chain(cert)?,
                read_key(key)?,
                format!("certificate {}", cert.display()),
            ),
            TlsSource::SelfSigned => {
                let (chain, key) = self_signed()?;
                let origin = format!(
                    "self-signed certificate for {}",
                    SELF_SIGNED_NAMES.join(" and ")
                );
                (chain, key, origin)
            }
        };
        let fingerprint = fingerprint(&chain[0]);
        let config = server_config(chain, key)?;
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            fingerprint,
            origin,
        })
    }
}

/// A fresh key pair and a certificate for localhost and 127.0.0.1, signed by itself.
fn self_signed() -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let names: Vec<String> = SELF_SIGNED_NAMES.iter().map(|n| n.to_string()).collect();
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| Error::Local(format!("cannot make a self-signed certificate: {e}")))?;
    let key = PrivateKeyDer::try_from(certified.signing_key.serialize_der())
        .map_err(|e| Error::Local(format!("cannot use the generated key: {e}")))?;
    Ok((vec![certified.cert.der().clone()], key))
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig> {
    // The provider is named rather than taken from the process default, so no other crate's
    // choice of crypto backend can change (or break) the server's.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Local(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| Error::usage(format!("the certificate and key do not fit: {e}")))?;
    // h2 is gRPC; HTTP/1.1 everything else.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| Error::usage(format!("--cert {}: {e}", path.display())))?;
    if chain.is_empty() {
        return Err(Error::usage(format!(
            "--cert {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| {
        Error::usage(format!(
            "--key {}: no usable PEM private key ({e})",
            path.display()
        ))
    })
}

/// SHA-256 of a certificate, `AB:CD:…`, as browsers and `openssl x509 -fingerprint` show it.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    digest(&SHA256, cert.as_ref())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_setup_works_and_has_a_fingerprint() {
        let (chain, key) = self_signed().unwrap();
        let print = fingerprint(&chain[0]);
        assert_eq!(print.len(), 32 * 3 - 1);
        assert!(server_config(chain, key).is_ok());
    }

    #[test]
    fn fingerprint_is_sha256_in_colon_hex() {
        let cert = CertificateDer::from(b"abc".to_vec());
        assert!(fingerprint(&cert).starts_with("BA:78:16:BF:8F:01:CF:EA"));
    }
}
