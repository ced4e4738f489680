//! Caps on the requests one caller has in flight: per connection (an
//! HTTP/2 connection carries many streams at once) and per client (its API
//! key, or its address without one). A caller over its cap is refused at
//! once, so that it cannot take more than its share of the server, however
//! its requests stall.
//!
//! The counts live in one map, holding only callers with a request in
//! flight: an entry leaves as its last request ends, so the map grows with
//! the requests in flight, never with the callers seen.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use super::rate::ClientId;

/// Settings of the caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlightConfig {
    /// Most requests in flight on one connection.
    pub per_connection: usize,
    /// Most requests in flight from one client.
    pub per_client: usize,
}

impl Default for InFlightConfig {
    fn default() -> Self {
        InFlightConfig {
            per_connection: 32,
            per_client: 64,
        }
    }
}

/// Which cap refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapScope {
    /// Too many requests on the connection.
    Connection,
    /// Too many requests from the client.
    Client,
}

impl CapScope {
    /// Label for metrics and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            CapScope::Connection => "connection",
            CapScope::Client => "client",
        }
    }
}

/// A connection: the door it came in by (its listener) and the peer's
/// address and port.
pub type ConnectionKey = (&'static str, SocketAddr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Connection(ConnectionKey),
    Client(ClientId),
}

/// The counts of requests in flight.
pub struct InFlightCaps {
    config: InFlightConfig,
    counts: Arc<Mutex<HashMap<Key, usize>>>,
}

/// One request counted in flight; dropping it ends the count.
pub struct InFlight {
    counts: Arc<Mutex<HashMap<Key, usize>>>,
    keys: [Option<Key>; 2],
}

impl InFlightCaps {
    /// Caps with `config`.
    pub fn new(config: InFlightConfig) -> InFlightCaps {
        InFlightCaps {
            config,
            counts: Arc::default(),
        }
    }

    /// Counts one more request of `client` on `connection`, unless either
    /// is at its cap.
    pub fn enter(
        &self,
        connection: Option<ConnectionKey>,
        client: &ClientId,
    ) -> Result<InFlight, CapScope> {
        let connection = connection.map(Key::Connection);
        let client = Key::Client(client.clone());
        let mut counts = lock(&self.counts);
        let count = |key: &Option<Key>| key.as_ref().and_then(|key| counts.get(key)).copied();
        if count(&connection).unwrap_or(0) >= self.config.per_connection {
            return Err(CapScope::Connection);
        }
        if counts.get(&client).copied().unwrap_or(0) >= self.config.per_client {
            return Err(CapScope::Client);
        }
        let keys = [connection, Some(client)];
        for key in keys.iter().flatten() {
            *counts.entry(key.clone()).or_insert(0) += 1;
        }
        Ok(InFlight {
            counts: self.counts.clone(),
            keys,
        })
    }

    /// Callers with a request in flight (connections and clients).
    pub fn tracked(&self) -> usize {
        lock(&self.counts).len()
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut counts = lock(&self.counts);
        for key in self.keys.iter().flatten() {
            if let Some(count) = counts.get_mut(key) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(key);
                }
            }
        }
    }
}

fn lock(counts: &Mutex<HashMap<Key, usize>>) -> std::sync::MutexGuard<'_, HashMap<Key, usize>> {
    // Every update is one insertion or removal: a panic elsewhere cannot
    // leave the map half-changed.
    counts
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_its_cap_is_refused_and_entries_leave_with_their_requests() {
        let caps = InFlightCaps::new(InFlightConfig {
            per_connection: 2,
            per_client: 3,
        });
        let kiosk = ClientId::Key(Arc::from("kiosk-hall-1"));
        let first: ConnectionKey = ("grpc", "192.0.2.1:4000".parse().unwrap());
        let second: ConnectionKey = ("grpc", "192.0.2.1:4001".parse().unwrap());
        let a = caps.enter(Some(first), &kiosk).unwrap();
        let b = caps.enter(Some(first), &kiosk).unwrap();
        assert_eq!(
            caps.enter(Some(first), &kiosk).err(),
            Some(CapScope::Connection)
        );
        let c = caps.enter(Some(second), &kiosk).unwrap();
        assert_eq!(
            caps.enter(Some(second), &kiosk).err(),
            Some(CapScope::Client)
        );
        let other = ClientId::Ip("192.0.2.9".parse().unwrap());
        assert!(caps.enter(None, &other).is_ok(), "another client has room");
        drop(a);
        assert!(caps.enter(Some(first), &kiosk).is_ok(), "a place came back");
        drop((b, c));
        assert_eq!(caps.tracked(), 0, "nothing is kept for idle callers");
    }
}
