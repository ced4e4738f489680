//! Streaming reader of the REU roll export ("Listes Electeurs Actifs").
//!
//! [`RollReader`] reads the CSV that municipal software and the REU portal
//! export, as it comes out of those tools: `;`-separated (or `,`), every
//! non-empty field quoted except the last, empty fields written as nothing,
//! columns found by their header's name whatever the order, case or accents
//! (the older e-listelec CamelCase headers are understood too). It keeps one
//! line in memory at a time, so a roll of millions of rows streams through.
//!
//! Encoding is settled before the first row: UTF-8 (a BOM is skipped), or
//! Windows-1252 when asked for with [`Encoding::Windows1252`]. A file that looks
//! like Windows-1252 is refused under [`Encoding::Auto`] rather than indexed as
//! mojibake. Rows that are plainly broken (wrong field count, unterminated
//! quote, invalid UTF-8, impossible date, empty birth name, non-numeric order
//! number) come out as [`RollError::BadRow`] naming `FILE:LINE`, and
//! [`read_roll`] applies the build's [`BadRowPolicy`] to them.

mod date;
mod headers;
pub(crate) mod input;

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::str::FromStr;

use crate::model::{Address, ListKind, Membership, RollRow, Sex};
use crate::normalise::fold;
pub(crate) use headers::header_key;
use headers::{Column, ColumnMap, HeaderProblem};
use input::{Decoded, FieldSplitter, LineReader, SplitError};

/// What to do with a row that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BadRowPolicy {
    /// Stop at the first bad row and report it (`fail`).
    #[default]
    Fail,
    /// Leave bad rows out, count them and keep them for a report (`skip`).
    Skip,
}

impl BadRowPolicy {
    /// The name accepted by [`FromStr`].
    pub fn as_str(self) -> &'static str {
        match self {
            BadRowPolicy::Fail => "fail",
            BadRowPolicy::Skip => "skip",
        }
    }
}

impl fmt::Display for BadRowPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BadRowPolicy {
    type Err = ParseOptionError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "fail" => Ok(BadRowPolicy::Fail),
            "skip" => Ok(BadRowPolicy::Skip),
            _ => Err(ParseOptionError {
                option: "bad-row policy",
                value: value.to_string(),
                expected: "fail or skip",
            }),
        }
    }
}

/// The character encoding of a roll file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// UTF-8 (a BOM is skipped); a file whose start is not UTF-8 is refused
    /// with an error that suggests [`Encoding::Windows1252`] (`auto`).
    #[default]
    Auto,
    /// UTF-8; bytes that are not UTF-8 make their rows bad (`utf-8`).
    Utf8,
    /// Windows-1252 (a superset of Latin-1), transcoded while reading; refused
    /// when the file is evidently UTF-8 already (`windows-1252`).
    Windows1252,
}

impl Encoding {
    /// The name accepted by [`FromStr`].
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Encoding {
    type Err = ParseOptionError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => {
                Ok(Encoding::Windows1252)
            }
            _ => Err(ParseOptionError {
                option: "encoding",
                value: value.to_string(),
                expected: "auto, utf-8 or windows-1252",
            }),
        }
    }
}

/// An unknown value for [`BadRowPolicy`] or [`Encoding`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {option} `{value}` (expected {expected})")]
pub struct ParseOptionError {
    option: &'static str,
    value: String,
    expected: &'static str,
}

/// How to read a roll file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderOptions {
    /// The file's encoding; [`Encoding::Auto`] by default.
    pub encoding: Encoding,
}

/// A row that could not be read. Its [`Display`](fmt::Display) is
/// `FILE:LINE: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The file name as given to the reader.
    pub source: String,
    /// 1-based physical line in the file (the header is line 1).
    pub line: u64,
    /// What is wrong, naming the field when one is at fault.
    pub reason: String,
    /// What finds the row again without copying it, for a rejected-rows
    /// report: the non-empty values of its list, name, station and order
    /// number columns, each with its header as the roll writes it. `None`
    /// when the row's fields cannot be trusted to be where the header says
    /// (wrong count, unterminated quote, invalid UTF-8, line too long).
    /// Address, birthplace, nationality and the other columns are never
    /// kept.
    pub identifiers: Option<Vec<(String, String)>>,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.reason)
    }
}

// Written by hand: thiserror would take the `source` field for the error's
// cause, and here it is a file name.
impl std::error::Error for BadRow {}

/// Errors of the roll reader. [`RollError::BadRow`] concerns one row and is
/// recoverable; every other variant stops the read.
#[derive(Debug, thiserror::Error)]
pub enum RollError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file name as given.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The file is not in an encoding the reader was told to expect.
    #[error("{path}: {message}")]
    Encoding {
        /// The file name as given.
        path: String,
        /// The first offending line, when one is known.
        line: Option<u64>,
        /// What is wrong and what to do about it.
        message: String,
    },
    /// The file has no header line.
    #[error("{path}: empty file, no header line")]
    Empty {
        /// The file name as given.
        path: String,
    },
    /// The header line cannot be split into fields.
    #[error("{path}:{line}: malformed header: {reason}")]
    MalformedHeader {
        /// The file name as given.
        path: String,
        /// Its line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// Required columns are absent from the header.
    #[error(
        "{path}: missing required column(s) {}; the header has {} (headers are matched by name, ignoring case and accents)",
        quoted_list(.missing), quoted_list(.found)
    )]
    MissingColumns {
        /// The file name as given.
        path: String,
        /// The missing columns, by their name in the REU export.
        missing: Vec<&'static str>,
        /// The headers the file does have.
        found: Vec<String>,
    },
    /// Two headers name the same column.
    #[error("{path}: column `{column}` appears twice in the header (fields {first} and {second})")]
    DuplicateColumn {
        /// The file name as given.
        path: String,
        /// The column, by its name in the REU export.
        column: &'static str,
        /// 1-based position of its first occurrence.
        first: usize,
        /// 1-based position of the second.
        second: usize,
    },
    /// One row could not be read; the rest of the file can be.
    #[error(transparent)]
    BadRow(#[from] BadRow),
}

impl RollError {
    /// True for [`RollError::BadRow`], the only error after which reading can go on.
    pub fn is_bad_row(&self) -> bool {
        matches!(self, RollError::BadRow(_))
    }
}

fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|name| format!("`{}`", name.as_ref()))
        .collect();
    if quoted.is_empty() {
        "no columns".to_string()
    } else {
        quoted.join(", ")
    }
}

/// Reads a roll one row at a time.
///
/// Each item is the row's physical line number and the row, or an error:
/// [`RollError::BadRow`] for a row that cannot be read (iteration may go on),
/// any other variant for a fatal error (iteration then ends). Blank lines are
/// skipped.
///
/// Rows come out as the roll has them: a usage name equal to the birth name is
/// kept (the index handles the repetition), and homonyms, a voter listed on two
/// lists, or a repeated order number are separate rows, never merged here.
pub struct RollReader<R> {
    source_name: String,
    lines: LineReader<Decoded<R>>,
    encoding: Encoding,
    delimiter: u8,
    splitter: FieldSplitter,
    layout: RowLayout,
    ignored_columns: Vec<String>,
    finished: bool,
}

/// What a row is read against: the header's layout and the file-name hints.
struct RowLayout {
    columns: ColumnMap,
    header_names: Vec<String>,
    /// The list of rows whose file has no list-type column (or leaves it empty).
    default_list: ListKind,
    /// The commune code from the file name, for files without that column.
    file_commune_code: Option<String>,
    /// The last list label read and its kind: labels repeat row after row,
    /// and recognising one folds it.
    last_list: Option<(String, ListKind)>,
}

impl RollReader<File> {
    /// Opens the roll at `path`, settles its encoding and reads its header.
    pub fn open(path: &Path, options: &ReaderOptions) -> Result<RollReader<File>, RollError> {
        let source_name = path.display().to_string();
        let file = File::open(path).map_err(|source| RollError::Io {
            path: source_name.clone(),
            source,
        })?;
        RollReader::from_reader(&source_name, file, options)
    }
}

impl<R: Read> RollReader<R> {
    /// Reads a roll from `reader`; `source_name` names it in errors (and, when
    /// it is a file name, may supply the list type and commune code that some
    /// tools put there instead of in columns). Settles the encoding and reads
    /// the header.
    pub fn from_reader(
        source_name: &str,
        reader: R,
        options: &ReaderOptions,
    ) -> Result<Self, RollError> {
        let io_error = |source| RollError::Io {
            path: source_name.to_string(),
            source,
        };
        let sniffed = input::sniff_input(reader).map_err(io_error)?;
        let encoding = settle_encoding(source_name, &sniffed, options.encoding)?;
        let decoded = match encoding {
            Encoding::Windows1252 => Decoded::windows_1252(sniffed),
            Encoding::Auto | Encoding::Utf8 => Decoded::utf8(sniffed),
        };
        let mut lines = LineReader::new(decoded);

        let header_line = loop {
            match lines.next_line().map_err(io_error)? {
                None => {
                    return Err(RollError::Empty {
                        path: source_name.to_string(),
                    });
                }
                Some(_) if is_blank(lines.line()) => continue,
                Some(info) => break info,
            }
        };
        let malformed = |reason: &str| RollError::MalformedHeader {
            path: source_name.to_string(),
            line: header_line.number,
            reason: reason.to_string(),
        };
        if header_line.too_long {
            return Err(malformed("line too long"));
        }
        let delimiter = input::detect_delimiter(lines.line());
        let mut splitter = FieldSplitter::new(delimiter);
        let header_names: Vec<String> = match splitter.split(lines.line()) {
            Ok(fields) => fields.iter().map(|name| name.trim().to_string()).collect(),
            Err(SplitError::UnterminatedQuote) => return Err(malformed("unterminated quote")),
            Err(SplitError::InvalidUtf8 { .. }) => {
                return Err(RollError::Encoding {
                    path: source_name.to_string(),
                    line: Some(header_line.number),
                    message: format!(
                        "the header (line {}) is not valid UTF-8; if the file is Windows-1252/Latin-1, \
                         read it with encoding windows-1252 (e.g. `--encoding windows-1252`)",
                        header_line.number
                    ),
                });
            }
        };
        let mapped =
            ColumnMap::from_headers(header_names.iter().map(String::as_str), &Column::REQUIRED)
                .map_err(|problem| match problem {
                    HeaderProblem::Missing(missing) => RollError::MissingColumns {
                        path: source_name.to_string(),
                        missing,
                        found: header_names.clone(),
                    },
                    HeaderProblem::Duplicate {
                        column,
                        first,
                        second,
                    } => RollError::DuplicateColumn {
                        path: source_name.to_string(),
                        column,
                        first,
                        second,
                    },
                })?;
        let (default_list, file_commune_code) = hints_from_file_name(source_name);
        Ok(RollReader {
            source_name: source_name.to_string(),
            lines,
            encoding,
            delimiter,
            splitter,
            layout: RowLayout {
                columns: mapped.columns,
                header_names,
                default_list,
                file_commune_code,
                last_list: None,
            },
            ignored_columns: mapped.ignored,
            finished: false,
        })
    }

    /// The name the reader reports in errors.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// The encoding in use: [`Encoding::Utf8`] or [`Encoding::Windows1252`],
    /// never [`Encoding::Auto`].
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The field separator found in the header.
    pub fn delimiter(&self) -> char {
        char::from(self.delimiter)
    }

    /// Headers that match no known column; their values are not read.
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored_columns
    }
}

impl<R: Read> Iterator for RollReader<R> {
    type Item = Result<(u64, RollRow), RollError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        loop {
            let info = match self.lines.next_line() {
                Ok(Some(info)) => info,
                Ok(None) => {
                    self.finished = true;
                    return None;
                }
                Err(source) => {
                    self.finished = true;
                    return Some(Err(RollError::Io {
                        path: self.source_name.clone(),
                        source,
                    }));
                }
            };
            let line = self.lines.line();
            if is_blank(line) {
                continue;
            }
            let parsed = if info.too_long {
                Err(format!("line longer than {} bytes", input::MAX_LINE_LEN))
            } else {
                read_row(line, &mut self.splitter, &mut self.layout)
            };
            return Some(match parsed {
                Ok(row) => Ok((info.number, row)),
                Err(reason) => Err(RollError::BadRow(BadRow {
                    source: self.source_name.clone(),
                    line: info.number,
                    reason,
                    identifiers: (!info.too_long)
                        .then(|| row_identifiers(line, &mut self.splitter, &self.layout))
                        .flatten(),
                })),
            });
        }
    }
}

/// Columns a rejected-rows report shows: enough to find the row and check
/// it is the one, nothing of where the voter lives or comes from.
const IDENTIFYING_COLUMNS: [Column; 6] = [
    Column::ListLabel,
    Column::BirthName,
    Column::UsageName,
    Column::GivenNames,
    Column::StationCode,
    Column::OrderNumber,
];

/// The identifying values of a bad row ([`BadRow::identifiers`]), or `None`
/// when its fields do not line up with the header.
fn row_identifiers(
    line: &[u8],
    splitter: &mut FieldSplitter,
    layout: &RowLayout,
) -> Option<Vec<(String, String)>> {
    let fields = splitter.split(line).ok()?;
    let expected = layout.header_names.len();
    let extra_are_empty = (expected..fields.len()).all(|index| fields.get(index).trim().is_empty());
    if fields.len() < expected || !extra_are_empty {
        return None;
    }
    Some(
        IDENTIFYING_COLUMNS
            .iter()
            .filter_map(|&column| {
                let position = layout.columns.position(column)?;
                let value = fields.get(position).trim();
                (!value.is_empty())
                    .then(|| (layout.header_names[position].clone(), value.to_string()))
            })
            .collect(),
    )
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Decides how to decode the file from its first bytes.
fn settle_encoding(
    source_name: &str,
    sniffed: &input::SniffedInput<impl Read>,
    requested: Encoding,
) -> Result<Encoding, RollError> {
    let sniff = &sniffed.sniff;
    let refuse = |line: Option<u64>, message: String| RollError::Encoding {
        path: source_name.to_string(),
        line,
        message,
    };
    if sniff.utf16_bom {
        return Err(refuse(
            None,
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark); export it as UTF-8"
                .into(),
        ));
    }
    match requested {
        Encoding::Utf8 => Ok(Encoding::Utf8),
        Encoding::Auto => {
            // A BOM, or accented letters well encoded more often than not,
            // mean UTF-8 with a few damaged rows: those become bad rows.
            let mostly_utf8 = sniff.utf8_bom || sniff.multibyte_chars > sniff.invalid_sequences;
            if sniff.is_valid_utf8() || mostly_utf8 {
                return Ok(Encoding::Utf8);
            }
            let offset = sniff.first_invalid.unwrap_or_default();
            let (line, text) = input::locate_in_head(&sniffed.head, offset);
            Err(refuse(
                Some(line),
                format!(
                    "not UTF-8: line {line} has bytes that are not valid UTF-8 (read as \
                     Windows-1252 it says \"{text}\"); the file looks like Windows-1252/Latin-1: \
                     read it with encoding windows-1252 (e.g. `--encoding windows-1252`) or convert \
                     it to UTF-8; if it is UTF-8 with a few damaged rows, choose encoding utf-8 to \
                     have them reported as bad rows"
                ),
            ))
        }
        Encoding::Windows1252 => {
            if sniff.utf8_bom {
                return Err(refuse(
                    None,
                    "windows-1252 was requested but the file starts with a UTF-8 byte-order mark; \
                     decoding UTF-8 as Windows-1252 would garble every accent: use encoding auto or utf-8"
                        .into(),
                ));
            }
            if sniff.is_valid_utf8() && sniff.multibyte_chars > 0 {
                return Err(refuse(
                    None,
                    "windows-1252 was requested but the file is valid UTF-8 with accented letters; \
                     decoding it as Windows-1252 would garble every accent: use encoding auto or utf-8"
                        .into(),
                ));
            }
            Ok(Encoding::Windows1252)
        }
    }
}

/// Reads one data line into a row, or says why it cannot be read.
fn read_row(
    line: &[u8],
    splitter: &mut FieldSplitter,
    layout: &mut RowLayout,
) -> Result<RollRow, String> {
    let expected = layout.header_names.len();
    let fields = match splitter.split(line) {
        Ok(fields) => fields,
        Err(SplitError::UnterminatedQuote) => {
            return Err("unterminated quoted field".to_string());
        }
        Err(SplitError::InvalidUtf8 { field }) => {
            let name = layout
                .header_names
                .get(field - 1)
                .map_or(String::new(), |name| format!(" (`{name}`)"));
            return Err(format!(
                "invalid UTF-8 in field {field}{name}; is this row Windows-1252?"
            ));
        }
    };
    // Extra fields are tolerated only when empty: some tools end every data
    // line with a separator that the header does not have.
    let found = fields.len();
    let extra_are_empty = (expected..found).all(|index| fields.get(index).trim().is_empty());
    if found < expected || !extra_are_empty {
        // A quote lost mid-line merges or splits fields; say so.
        let quotes = line.iter().filter(|&&b| b == b'"').count();
        let hint = if quotes % 2 == 1 {
            " (unbalanced quotes)"
        } else {
            ""
        };
        return Err(format!("expected {expected} fields, found {found}{hint}"));
    }

    let columns = &layout.columns;
    let value = |column: Column| -> Option<&str> {
        let text = fields.get(columns.position(column)?).trim();
        (!text.is_empty()).then_some(text)
    };
    let owned = |column: Column| value(column).map(str::to_string);
    let header_of = |column: Column| {
        columns
            .position(column)
            .and_then(|index| layout.header_names.get(index))
            .map_or(column.canonical_name(), String::as_str)
    };

    let Some(birth_name) = value(Column::BirthName) else {
        return Err(format!("empty `{}`", header_of(Column::BirthName)));
    };
    let birth_date_text = value(Column::BirthDate).unwrap_or_default();
    let birth_date = date::parse_birth_date(birth_date_text).map_err(|problem| {
        format!(
            "invalid `{}` \"{birth_date_text}\": {problem}",
            header_of(Column::BirthDate)
        )
    })?;
    let order_number = match value(Column::OrderNumber) {
        None => None,
        Some(text) => Some(parse_order_number(text).ok_or_else(|| {
            format!(
                "invalid `{}` \"{text}\": not a whole number",
                header_of(Column::OrderNumber)
            )
        })?),
    };
    let sex = value(Column::Sex).and_then(|text| {
        if text.eq_ignore_ascii_case("M") {
            Some(Sex::M)
        } else if text.eq_ignore_ascii_case("F") {
            Some(Sex::F)
        } else {
            None
        }
    });
    let street = match (value(Column::StreetKind), value(Column::Street)) {
        (Some(kind), Some(name)) => Some(format!("{kind} {name}")),
        (kind, name) => kind.or(name).map(str::to_string),
    };
    let list = match value(Column::ListLabel) {
        None => layout.default_list.clone(),
        Some(label) => match &layout.last_list {
            Some((last_label, kind)) if last_label == label => kind.clone(),
            _ => {
                let kind = list_kind(label);
                layout.last_list = Some((label.to_string(), kind.clone()));
                kind
            }
        },
    };

    Ok(RollRow {
        commune_code: owned(Column::CommuneCode).or_else(|| layout.file_commune_code.clone()),
        commune_name: owned(Column::CommuneName),
        birth_name: birth_name.to_string(),
        usage_name: owned(Column::UsageName),
        // Some people have no given name on their civil status.
        first_names: value(Column::GivenNames).unwrap_or_default().to_string(),
        sex,
        birth_date,
        birth_place_code: owned(Column::BirthPlaceCode),
        birth_place: owned(Column::BirthPlace),
        birth_department: owned(Column::BirthDepartment),
        birth_country: owned(Column::BirthCountry),
        nationality: owned(Column::Nationality),
        address: Address {
            number: owned(Column::StreetNumber),
            street,
            complement1: owned(Column::Complement1),
            complement2: owned(Column::Complement2),
            locality: owned(Column::Locality),
            postcode: owned(Column::Postcode),
            city: owned(Column::City),
            country: owned(Column::Country),
        },
        membership: Membership {
            list,
            station_code: owned(Column::StationCode),
            station_label: owned(Column::StationLabel),
            constituency_code: owned(Column::ConstituencyCode),
            canton: owned(Column::Canton),
            constituency_label: owned(Column::ConstituencyLabel),
            order_number,
        },
    })
}

fn parse_order_number(text: &str) -> Option<u32> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The list of a row; e-listelec's `liste générale` is the principal list.
fn list_kind(label: &str) -> ListKind {
    match ListKind::from_label(label) {
        ListKind::Other(other) if fold(&other).contains("GENERALE") => ListKind::Principal,
        kind => kind,
    }
}

/// What some tools put in the file name instead of in columns: the list type
/// (principal unless the name says a complementary list) and the commune's
/// INSEE code (a lone 5-character token such as `92049` or `2A004`).
fn hints_from_file_name(source_name: &str) -> (ListKind, Option<String>) {
    let stem = Path::new(source_name)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let list = match ListKind::from_label(&stem) {
        ListKind::Other(_) => ListKind::Principal,
        kind => kind,
    };
    let folded = fold(&stem);
    let mut codes = folded
        .split(' ')
        .filter(|token| crate::commune::is_commune_code(token));
    let commune_code = match (codes.next(), codes.next()) {
        (Some(code), None) => Some(code.to_string()),
        _ => None,
    };
    (list, commune_code)
}

/// What [`read_roll`] read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Rows read and handed to the callback.
    pub rows: u64,
    /// Bad rows left out under [`BadRowPolicy::Skip`], in file order.
    pub skipped: Vec<BadRow>,
    /// Rows read whose voter has no polling station (columns 22–27 empty);
    /// they are kept, and counted here so the build can say so.
    pub rows_without_station: u64,
}

/// Reads every row of `reader` under `policy`, handing each good row and its
/// line to `on_row`.
///
/// Under [`BadRowPolicy::Fail`] the first bad row is returned as the error;
/// under [`BadRowPolicy::Skip`] bad rows are collected in the summary and
/// reading goes on. Fatal errors stop the read under either policy.
///
/// Rows are handed over as the roll has them: a usage name equal to the birth
/// name is kept (the index handles the repetition), and homonyms or repeated
/// order numbers are never merged.
pub fn read_roll<R: Read>(
    reader: RollReader<R>,
    policy: BadRowPolicy,
    mut on_row: impl FnMut(u64, RollRow),
) -> Result<ReadSummary, RollError> {
    let mut summary = ReadSummary::default();
    for item in reader {
        match item {
            Ok((line, row)) => {
                summary.rows += 1;
                if row.membership.station_code.is_none() {
                    summary.rows_without_station += 1;
                }
                on_row(line, row);
            }
            Err(RollError::BadRow(bad)) if policy == BadRowPolicy::Skip => {
                summary.skipped.push(bad);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests;
