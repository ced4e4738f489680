//! Durations and shares as operators write them on a command line or in a
//! setting (`30s`, `1.5s`, `250us`, `7d`, `1h30m`; `0.5%`, `0.005`): one
//! reader for the server's settings and reports and for `loadtest`.

use std::time::Duration;

/// Reads a duration: a number (decimals allowed) and a unit, `us` (or
/// `µs`), `ms`, `s`, `m` (or `min`), `h` or `d`, or humantime's compound
/// forms (`1h30m`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(duration) = humantime::parse_duration(text) {
        return Ok(duration);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() {
        return Err(format!(
            "duration `{text}` does not start with a number (such as 50ms, 10m or 7d)"
        ));
    }
    let seconds_per_unit = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        "" => {
            return Err(format!(
                "duration `{text}` needs a unit: us, ms, s, m, h or d (e.g. `30s`)"
            ));
        }
        other => {
            return Err(format!(
                "duration `{text}` has an unknown unit `{other}` (use us, ms, s, m, h or d, e.g. `50ms`)"
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

/// Reads a share: `0.5%` or `0.005`, from 0 to 1.
pub fn parse_share(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = match text.strip_suffix('%') {
        Some(number) => (number, 0.01),
        None => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&(value * scale)) => Ok(value * scale),
        _ => Err(format!(
            "share `{text}` is not from 0% to 100% (such as 0.5% or 0.005)"
        )),
    }
}

/// A share as a percentage, to about three significant digits: `0%`,
/// `0.012%`, `1.25%`, `12.5%`.
pub fn percent(share: f64) -> String {
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
    fn durations_take_decimals_units_and_compounds() {
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
        check("0s", 0);
        check("7d", 7 * 86_400_000_000);
        check("1h30m", 5_400_000_000);
        assert!(parse_duration("30").unwrap_err().contains("needs a unit"));
        assert!(
            parse_duration("30 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_duration("ms").unwrap_err().contains("number"));
        assert!(parse_duration("fast").unwrap_err().contains("such as 50ms"));
        assert!(parse_duration("1e300h").is_err());
    }

    #[test]
    fn shares_are_read_as_percentages_or_fractions() {
        assert_eq!(parse_share("0.1%"), Ok(0.001));
        assert_eq!(parse_share("0.5%"), Ok(0.005));
        assert_eq!(parse_share("0.25"), Ok(0.25));
        assert_eq!(parse_share("100%"), Ok(1.0));
        assert!(parse_share("150%").is_err());
        assert!(parse_share("-1%").is_err());
        assert!(parse_share("lots").unwrap_err().contains("from 0% to 100%"));
    }
}
