//! TLS from the client's side, for `https://` targets: the CA the harness
//! trusts (`--ca-cert`, PEM) and the name it checks the server's
//! certificate against (`--tls-server-name`, else the target's host). The
//! HTTP client wraps its own connections with tokio-rustls (ALPN
//! `http/1.1`); the gRPC client hands the same CA to tonic (ALPN `h2`).
//! rustls with the ring provider, as the server.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::ClientError;

/// What an `https://` target needs.
#[derive(Clone)]
pub struct ClientTls {
    ca_file: PathBuf,
    ca_pem: Arc<[u8]>,
    server_name: ServerName<'static>,
    http: TlsConnector,
}

impl fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTls")
            .field("ca_file", &self.ca_file)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl ClientTls {
    /// Trusts the certificates of `ca_file` and checks `server_name`.
    pub fn load(ca_file: &Path, server_name: &str) -> Result<ClientTls, ClientError> {
        let refuse =
            |message: String| ClientError::Tls(format!("{}: {message}", ca_file.display()));
        let pem =
            std::fs::read(ca_file).map_err(|error| refuse(format!("cannot read it: {error}")))?;
        let mut roots = RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(&pem) {
            let certificate =
                certificate.map_err(|error| refuse(format!("not a PEM certificate: {error}")))?;
            roots
                .add(certificate)
                .map_err(|error| refuse(format!("not a usable CA certificate: {error}")))?;
        }
        if roots.is_empty() {
            return Err(refuse("no `BEGIN CERTIFICATE` section in it".to_string()));
        }
        let server_name = ServerName::try_from(server_name.to_string()).map_err(|_| {
            ClientError::Tls(format!(
                "--tls-server-name `{server_name}` is not a DNS name or an address"
            ))
        })?;
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ClientTls {
            ca_file: ca_file.to_path_buf(),
            ca_pem: pem.into(),
            server_name,
            http: TlsConnector::from(Arc::new(config)),
        })
    }

    /// The name the server's certificate must carry.
    pub fn server_name(&self) -> String {
        self.server_name.to_str().into_owned()
    }

    /// tonic's TLS settings for the same CA and name.
    pub fn grpc_config(&self) -> tonic::transport::ClientTlsConfig {
        tonic::transport::ClientTlsConfig::new()
            .ca_certificate(tonic::transport::Certificate::from_pem(&*self.ca_pem))
            .domain_name(self.server_name())
    }

    /// Completes a TLS handshake (ALPN `http/1.1`) over `tcp`.
    pub async fn connect_http(&self, tcp: TcpStream) -> std::io::Result<ClientStream> {
        let stream = self.http.connect(self.server_name.clone(), tcp).await?;
        Ok(ClientStream::Tls(Box::new(stream)))
    }
}

/// A connection of the HTTP client: plain, or TLS.
pub enum ClientStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for ClientStream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(stream) => std::pin::Pin::new(stream).poll_read(cx, buf),
            ClientStream::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            ClientStream::Plain(stream) => std::pin::Pin::new(stream).poll_write(cx, buf),
            ClientStream::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(stream) => std::pin::Pin::new(stream).poll_flush(cx),
            ClientStream::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            ClientStream::Plain(stream) => std::pin::Pin::new(stream).poll_shutdown(cx),
            ClientStream::Tls(stream) => std::pin::Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}
