//! The test API server's certificates, tokens and service-account key, written to its dir.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// Files the API server is started with.
pub struct Pki {
    pub ca_pem: String,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub tokens: PathBuf,
    pub service_account_key: PathBuf,
    pub service_account_pub: PathBuf,
    pub admin_token: String,
    pub restricted_token: String,
}

impl Pki {
    pub fn write(dir: &Path) -> anyhow::Result<Pki> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "tntc test cluster CA");
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        let key = KeyPair::generate()?;
        let mut server = CertificateParams::new(vec![
            "127.0.0.1".to_string(),
            "localhost".to_string(),
            "kubernetes.default.svc".to_string(),
        ])?;
        server
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        let cert = server.signed_by(&key, &ca)?;
        let service_account = KeyPair::generate()?;
        // Tokens unique per server, so a kubeconfig of one run never works against another.
        let nonce = format!(
            "{:x}{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_nanos()
        );
        let pki = Pki {
            ca_pem: ca.pem(),
            cert: dir.join("apiserver.crt"),
            key: dir.join("apiserver.key"),
            tokens: dir.join("tokens.csv"),
            service_account_key: dir.join("service-account.key"),
            service_account_pub: dir.join("service-account.pub"),
            admin_token: format!("admin-{nonce}"),
            restricted_token: format!("restricted-{nonce}"),
        };
        let write = |path: &Path, text: &str| {
            std::fs::write(path, text).with_context(|| format!("write {}", path.display()))
        };
        write(&dir.join("ca.crt"), &pki.ca_pem)?;
        write(&pki.cert, &format!("{}{}", cert.pem(), ca.pem()))?;
        write(&pki.key, &key.serialize_pem())?;
        write(&pki.service_account_key, &service_account.serialize_pem())?;
        // The verifying side takes a public key (it refuses a PKCS#8 private key).
        write(&pki.service_account_pub, &service_account.public_key_pem())?;
        // token,user,uid,"groups"
        write(
            &pki.tokens,
            &format!(
                "{},admin,admin-uid,\"system:masters\"\n{},{},restricted-uid\n",
                pki.admin_token,
                pki.restricted_token,
                crate::RESTRICTED_USER
            ),
        )?;
        Ok(pki)
    }
}
