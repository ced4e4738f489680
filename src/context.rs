//! What is known of a request when it arrives, made once at the door and
//! read by everything after it: when it arrived, by when its client stops
//! waiting, who sent it (class, identity, address, connection) and its
//! identifier. Nothing downstream reads these from the headers again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use crate::admission::inflight::ConnectionKey;
use crate::admission::rate::ClientId;
use crate::admission::{API_KEY_HEADER, Admission, Class};
use crate::client_ip::client_key;
use crate::deadline::Deadline;
use crate::metrics::Door;

/// Header carrying a request's identifier, echoed or generated.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// One request's context, in its extensions from the door on.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The door it came in by.
    pub door: Door,
    /// When its headers had been read.
    pub arrival: Instant,
    /// When its client stops waiting, if it said.
    pub deadline: Option<Deadline>,
    /// Its class, from its API key.
    pub class: Class,
    /// Who it counts as for rate limits and caps: its key's id, or its
    /// address.
    pub client: ClientId,
    /// The client's address (through trusted proxies; IPv6 by its /64),
    /// keyed or not: quotas and the audit trail count it.
    pub address: Option<std::net::IpAddr>,
    /// The peer's address and port: the connection.
    pub peer: Option<SocketAddr>,
    /// Its identifier: the client's, or a new one.
    pub request_id: Arc<str>,
}

impl RequestContext {
    /// The context of a request that came in by `door` from `peer` with
    /// `headers`, classified by `admission` (anonymous when admission is
    /// off).
    pub fn at_door(
        door: Door,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
        admission: Option<&Admission>,
    ) -> RequestContext {
        let arrival = Instant::now();
        let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let (class, client, address) = match admission {
            Some(admission) => {
                // The one place a client's address is read through
                // trusted proxies, for both doors.
                let address = admission.trusted_proxies().client_address(peer, headers);
                let (class, client) = admission.classify(text(API_KEY_HEADER), address);
                (class, client, address.map(client_key))
            }
            None => (
                Class::Anonymous,
                peer.map_or(ClientId::Overflow, |peer| {
                    ClientId::Ip(client_key(peer.ip()))
                }),
                peer.map(|peer| client_key(peer.ip())),
            ),
        };
        RequestContext {
            door,
            arrival,
            deadline: Deadline::from_headers(headers, arrival),
            class,
            client,
            address,
            peer,
            request_id: request_id(text(REQUEST_ID_HEADER)).into(),
        }
    }

    /// The context the door put in `extensions`, if any.
    pub fn of(extensions: &http::Extensions) -> Option<&RequestContext> {
        extensions.get::<RequestContext>()
    }

    /// The deadline as an instant.
    pub fn deadline_instant(&self) -> Option<Instant> {
        self.deadline.map(|deadline| deadline.0)
    }

    /// The API key's id, when the request carried a known key.
    pub fn key_id(&self) -> Option<&str> {
        match &self.client {
            ClientId::Key(id) => Some(id),
            _ => None,
        }
    }

    /// The connection, for the per-connection cap.
    pub fn connection(&self) -> Option<ConnectionKey> {
        self.peer.map(|peer| (self.door.as_str(), peer))
    }
}

/// The client's identifier when it sent a sensible one (printable, at most
/// 128 bytes), else a new one.
pub fn request_id(sent: Option<&str>) -> String {
    sent.map(str::trim)
        .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .map(String::from)
        .unwrap_or_else(new_request_id)
}

/// A new identifier: unique in this process, and unlikely to repeat across
/// restarts (it starts from the clock).
pub fn new_request_id() -> String {
    static NEXT: OnceLock<AtomicU64> = OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        AtomicU64::new(now.as_nanos() as u64)
    });
    format!(
        "{:016x}",
        next.fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::AdmissionConfig;

    #[test]
    fn the_door_reads_class_deadline_and_identifier_once() {
        let mut config = AdmissionConfig::default();
        config.api_keys.insert("desk-app-key".into(), Class::Staff);
        let admission = Admission::new(config);
        let mut headers = HeaderMap::new();
        headers.insert(API_KEY_HEADER, "desk-app-key".parse().unwrap());
        headers.insert("x-request-timeout", "250".parse().unwrap());
        headers.insert(REQUEST_ID_HEADER, "abc-123".parse().unwrap());
        let peer: SocketAddr = "192.0.2.7:5000".parse().unwrap();
        let context = RequestContext::at_door(Door::Http, &headers, Some(peer), Some(&admission));
        assert_eq!(context.class, Class::Staff);
        let id = crate::privacy::keys::clear_id("desk-app-key");
        assert_eq!(context.client, ClientId::Key(Arc::from(id.as_str())));
        assert_eq!(context.key_id(), Some(id.as_str()));
        assert_eq!(context.address, Some(peer.ip()));
        assert_eq!(
            context.deadline,
            Some(Deadline(
                context.arrival + std::time::Duration::from_millis(250)
            ))
        );
        assert_eq!(&*context.request_id, "abc-123");
        assert_eq!(context.connection(), Some(("http", peer)));

        let bare = RequestContext::at_door(Door::Grpc, &HeaderMap::new(), Some(peer), None);
        assert_eq!(bare.class, Class::Anonymous);
        assert_eq!(bare.client, ClientId::Ip(peer.ip()));
        assert_eq!(bare.deadline, None);
        assert_eq!(bare.request_id.len(), 16, "a new identifier");
    }

    #[test]
    fn request_ids_are_echoed_only_when_sensible() {
        assert_eq!(request_id(Some(" id-1 ")), "id-1");
        assert_eq!(request_id(Some("")).len(), 16);
        assert_eq!(request_id(Some(&"x".repeat(200))).len(), 16);
        assert_ne!(new_request_id(), new_request_id());
    }
}
