//! TLS settings for `wss://` connections (native only).
//!
//! The model is deliberately small: a [`TlsConfig`] is a set of trusted root certificates, and the
//! server certificate is always verified against it. By default the set is the Mozilla root program
//! (bundled through `webpki-roots`, so no system store is read). A private CA can be added on top with
//! [`TlsConfig::add_root_ca_pem`], or trusted exclusively with [`TlsConfig::only_root_ca_pem`].
//!
//! There is intentionally no switch that turns verification off. For a development server with a
//! self-signed certificate, trust that certificate (or its CA) instead.
//!
//! The rustls client configuration (ring crypto provider, safe default protocol versions, no client
//! certificate) is built when the settings change and shared by every connection afterwards, so
//! opening a connection never rebuilds it.
#![cfg(feature = "native")]

use std::sync::{Arc, OnceLock};

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Why a set of CA certificates could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsConfigError {
    /// The PEM data holds no `CERTIFICATE` section.
    #[error("the PEM data contains no certificate")]
    NoCertificate,
    /// The PEM data is malformed.
    #[error("malformed PEM data: {0}")]
    Pem(String),
    /// A certificate section could not be used as a trust anchor.
    #[error("certificate {index} cannot be used as a root CA: {reason}")]
    BadCertificate {
        /// Position of the certificate in the PEM data, starting at 0.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// Which certificates a `wss://` connection trusts. Verification is always on.
///
/// Cheap to clone: the built rustls configuration is shared.
#[derive(Clone)]
pub struct TlsConfig {
    /// Whether the Mozilla roots from `webpki-roots` are trusted.
    mozilla_roots: bool,
    /// Extra trusted CA certificates, in the order they were added.
    extra_roots: Vec<CertificateDer<'static>>,
    /// The rustls configuration built from the two fields above.
    client: Arc<rustls::ClientConfig>,
}

impl TlsConfig {
    /// Trusts the given CA certificate(s) in addition to the ones already trusted.
    ///
    /// `pem` holds one or more `-----BEGIN CERTIFICATE-----` sections; other sections (keys, for
    /// example) are skipped.
    ///
    /// # Errors
    /// [`TlsConfigError::NoCertificate`] when there is no certificate section, [`TlsConfigError::Pem`] for
    /// malformed PEM, and [`TlsConfigError::BadCertificate`] when a certificate cannot be parsed.
    pub fn add_root_ca_pem(self, pem: &[u8]) -> Result<Self, TlsConfigError> {
        let mut extra_roots = self.extra_roots;
        let first_new = extra_roots.len();
        extra_roots.extend(parse_certificates(pem)?);
        Self::build(self.mozilla_roots, extra_roots, first_new)
    }

    /// Trusts only the given CA certificate(s): the Mozilla roots are not used.
    ///
    /// # Errors
    /// As for [`TlsConfig::add_root_ca_pem`].
    pub fn only_root_ca_pem(pem: &[u8]) -> Result<Self, TlsConfigError> {
        Self::build(false, parse_certificates(pem)?, 0)
    }

    /// The shared rustls configuration for connectors.
    pub(crate) fn client_config(&self) -> Arc<rustls::ClientConfig> {
        Arc::clone(&self.client)
    }

    /// Builds the configuration. `first_new` is where the certificates of the current call start in
    /// `extra_roots`, so errors name the position inside the caller's PEM data.
    fn build(
        mozilla_roots: bool,
        extra_roots: Vec<CertificateDer<'static>>,
        first_new: usize,
    ) -> Result<Self, TlsConfigError> {
        let mut roots = if mozilla_roots { mozilla_root_store() } else { RootCertStore::empty() };
        for (index, cert) in extra_roots.iter().enumerate() {
            roots.add(cert.clone()).map_err(|err| TlsConfigError::BadCertificate {
                index: index.saturating_sub(first_new),
                reason: err.to_string(),
            })?;
        }
        tracing::debug!(mozilla_roots, extra_roots = extra_roots.len(), "built TLS client configuration");
        Ok(Self { mozilla_roots, extra_roots, client: Arc::new(client_config(roots)) })
    }
}

impl Default for TlsConfig {
    /// Trusts the Mozilla root program (`webpki-roots`). Every default configuration in the process
    /// shares one rustls configuration (and so one session cache): building it per client would cost
    /// each client tens of KiB (the root list and a session cache sized for 256 servers).
    fn default() -> Self {
        static SHARED: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
        let client = SHARED.get_or_init(|| Arc::new(client_config(mozilla_root_store())));
        Self { mozilla_roots: true, extra_roots: Vec::new(), client: Arc::clone(client) }
    }
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("mozilla_roots", &self.mozilla_roots)
            .field("extra_roots", &self.extra_roots.len())
            .finish_non_exhaustive()
    }
}

/// The Mozilla root program, as bundled by `webpki-roots`.
fn mozilla_root_store() -> RootCertStore {
    RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }
}

/// Builds the rustls client configuration: ring provider, safe default versions, the given roots.
fn client_config(roots: RootCertStore) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        // The ring provider ships cipher suites and key exchange groups for both TLS 1.2 and 1.3, so
        // this only fails if rustls itself is broken; no input of ours reaches it.
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// Extracts every certificate section from `pem`.
fn parse_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| TlsConfigError::Pem(err.to_string()))?;
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificate);
    }
    Ok(certs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_trusts_mozilla_roots() {
        let config = TlsConfig::default();
        assert!(config.mozilla_roots);
        assert_eq!(format!("{config:?}"), "TlsConfig { mozilla_roots: true, extra_roots: 0, .. }");
    }

    #[test]
    fn default_configurations_share_one_rustls_config_and_custom_ones_do_not() {
        let (a, b) = (TlsConfig::default(), TlsConfig::default());
        assert!(Arc::ptr_eq(&a.client_config(), &b.client_config()));
        let ca = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let custom = TlsConfig::only_root_ca_pem(ca.cert.pem().as_bytes()).unwrap();
        assert!(!Arc::ptr_eq(&a.client_config(), &custom.client_config()));
    }

    #[test]
    fn empty_pem_is_rejected() {
        assert_eq!(TlsConfig::only_root_ca_pem(b"").unwrap_err(), TlsConfigError::NoCertificate);
        let key_only = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            TlsConfig::default().add_root_ca_pem(key_only).unwrap_err(),
            TlsConfigError::NoCertificate
        );
    }

    #[test]
    fn garbage_certificate_is_rejected() {
        let pem = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let err = TlsConfig::only_root_ca_pem(pem).unwrap_err();
        assert!(matches!(err, TlsConfigError::BadCertificate { index: 0, .. }), "{err:?}");
    }

    #[test]
    fn unterminated_pem_is_rejected() {
        let err = TlsConfig::only_root_ca_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap_err();
        assert!(matches!(err, TlsConfigError::Pem(_)), "{err:?}");
    }
}
