//! TLS on both doors, with rustls (ring provider), when the operator gives
//! a certificate and its key: one certificate store, read from the PEM
//! files at start and again on SIGHUP, behind one resolver that both doors'
//! acceptors share. A new certificate that cannot be read, parsed or
//! matched with its key never replaces the one being served.
//!
//! The handshake runs in each connection's own task, never in the accept
//! loop, and must finish within the header-read timeout: a client that
//! opens a connection and stalls holds its place under the connection caps
//! only that long, and nobody else waits for it. The HTTP door offers
//! `http/1.1` by ALPN, the gRPC door `h2`.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use arc_swap::ArcSwap;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tonic::transport::server::{Connected, TcpConnectInfo};

use super::connections::{LimitedStream, first_bytes_read};
use crate::metrics::Door;

/// Where the operator keeps the certificate and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain, the server's certificate first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// A certificate or key that cannot be used, naming its file.
#[derive(Debug, thiserror::Error)]
#[error("TLS {what} {}: {message}", path.display())]
pub struct TlsError {
    /// `certificate` or `key`.
    pub what: &'static str,
    /// The file at fault.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

impl TlsError {
    fn of(what: &'static str, path: &Path, message: impl Into<String>) -> TlsError {
        TlsError {
            what,
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// The certificate being served, swapped whole on reload.
#[derive(Debug)]
struct Resolver {
    current: ArcSwap<CertifiedKey>,
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

/// The certificate both doors serve, and their acceptors.
pub struct TlsCertificates {
    files: TlsFiles,
    resolver: Arc<Resolver>,
    http: TlsAcceptor,
    grpc: TlsAcceptor,
}

impl std::fmt::Debug for TlsCertificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsCertificates")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads and checks the certificate chain and key of `files`.
pub fn load_certified_key(files: &TlsFiles) -> Result<CertifiedKey, TlsError> {
    let cert_pem = std::fs::read(&files.cert).map_err(|error| {
        TlsError::of(
            "certificate",
            &files.cert,
            format!("cannot read it: {error}"),
        )
    })?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| {
            TlsError::of(
                "certificate",
                &files.cert,
                format!("not a PEM certificate chain: {error}"),
            )
        })?;
    if chain.is_empty() {
        return Err(TlsError::of(
            "certificate",
            &files.cert,
            "no `BEGIN CERTIFICATE` section in it",
        ));
    }
    let key_pem = std::fs::read(&files.key)
        .map_err(|error| TlsError::of("key", &files.key, format!("cannot read it: {error}")))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| {
        TlsError::of(
            "key",
            &files.key,
            format!("not a PEM private key (PKCS#8, PKCS#1 or SEC1): {error}"),
        )
    })?;
    CertifiedKey::from_der(chain, key, &provider()).map_err(|error| {
        TlsError::of(
            "key",
            &files.key,
            format!(
                "unusable with the certificate {}: {error}",
                files.cert.display()
            ),
        )
    })
}

impl TlsCertificates {
    /// Reads `files` and makes both doors' acceptors over them.
    pub fn load(files: TlsFiles) -> Result<Arc<TlsCertificates>, TlsError> {
        let certified = load_certified_key(&files)?;
        let resolver = Arc::new(Resolver {
            current: ArcSwap::from_pointee(certified),
        });
        let acceptor = |alpn: &[u8]| {
            let mut config = rustls::ServerConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .expect("the ring provider supports the default protocol versions")
                .with_no_client_auth()
                .with_cert_resolver(resolver.clone());
            config.alpn_protocols = vec![alpn.to_vec()];
            TlsAcceptor::from(Arc::new(config))
        };
        Ok(Arc::new(TlsCertificates {
            http: acceptor(b"http/1.1"),
            grpc: acceptor(b"h2"),
            files,
            resolver,
        }))
    }

    /// Reads the files again; serves the new certificate to new
    /// connections if it is good, else keeps the old one and says why.
    pub fn reload(&self) -> Result<(), TlsError> {
        let certified = load_certified_key(&self.files)?;
        self.resolver.current.store(Arc::new(certified));
        Ok(())
    }

    /// [`reload`](Self::reload), logged: what SIGHUP calls.
    pub fn reload_logged(&self) {
        match self.reload() {
            Ok(()) => tracing::info!(
                cert = %self.files.cert.display(),
                "TLS certificate reloaded: new connections get it"
            ),
            Err(error) => tracing::warn!(
                %error,
                "TLS certificate reload failed: the previous certificate is still served"
            ),
        }
    }

    /// The files it reads.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// The acceptor of `door` (its ALPN protocol: `http/1.1` or `h2`).
    pub fn acceptor(&self, door: Door) -> TlsAcceptor {
        match door {
            Door::Http => self.http.clone(),
            Door::Grpc => self.grpc.clone(),
        }
    }
}

/// Completes the TLS handshake on `stream` within `within`, or fails.
pub async fn handshake(
    acceptor: &TlsAcceptor,
    stream: LimitedStream,
    within: Duration,
) -> io::Result<TlsStream<LimitedStream>> {
    match tokio::time::timeout(within, acceptor.accept(stream)).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the TLS handshake did not finish in time",
        )),
    }
}

/// A connection a door serves: plain, or TLS after its handshake.
pub enum ServerStream {
    /// Plain TCP.
    Plain(LimitedStream),
    /// TLS.
    Tls {
        /// The decrypted stream.
        stream: Box<TlsStream<LimitedStream>>,
        /// Until its first decrypted bytes arrive: when it must have sent
        /// them (the gRPC door, as for plain connections).
        first_bytes: Option<Pin<Box<Sleep>>>,
    },
}

impl ServerStream {
    /// A TLS connection whose first decrypted bytes must arrive `within`
    /// (when given) from now.
    pub fn tls(stream: TlsStream<LimitedStream>, within: Option<Duration>) -> ServerStream {
        ServerStream::Tls {
            stream: Box::new(stream),
            first_bytes: within.map(|within| Box::pin(tokio::time::sleep(within))),
        }
    }

    /// The client's address.
    pub fn peer(&self) -> std::net::SocketAddr {
        self.limited().peer()
    }

    fn limited(&self) -> &LimitedStream {
        match self {
            ServerStream::Plain(stream) => stream,
            ServerStream::Tls { stream, .. } => stream.get_ref().0,
        }
    }
}

impl AsyncRead for ServerStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut *self {
            ServerStream::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            ServerStream::Tls {
                stream,
                first_bytes,
            } => {
                let before = buf.filled().len();
                let read = Pin::new(stream.as_mut()).poll_read(cx, buf);
                let grew = buf.filled().len() > before;
                first_bytes_read(first_bytes, cx, read, grew)
            }
        }
    }
}

impl AsyncWrite for ServerStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut *self {
            ServerStream::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            ServerStream::Tls { stream, .. } => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match &mut *self {
            ServerStream::Plain(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            ServerStream::Tls { stream, .. } => {
                Pin::new(stream.as_mut()).poll_write_vectored(cx, bufs)
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            ServerStream::Plain(stream) => stream.is_write_vectored(),
            ServerStream::Tls { stream, .. } => stream.is_write_vectored(),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut *self {
            ServerStream::Plain(stream) => Pin::new(stream).poll_flush(cx),
            ServerStream::Tls { stream, .. } => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut *self {
            ServerStream::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            ServerStream::Tls { stream, .. } => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

impl Connected for ServerStream {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        self.limited().connect_info()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn unusable_files_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = TlsFiles {
            cert: dir.path().join("absent.pem"),
            key: dir.path().join("absent.key"),
        };
        let error = load_certified_key(&missing).unwrap_err();
        assert_eq!(error.what, "certificate");
        assert!(error.to_string().contains("absent.pem"), "{error}");
        assert!(error.to_string().contains("cannot read"), "{error}");

        let not_pem = TlsFiles {
            cert: write(dir.path(), "cert.pem", "hello"),
            key: dir.path().join("absent.key"),
        };
        let error = load_certified_key(&not_pem).unwrap_err();
        assert!(error.to_string().contains("cert.pem"), "{error}");
        assert!(error.to_string().contains("BEGIN CERTIFICATE"), "{error}");
    }
}
