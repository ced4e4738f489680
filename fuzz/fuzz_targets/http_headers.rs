//! Request headers as a hostile client, or a client behind a trusted
//! proxy, sends them: the request context both doors make from them
//! (client address through `Forwarded` / `X-Forwarded-For`, deadlines from
//! `grpc-timeout` / `X-Request-Timeout`, request id), and `--trusted-proxy`
//! blocks as an operator writes them. Input: lines `name: value`; the
//! first line is also read as a CIDR block.
#![no_main]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use voter_lookup::client_ip::{Cidr, TrustedProxies, client_key};
use voter_lookup::context::{RequestContext, request_id};
use voter_lookup::deadline::{Deadline, parse_grpc_timeout};
use voter_lookup::metrics::Door;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("");
    if let Ok(block) = first.trim().parse::<Cidr>() {
        let _ = block.contains(IpAddr::from([192, 0, 2, 1]));
        let _ = block.to_string();
    }
    let _ = parse_grpc_timeout(first);
    let _ = request_id(Some(first));

    let mut headers = HeaderMap::new();
    for line in text.split('\n') {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        // What hyper would refuse never reaches the door.
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_bytes(value.trim().as_bytes()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    let trusted = TrustedProxies::new(vec![
        "10.0.0.0/8".parse().expect("a block"),
        "2001:db8::/32".parse().expect("a block"),
    ]);
    for peer in ["10.1.2.3:4000", "[2001:db8::7]:443", "192.0.2.9:80"] {
        let peer: SocketAddr = peer.parse().expect("an address");
        let address = trusted
            .client_address(Some(peer), &headers)
            .expect("a peer gives an address");
        if peer.ip() == IpAddr::from([192, 0, 2, 9]) {
            // An untrusted peer's headers are not read.
            assert_eq!(address, peer.ip());
        }
        let _ = client_key(address);
    }
    let arrival = Instant::now();
    if let Some(deadline) = Deadline::from_headers(&headers, arrival) {
        assert!(deadline.0 >= arrival);
        assert!(deadline.remaining() <= deadline.0 - arrival + Duration::from_millis(1));
    }
    let peer = "10.1.2.3:4000".parse().expect("an address");
    let context = RequestContext::at_door(Door::Http, &headers, Some(peer), None);
    assert!(!context.request_id.is_empty() && context.request_id.len() <= 128);
});
