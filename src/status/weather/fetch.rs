//! Asks a server for its status: one `GET /v1/status?window=…` over
//! HTTP/1.1 (hyper's client connection, over a plain or a TLS stream),
//! within a time limit. `https://` targets are checked against the
//! certificates of `--ca-cert`, or else the system's bundle of
//! certificate authorities; rustls with the ring provider, as the server.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::header::{ACCEPT, CONNECTION, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::status::document::{StatusDocument, WINDOW_PARAMETER, window_text};

/// Largest status document read: a day's minutes take well under 1 MB.
const MAX_BODY_BYTES: usize = 32 << 20;

/// Where the system keeps its certificate authorities, by distribution.
const SYSTEM_CA_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// A server to ask: `http://host:port` or `https://host`, with the path
/// under which a reverse proxy serves it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// True for `https`.
    pub tls: bool,
    /// The host, as in a URL (`[::1]` for IPv6).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The path prefix, without its final slash (`` for none).
    pub base_path: String,
}

impl Target {
    /// Reads `--target`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let refuse = |why: &str| format!("--target `{text}`: {why}");
        let uri: http::Uri = text
            .trim()
            .parse()
            .map_err(|_| refuse("not a URL such as http://127.0.0.1:8080"))?;
        let tls = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            Some(other) => return Err(refuse(&format!("scheme `{other}` is not http or https"))),
            None => return Err(refuse("no scheme: write http://… or https://…")),
        };
        let authority = uri.authority().ok_or_else(|| refuse("no host in it"))?;
        if authority.as_str().contains('@') {
            return Err(refuse("credentials do not belong in the URL"));
        }
        if uri.query().is_some() {
            return Err(refuse("a query string has no place in it"));
        }
        let host = authority.host().to_string();
        if host.is_empty() {
            return Err(refuse("no host in it"));
        }
        Ok(Target {
            tls,
            port: authority.port_u16().unwrap_or(if tls { 443 } else { 80 }),
            host,
            base_path: uri.path().trim_end_matches('/').to_string(),
        })
    }

    /// The URL of its status over `minutes`.
    pub fn status_url(&self, minutes: u32) -> String {
        format!(
            "{}://{}{}",
            if self.tls { "https" } else { "http" },
            self.authority(),
            self.status_path(minutes)
        )
    }

    fn status_path(&self, minutes: u32) -> String {
        format!(
            "{}/v1/status?{WINDOW_PARAMETER}={}",
            self.base_path,
            window_text(minutes)
        )
    }

    fn authority(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The host without the brackets of an IPv6 address.
    fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

/// How to make TLS connections.
#[derive(Clone)]
pub struct ClientTls {
    connector: tokio_rustls::TlsConnector,
}

impl ClientTls {
    /// Trusts the certificates of `ca_file`, or else the system's bundle.
    pub fn load(ca_file: Option<&Path>) -> Result<ClientTls, String> {
        let file: PathBuf = match ca_file {
            Some(file) => file.to_path_buf(),
            None => SYSTEM_CA_BUNDLES
                .iter()
                .map(PathBuf::from)
                .find(|path| path.is_file())
                .ok_or_else(|| {
                    "no certificate authorities found on this system: give --ca-cert FILE (PEM)"
                        .to_string()
                })?,
        };
        let refuse = |why: String| format!("--ca-cert {}: {why}", file.display());
        let pem =
            std::fs::read(&file).map_err(|error| refuse(format!("cannot read it: {error}")))?;
        let mut roots = RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(&pem) {
            let certificate =
                certificate.map_err(|error| refuse(format!("not a PEM certificate: {error}")))?;
            // A system bundle may hold a certificate rustls cannot use:
            // skip it, as long as some are left.
            let _ = roots.add(certificate);
        }
        if roots.is_empty() {
            return Err(refuse(
                "no usable `BEGIN CERTIFICATE` section in it".to_string(),
            ));
        }
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ClientTls {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }
}

/// Asks `target` for its status over `minutes`, within `timeout`.
pub async fn status(
    target: &Target,
    minutes: u32,
    tls: Option<&ClientTls>,
    timeout: Duration,
) -> Result<StatusDocument, String> {
    let url = target.status_url(minutes);
    let asked = async {
        let tcp = TcpStream::connect((target.bare_host(), target.port))
            .await
            .map_err(|error| format!("cannot connect: {error}"))?;
        let _ = tcp.set_nodelay(true);
        match (target.tls, tls) {
            (false, _) => get(tcp, target, minutes).await,
            (true, Some(tls)) => {
                let name = ServerName::try_from(target.bare_host().to_string()).map_err(|_| {
                    format!("`{}` is not a name a certificate can carry", target.host)
                })?;
                let stream = tls
                    .connector
                    .connect(name, tcp)
                    .await
                    .map_err(|error| format!("TLS handshake failed: {error}"))?;
                get(stream, target, minutes).await
            }
            (true, None) => Err("an https target needs TLS settings".to_string()),
        }
    };
    let (status, body) = tokio::time::timeout(timeout, asked)
        .await
        .map_err(|_| {
            format!(
                "{url}: no answer within {} s (--timeout)",
                timeout.as_secs_f64()
            )
        })?
        .map_err(|error| format!("{url}: {error}"))?;
    if status != 200 {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|body| body["error"]["message"].as_str().map(String::from))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
        let hint = if status == 404 {
            " (a server older than the status route, or one with --admin-listen: target its operators' address)"
        } else {
            ""
        };
        return Err(format!("{url}: answered {status}: {message}{hint}"));
    }
    serde_json::from_slice(&body)
        .map_err(|error| format!("{url}: the answer is not a status document: {error}"))
}

/// One `GET` of the status over `io`; the status code and body.
async fn get<IO>(io: IO, target: &Target, minutes: u32) -> Result<(u16, Bytes), String>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|error| format!("HTTP handshake failed: {error}"))?;
    let connection = tokio::spawn(connection);
    let request = hyper::Request::get(target.status_path(minutes))
        .header(HOST, target.authority())
        .header(ACCEPT, "application/json")
        .header(
            USER_AGENT,
            concat!("voter-lookup-weather/", env!("CARGO_PKG_VERSION")),
        )
        .header(CONNECTION, "close")
        .body(Empty::<Bytes>::new())
        .map_err(|error| format!("cannot make the request: {error}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| format!("no answer: {error}"))?;
    let status = response.status().as_u16();
    let body = Limited::new(response.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|error| format!("the answer could not be read whole: {error}"))?
        .to_bytes();
    connection.abort();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_http_or_https_urls() {
        let target = Target::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            target,
            Target {
                tls: false,
                host: "127.0.0.1".into(),
                port: 8080,
                base_path: String::new(),
            }
        );
        assert_eq!(
            target.status_url(240),
            "http://127.0.0.1:8080/v1/status?window=4h"
        );
        let proxied = Target::parse("https://mairie.example/voter-lookup/").unwrap();
        assert_eq!((proxied.tls, proxied.port), (true, 443));
        assert_eq!(
            proxied.status_url(60),
            "https://mairie.example/voter-lookup/v1/status?window=1h"
        );
        let v6 = Target::parse("http://[::1]:9000").unwrap();
        assert_eq!(v6.bare_host(), "::1");
        assert_eq!(v6.status_url(15), "http://[::1]:9000/v1/status?window=15m");
        for (text, why) in [
            ("127.0.0.1:8080", "no scheme"),
            ("ftp://host", "scheme `ftp`"),
            ("http://host/?window=1h", "query string"),
            ("http://user:pw@host", "credentials"),
            ("not a url", "not a URL"),
        ] {
            let error = Target::parse(text).unwrap_err();
            assert!(error.starts_with("--target"), "{error}");
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "nothing here\n").unwrap();
        let error = ClientTls::load(Some(&file)).err().unwrap();
        assert!(error.contains("ca.pem"), "{error}");
        assert!(error.contains("BEGIN CERTIFICATE"), "{error}");
        let missing = ClientTls::load(Some(&dir.path().join("absent.pem")))
            .err()
            .unwrap();
        assert!(missing.contains("cannot read it"), "{missing}");
    }
}
