//! Limits below HTTP and gRPC, on the connections themselves: how many a
//! door keeps open in all and per client address, how long a client may
//! take to send a request head, how large and how many its headers may be,
//! how a gRPC connection is kept honest (streams, pings, resets, message
//! sizes), and what the accept loop does when the process runs out of file
//! descriptors. They protect the service from clients that are slow,
//! stalled or hostile, before admission control ever sees a request.
//!
//! The settings come from [`crate::config`]; [`connections`] counts the
//! connections and wraps the accepted sockets; [`tls`] adds TLS to both
//! doors when a certificate is configured.

pub mod connections;
pub mod tls;

use std::time::Duration;

/// Limits of the HTTP/1.1 door.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HttpLimits {
    /// Longest wait for a whole request head, counted from when the
    /// connection starts waiting for one: after it opens, and after each
    /// answer. hyper closes the connection when it passes, so this is also
    /// how long an idle keep-alive connection is kept. The gRPC door closes
    /// a connection that has sent nothing at all within it.
    pub header_read_timeout: Duration,
    /// Largest request head (request line and headers), in bytes; larger
    /// is answered 431.
    pub max_header_bytes: usize,
    /// Most headers in a request; more is answered 431.
    pub max_headers: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: crate::http::MAX_HEAD_BYTES,
            max_headers: crate::http::MAX_HEADERS,
        }
    }
}

/// Limits of the gRPC (HTTP/2) door.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrpcLimits {
    /// Most streams open at once on one connection (HTTP/2
    /// `SETTINGS_MAX_CONCURRENT_STREAMS`).
    pub max_streams: u32,
    /// Time between two HTTP/2 pings on a connection.
    pub keepalive_interval: Duration,
    /// How long a ping may go unanswered before the connection is closed.
    pub keepalive_timeout: Duration,
    /// Longest a call may run, whatever deadline the client set.
    pub request_timeout: Duration,
    /// Most streams the server may reset because of a client's protocol
    /// error on one connection before it closes the connection (the
    /// reset-flood mitigation).
    pub max_local_resets: usize,
    /// Most streams a client may reset before the server has accepted
    /// them, pending at once, before the connection is closed (the rapid
    /// reset mitigation).
    pub max_pending_resets: usize,
    /// Largest request message the lookup, health and reflection services
    /// decode, in bytes.
    pub max_message_bytes: usize,
    /// Largest total size of a request's metadata (HTTP/2 header list), in
    /// bytes.
    pub max_header_bytes: u32,
}

/// Largest request message the admin service decodes, after it has checked
/// the call's token: its requests are a flag.
pub const ADMIN_MAX_MESSAGE_BYTES: usize = 1024;

impl Default for GrpcLimits {
    fn default() -> Self {
        GrpcLimits {
            max_streams: 32,
            keepalive_interval: Duration::from_secs(30),
            keepalive_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_local_resets: 64,
            max_pending_resets: 20,
            max_message_bytes: 16 * 1024,
            max_header_bytes: 16 * 1024,
        }
    }
}

/// Every transport limit, for both doors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransportConfig {
    /// The HTTP door's.
    pub http: HttpLimits,
    /// The gRPC door's.
    pub grpc: GrpcLimits,
    /// Most connections a door keeps open at once.
    pub max_connections: usize,
    /// Most connections a door keeps open at once from one client address.
    pub max_connections_per_client: usize,
    /// How long the accept loop waits after a failed accept (out of file
    /// descriptors, say) before it tries again.
    pub accept_error_pause: Duration,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            http: HttpLimits::default(),
            grpc: GrpcLimits::default(),
            max_connections: 4096,
            max_connections_per_client: 256,
            accept_error_pause: Duration::from_millis(100),
        }
    }
}
