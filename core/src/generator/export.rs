//! Writers for the REU export format and the project's stations file.
//!
//! The roll is written by hand because its quoting is not uniform: every
//! non-empty field is quoted except the last column (the order number), and
//! empty fields are nothing at all between separators, which no CSV library
//! produces. UTF-8 without BOM, LF, `;`, one header row.
//!
//! Broken rows (wrong field count, unterminated quote, invalid UTF-8) can only
//! exist in bytes, so they are made here, while writing, on request.

use super::random::fnv1a;
use super::stations::GeneratedStation;
use crate::model::{BirthDate, RollRow};
use std::io::{self, BufWriter, Write};

/// The 27 column headers of the REU export, in order.
pub const ROLL_HEADERS: [&str; 27] = [
    "code du l'ugle",
    "libellé de l'ugle",
    "libellé du type de liste",
    "nom de naissance",
    "nom d'usage",
    "prénoms",
    "sexe",
    "date de naissance",
    "code commune de naissance",
    "libellé commune de naissance",
    "code département de naissance",
    "pays de naissance",
    "libellé nationalité",
    "numéro de voie",
    "libellé de voie",
    "complément 1",
    "complément 2",
    "lieu-dit",
    "code postal",
    "commune",
    "pays",
    "code du bureau de vote",
    "libellé du bureau de vote",
    "code circonscription législative du bureau de vote",
    "libellé canton du bureau de vote",
    "libellé circonscription métropolitaine du bureau de vote",
    "numéro d'ordre dans le bureau de vote",
];

/// The header of the project's stations file.
pub const STATIONS_HEADER: &str = "commune;code;libelle;adresse";

/// How a row is broken on purpose, to test a reader's bad-row policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BrokenRowKind {
    /// The last field is missing: 26 fields.
    MissingField,
    /// One field too many: 28 fields.
    ExtraField,
    /// The closing quote of the line's last quoted field is missing, so the
    /// quote is still open at the end of the line.
    UnterminatedQuote,
    /// A byte that is not valid UTF-8 (`0xFF`) inside the birth name. Off by
    /// default: a reader may rightly take the whole file for Windows-1252.
    InvalidUtf8,
}

impl BrokenRowKind {
    /// The kinds used unless asked otherwise: the ones a reader can report
    /// line by line.
    pub const DEFAULT: [BrokenRowKind; 3] = [
        BrokenRowKind::MissingField,
        BrokenRowKind::ExtraField,
        BrokenRowKind::UnterminatedQuote,
    ];
}

/// Which rows to break while writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRows {
    /// How many rows to break.
    pub count: usize,
    /// Rows the roll is expected to have, to spread the broken ones evenly;
    /// if the roll turns out shorter, fewer rows are broken.
    pub expected_rows: u64,
    /// Kinds used in turn; [`BrokenRowKind::DEFAULT`] when empty.
    pub kinds: Vec<BrokenRowKind>,
}

/// One row broken on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BrokenLine {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// How it is broken.
    pub kind: BrokenRowKind,
}

/// What a roll writer wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollWriteReport {
    /// Data rows written, broken ones included (the header is not counted).
    pub rows: u64,
    /// The rows broken on purpose.
    pub broken: Vec<BrokenLine>,
}

/// Writes rows in the exact REU export format to `out` (buffered here) and
/// returns the number of data rows written.
///
/// Dates known only by their year are spelled `00/00/yyyy` or `yyyy`, both
/// seen in real exports; which one depends only on the row's names and year,
/// so output is deterministic and a person's two rows agree.
pub fn write_roll_csv<W: Write>(
    rows: impl IntoIterator<Item = RollRow>,
    out: W,
) -> io::Result<u64> {
    let no_breakage = BrokenRows {
        count: 0,
        expected_rows: 0,
        kinds: Vec::new(),
    };
    write_roll_csv_with_broken_rows(rows, out, &no_breakage).map(|report| report.rows)
}

/// Like [`write_roll_csv`], breaking some rows as `broken` asks and
/// reporting where.
pub fn write_roll_csv_with_broken_rows<W: Write>(
    rows: impl IntoIterator<Item = RollRow>,
    out: W,
    broken: &BrokenRows,
) -> io::Result<RollWriteReport> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut line = Vec::with_capacity(512);
    for (index, header) in ROLL_HEADERS.iter().enumerate() {
        if index > 0 {
            line.push(b';');
        }
        push_quoted(&mut line, header);
    }
    line.push(b'\n');
    out.write_all(&line)?;

    let kinds: &[BrokenRowKind] = if broken.kinds.is_empty() {
        &BrokenRowKind::DEFAULT
    } else {
        &broken.kinds
    };
    let spacing = (broken.expected_rows / (broken.count as u64 + 1)).max(1);
    let mut report = RollWriteReport::default();
    for row in rows {
        report.rows += 1;
        line.clear();
        push_row(&mut line, &row);
        let due = broken.count > report.broken.len() && report.rows % spacing == 0;
        if due {
            let kind = kinds[report.broken.len() % kinds.len()];
            break_line(&mut line, kind);
            report.broken.push(BrokenLine {
                line: report.rows + 1,
                kind,
            });
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()?;
    Ok(report)
}

/// Writes the stations file: header `commune;code;libelle;adresse`, fields quoted
/// only when they hold a separator, a comma or a quote.
pub fn write_stations_csv<W: Write>(stations: &[GeneratedStation], out: W) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    writeln!(out, "{STATIONS_HEADER}")?;
    let mut line = Vec::with_capacity(256);
    for station in stations {
        line.clear();
        for (index, field) in [
            &station.commune_code,
            &station.code,
            &station.label,
            &station.address,
        ]
        .into_iter()
        .enumerate()
        {
            if index > 0 {
                line.push(b';');
            }
            if field.contains([';', ',', '"']) {
                push_quoted(&mut line, field);
            } else {
                line.extend_from_slice(field.as_bytes());
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

/// The 27 fields of a row, the date as the export spells it.
fn push_row(line: &mut Vec<u8>, row: &RollRow) {
    let date = date_text(row);
    let membership = &row.membership;
    let address = &row.address;
    let fields: [Option<&str>; 26] = [
        row.commune_code.as_deref(),
        row.commune_name.as_deref(),
        Some(membership.list.label()),
        Some(row.birth_name.as_str()),
        row.usage_name.as_deref(),
        Some(row.first_names.as_str()),
        row.sex.map(|sex| sex.as_str()),
        date.as_deref(),
        row.birth_place_code.as_deref(),
        row.birth_place.as_deref(),
        row.birth_department.as_deref(),
        row.birth_country.as_deref(),
        row.nationality.as_deref(),
        address.number.as_deref(),
        address.street.as_deref(),
        address.complement1.as_deref(),
        address.complement2.as_deref(),
        address.locality.as_deref(),
        address.postcode.as_deref(),
        address.city.as_deref(),
        address.country.as_deref(),
        membership.station_code.as_deref(),
        membership.station_label.as_deref(),
        membership.constituency_code.as_deref(),
        membership.canton.as_deref(),
        membership.constituency_label.as_deref(),
    ];
    for field in fields {
        if let Some(text) = field.filter(|text| !text.is_empty()) {
            push_quoted(line, text);
        }
        line.push(b';');
    }
    if let Some(order) = membership.order_number {
        line.extend_from_slice(order.to_string().as_bytes());
    }
}

/// `"text"` with inner quotes doubled.
fn push_quoted(line: &mut Vec<u8>, text: &str) {
    line.push(b'"');
    for byte in text.bytes() {
        if byte == b'"' {
            line.push(b'"');
        }
        line.push(byte);
    }
    line.push(b'"');
}

/// The birth date as the export spells it; `None` when unknown.
pub(crate) fn date_text(row: &RollRow) -> Option<String> {
    match row.birth_date {
        BirthDate::Full { year, month, day } => Some(format!("{day:02}/{month:02}/{year:04}")),
        BirthDate::YearMonth { year, month } => Some(format!("00/{month:02}/{year:04}")),
        BirthDate::Year(year) => {
            let hash = fnv1a(&[
                row.birth_name.as_bytes(),
                row.first_names.as_bytes(),
                &year.to_le_bytes(),
            ]);
            if hash & 1 == 0 {
                Some(format!("00/00/{year:04}"))
            } else {
                Some(format!("{year:04}"))
            }
        }
        BirthDate::Unknown => None,
    }
}

/// Damages one formatted line (without its newline).
fn break_line(line: &mut Vec<u8>, kind: BrokenRowKind) {
    match kind {
        BrokenRowKind::MissingField => {
            if let Some(last) = line.iter().rposition(|&b| b == b';') {
                line.truncate(last);
            }
        }
        BrokenRowKind::ExtraField => line.extend_from_slice(b";\"EXTRA\""),
        BrokenRowKind::UnterminatedQuote => {
            if let Some(last) = line.iter().rposition(|&b| b == b'"') {
                line.remove(last);
            }
        }
        BrokenRowKind::InvalidUtf8 => {
            // Fields 1-3 are always present: the birth name is the fourth.
            let fourth = line
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b';')
                .nth(2)
                .map(|(position, _)| position + 2);
            if let Some(position) = fourth.filter(|&p| p <= line.len()) {
                line.insert(position, 0xFF);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, ListKind, Membership, Sex};

    fn sample_row() -> RollRow {
        RollRow {
            commune_code: Some("45999".into()),
            commune_name: Some("SAINT-AUBIN-DES-VERGERS".into()),
            birth_name: "D'ALMEIDA".into(),
            usage_name: None,
            first_names: "Maria De Fátima".into(),
            sex: Some(Sex::F),
            birth_date: BirthDate::Full {
                year: 1962,
                month: 3,
                day: 4,
            },
            birth_place_code: None,
            birth_place: Some("PORTO".into()),
            birth_department: Some("99".into()),
            birth_country: Some("PORTUGAL".into()),
            nationality: Some("Française".into()),
            address: Address {
                number: Some("12".into()),
                street: Some("RUE DU \"MOULIN\"".into()),
                postcode: Some("45990".into()),
                city: Some("ST AUBIN DES VERGERS".into()),
                ..Address::default()
            },
            membership: Membership {
                list: ListKind::Principal,
                station_code: Some("0003".into()),
                station_label: Some("ECOLE ELEMENTAIRE JULES FERRY".into()),
                constituency_code: Some("4501".into()),
                canton: Some("SAINT-AUBIN-DES-VERGERS".into()),
                constituency_label: None,
                order_number: Some(417),
            },
        }
    }

    fn written(rows: Vec<RollRow>) -> String {
        let mut out = Vec::new();
        write_roll_csv(rows, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn header_has_the_27_canonical_columns() {
        let text = written(Vec::new());
        let header = text.lines().next().unwrap();
        assert!(header.starts_with("\"code du l'ugle\";\"libellé de l'ugle\";"));
        assert!(header.ends_with(";\"numéro d'ordre dans le bureau de vote\""));
        assert_eq!(header.split(';').count(), 27);
        assert!(text.ends_with('\n') && !text.contains('\r'));
    }

    #[test]
    fn a_line_quotes_non_empty_fields_but_not_the_order_number() {
        let text = written(vec![sample_row()]);
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "\"45999\";\"SAINT-AUBIN-DES-VERGERS\";\"Liste principale\";\"D'ALMEIDA\";;\
             \"Maria De Fátima\";\"F\";\"04/03/1962\";;\"PORTO\";\"99\";\"PORTUGAL\";\"Française\";\
             \"12\";\"RUE DU \"\"MOULIN\"\"\";;;;\"45990\";\"ST AUBIN DES VERGERS\";;\"0003\";\
             \"ECOLE ELEMENTAIRE JULES FERRY\";\"4501\";\"SAINT-AUBIN-DES-VERGERS\";;417"
        );
    }

    #[test]
    fn a_voter_without_station_has_empty_last_columns() {
        let mut row = sample_row();
        row.membership = Membership {
            list: ListKind::Principal,
            station_code: None,
            station_label: None,
            constituency_code: None,
            canton: None,
            constituency_label: None,
            order_number: None,
        };
        let text = written(vec![row]);
        let line = text.lines().nth(1).unwrap();
        assert!(line.ends_with("\"ST AUBIN DES VERGERS\";;;;;;;"), "{line}");
        assert_eq!(line.matches(';').count(), 26);
    }

    #[test]
    fn year_only_dates_take_both_spellings() {
        let mut spellings = std::collections::HashSet::new();
        for index in 0..40 {
            let mut row = sample_row();
            row.birth_name = format!("NAME{index}");
            row.birth_date = BirthDate::Year(1953);
            spellings.insert(date_text(&row).unwrap());
        }
        assert_eq!(spellings.len(), 2, "{spellings:?}");
        assert!(spellings.contains("00/00/1953") && spellings.contains("1953"));
    }

    #[test]
    fn broken_rows_are_spread_and_reported() {
        let rows: Vec<RollRow> = (0..100).map(|_| sample_row()).collect();
        let broken = BrokenRows {
            count: 4,
            expected_rows: 100,
            kinds: vec![
                BrokenRowKind::MissingField,
                BrokenRowKind::ExtraField,
                BrokenRowKind::UnterminatedQuote,
                BrokenRowKind::InvalidUtf8,
            ],
        };
        let mut out = Vec::new();
        let report = write_roll_csv_with_broken_rows(rows, &mut out, &broken).unwrap();
        assert_eq!(report.rows, 100);
        assert_eq!(report.broken.len(), 4);
        let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
        for entry in &report.broken {
            let line = lines[(entry.line - 1) as usize];
            let separators = line.iter().filter(|&&b| b == b';').count();
            let quotes = line.iter().filter(|&&b| b == b'"').count();
            match entry.kind {
                BrokenRowKind::MissingField => assert_eq!(separators, 25),
                BrokenRowKind::ExtraField => assert_eq!(separators, 27),
                BrokenRowKind::UnterminatedQuote => assert_eq!(quotes % 2, 1),
                BrokenRowKind::InvalidUtf8 => assert!(std::str::from_utf8(line).is_err()),
            }
        }
        // Every other line is intact.
        let intact = lines
            .iter()
            .skip(1)
            .filter(|line| !line.is_empty())
            .filter(|line| line.iter().filter(|&&b| b == b';').count() == 26)
            .count();
        assert_eq!(
            intact, 98,
            "the unterminated and invalid ones keep 26 separators"
        );
    }

    #[test]
    fn stations_file_has_the_project_header() {
        let stations = vec![GeneratedStation {
            commune_code: "45999".into(),
            code: "0001".into(),
            label: "MAIRIE".into(),
            address: "1 Place de la Mairie, 45990 Saint-Aubin-des-Vergers".into(),
            canton: "SAINT-AUBIN-DES-VERGERS".into(),
            constituency_code: "4501".into(),
            voters: 1000,
        }];
        let mut out = Vec::new();
        write_stations_csv(&stations, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "commune;code;libelle;adresse\n45999;0001;MAIRIE;\"1 Place de la Mairie, 45990 Saint-Aubin-des-Vergers\"\n"
        );
    }
}
