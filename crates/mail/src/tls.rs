//! The TLS client settings of the mail sockets: rustls (ring) trusting the Mozilla
//! root certificates, plus any certificates an admin adds from a PEM file (a company
//! CA, or a test server's).

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls;

/// A TLS configuration that cannot be built.
#[derive(Debug, thiserror::Error)]
#[error("TLS settings: {0}")]
pub struct TlsSetupError(String);

/// A client-side TLS connector.
pub fn connector(extra_roots: Option<&Path>) -> Result<tokio_rustls::TlsConnector, TlsSetupError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_roots {
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| TlsSetupError(format!("reading {}: {e}", path.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsSetupError(format!("reading {}: {e}", path.display())))?;
        if certificates.is_empty() {
            return Err(TlsSetupError(format!(
                "{} holds no PEM certificate",
                path.display()
            )));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| TlsSetupError(format!("{}: {e}", path.display())))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TlsSetupError(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}
