//! Counts the connections a door keeps open, in all and per client
//! address, and accepts new ones within those caps: a connection over a
//! cap is closed at once (the HTTP door first writes a short `503`), and a
//! failed accept (out of file descriptors, say) pauses the loop instead of
//! spinning on it.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use metrics::{Counter, Gauge, counter, gauge};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;
use tokio_stream::Stream;
use tonic::transport::server::{Connected, TcpConnectInfo};

use crate::metrics::Door;

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionRefusal {
    /// The door holds its most connections.
    Total,
    /// The client's address holds its most connections.
    PerClient,
}

impl ConnectionRefusal {
    fn as_str(self) -> &'static str {
        match self {
            ConnectionRefusal::Total => "total",
            ConnectionRefusal::PerClient => "per_client",
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// The open connections of one door.
pub struct ConnectionLimiter {
    max_total: usize,
    max_per_client: usize,
    counts: Mutex<Counts>,
    open: Gauge,
    refused: [Counter; 2],
}

impl ConnectionLimiter {
    /// Caps of `max_total` connections, `max_per_client` from one address.
    pub fn new(door: Door, max_total: usize, max_per_client: usize) -> Arc<ConnectionLimiter> {
        let door = door.as_str();
        Arc::new(ConnectionLimiter {
            max_total,
            max_per_client,
            counts: Mutex::new(Counts::default()),
            open: gauge!("voter_lookup_connections_open", "door" => door),
            refused: [ConnectionRefusal::Total, ConnectionRefusal::PerClient].map(|reason| {
                counter!(
                    "voter_lookup_connections_refused_total",
                    "door" => door,
                    "reason" => reason.as_str()
                )
            }),
        })
    }

    /// A place for a connection from `client`, given back when the slot is
    /// dropped.
    pub fn try_acquire(
        self: &Arc<Self>,
        client: IpAddr,
    ) -> Result<ConnectionSlot, ConnectionRefusal> {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let refusal = if counts.total >= self.max_total {
            Some(ConnectionRefusal::Total)
        } else if counts.per_client.get(&client).copied().unwrap_or(0) >= self.max_per_client {
            Some(ConnectionRefusal::PerClient)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            self.refused[refusal as usize].increment(1);
            return Err(refusal);
        }
        counts.total += 1;
        *counts.per_client.entry(client).or_insert(0) += 1;
        self.open.set(counts.total as f64);
        Ok(ConnectionSlot {
            limiter: self.clone(),
            client,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .total
    }

    fn release(&self, client: IpAddr) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(count) = counts.per_client.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                counts.per_client.remove(&client);
            }
        }
        self.open.set(counts.total as f64);
    }
}

/// One open connection's place, given back when dropped.
pub struct ConnectionSlot {
    limiter: Arc<ConnectionLimiter>,
    client: IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.limiter.release(self.client);
    }
}

/// An accepted connection holding its place under the caps.
pub struct LimitedStream {
    stream: TcpStream,
    peer: SocketAddr,
    /// Until its first bytes arrive: when it must have sent them.
    first_bytes: Option<Pin<Box<Sleep>>>,
    _slot: ConnectionSlot,
}

impl LimitedStream {
    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.stream.nodelay()
    }
}

impl AsyncRead for LimitedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        let grew = buf.filled().len() > before;
        first_bytes_read(&mut this.first_bytes, cx, read, grew)
    }
}

/// A read's result under a first-bytes deadline: once bytes arrived
/// (`grew`), the deadline is gone; a read still waiting after it passed
/// fails. Plain connections and TLS ones (on their decrypted bytes) share
/// it.
pub(crate) fn first_bytes_read(
    deadline: &mut Option<Pin<Box<Sleep>>>,
    cx: &mut Context<'_>,
    read: Poll<io::Result<()>>,
    grew: bool,
) -> Poll<io::Result<()>> {
    if let Some(sleep) = deadline {
        match &read {
            Poll::Ready(Ok(())) if grew => *deadline = None,
            Poll::Pending if sleep.as_mut().poll(cx).is_ready() => {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client sent nothing in time",
                )));
            }
            _ => {}
        }
    }
    read
}

impl AsyncWrite for LimitedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Connected for LimitedStream {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        self.stream.connect_info()
    }
}

/// The connections a listener accepts within a limiter's caps: never an
/// error (a failed accept is logged, then the stream waits before it tries
/// again), never a connection over a cap.
pub struct Acceptor {
    listener: TcpListener,
    limiter: Arc<ConnectionLimiter>,
    pause: Duration,
    sleeping: Option<Pin<Box<Sleep>>>,
    nodelay: bool,
    refusal: &'static [u8],
    first_bytes_within: Option<Duration>,
}

impl Acceptor {
    /// Accepts on `listener` within `limiter`'s caps, waiting `pause` after
    /// a failed accept.
    pub fn new(
        listener: TcpListener,
        limiter: Arc<ConnectionLimiter>,
        pause: Duration,
    ) -> Acceptor {
        Acceptor {
            listener,
            limiter,
            pause,
            sleeping: None,
            nodelay: false,
            refusal: b"",
            first_bytes_within: None,
        }
    }

    /// Closes (fails the reads of) a connection that has sent nothing
    /// `within` of being accepted: for doors whose protocol has no
    /// header-read timeout of its own.
    pub fn first_bytes_within(mut self, within: Duration) -> Acceptor {
        self.first_bytes_within = Some(within);
        self
    }

    /// Sets `TCP_NODELAY` on every accepted connection.
    pub fn nodelay(mut self) -> Acceptor {
        self.nodelay = true;
        self
    }

    /// Writes `bytes`, if the socket takes them at once, to a connection
    /// refused for a cap before closing it.
    pub fn refuse_with(mut self, bytes: &'static [u8]) -> Acceptor {
        self.refusal = bytes;
        self
    }

    /// The limiter.
    pub fn limiter(&self) -> &Arc<ConnectionLimiter> {
        &self.limiter
    }
}

impl Stream for Acceptor {
    type Item = io::Result<LimitedStream>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(sleeping) = &mut this.sleeping {
                ready!(sleeping.as_mut().poll(cx));
                this.sleeping = None;
            }
            match ready!(this.listener.poll_accept(cx)) {
                Ok((stream, peer)) => match this.limiter.try_acquire(peer.ip()) {
                    Ok(slot) => {
                        if this.nodelay
                            && let Err(error) = stream.set_nodelay(true)
                        {
                            tracing::debug!(%error, "cannot set TCP_NODELAY");
                        }
                        let first_bytes = this
                            .first_bytes_within
                            .map(|within| Box::pin(tokio::time::sleep(within)));
                        return Poll::Ready(Some(Ok(LimitedStream {
                            stream,
                            peer,
                            first_bytes,
                            _slot: slot,
                        })));
                    }
                    Err(refusal) => {
                        tracing::debug!(%peer, reason = refusal.as_str(), "connection refused: over a cap");
                        if !this.refusal.is_empty() {
                            // Best effort, without waiting: a client that
                            // does not read gets the close alone.
                            let _ = stream.try_write(this.refusal);
                        }
                    }
                },
                Err(error) => {
                    tracing::warn!(%error, pause_ms = this.pause.as_millis() as u64, "accept failed: pausing");
                    this.sleeping = Some(Box::pin(tokio::time::sleep(this.pause)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_in_all_and_per_client_and_come_back_when_dropped() {
        let limiter = ConnectionLimiter::new(Door::Http, 3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = limiter.try_acquire(a).unwrap();
        let _second = limiter.try_acquire(a).unwrap();
        assert_eq!(
            limiter.try_acquire(a).err(),
            Some(ConnectionRefusal::PerClient)
        );
        let _third = limiter.try_acquire(b).unwrap();
        assert_eq!(limiter.try_acquire(b).err(), Some(ConnectionRefusal::Total));
        assert_eq!(limiter.open(), 3);
        drop(first);
        assert_eq!(limiter.open(), 2);
        let _again = limiter.try_acquire(a).unwrap();
    }
}
