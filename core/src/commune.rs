//! Communes and départements as INSEE codes them: which département a
//! commune belongs to, what a département code may be, and the key of a
//! polling station, which is its commune and its code together (every
//! commune numbers its stations from `0001`).
//!
//! A commune code has five characters: the département's two (`01` to `95`,
//! `2A` and `2B` for Corsica) and three digits, or, overseas, the
//! département's three (`971` to `976`, and the `97x`/`98x` collectivities)
//! and two digits.

use std::fmt;

/// Whether `code` has the shape of an INSEE commune code (`92049`,
/// `2A004`, `97411`).
pub fn is_commune_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 5
        && (bytes[..2].iter().all(u8::is_ascii_digit) || matches!(&bytes[..2], b"2A" | b"2B"))
        && bytes[2..].iter().all(u8::is_ascii_digit)
}

/// The département of a commune code (`92`, `2A`, `974`); `None` when
/// `code` is not a commune code.
pub fn departement_of(code: &str) -> Option<&str> {
    if !is_commune_code(code) {
        return None;
    }
    let len = if code.starts_with("97") || code.starts_with("98") {
        3
    } else {
        2
    };
    Some(&code[..len])
}

/// Why a département code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a département code: two digits (`01` to `95`, `99` for the consular lists abroad), `2A` or `2B` (Corsica), or three for overseas (`971` to `989`)"
)]
pub struct BadDepartement(pub String);

/// Reads a département code as an operator or a client types it: case and
/// surrounding spaces ignored, a single digit padded (`1` is `01`). The
/// result is the form [`departement_of`] gives.
pub fn parse_departement(text: &str) -> Result<String, BadDepartement> {
    let trimmed = text.trim().to_ascii_uppercase();
    let bad = || BadDepartement(text.trim().to_string());
    let code = match trimmed.as_bytes() {
        [digit] if digit.is_ascii_digit() && *digit != b'0' => format!("0{trimmed}"),
        [b'2', b'A' | b'B'] => trimmed,
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            let number = (a - b'0') * 10 + (b - b'0');
            // 99: the consular lists of French people living abroad.
            if number == 0 || number == 20 || (number > 95 && number != 99) {
                return Err(bad());
            }
            trimmed
        }
        [b'9', b'7' | b'8', c] if c.is_ascii_digit() => trimmed,
        _ => return Err(bad()),
    };
    Ok(code)
}

/// A polling station's identity: its commune and its code. A roll that
/// names no commune keys its stations by code alone (`commune` empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StationKey {
    /// INSEE code of the commune, empty when the roll names none.
    pub commune: String,
    /// The station's code within it.
    pub code: String,
}

impl StationKey {
    /// The key of station `code` of `commune`.
    pub fn new(commune: Option<&str>, code: &str) -> StationKey {
        StationKey {
            commune: commune.unwrap_or("").to_string(),
            code: code.to_string(),
        }
    }
}

impl fmt::Display for StationKey {
    /// `92049/0001`, or `0001` without a commune: how messages name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.commune.is_empty() {
            f.write_str(&self.code)
        } else {
            write!(f, "{}/{}", self.commune, self.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departements_of_commune_codes() {
        assert_eq!(departement_of("92049"), Some("92"));
        assert_eq!(departement_of("2A004"), Some("2A"));
        assert_eq!(departement_of("97411"), Some("974"));
        assert_eq!(departement_of("98818"), Some("988"));
        assert_eq!(departement_of("9204"), None);
        assert_eq!(departement_of("2C004"), None);
        assert_eq!(departement_of("92 49"), None);
    }

    #[test]
    fn departement_codes_as_typed() {
        for (typed, code) in [
            ("59", "59"),
            (" 2a ", "2A"),
            ("1", "01"),
            ("9", "09"),
            ("974", "974"),
            ("95", "95"),
            ("99", "99"),
        ] {
            assert_eq!(parse_departement(typed).as_deref(), Ok(code), "{typed}");
        }
        for typed in ["", "0", "00", "20", "96", "2C", "975x", "Nord", "5 9"] {
            let error = parse_departement(typed).unwrap_err();
            assert!(
                error.to_string().contains("not a département code"),
                "{typed}"
            );
        }
        assert_eq!(parse_departement(" 2c ").unwrap_err().0, "2c");
    }

    #[test]
    fn station_keys_name_their_commune() {
        assert_eq!(
            StationKey::new(Some("92049"), "0001").to_string(),
            "92049/0001"
        );
        assert_eq!(StationKey::new(None, "0001").to_string(), "0001");
        assert!(StationKey::new(Some("59009"), "0002") < StationKey::new(Some("59350"), "0001"));
    }
}
