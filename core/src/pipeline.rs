//! From a roll file to an artifact directory: the one build that
//! `index-builder build` runs and that the server's tests call.
//!
//! [`build_artifact`] stages the artifact beside its destination
//! ([`StagedArtifact`]), reads the optional stations file, streams the roll
//! row by row into a [`VoterIndexWriter`] writing straight into the staged
//! `index/` directory, then merges, writes the stations, name records and
//! manifest and renames the whole into place. Any error drops the staging
//! directory: nothing is ever left at the destination unless the build
//! succeeded.
//!
//! The roll is read once: it is hashed for the manifest and counted for
//! progress as the reader consumes it, so the SHA-256 recorded is that of the
//! very bytes that were indexed.
//!
//! # Bad rows
//!
//! Under [`BadRowPolicy::Fail`] the first bad row stops the build with a
//! `FILE:LINE: reason` error. Under [`BadRowPolicy::Skip`] bad rows are left
//! out, counted, and written to a plain-text report, by default
//! `<out>.rejected.txt` beside the artifact ([`default_rejects_path`]). The
//! report is readable by its owner only (mode 0600 on Unix): it holds
//! personal data. It has two lines per rejected row, in file order: first
//! `FILE:LINE: reason`, then, indented, what finds the row again without
//! copying it: the list, names, station and order number, each with the
//! header the roll gives it ([`BadRow::identifiers`]). Address, birthplace,
//! nationality and the other columns are never written; nor is anything
//! of a row whose fields do not line up with the header (a column could
//! have slid into another's place), where the line number alone finds it:
//!
//! ```text
//! roll.csv:1001: expected 27 fields, found 26
//!   (fields not shown: they do not line up with the header)
//! roll.csv:1002: invalid `date de naissance` "31/02/1990": no such day
//!   libellé du type de liste=Liste principale; nom de naissance=MARTIN; prénoms=Jean Paul; …
//! ```
//!
//! The report is written afresh (empty when no row was rejected) by every
//! build run under `skip`, so it never describes an earlier run; it is kept
//! even when the build then fails, since it may say why (a roll whose every
//! row is bad holds no voter).

use std::cell::Cell;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::artifact::{
    ArtifactError, BuildInfo, InputFile, MANIFEST_CHECKSUM_FILE, MANIFEST_FILE, Manifest,
    SIGNATURE_FILE, StagedArtifact,
};
use crate::build::{
    BuildError, BuildStats, BuiltIndex, IndexTarget, VoterIndexWriter, station_without_commune,
};
use crate::commune::departement_of;
use crate::model::RollRow;
use crate::reu::{BadRow, BadRowPolicy, Encoding, ReaderOptions, RollError, RollReader};
use crate::signing::ArtifactSigner;
use crate::stations::{StationsError, read_stations};

/// Indexing memory budget used unless a request says otherwise: 1 GiB.
/// tantivy's arena grows as needed up to it (a roll of 1M voters needs about
/// 200 MB), and a roll that fits is written as one segment, never merged.
pub const DEFAULT_MEMORY_BUDGET: usize = 1024 * 1024 * 1024;

/// Rows read between two [`ProgressEvent::Reading`] reports.
const PROGRESS_EVERY_ROWS: u64 = 1024;

/// What to build, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRequest {
    /// The REU roll export.
    pub roll: PathBuf,
    /// The optional polling-stations file (`code;libelle;adresse`).
    pub stations: Option<PathBuf>,
    /// Where the artifact directory is created; it must not exist.
    pub out: PathBuf,
    /// What to do with rows that cannot be read.
    pub bad_row_policy: BadRowPolicy,
    /// The roll's character encoding.
    pub encoding: Encoding,
    /// Where the rejected-rows report goes under [`BadRowPolicy::Skip`];
    /// [`default_rejects_path`] when `None`. Not used under
    /// [`BadRowPolicy::Fail`].
    pub rejects: Option<PathBuf>,
    /// Bytes tantivy's indexer may fill before it writes a segment (at least
    /// 20 MB); see [`DEFAULT_MEMORY_BUDGET`].
    pub memory_budget: usize,
    /// Program and version recorded in the manifest, e.g. `index-builder 0.1.0`.
    pub builder: String,
    /// The key that signs the manifest (`manifest.sig`); unsigned when `None`.
    pub signing_key: Option<ArtifactSigner>,
    /// Keep only the voters of these départements (codes as
    /// [`crate::commune::departement_of`] gives them), to build one shard of
    /// a larger roll; empty keeps every voter.
    pub departements: Vec<String>,
}

impl ArtifactRequest {
    /// A request to build `out` from `roll` with the defaults: no stations
    /// file, fail on the first bad row, encoding detected,
    /// [`DEFAULT_MEMORY_BUDGET`].
    pub fn new(roll: impl Into<PathBuf>, out: impl Into<PathBuf>) -> ArtifactRequest {
        ArtifactRequest {
            roll: roll.into(),
            stations: None,
            out: out.into(),
            bad_row_policy: BadRowPolicy::Fail,
            encoding: Encoding::Auto,
            rejects: None,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            builder: concat!("voter-core ", env!("CARGO_PKG_VERSION")).to_string(),
            signing_key: None,
            departements: Vec::new(),
        }
    }

    /// The report the build writes: `None` under [`BadRowPolicy::Fail`].
    pub fn rejects_path(&self) -> Option<PathBuf> {
        match self.bad_row_policy {
            BadRowPolicy::Fail => None,
            BadRowPolicy::Skip => Some(
                self.rejects
                    .clone()
                    .unwrap_or_else(|| default_rejects_path(&self.out)),
            ),
        }
    }
}

/// The default rejected-rows report of an artifact at `out`: a sibling file
/// named `<out>.rejected.txt` (never inside the artifact, whose file list
/// the manifest fixes).
pub fn default_rejects_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "artifact".to_string());
    out.with_file_name(format!("{name}.rejected.txt"))
}

/// A step of the build, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressEvent {
    /// The roll is being read and indexed; reported every few rows and once
    /// when the whole file has been read.
    Reading {
        /// Bytes of the roll file read so far.
        bytes_read: u64,
        /// Size of the roll file.
        total_bytes: u64,
        /// Rows indexed so far.
        rows: u64,
        /// Bad rows left out so far (skip policy).
        skipped: u64,
    },
    /// The roll is read; the index is being committed and merged into one
    /// segment.
    Merging,
    /// The stations, name records and manifest are being written, every file
    /// checksummed and synced, and the artifact renamed into place.
    Committing,
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct ArtifactOutcome {
    /// The artifact directory (the request's `out`).
    pub out: PathBuf,
    /// Its manifest, as written.
    pub manifest: Manifest,
    /// What the index builder saw: counts and the anomalies worth a warning.
    pub stats: BuildStats,
    /// Bad rows left out under [`BadRowPolicy::Skip`].
    pub skipped_rows: u64,
    /// Rows left out because their commune is in none of the départements
    /// asked for (or the row names no commune).
    pub rows_outside: u64,
    /// The rejected-rows report, when the build ran under
    /// [`BadRowPolicy::Skip`] (written even when empty).
    pub rejects: Option<PathBuf>,
    /// The encoding the roll was read in ([`Encoding::Utf8`] or
    /// [`Encoding::Windows1252`]).
    pub encoding: Encoding,
    /// Roll headers that match no known column and were not read.
    pub ignored_columns: Vec<String>,
    /// Wall time of the whole build.
    pub elapsed: Duration,
    /// Total size of the artifact's files, manifest, its checksum and
    /// signature included, in bytes.
    pub artifact_bytes: u64,
}

/// Why a build failed. Every message names the file at fault, and the line
/// when a row is: `FILE:LINE: reason`.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The roll could not be opened or read, its header is unusable, or,
    /// under [`BadRowPolicy::Fail`], one of its rows is bad
    /// ([`RollError::BadRow`], shown as `FILE:LINE: reason`).
    #[error(transparent)]
    Roll(#[from] RollError),
    /// The stations file could not be read.
    #[error(transparent)]
    Stations(#[from] StationsError),
    /// The artifact could not be staged or written (the destination exists,
    /// a write failed), or an input could not be hashed.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The index refused a row.
    #[error("{path}:{line}: cannot index this row: {source}")]
    IndexRow {
        /// The roll, as named in the request.
        path: String,
        /// The row's line.
        line: u64,
        /// The cause.
        source: BuildError,
    },
    /// The index could not be created or finished.
    #[error("{path}: cannot build the index: {source}")]
    Index {
        /// The roll, as named in the request.
        path: String,
        /// The cause.
        source: BuildError,
    },
    /// No row of the roll is of the départements asked for.
    #[error(
        "{path}: no voter of département(s) {} in this roll ({outside} rows of other communes, or naming none); refusing to build an empty index",
        .departements.join(", ")
    )]
    NoVoterInDepartements {
        /// The roll, as named in the request.
        path: String,
        /// The départements asked for.
        departements: Vec<String>,
        /// Rows left out.
        outside: u64,
    },
    /// The roll holds no voter: header only, or every row rejected.
    #[error("{path}: {}; refusing to build an empty index", empty_roll_reason(*.skipped))]
    EmptyRoll {
        /// The roll, as named in the request.
        path: String,
        /// Rows rejected under [`BadRowPolicy::Skip`].
        skipped: u64,
    },
    /// The rejected-rows report could not be written.
    #[error("{path}: cannot write the rejected-rows report: {source}")]
    Rejects {
        /// The report.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The rejected-rows report would overwrite the roll or the stations file.
    #[error(
        "{path}: the rejected-rows report would overwrite an input of the build; choose another report path"
    )]
    RejectsOverwriteInput {
        /// The report path asked for.
        path: PathBuf,
    },
}

fn empty_roll_reason(skipped: u64) -> String {
    match skipped {
        0 => "the roll holds no voter (no data row after the header)".to_string(),
        1 => "the roll holds no voter (its only data row was rejected)".to_string(),
        _ => format!("the roll holds no voter (all {skipped} of its data rows were rejected)"),
    }
}

impl PipelineError {
    /// The bad row that stopped a build under [`BadRowPolicy::Fail`].
    pub fn bad_row(&self) -> Option<&BadRow> {
        match self {
            PipelineError::Roll(RollError::BadRow(bad)) => Some(bad),
            _ => None,
        }
    }
}

/// Builds the artifact that `request` describes, reporting each step to
/// `progress`.
///
/// Nothing is left at `request.out` unless the build succeeds (the
/// rejected-rows report, outside the artifact, is kept either way). See the
/// [module documentation](self) for the steps and the bad-row report.
pub fn build_artifact(
    request: &ArtifactRequest,
    progress: &dyn Fn(ProgressEvent),
) -> Result<ArtifactOutcome, PipelineError> {
    let started = Instant::now();
    // First, as it is the cheapest check: refuses an existing destination.
    let staged = StagedArtifact::new(&request.out)?;

    // The stations file is small; a mistake in it should not cost a roll read.
    let (stations_input, station_list) = match &request.stations {
        Some(path) => (
            Some(InputFile::hash("stations", path)?),
            Some(read_stations(path)?),
        ),
        None => (None, None),
    };

    let roll_name = request.roll.display().to_string();
    let roll_io_error = |source| RollError::Io {
        path: roll_name.clone(),
        source,
    };
    let roll_file = File::open(&request.roll).map_err(roll_io_error)?;
    let total_bytes = roll_file.metadata().map_err(roll_io_error)?.len();
    let mut roll_input = HashingReader::new(roll_file);
    let bytes_read = roll_input.bytes_read();
    let options = ReaderOptions {
        encoding: request.encoding,
    };
    let reader = RollReader::from_reader(&roll_name, &mut roll_input, &options)?;
    let encoding = reader.encoding();
    let ignored_columns = reader.ignored_columns().to_vec();

    let rejects_path = request.rejects_path();
    let mut rejects = match &rejects_path {
        Some(path) => Some(RejectsReport::create(path, request)?),
        None => None,
    };

    let index_dir = staged.index_dir();
    let index_error = |source| PipelineError::Index {
        path: roll_name.clone(),
        source,
    };
    let mut writer =
        VoterIndexWriter::create(IndexTarget::Directory(&index_dir), request.memory_budget)
            .map_err(index_error)?;
    let mut rows = 0u64;
    let mut skipped = 0u64;
    let mut outside = 0u64;
    let wanted = |row: &RollRow| {
        request.departements.is_empty()
            || row
                .commune_code
                .as_deref()
                .and_then(departement_of)
                .is_some_and(|departement| request.departements.iter().any(|d| d == departement))
    };
    let report_reading = |rows: u64, skipped: u64| {
        progress(ProgressEvent::Reading {
            bytes_read: bytes_read.get(),
            total_bytes,
            rows,
            skipped,
        });
    };
    report_reading(0, 0);
    // The reader is iterated here rather than through `read_roll` so that an
    // index error stops the read at once and rejected rows stream to the
    // report instead of piling up in memory.
    for item in reader {
        match item {
            Ok((_, row)) if !wanted(&row) => outside += 1,
            Ok((line, row)) => {
                writer
                    .add_row(row)
                    .map_err(|source| PipelineError::IndexRow {
                        path: roll_name.clone(),
                        line,
                        source,
                    })?;
                rows += 1;
            }
            Err(RollError::BadRow(bad)) if request.bad_row_policy == BadRowPolicy::Skip => {
                if let Some(report) = &mut rejects {
                    report.write(&bad)?;
                }
                skipped += 1;
            }
            Err(error) => return Err(error.into()),
        }
        if (rows + skipped + outside).is_multiple_of(PROGRESS_EVERY_ROWS) {
            report_reading(rows, skipped);
        }
    }
    if let Some(report) = rejects {
        report.finish()?;
    }
    let roll_input = roll_input
        .finish("roll", &roll_name)
        .map_err(roll_io_error)?;
    report_reading(rows, skipped);

    progress(ProgressEvent::Merging);
    let built = writer
        .finish(station_list.as_deref())
        .map_err(|error| match error {
            BuildError::EmptyRoll if outside > 0 => PipelineError::NoVoterInDepartements {
                path: roll_name.clone(),
                departements: request.departements.clone(),
                outside,
            },
            BuildError::EmptyRoll => PipelineError::EmptyRoll {
                path: roll_name.clone(),
                skipped,
            },
            BuildError::StationWithoutCommune {
                line,
                code,
                communes,
            } => {
                let path = request
                    .stations
                    .as_ref()
                    .map_or_else(String::new, |path| path.display().to_string());
                StationsError::BadLine {
                    path,
                    line,
                    reason: station_without_commune(&code, communes),
                }
                .into()
            }
            source => index_error(source),
        })?;
    let BuiltIndex {
        index,
        stations,
        names,
        voters,
        deletions,
        canaries,
        stats,
    } = built;
    // Release tantivy's hold on the staged directory before it is renamed.
    drop(index);

    progress(ProgressEvent::Committing);
    let info = BuildInfo {
        builder: request.builder.clone(),
        inputs: [Some(roll_input), stations_input]
            .into_iter()
            .flatten()
            .collect(),
        rows: stats.rows,
        skipped_rows: skipped,
        voters: stats.voters,
        departements: stats.departements.clone(),
        canaries,
        signer: request.signing_key.clone(),
    };
    let manifest = staged.commit(&stations, &names, &voters, &deletions, info)?;
    let mut meta_bytes = 0;
    for name in [MANIFEST_FILE, MANIFEST_CHECKSUM_FILE, SIGNATURE_FILE] {
        let path = request.out.join(name);
        match fs::metadata(&path) {
            Ok(metadata) => meta_bytes += metadata.len(),
            Err(error) if error.kind() == io::ErrorKind::NotFound && name == SIGNATURE_FILE => {}
            Err(source) => return Err(ArtifactError::Io { path, source }.into()),
        }
    }
    let artifact_bytes = meta_bytes + manifest.files.iter().map(|file| file.bytes).sum::<u64>();
    Ok(ArtifactOutcome {
        out: request.out.clone(),
        manifest,
        stats,
        skipped_rows: skipped,
        rows_outside: outside,
        rejects: rejects_path,
        encoding,
        ignored_columns,
        elapsed: started.elapsed(),
        artifact_bytes,
    })
}

/// Passes a file through, hashing and counting the bytes read.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    /// Shared so that progress can be read while the roll reader holds this.
    bytes_read: Rc<Cell<u64>>,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes_read: Rc::new(Cell::new(0)),
        }
    }

    fn bytes_read(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.bytes_read)
    }

    /// Reads whatever the consumer left unread, so the hash covers the whole
    /// file, and describes it.
    fn finish(mut self, role: &str, name: &str) -> io::Result<InputFile> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(InputFile {
            role: role.to_string(),
            name: name.to_string(),
            bytes: self.bytes_read.get(),
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.hasher.update(&buffer[..read]);
        self.bytes_read.set(self.bytes_read.get() + read as u64);
        Ok(read)
    }
}

/// The rejected-rows report being written.
struct RejectsReport {
    path: PathBuf,
    out: BufWriter<File>,
}

impl RejectsReport {
    /// Creates (or empties) the report, refusing to overwrite an input.
    fn create(path: &Path, request: &ArtifactRequest) -> Result<RejectsReport, PipelineError> {
        let inputs = std::iter::once(&request.roll).chain(request.stations.as_ref());
        for input in inputs {
            if same_file(path, input) {
                return Err(PipelineError::RejectsOverwriteInput {
                    path: path.to_path_buf(),
                });
            }
        }
        let error = |source| PipelineError::Rejects {
            path: path.to_path_buf(),
            source,
        };
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(0o600);
            let file = options.open(path).map_err(error)?;
            // The mode above applies to a new file only: an old report of
            // looser permissions is tightened before anything is written.
            file.set_permissions(fs::Permissions::from_mode(0o600))
                .map_err(error)?;
            Ok(RejectsReport {
                path: path.to_path_buf(),
                out: BufWriter::new(file),
            })
        }
        #[cfg(not(unix))]
        Ok(RejectsReport {
            path: path.to_path_buf(),
            out: BufWriter::new(options.open(path).map_err(error)?),
        })
    }

    fn write(&mut self, bad: &BadRow) -> Result<(), PipelineError> {
        writeln!(self.out, "{bad}")
            .and_then(|()| match bad.identifiers.as_deref() {
                None => writeln!(
                    self.out,
                    "  (fields not shown: they do not line up with the header)"
                ),
                Some(fields) => {
                    let shown: Vec<String> = fields
                        .iter()
                        .map(|(header, value)| format!("{header}={value}"))
                        .collect();
                    writeln!(self.out, "  {}", shown.join("; "))
                }
            })
            .map_err(|source| self.error(source))
    }

    fn finish(mut self) -> Result<(), PipelineError> {
        self.out
            .flush()
            .and_then(|()| self.out.get_ref().sync_all())
            .map_err(|source| self.error(source))
    }

    fn error(&self, source: io::Error) -> PipelineError {
        PipelineError::Rejects {
            path: self.path.clone(),
            source,
        }
    }
}

/// True when both paths exist and name the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
