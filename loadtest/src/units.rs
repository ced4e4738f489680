//! Durations and shares as people write them on a command line
//! (`30s`, `2.5ms`, `1us`, `0.1%`), and latencies as reports print them.

use std::time::Duration;

/// Reads a duration: a number (decimals allowed) and a unit, `us` (or
/// `µs`), `ms`, `s`, `m` or `h`: `30s`, `2m`, `1.5s`, `250us`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3_600.0,
        "" => {
            return Err(format!(
                "duration `{text}` needs a unit: us, ms, s, m or h (e.g. `30s`)"
            ));
        }
        other => {
            return Err(format!(
                "duration `{text}` has an unknown unit `{other}` (use us, ms, s, m or h)"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("duration `{text}` does not start with a number"))?;
    let seconds = value * seconds_per_unit;
    if !seconds.is_finite() || seconds > 1e9 {
        return Err(format!("duration `{text}` is out of range"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Reads a share: `0.1%` or `0.001`; between 0 and 1.
pub fn parse_share(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = match text.strip_suffix('%') {
        Some(number) => (number, 0.01),
        None => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&(value * scale)) => Ok(value * scale),
        _ => Err(format!(
            "share `{text}` is not between 0 and 1 (or 0% and 100%)"
        )),
    }
}

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

/// A share as a percentage: `0.1%`, `12.5%`.
pub fn format_percent(share: f64) -> String {
    let percent = share * 100.0;
    if percent == 0.0 {
        "0%".to_string()
    } else if percent < 0.1 {
        format!("{percent:.3}%")
    } else if percent < 10.0 {
        format!("{percent:.2}%")
    } else {
        format!("{percent:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_decimals_and_units() {
        let check = |text: &str, micros: u64| {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_micros(micros)),
                "{text}"
            );
        };
        check("30s", 30_000_000);
        check("2m", 120_000_000);
        check("1.5s", 1_500_000);
        check("50ms", 50_000);
        check("2.5ms", 2_500);
        check("1us", 1);
        check("1µs", 1);
        check("1h", 3_600_000_000);
        assert!(parse_duration("30").unwrap_err().contains("needs a unit"));
        assert!(
            parse_duration("30 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_duration("ms").unwrap_err().contains("number"));
    }

    #[test]
    fn shares_are_fractions_or_percentages() {
        assert_eq!(parse_share("0.1%"), Ok(0.001));
        assert_eq!(parse_share("0.25"), Ok(0.25));
        assert_eq!(parse_share("100%"), Ok(1.0));
        assert!(parse_share("150%").is_err());
        assert!(parse_share("-1").is_err());
        assert!(parse_share("lots").is_err());
    }

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
