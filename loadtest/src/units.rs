//! Durations and shares as people write them on a command line
//! (`30s`, `2.5ms`, `1us`, `0.1%`), and latencies as reports print them.

use std::time::Duration;

pub use voter_core::units::{parse_duration, parse_share, percent as format_percent};

/// A latency in milliseconds as a report prints it: three significant
/// digits or so, `0.412ms`, `12.3ms`, `1520ms`.
pub fn format_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.3}ms")
    } else if ms < 10.0 {
        format!("{ms:.2}ms")
    } else if ms < 100.0 {
        format!("{ms:.1}ms")
    } else {
        format!("{ms:.0}ms")
    }
}

/// A duration as a report prints it, in the unit that reads best.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        let text = format!("{seconds:.3}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text}s")
    } else if seconds >= 1e-3 {
        format_ms(seconds * 1e3)
    } else {
        format!("{:.0}us", seconds * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_readably() {
        assert_eq!(format_ms(0.4123), "0.412ms");
        assert_eq!(format_ms(12.34), "12.3ms");
        assert_eq!(format_ms(1520.4), "1520ms");
        assert_eq!(format_duration(Duration::from_millis(50)), "50.0ms");
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_micros(1)), "1us");
        assert_eq!(format_percent(0.001), "0.10%");
        assert_eq!(format_percent(0.0), "0%");
    }
}
