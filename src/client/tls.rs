//! The client's TLS: what it trusts, as curl does. By default the operating system's trust store
//! (on Debian `/etc/ssl/certs`, with `SSL_CERT_FILE`/`SSL_CERT_DIR` honoured, as OpenSSL does);
//! webpki's built-in roots only where the system has none. `--cacert FILE` adds the certificates
//! in FILE, and a server certificate that is itself in FILE is trusted even when it is not a valid
//! end-entity certificate on its own: OpenSSL's `req -x509` makes self-signed certificates with
//! `CA:TRUE`, which curl and Python accept from their CA file but webpki alone refuses
//! (`CaUsedAsEndEntity`). `-k` trusts any certificate, yet the handshake signatures are still
//! checked (so the connection is at least with whoever holds the key it showed).

use crate::error::{Error, Result};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{self, CryptoProvider};
use tokio_rustls::rustls::{self, ClientConfig, DigitallySignedStruct, RootCertStore};

/// The client TLS setup of one set of options: `cacert` (PEM file) added to the system's roots,
/// or nothing verified with `insecure`; `alpn` the protocols offered (`http/1.1`, `h2`). A usage error names a `--cacert` that cannot be used.
pub fn client_config(
    cacert: Option<&Path>,
    insecure: bool,
    alpn: &[&[u8]],
) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(crypto::ring::default_provider());
    let pinned = match cacert {
        Some(path) => read_certificates(path)?,
        None => Vec::new(),
    };
    let webpki = if insecure {
        None
    } else {
        let roots = Arc::new(trust_store(&pinned));
        let inner = WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider))
            .build()
            .map_err(|e| Error::Local(format!("cannot set up TLS verification: {e}")))?;
        Some((inner, pinned))
    };
    let verifier: Arc<dyn ServerCertVerifier> = Arc::new(Verifier {
        provider: Arc::clone(&provider),
        webpki,
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Local(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// The system's trust store plus `extra`; webpki's roots when the system offers none.
fn trust_store(extra: &[CertificateDer<'static>]) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    // Certificates the store cannot parse are skipped, as OpenSSL skips them.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if roots.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    roots.add_parsable_certificates(extra.iter().cloned());
    roots
}

/// Every certificate in a PEM file.
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| {
            Error::usage(format!(
                "--cacert {}: cannot read PEM certificates ({})",
                path.display(),
                crate::error::plain(&e)
            ))
        })?;
    if certificates.is_empty() {
        return Err(Error::usage(format!(
            "--cacert {} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certificates)
}

/// webpki's verification, and a server certificate that is itself one of `--cacert`'s; with
/// `-k` (`webpki` None) any certificate. The handshake's signatures are checked either way.
#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    /// The chain verifier and the `--cacert` certificates; None under `-k`.
    webpki: Option<(Arc<WebPkiServerVerifier>, Vec<CertificateDer<'static>>)>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some((inner, pinned)) = &self.webpki else {
            return Ok(ServerCertVerified::assertion());
        };
        let verdict =
            inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        let is_pinned = pinned.iter().any(|p| p.as_ref() == end_entity.as_ref());
        match verdict {
            Err(e) if is_pinned => {
                // The certificate is trusted as given; it must still name the server.
                let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name).map_err(|_| e)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
