//! Durations, shares, sizes and counts as the report writes them, and as
//! its settings read them (`50ms`, `0.5%`, `7d`).

use std::time::Duration;

pub use voter_core::units::{parse_duration, parse_share, percent};

/// A share as a flag writes it: `0.5%`, `1%`, `20%`.
pub fn percent_flag(share: f64) -> String {
    let text = format!("{:.3}", share * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// A duration as a flag writes it: `7d`, `1h30m`, `10m`, `0s`.
pub fn duration_flag(duration: Duration) -> String {
    if duration.is_zero() {
        return "0s".to_string();
    }
    if duration.subsec_nanos() != 0 {
        return if duration.subsec_nanos().is_multiple_of(1_000_000) {
            format!("{}ms", duration.as_millis())
        } else {
            format!("{}us", duration.as_micros())
        };
    }
    let mut seconds = duration.as_secs();
    let mut text = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if seconds >= size {
            text.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    text
}

/// A latency in milliseconds: `0.412 ms`, `4.1 ms`, `23 ms`, `1520 ms`.
pub fn millis(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.3} ms")
    } else if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A span of time for people: `45 s`, `12 min`, `3 h 05 min`, `2 days 4 h`.
pub fn span(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3_600 {
        format!("{} min", seconds / 60)
    } else if seconds < 86_400 {
        format!("{} h {:02} min", seconds / 3_600, seconds % 3_600 / 60)
    } else {
        let days = seconds / 86_400;
        let hours = seconds % 86_400 / 3_600;
        let plural = if days == 1 { "" } else { "s" };
        format!("{days} day{plural} {hours} h")
    }
}

/// A size in bytes: `812 KiB`, `231 MiB`, `1.5 GiB`.
pub fn bytes(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = bytes as f64;
    if value < KIB * KIB {
        format!("{:.0} KiB", value / KIB)
    } else if value < KIB * KIB * KIB {
        format!("{:.0} MiB", value / (KIB * KIB))
    } else {
        format!("{:.1} GiB", value / (KIB * KIB * KIB))
    }
}

/// A count with thin separators: `12 345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `HH:MM` of an RFC 3339 time, as the server writes it (UTC).
pub fn clock(rfc3339: &str) -> String {
    rfc3339.get(11..16).unwrap_or(rfc3339).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.0125), "1.25%");
        assert_eq!(percent(0.5), "50.0%");
        assert_eq!(millis(0.4123), "0.412 ms");
        assert_eq!(millis(23.4), "23 ms");
        assert_eq!(span(Duration::from_secs(45)), "45 s");
        assert_eq!(span(Duration::from_secs(3 * 3_600 + 300)), "3 h 05 min");
        assert_eq!(
            span(Duration::from_secs(2 * 86_400 + 4 * 3_600)),
            "2 days 4 h"
        );
        assert_eq!(bytes(231 * 1024 * 1024), "231 MiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(percent_flag(0.005), "0.5%");
        assert_eq!(percent_flag(0.2), "20%");
        assert_eq!(percent_flag(0.0125), "1.25%");
        assert_eq!(duration_flag(Duration::from_secs(7 * 86_400)), "7d");
        assert_eq!(duration_flag(Duration::from_secs(5_400)), "1h30m");
        assert_eq!(duration_flag(Duration::ZERO), "0s");
        assert_eq!(duration_flag(Duration::from_millis(50)), "50ms");
        assert_eq!(duration_flag(Duration::from_millis(1_500)), "1500ms");
        assert_eq!(clock("2026-12-06T08:05:00Z"), "08:05");
    }
}
