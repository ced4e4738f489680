//! Reader of the optional polling-stations file, the project's own format.
//!
//! The roll names each station but gives no street address, which a kiosk
//! must show. This small CSV supplies it: a header `code;libelle;adresse`
//! (matched by name, ignoring case and accents, so `Libellé` is fine; more
//! columns, such as opening hours, are allowed and ignored), and, for a roll
//! of several communes, a `commune` column with each station's INSEE commune
//! code (station codes restart at `0001` in every commune) and optionally
//! `nom commune`; `;`-separated
//! (`,` when the header has no `;`), fields quoted or not, UTF-8 with or
//! without a BOM. The file is small and written by hand, so any bad line stops
//! the read with `FILE:LINE: reason`. Codes are kept as written: comparing them
//! with the roll's (and reporting those it lacks) is the builder's job.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::reu::input::{self, FieldSplitter, LineReader, SplitError};

/// One polling station as the stations file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationInfo {
    /// INSEE code of the station's commune, when the file has that column
    /// and the line fills it.
    pub commune: Option<String>,
    /// The commune's name, when the file gives it.
    pub commune_name: Option<String>,
    /// Station code, as written (the roll uses 4 digits, e.g. `0001`).
    pub code: String,
    /// Station label; empty when the file leaves it blank.
    pub label: String,
    /// Street address, `None` when blank.
    pub address: Option<String>,
    /// The line of the file that describes it.
    pub line: u64,
}

/// Errors of the stations reader; each names the file, and the line when one
/// is at fault.
#[derive(Debug, thiserror::Error)]
pub enum StationsError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file name as given.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The file has no header line.
    #[error("{path}: empty file, no header line (expected `code;libelle;adresse`)")]
    Empty {
        /// The file name as given.
        path: String,
    },
    /// The header lacks a required column.
    #[error("{path}:{line}: missing column(s) {}; the header must name `code`, `libelle` and `adresse`", .missing.join(", "))]
    MissingColumns {
        /// The file name as given.
        path: String,
        /// The header's line.
        line: u64,
        /// The missing columns.
        missing: Vec<&'static str>,
    },
    /// A line cannot be read.
    #[error("{path}:{line}: {reason}")]
    BadLine {
        /// The file name as given.
        path: String,
        /// 1-based physical line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// The file's columns: the name used in messages and the accepted spellings
/// (compared folded, spaces removed).
const COLUMNS: [(&str, &[&str]); 3] = [
    ("code", &["code", "code bureau", "code du bureau de vote"]),
    (
        "libelle",
        &["libelle", "libellé du bureau de vote", "libelle bureau"],
    ),
    ("adresse", &["adresse", "adresse du bureau de vote"]),
];

/// Optional columns, in the same form.
const OPTIONAL_COLUMNS: [(&str, &[&str]); 2] = [
    (
        "commune",
        &[
            "commune",
            "code commune",
            "code insee",
            "code du l'ugle",
            "code de l'ugle",
            "code ugle",
        ],
    ),
    (
        "nom commune",
        &[
            "nom commune",
            "nom de la commune",
            "libelle commune",
            "libellé de l'ugle",
        ],
    ),
];

/// Reads the stations file at `path`.
pub fn read_stations(path: &Path) -> Result<Vec<StationInfo>, StationsError> {
    let source_name = path.display().to_string();
    let file = File::open(path).map_err(|source| StationsError::Io {
        path: source_name.clone(),
        source,
    })?;
    read_stations_from(&source_name, file)
}

/// Reads a stations file from `reader`; `source_name` names it in errors.
/// Blank lines are skipped; a code given twice is an error.
pub fn read_stations_from<R: Read>(
    source_name: &str,
    reader: R,
) -> Result<Vec<StationInfo>, StationsError> {
    let io_error = |source| StationsError::Io {
        path: source_name.to_string(),
        source,
    };
    let bad_line = |line: u64, reason: String| StationsError::BadLine {
        path: source_name.to_string(),
        line,
        reason,
    };
    let sniffed = input::sniff_input(reader).map_err(io_error)?;
    let mut lines = LineReader::new(input::Decoded::utf8(sniffed));

    let header = loop {
        match lines.next_line().map_err(io_error)? {
            None => {
                return Err(StationsError::Empty {
                    path: source_name.to_string(),
                });
            }
            Some(_) if is_blank(lines.line()) => continue,
            Some(info) => break info,
        }
    };
    let mut splitter = FieldSplitter::new(input::detect_delimiter(lines.line()));
    let header_keys: Vec<String> = match splitter.split(lines.line()) {
        Ok(fields) => fields.iter().map(crate::reu::header_key).collect(),
        Err(problem) => return Err(bad_line(header.number, split_reason(problem))),
    };
    let position_of = |spellings: &[&str]| {
        let keys: Vec<String> = spellings
            .iter()
            .map(|s| crate::reu::header_key(s))
            .collect();
        header_keys.iter().position(|key| keys.contains(key))
    };
    let positions = COLUMNS.map(|(_, spellings)| position_of(spellings));
    let [commune_at, commune_name_at] =
        OPTIONAL_COLUMNS.map(|(_, spellings)| position_of(spellings));
    let missing: Vec<&'static str> = positions
        .iter()
        .zip(COLUMNS)
        .filter(|(position, _)| position.is_none())
        .map(|(_, (name, _))| name)
        .collect();
    let [Some(code_at), Some(label_at), Some(address_at)] = positions else {
        return Err(StationsError::MissingColumns {
            path: source_name.to_string(),
            line: header.number,
            missing,
        });
    };

    let mut stations: Vec<StationInfo> = Vec::new();
    while let Some(info) = lines.next_line().map_err(io_error)? {
        if is_blank(lines.line()) {
            continue;
        }
        if info.too_long {
            return Err(bad_line(info.number, "line too long".into()));
        }
        let fields = splitter
            .split(lines.line())
            .map_err(|problem| bad_line(info.number, split_reason(problem)))?;
        // Trailing empty fields (a separator at the end of the line) are fine.
        let expected = header_keys.len();
        let found = fields.len();
        if found < expected || (expected..found).any(|i| !fields.get(i).trim().is_empty()) {
            return Err(bad_line(
                info.number,
                format!("expected {expected} fields, found {found}"),
            ));
        }
        let code = fields.get(code_at).trim();
        if code.is_empty() {
            return Err(bad_line(info.number, "empty station code".into()));
        }
        let optional = |at: Option<usize>| {
            at.map(|at| fields.get(at).trim())
                .filter(|text| !text.is_empty())
                .map(str::to_string)
        };
        let commune = optional(commune_at).map(|commune| commune.to_ascii_uppercase());
        if let Some(commune) = &commune
            && !crate::commune::is_commune_code(commune)
        {
            return Err(bad_line(
                info.number,
                format!(
                    "`{commune}` is not an INSEE commune code (5 characters, e.g. `92049`, `2A004`)"
                ),
            ));
        }
        if let Some(first) = stations
            .iter()
            .find(|s| s.code == code && s.commune == commune)
        {
            return Err(bad_line(
                info.number,
                format!(
                    "station `{}` is already described on line {}",
                    crate::commune::StationKey::new(commune.as_deref(), code),
                    first.line
                ),
            ));
        }
        let address = fields.get(address_at).trim();
        stations.push(StationInfo {
            commune,
            commune_name: optional(commune_name_at),
            code: code.to_string(),
            label: fields.get(label_at).trim().to_string(),
            address: (!address.is_empty()).then(|| address.to_string()),
            line: info.number,
        });
    }
    Ok(stations)
}

fn split_reason(problem: SplitError) -> String {
    match problem {
        SplitError::UnterminatedQuote => "unterminated quoted field".into(),
        SplitError::InvalidUtf8 { field } => format!(
            "invalid UTF-8 in field {field}; save the file as UTF-8 (it looks like Windows-1252/Latin-1)"
        ),
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Result<Vec<StationInfo>, StationsError> {
        read_stations_from("stations.csv", text)
    }

    fn station(line: u64, code: &str, label: &str, address: Option<&str>) -> StationInfo {
        StationInfo {
            commune: None,
            commune_name: None,
            code: code.into(),
            label: label.into(),
            address: address.map(Into::into),
            line,
        }
    }

    fn check_error(text: &str, expected: &str) {
        let error = read(text.as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), expected, "{text:?}");
    }

    #[test]
    fn quoted_and_unquoted_fields_are_read() {
        let text = "code;libelle;adresse\n\
                    \"0001\";\"ECOLE JULES FERRY\";\"12 rue des Lilas, 92120 Montrouge\"\n\
                    0002;MAIRIE;1 place Émile Cresp\n\
                    0003;GYMNASE;\n";
        assert_eq!(
            read(text.as_bytes()).unwrap(),
            [
                station(
                    2,
                    "0001",
                    "ECOLE JULES FERRY",
                    Some("12 rue des Lilas, 92120 Montrouge")
                ),
                station(3, "0002", "MAIRIE", Some("1 place Émile Cresp")),
                station(4, "0003", "GYMNASE", None),
            ]
        );
    }

    #[test]
    fn headers_match_by_name_in_any_order_with_extra_columns() {
        let text = "\u{FEFF}Adresse ; Horaires ; Libellé ; CODE\r\n\
                    \"3 rue Haute\";8h-20h;\"SALLE DES FÊTES\";0004\r\n\
                    \r\n";
        assert_eq!(
            read(text.as_bytes()).unwrap(),
            [station(2, "0004", "SALLE DES FÊTES", Some("3 rue Haute"))]
        );
    }

    #[test]
    fn a_comma_separated_file_is_read() {
        let text = "code,libelle,adresse\n0001,\"ECOLE\",\"2 rue Basse, Montrouge\"\n";
        assert_eq!(
            read(text.as_bytes()).unwrap(),
            [station(2, "0001", "ECOLE", Some("2 rue Basse, Montrouge"))]
        );
    }

    #[test]
    fn stations_of_several_communes_are_told_apart_by_their_commune() {
        let text = "commune;nom commune;code;libelle;adresse\n\
                    59350;LILLE;0001;MAIRIE DE LILLE;place Augustin Laurent\n\
                    59009;VILLENEUVE-D'ASCQ;0001;HOTEL DE VILLE;\n\
                    2a004;;0001;ECOLE;\n";
        let stations = read(text.as_bytes()).unwrap();
        let keys: Vec<(Option<&str>, Option<&str>, &str)> = stations
            .iter()
            .map(|s| {
                (
                    s.commune.as_deref(),
                    s.commune_name.as_deref(),
                    s.code.as_str(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                (Some("59350"), Some("LILLE"), "0001"),
                (Some("59009"), Some("VILLENEUVE-D'ASCQ"), "0001"),
                (Some("2A004"), None, "0001"),
            ]
        );
        check_error(
            "commune;code;libelle;adresse\n59350;0001;A;x\n59350;0001;B;y\n",
            "stations.csv:3: station `59350/0001` is already described on line 2",
        );
        check_error(
            "commune;code;libelle;adresse\nLILLE;0001;A;x\n",
            "stations.csv:2: `LILLE` is not an INSEE commune code (5 characters, e.g. `92049`, `2A004`)",
        );
    }

    #[test]
    fn problems_name_file_and_line() {
        check_error(
            "",
            "stations.csv: empty file, no header line (expected `code;libelle;adresse`)",
        );
        check_error(
            "code;nom\n",
            "stations.csv:1: missing column(s) libelle, adresse; the header must name `code`, `libelle` and `adresse`",
        );
        check_error(
            "code;libelle;adresse\n0001;A;x\n0002;B\n",
            "stations.csv:3: expected 3 fields, found 2",
        );
        check_error(
            "code;libelle;adresse\n0001;\"A;x\n",
            "stations.csv:2: unterminated quoted field",
        );
        check_error(
            "code;libelle;adresse\n;A;x\n",
            "stations.csv:2: empty station code",
        );
        check_error(
            "code;libelle;adresse\n0001;A;x\n\n0001;B;y\n",
            "stations.csv:4: station `0001` is already described on line 2",
        );
        let error = read(b"code;libelle;adresse\n0001;MAIRIE;place de l'\xC9glise\n").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("stations.csv:2: invalid UTF-8 in field 3"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let error = read_stations(Path::new("/nonexistent/stations.csv")).unwrap_err();
        assert!(
            error.to_string().starts_with("/nonexistent/stations.csv: "),
            "{error}"
        );
    }
}
