//! The index artifact: a directory holding the tantivy index, the stations and
//! a manifest that names every file with its SHA-256.
//!
//! ```text
//! ARTIFACT/
//!   manifest.json     format and schema versions, build time, inputs, counts, checksums
//!   stations.json     every polling station with its voter count
//!   names.bin         every voter's analysed names ([`crate::name_records`])
//!   voters.bin        what a result shows of every voter ([`crate::voter_records`])
//!   index/            the tantivy index (one segment)
//! ```
//!
//! An artifact is staged in a hidden temporary directory beside its final
//! place and renamed into place only once complete, so a crash never leaves a
//! half-written artifact where a server could load it. Loading reads every
//! file into memory, checks it against the manifest, and refuses the artifact
//! on the first difference.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::Index;
use tantivy::directory::{Directory, RamDirectory};

use crate::model::Station;
use crate::name_records::{NameRecords, NameRecordsError};
use crate::schema::{SCHEMA_VERSION, VoterSchema};
use crate::voter_records::{VoterRecords, VoterRecordsError};

/// Version of the artifact layout (this module); bumped when it changes.
pub const FORMAT_VERSION: u32 = 1;

/// File name of the manifest inside an artifact.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the stations list inside an artifact.
pub const STATIONS_FILE: &str = "stations.json";
/// File name of the name records inside an artifact.
pub const NAMES_FILE: &str = "names.bin";
/// File name of the voter records inside an artifact.
pub const VOTERS_FILE: &str = "voters.bin";
/// Sub-directory holding the tantivy index.
pub const INDEX_DIR: &str = "index";

/// One input the artifact was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// `roll` or `stations`.
    pub role: String,
    /// File name as given on the command line.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

impl InputFile {
    /// Hashes a file on disk, streaming.
    pub fn hash(role: &str, path: &Path) -> Result<InputFile, ArtifactError> {
        let mut file = fs::File::open(path).map_err(|source| ArtifactError::io(path, source))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let read = file
                .read(&mut buffer)
                .map_err(|source| ArtifactError::io(path, source))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            bytes += read as u64;
        }
        Ok(InputFile {
            role: role.to_string(),
            name: path.display().to_string(),
            bytes,
            sha256: hex::encode(hasher.finalize()),
        })
    }
}

/// One file of the artifact with its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the artifact directory, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// What the manifest records about the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// Unique, sortable version: build time (UTC) and a short content hash.
    pub version: String,
    /// Build time, RFC 3339 UTC.
    pub built_at: String,
    /// Program and version that wrote it.
    pub builder: String,
    /// The inputs with their checksums.
    pub inputs: Vec<InputFile>,
    /// Rows accepted from the roll.
    pub rows: u64,
    /// Rows skipped under the `skip` bad-row policy.
    pub skipped_rows: u64,
    /// Voters (persons) indexed.
    pub voters: u64,
    /// Polling stations.
    pub stations: u64,
    /// Lookups a server runs on the artifact before serving it: each must
    /// find its voter.
    #[serde(default)]
    pub canaries: Vec<Canary>,
    /// Every file of the artifact but the manifest, with its checksum.
    pub files: Vec<FileEntry>,
}

/// A lookup that must find a known voter of the roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Canary {
    /// Query text, as a desk would type it: birth name then first given name.
    pub query: String,
    /// Birth date in ISO form, when the roll knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Station code the voter must be found in.
    pub station_code: String,
    /// Order number the voter must have there.
    pub order_number: u32,
}

/// What the caller knows about a build that the manifest records.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// Program and version, e.g. `index-builder 0.1.0`.
    pub builder: String,
    /// Hashed inputs.
    pub inputs: Vec<InputFile>,
    /// Rows accepted.
    pub rows: u64,
    /// Rows skipped.
    pub skipped_rows: u64,
    /// Voters indexed.
    pub voters: u64,
    /// Canary lookups for the manifest.
    pub canaries: Vec<Canary>,
}

/// Why an artifact could not be written or loaded.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The directory has no manifest.
    #[error("{0}: not an index artifact (no {MANIFEST_FILE})")]
    MissingManifest(PathBuf),
    /// The manifest is not valid JSON of the expected shape.
    #[error("{path}: unreadable manifest: {source}")]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The artifact was written by an incompatible layout version.
    #[error("{path}: artifact format version {found}, this program reads version {expected}")]
    FormatVersion {
        /// The artifact.
        path: PathBuf,
        /// Version found.
        found: u32,
        /// Version expected.
        expected: u32,
    },
    /// The artifact was written with another index schema.
    #[error(
        "{path}: index schema version {found}, this program reads version {expected}: rebuild the index with a matching index-builder"
    )]
    SchemaVersion {
        /// The artifact.
        path: PathBuf,
        /// Version found.
        found: u32,
        /// Version expected.
        expected: u32,
    },
    /// A file named by the manifest is absent.
    #[error("{0}: listed in the manifest but missing")]
    MissingFile(PathBuf),
    /// A file is present that the manifest does not name.
    #[error("{0}: not listed in the manifest (tampered or mixed artifact)")]
    UnlistedFile(PathBuf),
    /// A file's size differs from the manifest (truncated copy).
    #[error("{path}: {found} bytes, the manifest says {expected} (truncated or altered copy)")]
    SizeMismatch {
        /// The file.
        path: PathBuf,
        /// Size in the manifest.
        expected: u64,
        /// Size on disk.
        found: u64,
    },
    /// A file's checksum differs from the manifest.
    #[error("{0}: SHA-256 does not match the manifest (corrupted or tampered)")]
    ChecksumMismatch(PathBuf),
    /// The stations file is unreadable.
    #[error("{path}: unreadable stations list: {source}")]
    BadStations {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// tantivy refused the index.
    #[error("{path}: index unreadable: {source}")]
    Index {
        /// The artifact.
        path: PathBuf,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// The index does not hold the number of voters the manifest announces.
    #[error("{path}: the index holds {found} voters, the manifest says {expected}")]
    VoterCount {
        /// The artifact.
        path: PathBuf,
        /// Count in the manifest.
        expected: u64,
        /// Count in the index.
        found: u64,
    },
    /// The name records are damaged.
    #[error("{path}: {source}")]
    BadNames {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: NameRecordsError,
    },
    /// The voter records are damaged.
    #[error("{path}: {source}")]
    BadVoters {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: VoterRecordsError,
    },
    /// A records file and the index disagree on the number of voters.
    #[error("{path}: {found} records for {expected} voters in the index")]
    NamesCount {
        /// The file.
        path: PathBuf,
        /// Voters in the index.
        expected: u64,
        /// Records in the file.
        found: u64,
    },
    /// The output directory already exists.
    #[error("{0}: already exists; choose a new directory or remove it first")]
    Exists(PathBuf),
}

impl ArtifactError {
    fn io(path: &Path, source: io::Error) -> ArtifactError {
        ArtifactError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// An artifact being written: a hidden temporary directory beside the final
/// place, removed if dropped before [`StagedArtifact::commit`].
#[derive(Debug)]
pub struct StagedArtifact {
    staging: tempfile::TempDir,
    destination: PathBuf,
}

impl StagedArtifact {
    /// Prepares to write an artifact at `destination`, which must not exist.
    pub fn new(destination: &Path) -> Result<StagedArtifact, ArtifactError> {
        if destination.exists() {
            return Err(ArtifactError::Exists(destination.to_path_buf()));
        }
        let parent = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|source| ArtifactError::io(&parent, source))?;
        let name = destination
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "artifact".to_string());
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(|source| ArtifactError::io(&parent, source))?;
        let index_dir = staging.path().join(INDEX_DIR);
        fs::create_dir(&index_dir).map_err(|source| ArtifactError::io(&index_dir, source))?;
        Ok(StagedArtifact {
            staging,
            destination: destination.to_path_buf(),
        })
    }

    /// Where the tantivy index must be created.
    pub fn index_dir(&self) -> PathBuf {
        self.staging.path().join(INDEX_DIR)
    }

    /// Writes the stations, the name records and the manifest, syncs
    /// everything to disk and renames the staging directory into place.
    pub fn commit(
        self,
        stations: &[Station],
        names: &NameRecords,
        voters: &VoterRecords,
        info: BuildInfo,
    ) -> Result<Manifest, ArtifactError> {
        let root = self.staging.path();
        write_synced(&root.join(NAMES_FILE), &names.to_bytes())?;
        write_synced(&root.join(VOTERS_FILE), &voters.to_bytes())?;
        let stations_path = root.join(STATIONS_FILE);
        let stations_json =
            serde_json::to_vec_pretty(stations).map_err(|source| ArtifactError::BadStations {
                path: stations_path.clone(),
                source,
            })?;
        write_synced(&stations_path, &stations_json)?;

        let mut files = Vec::new();
        for relative in list_files(root)? {
            if relative == MANIFEST_FILE {
                continue;
            }
            let path = root.join(&relative);
            let bytes = fs::read(&path).map_err(|source| ArtifactError::io(&path, source))?;
            sync_file(&path)?;
            files.push(FileEntry {
                path: relative,
                bytes: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(&bytes)),
            });
        }
        let built_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            schema_version: SCHEMA_VERSION,
            version: version_string(&built_at, &files),
            built_at,
            builder: info.builder,
            inputs: info.inputs,
            rows: info.rows,
            skipped_rows: info.skipped_rows,
            voters: info.voters,
            stations: stations.len() as u64,
            canaries: info.canaries,
            files,
        };
        let manifest_path = root.join(MANIFEST_FILE);
        let manifest_json =
            serde_json::to_vec_pretty(&manifest).map_err(|source| ArtifactError::BadManifest {
                path: manifest_path.clone(),
                source,
            })?;
        write_synced(&manifest_path, &manifest_json)?;
        sync_dir(&root.join(INDEX_DIR))?;
        sync_dir(root)?;

        let staging = self.staging.keep();
        fs::rename(&staging, &self.destination)
            .map_err(|source| ArtifactError::io(&self.destination, source))?;
        if let Some(parent) = self
            .destination
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            sync_dir(parent)?;
        }
        Ok(manifest)
    }
}

/// `20261123T130501Z-1a2b3c4d`: sortable by build time, unique by content.
fn version_string(built_at: &str, files: &[FileEntry]) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.path.as_bytes());
        hasher.update(file.sha256.as_bytes());
    }
    let compact_time: String = built_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let digest = hex::encode(hasher.finalize());
    format!("{compact_time}-{}", &digest[..8])
}

/// A verified artifact, loaded into memory.
#[derive(Debug)]
pub struct LoadedArtifact {
    /// Its manifest.
    pub manifest: Manifest,
    /// The index, held in RAM.
    pub index: Index,
    /// Its stations.
    pub stations: Vec<Station>,
    /// Every voter's analysed names.
    pub names: NameRecords,
    /// What a result shows of every voter.
    pub voters: VoterRecords,
}

/// Reads the manifest of an artifact without verifying the files.
pub fn read_manifest(dir: &Path) -> Result<Manifest, ArtifactError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(ArtifactError::MissingManifest(dir.to_path_buf()));
        }
        Err(source) => return Err(ArtifactError::io(&path, source)),
    };
    serde_json::from_slice(&bytes).map_err(|source| ArtifactError::BadManifest { path, source })
}

/// Loads an artifact into memory, verifying versions, the file list, sizes and
/// checksums, and the voter count.
pub fn load(dir: &Path) -> Result<LoadedArtifact, ArtifactError> {
    let manifest = read_manifest(dir)?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(ArtifactError::FormatVersion {
            path: dir.to_path_buf(),
            found: manifest.format_version,
            expected: FORMAT_VERSION,
        });
    }
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(ArtifactError::SchemaVersion {
            path: dir.to_path_buf(),
            found: manifest.schema_version,
            expected: SCHEMA_VERSION,
        });
    }
    let present = list_files(dir)?;
    for relative in &present {
        if relative != MANIFEST_FILE && !manifest.files.iter().any(|f| &f.path == relative) {
            return Err(ArtifactError::UnlistedFile(dir.join(relative)));
        }
    }
    let ram = RamDirectory::create();
    let mut stations_bytes = None;
    let mut names_bytes = None;
    let mut voters_bytes = None;
    for entry in &manifest.files {
        let path = dir.join(&entry.path);
        if !present.contains(&entry.path) {
            return Err(ArtifactError::MissingFile(path));
        }
        let bytes = fs::read(&path).map_err(|source| ArtifactError::io(&path, source))?;
        if bytes.len() as u64 != entry.bytes {
            return Err(ArtifactError::SizeMismatch {
                path,
                expected: entry.bytes,
                found: bytes.len() as u64,
            });
        }
        if hex::encode(Sha256::digest(&bytes)) != entry.sha256 {
            return Err(ArtifactError::ChecksumMismatch(path));
        }
        if entry.path == STATIONS_FILE {
            stations_bytes = Some(bytes);
        } else if entry.path == NAMES_FILE {
            names_bytes = Some(bytes);
        } else if entry.path == VOTERS_FILE {
            voters_bytes = Some(bytes);
        } else if let Some(name) = entry.path.strip_prefix(&format!("{INDEX_DIR}/")) {
            ram.atomic_write(Path::new(name), &bytes)
                .map_err(|source| ArtifactError::io(&path, source))?;
        }
    }
    let stations_path = dir.join(STATIONS_FILE);
    let stations: Vec<Station> = match stations_bytes {
        Some(bytes) => {
            serde_json::from_slice(&bytes).map_err(|source| ArtifactError::BadStations {
                path: stations_path,
                source,
            })?
        }
        None => return Err(ArtifactError::MissingFile(stations_path)),
    };
    let index_error = |source| ArtifactError::Index {
        path: dir.to_path_buf(),
        source,
    };
    let index = Index::open(ram).map_err(index_error)?;
    VoterSchema::from_schema(&index.schema()).map_err(index_error)?;
    let found = index.reader().map_err(index_error)?.searcher().num_docs();
    if found != manifest.voters {
        return Err(ArtifactError::VoterCount {
            path: dir.to_path_buf(),
            expected: manifest.voters,
            found,
        });
    }
    let names_path = dir.join(NAMES_FILE);
    let names = match names_bytes {
        Some(bytes) => {
            NameRecords::from_bytes(bytes).map_err(|source| ArtifactError::BadNames {
                path: names_path.clone(),
                source,
            })?
        }
        None => return Err(ArtifactError::MissingFile(names_path)),
    };
    if names.len() as u64 != found {
        return Err(ArtifactError::NamesCount {
            path: names_path,
            expected: found,
            found: names.len() as u64,
        });
    }
    let voters_path = dir.join(VOTERS_FILE);
    let voters = match voters_bytes {
        Some(bytes) => {
            VoterRecords::from_bytes(bytes).map_err(|source| ArtifactError::BadVoters {
                path: voters_path.clone(),
                source,
            })?
        }
        None => return Err(ArtifactError::MissingFile(voters_path)),
    };
    if voters.len() as u64 != found {
        return Err(ArtifactError::NamesCount {
            path: voters_path,
            expected: found,
            found: voters.len() as u64,
        });
    }
    Ok(LoadedArtifact {
        manifest,
        index,
        stations,
        names,
        voters,
    })
}

/// Every regular file below `root`, as sorted `/`-separated relative paths.
/// tantivy's lock files are left out: they are runtime state, not content.
fn list_files(root: &Path) -> Result<Vec<String>, ArtifactError> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative_dir) = pending.pop() {
        let dir = root.join(&relative_dir);
        let entries = fs::read_dir(&dir).map_err(|source| ArtifactError::io(&dir, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| ArtifactError::io(&dir, source))?;
            let relative = relative_dir.join(entry.file_name());
            let file_type = entry
                .file_type()
                .map_err(|source| ArtifactError::io(&entry.path(), source))?;
            if file_type.is_dir() {
                pending.push(relative);
            } else {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(".tantivy-") && name.ends_with(".lock") {
                    continue;
                }
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                files.push(parts.join("/"));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    let mut file = fs::File::create(path).map_err(|source| ArtifactError::io(path, source))?;
    file.write_all(bytes)
        .map_err(|source| ArtifactError::io(path, source))?;
    file.sync_all()
        .map_err(|source| ArtifactError::io(path, source))
}

fn sync_file(path: &Path) -> Result<(), ArtifactError> {
    fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| ArtifactError::io(path, source))
}

fn sync_dir(path: &Path) -> Result<(), ArtifactError> {
    sync_file(path)
}
