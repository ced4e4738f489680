//! Who a request's client is when it came through reverse proxies.
//!
//! The TCP peer is the only address that cannot be forged. When that peer
//! is a proxy the operator trusts (`--trusted-proxy CIDR`), the address it
//! reports is read from `Forwarded` (RFC 7239), else `X-Forwarded-For`:
//! the right-most hop that is not itself a trusted proxy. Anything a
//! client wrote further left is its own claim and is not believed. With no
//! trusted proxy, or a peer outside them, the headers are ignored.
//!
//! IPv6 clients are then keyed by their /64: one host usually gets a whole
//! /64 and could otherwise take a fresh address per request.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use http::HeaderMap;

/// A block of addresses, as ADDRESS/PREFIX (or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `address` is in the block. An IPv4-mapped IPv6 address
    /// counts as its IPv4 address.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                mask(u32::from(address).into(), 32, self.prefix)
                    == mask(u32::from(network).into(), 32, self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                mask(u128::from(address), 128, self.prefix)
                    == mask(u128::from(network), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The `prefix` leading bits of a `width`-bit number.
fn mask(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

/// Why a block did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError(String);

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an address or ADDRESS/PREFIX", self.0)
    }
}

impl std::error::Error for CidrError {}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        let text = text.trim();
        let error = || CidrError(text.to_string());
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| error())?);
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(prefix) if prefix.bytes().all(|b| b.is_ascii_digit()) => {
                prefix.parse::<u8>().map_err(|_| error())?
            }
            Some(_) => return Err(error()),
        };
        if prefix > width {
            return Err(error());
        }
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// An IPv4-mapped IPv6 address as IPv4; any other as it is.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose word on the client's address is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Trust the proxies in `blocks`.
    pub fn new(blocks: Vec<Cidr>) -> TrustedProxies {
        TrustedProxies(blocks)
    }

    /// Whether none is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(address))
    }

    /// The client's address: the peer's, unless the peer is a trusted
    /// proxy and the headers name someone before it.
    pub fn client_address(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = canonical(peer?.ip());
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded = headers.get_all("forwarded");
        if forwarded.iter().next().is_some() {
            // Forwarded wins when present; a broken one is not replaced by
            // X-Forwarded-For, which the same client may also have written.
            return Some(
                self.client_in_forwarded(forwarded.iter().filter_map(|v| v.to_str().ok()))
                    .unwrap_or(peer),
            );
        }
        let values = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        Some(self.client_in_forwarded_for(values).unwrap_or(peer))
    }

    /// The `for=` of the right-most `Forwarded` element not from a trusted
    /// proxy; `None` when it is unknown, obfuscated or malformed.
    fn client_in_forwarded<'a>(
        &self,
        values: impl DoubleEndedIterator<Item = &'a str>,
    ) -> Option<IpAddr> {
        let elements: Vec<&str> = values.flat_map(|value| value.split(',')).collect();
        for element in elements.into_iter().rev() {
            let node = element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .map(|(_, value)| value.trim());
            let address = node.and_then(forwarded_node)?;
            if !self.trusts(address) {
                return Some(address);
            }
        }
        None
    }

    /// The right-most `X-Forwarded-For` address not from a trusted proxy;
    /// `None` when it does not parse.
    fn client_in_forwarded_for<'a>(&self, values: impl Iterator<Item = &'a str>) -> Option<IpAddr> {
        let hops: Vec<&str> = values.flat_map(|value| value.split(',')).collect();
        for hop in hops.into_iter().rev() {
            let address = plain_address(hop.trim())?;
            if !self.trusts(address) {
                return Some(address);
            }
        }
        None
    }
}

/// A `for=` node (RFC 7239 section 6): `192.0.2.1`, `192.0.2.1:80`,
/// `"[2001:db8::1]:4711"`. `unknown` and obfuscated names give `None`.
fn forwarded_node(value: &str) -> Option<IpAddr> {
    let value = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => value,
    };
    if let Some(rest) = value.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.starts_with(':')) {
            return None;
        }
        return address
            .parse::<Ipv6Addr>()
            .ok()
            .map(|v6| canonical(v6.into()));
    }
    let host = match value.split_once(':') {
        Some((host, _port)) => host,
        None => value,
    };
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// An `X-Forwarded-For` hop: an address, possibly with a port or brackets.
fn plain_address(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(canonical(address));
    }
    if let Ok(socket) = hop.parse::<SocketAddr>() {
        return Some(canonical(socket.ip()));
    }
    None
}

/// The address a client is keyed by for rate limits and caps: an IPv4
/// address as it is, an IPv6 address as its /64.
pub fn client_key(address: IpAddr) -> IpAddr {
    match canonical(address) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(blocks.iter().map(|b| b.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    const PEER: &str = "127.0.0.1:40000";

    fn resolve(trusted: &[&str], pairs: &[(&str, &str)]) -> IpAddr {
        proxies(trusted)
            .client_address(Some(PEER.parse().unwrap()), &headers(pairs))
            .unwrap()
    }

    #[test]
    fn blocks_parse_and_contain() {
        let block: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")), "mapped IPv4 counts");
        let single: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(single.to_string(), "192.0.2.7/32");
        assert!(single.contains(ip("192.0.2.7")) && !single.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.1.0.1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "x/8",
            "10.0.0.0/8/8",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_writes() {
        let sent = [
            ("x-forwarded-for", "203.0.113.5"),
            ("forwarded", "for=203.0.113.6"),
        ];
        assert_eq!(resolve(&[], &sent), ip("127.0.0.1"));
        assert_eq!(resolve(&["10.0.0.0/8"], &sent), ip("127.0.0.1"));
        assert_eq!(
            proxies(&["127.0.0.1"]).client_address(None, &headers(&sent)),
            None,
            "no peer, no address"
        );
    }

    #[test]
    fn a_trusted_peer_is_believed_forwarded_first() {
        let trusted = ["127.0.0.1/32"];
        assert_eq!(
            resolve(&trusted, &[("x-forwarded-for", "203.0.113.5")]),
            ip("203.0.113.5")
        );
        assert_eq!(
            resolve(
                &trusted,
                &[
                    ("x-forwarded-for", "203.0.113.5"),
                    ("forwarded", "for=198.51.100.9;proto=https")
                ]
            ),
            ip("198.51.100.9"),
            "Forwarded takes precedence"
        );
        assert_eq!(
            resolve(&trusted, &[("Forwarded", "For=\"[2001:db8::1]:4711\"")]),
            ip("2001:db8::1")
        );
        assert_eq!(
            resolve(&trusted, &[("forwarded", "for=192.0.2.60:8080")]),
            ip("192.0.2.60")
        );
        // Unquoted brackets break RFC 7239's grammar but are unambiguous.
        assert_eq!(
            resolve(&trusted, &[("forwarded", "for=[2001:db8::2]")]),
            ip("2001:db8::2")
        );
        assert_eq!(
            resolve(&trusted, &[]),
            ip("127.0.0.1"),
            "no header: the peer"
        );
    }

    #[test]
    fn chains_stop_at_the_first_untrusted_hop_from_the_right() {
        let trusted = ["127.0.0.1", "10.0.0.0/8"];
        // The client forged the left-most entry; two trusted proxies follow.
        assert_eq!(
            resolve(
                &trusted,
                &[("x-forwarded-for", "6.6.6.6, 203.0.113.5, 10.0.0.2")]
            ),
            ip("203.0.113.5")
        );
        assert_eq!(
            resolve(
                &trusted,
                &[
                    ("x-forwarded-for", "6.6.6.6"),
                    ("x-forwarded-for", "203.0.113.5, 10.1.1.1")
                ]
            ),
            ip("203.0.113.5"),
            "repeated headers are one list"
        );
        assert_eq!(
            resolve(
                &trusted,
                &[(
                    "forwarded",
                    "for=6.6.6.6, for=203.0.113.5;by=10.0.0.2, for=10.0.0.2"
                )]
            ),
            ip("203.0.113.5")
        );
        // Every hop trusted: the left-most is all we have... but it is a
        // proxy, so the peer stands.
        assert_eq!(
            resolve(&trusted, &[("x-forwarded-for", "10.0.0.3, 10.0.0.2")]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn unknown_obfuscated_or_malformed_headers_fall_back_to_the_peer() {
        let trusted = ["127.0.0.1"];
        for forwarded in [
            "for=unknown",
            "for=_hidden",
            "for=\"[2001:db8::1\"",
            "for=\"[2001:db8::1]x\"",
            "proto=https",
            "for=",
            "for=203.0.113.5, for=unknown",
            ";;,,",
        ] {
            assert_eq!(
                resolve(
                    &trusted,
                    &[
                        ("forwarded", forwarded),
                        ("x-forwarded-for", "198.51.100.1")
                    ]
                ),
                ip("127.0.0.1"),
                "{forwarded}"
            );
        }
        for forwarded_for in ["nonsense", "", "203.0.113.5, garbage", "300.1.1.1", " , "] {
            assert_eq!(
                resolve(&trusted, &[("x-forwarded-for", forwarded_for)]),
                ip("127.0.0.1"),
                "{forwarded_for}"
            );
        }
        // Values that are not text at all are skipped, not a panic.
        let mut map = HeaderMap::new();
        map.insert(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        assert_eq!(
            proxies(&trusted).client_address(Some(PEER.parse().unwrap()), &map),
            Some(ip("127.0.0.1"))
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_slash_64() {
        let a = client_key(ip("2001:db8:1:2:aaaa::1"));
        let b = client_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        let c = client_key(ip("2001:db8:1:3::1"));
        assert_eq!(a, b, "one /64, one client");
        assert_ne!(a, c);
        assert_eq!(a, ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_ne!(client_key(ip("192.0.2.7")), client_key(ip("192.0.2.8")));
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }
}
