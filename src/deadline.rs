//! Client deadlines: gRPC's `grpc-timeout` header and the HTTP door's
//! `X-Request-Timeout` (milliseconds), read into an instant by which the
//! answer is no use any more. Work whose deadline has passed is not started.
//! Read once per request, into its [`crate::context::RequestContext`].

use std::time::{Duration, Instant};

use hyper::HeaderMap;

/// HTTP header carrying a request's timeout in milliseconds.
pub const HTTP_TIMEOUT_HEADER: &str = "x-request-timeout";
/// gRPC's own timeout header.
pub const GRPC_TIMEOUT_HEADER: &str = "grpc-timeout";

/// The instant by which the client stops waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(pub Instant);

impl Deadline {
    /// The deadline of a request that arrived at `arrival` with `headers`,
    /// if it set one (either header).
    pub fn from_headers(headers: &HeaderMap, arrival: Instant) -> Option<Deadline> {
        let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
        Deadline::from_values(
            text(GRPC_TIMEOUT_HEADER),
            text(HTTP_TIMEOUT_HEADER),
            arrival,
        )
    }

    /// The same from the two headers' values (`grpc-timeout` first), for
    /// callers that hold them in another map (tonic's metadata).
    pub fn from_values(
        grpc_timeout: Option<&str>,
        http_timeout_ms: Option<&str>,
        arrival: Instant,
    ) -> Option<Deadline> {
        let timeout = grpc_timeout.and_then(parse_grpc_timeout).or_else(|| {
            http_timeout_ms
                .and_then(|ms| ms.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        })?;
        Some(Deadline(arrival + timeout))
    }

    /// True once the deadline has passed.
    pub fn passed(&self) -> bool {
        Instant::now() >= self.0
    }

    /// Time left, zero once passed.
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

/// Reads `grpc-timeout`: up to eight digits and a unit (`H`, `M`, `S`, `m`
/// milliseconds, `u` microseconds, `n` nanoseconds).
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.len() < 2 || value.len() > 9 {
        return None;
    }
    // The unit is one ASCII letter: a value ending in anything wider is
    // refused rather than cut inside a character.
    let (digits, unit) = value.split_at_checked(value.len() - 1)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.checked_mul(3600)?),
        "M" => Duration::from_secs(amount.checked_mul(60)?),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_read_every_unit() {
        assert_eq!(parse_grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("5M"), Some(Duration::from_secs(300)));
        assert_eq!(parse_grpc_timeout("250u"), Some(Duration::from_micros(250)));
        assert_eq!(parse_grpc_timeout("7n"), Some(Duration::from_nanos(7)));
        assert_eq!(parse_grpc_timeout("100x"), None);
        assert_eq!(parse_grpc_timeout("m"), None);
        assert_eq!(
            parse_grpc_timeout("123456789m"),
            None,
            "more than eight digits"
        );
    }

    #[test]
    fn grpc_timeouts_that_are_not_ascii_or_signed_are_refused() {
        // Found by fuzzing (fuzz/fuzz_targets/http_headers.rs): a value
        // ending in a character wider than a byte was cut inside it.
        assert_eq!(parse_grpc_timeout("1В"), None);
        assert_eq!(parse_grpc_timeout("1é"), None);
        assert_eq!(parse_grpc_timeout("+5S"), None);
        assert_eq!(parse_grpc_timeout("-5S"), None);
    }

    #[test]
    fn either_header_sets_the_deadline() {
        let arrival = Instant::now();
        let mut headers = HeaderMap::new();
        assert_eq!(Deadline::from_headers(&headers, arrival), None);
        headers.insert(HTTP_TIMEOUT_HEADER, "250".parse().unwrap());
        assert_eq!(
            Deadline::from_headers(&headers, arrival),
            Some(Deadline(arrival + Duration::from_millis(250)))
        );
        headers.insert(GRPC_TIMEOUT_HEADER, "1m".parse().unwrap());
        assert_eq!(
            Deadline::from_headers(&headers, arrival),
            Some(Deadline(arrival + Duration::from_millis(1)))
        );
        assert!(Deadline(arrival).passed());
    }
}
