//! A throwaway certificate authority and server certificate for TLS tests.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::HarnessError;

/// PEM texts of a fresh CA and of a server certificate it signed.
pub(crate) struct TestCertificates {
    /// The CA certificate, for clients to trust.
    pub(crate) ca_pem: String,
    /// The server (leaf) certificate.
    pub(crate) server_cert_pem: String,
    /// The server certificate's private key.
    pub(crate) server_key_pem: String,
}

/// The names the server certificate is valid for.
const SERVER_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// Generates a CA and a server certificate for [`SERVER_NAMES`] (ECDSA P-256 keys, rcgen's
/// default validity, which is far wider than any test run).
pub(crate) fn generate() -> Result<TestCertificates, HarnessError> {
    let fail = |what: &str, e: rcgen::Error| HarnessError::Setup(format!("generating the {what}: {e}"));

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| fail("CA", e))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "ceaseless test CA");
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().map_err(|e| fail("CA key", e))?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| fail("CA", e))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let names: Vec<String> = SERVER_NAMES.iter().map(|name| (*name).to_owned()).collect();
    let mut server_params = CertificateParams::new(names).map_err(|e| fail("server certificate", e))?;
    server_params.distinguished_name.push(DnType::CommonName, "localhost");
    server_params.use_authority_key_identifier_extension = true;
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().map_err(|e| fail("server key", e))?;
    let server_cert =
        server_params.signed_by(&server_key, &issuer).map_err(|e| fail("server certificate", e))?;

    Ok(TestCertificates {
        ca_pem: ca_cert.pem(),
        server_cert_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
    })
}
