use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::TransportError;

/// Which certificates an HTTPS server may present.
#[derive(Clone, Debug, Default)]
pub enum ServerTrust {
    /// Certificates chaining to the Mozilla root store (bundled).
    #[default]
    WebPkiRoots,
    /// Certificates chaining to one of these CA certificates (and only
    /// those), e.g. a pool's own CA.
    CustomRoots(Vec<CertificateDer<'static>>),
    /// Any certificate at all, unverified. The connection is encrypted but
    /// anyone on the path can impersonate the server; only for test hosts
    /// with self-signed certificates.
    DangerousAcceptAnyCertificate,
}

impl ServerTrust {
    /// [`ServerTrust::CustomRoots`] from PEM text holding one or more
    /// `CERTIFICATE` blocks.
    pub fn custom_roots_pem(pem: &[u8]) -> Result<ServerTrust, TransportError> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TransportError::Tls(format!("unreadable PEM: {e}")))?;
        if certs.is_empty() {
            return Err(TransportError::Tls("no certificate in the PEM data".into()));
        }
        Ok(ServerTrust::CustomRoots(certs))
    }
}

/// TLS settings for [`HttpTransport`](super::HttpTransport).
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// How the server's certificate is checked.
    pub trust: ServerTrust,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsOptions {
    pub(crate) fn client_config(&self) -> Result<ClientConfig, TransportError> {
        let provider = provider();
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TransportError::Tls(e.to_string()))?;
        let config = match &self.trust {
            ServerTrust::WebPkiRoots => {
                let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            ServerTrust::CustomRoots(certs) => {
                let mut roots = RootCertStore::empty();
                for cert in certs {
                    roots
                        .add(cert.clone())
                        .map_err(|e| TransportError::Tls(format!("unusable CA certificate: {e}")))?;
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            ServerTrust::DangerousAcceptAnyCertificate => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
                .with_no_client_auth(),
        };
        Ok(config)
    }
}

/// Skips certificate checks but still verifies handshake signatures, so
/// the peer must at least hold the key of the certificate it shows.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
