//! The index artifact: a directory holding the tantivy index, the stations and
//! a manifest that names every file with its SHA-256.
//!
//! ```text
//! ARTIFACT/                 (mode 0750; every file 0640)
//!   manifest.json     format and schema versions, build time, inputs, counts, checksums
//!   manifest.sha256   SHA-256 of manifest.json's exact bytes (`sha256sum` format)
//!   manifest.sig      Ed25519 signature of manifest.json's exact bytes, when signed
//!                     ([`crate::signing`])
//!   stations.json     every polling station with its voter count
//!   names.bin         every voter's analysed names ([`crate::name_records`])
//!   voters.bin        what a result shows of every voter ([`crate::voter_records`])
//!   deletions.bin     the deletion neighbourhoods of the name dictionaries
//!                     ([`crate::deletions`])
//!   index/            the tantivy index (one segment)
//! ```
//!
//! An artifact is staged in a hidden temporary directory beside its final
//! place and renamed into place only once complete, so a crash never leaves a
//! half-written artifact where a server could load it. Loading reads every
//! file into memory, checks it against the manifest, and refuses the artifact
//! on the first difference.
//!
//! # What loading refuses
//!
//! Before the manifest is trusted, its bytes must match `manifest.sha256`
//! and, when the caller has a verify key, `manifest.sig` must be that key's
//! signature of them. Every file is opened without following a link out of
//! the artifact directory, without blocking on a pipe, and checked from its
//! metadata before a byte is read: a symbolic link that leaves the
//! directory, a special file (pipe, socket, device) or a file larger than
//! the manifest says is refused, so a planted file can neither make a
//! server read outside the artifact, hang it, nor fill its memory.
//!
//! # Format versions
//!
//! [`FORMAT_VERSION`] 2 added the manifest checksum and signature files and
//! reduced each canary to a station and an order number; 3 added
//! `deletions.bin`; 4 keyed stations by commune and code, and added the
//! commune to the voter records, the canaries and the manifest
//! (`departements`). A server refuses
//! an artifact of another version with an error naming it and asking for a
//! rebuild with a matching `index-builder`.

use std::fs;
use std::io::{self, Read, Write};
#[cfg(unix)]
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::Index;
use tantivy::directory::{Directory, RamDirectory};

use crate::deletions::{Deletions, DeletionsError};
use crate::model::Station;
use crate::name_records::{NameRecords, NameRecordsError};
use crate::schema::{SCHEMA_VERSION, VoterSchema};
use crate::signing::{ArtifactSigner, SignatureError, VerifyKey};
use crate::voter_records::{VoterRecords, VoterRecordsError};

/// Version of the artifact layout (this module); bumped when it changes.
pub const FORMAT_VERSION: u32 = 4;

/// File name of the manifest inside an artifact.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the manifest's checksum inside an artifact.
pub const MANIFEST_CHECKSUM_FILE: &str = "manifest.sha256";
/// File name of the manifest's signature inside an artifact.
pub const SIGNATURE_FILE: &str = "manifest.sig";
/// File name of the stations list inside an artifact.
pub const STATIONS_FILE: &str = "stations.json";
/// File name of the name records inside an artifact.
pub const NAMES_FILE: &str = "names.bin";
/// File name of the voter records inside an artifact.
pub const VOTERS_FILE: &str = "voters.bin";
/// File name of the deletion neighbourhoods inside an artifact.
pub const DELETIONS_FILE: &str = "deletions.bin";
/// Sub-directory holding the tantivy index.
pub const INDEX_DIR: &str = "index";

/// Files that describe the others and that the manifest therefore does not
/// list.
const META_FILES: [&str; 3] = [MANIFEST_FILE, MANIFEST_CHECKSUM_FILE, SIGNATURE_FILE];

/// Largest manifest read, in bytes (a real one is a few kilobytes).
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest checksum or signature file read, in bytes.
const MAX_META_FILE_BYTES: u64 = 4 * 1024;

/// Permissions of the artifact's files: owner and group read them.
#[cfg(unix)]
const FILE_MODE: u32 = 0o640;
/// Permissions of the artifact's directories.
#[cfg(unix)]
const DIR_MODE: u32 = 0o750;

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
    /// The départements of the voters' communes, sorted: what a server of
    /// this artifact serves when a request names a département. Empty when
    /// the roll names no commune.
    #[serde(default)]
    pub departements: Vec<String>,
    /// Lookups a server runs on the artifact before serving it: each must
    /// find its voter.
    #[serde(default)]
    pub canaries: Vec<Canary>,
    /// Every file of the artifact but the manifest, with its checksum.
    pub files: Vec<FileEntry>,
}

/// A voter of the roll that a lookup must find, named by station and order
/// number only: the manifest, `/readyz` and the logs never carry a name.
/// The server makes the lookup from the voter's record
/// ([`crate::voter_records::VoterView::desk_lookup`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Canary {
    /// INSEE code of the voter's commune, when the roll gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune_code: Option<String>,
    /// Station code the voter is registered in.
    pub station_code: String,
    /// Order number the voter has there.
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
    /// The départements of the voters' communes, sorted.
    pub departements: Vec<String>,
    /// Canary lookups for the manifest.
    pub canaries: Vec<Canary>,
    /// The key that signs the manifest, when the artifact is signed.
    pub signer: Option<ArtifactSigner>,
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
    #[error(
        "{path}: artifact format version {found}, this program reads version {expected}: rebuild the artifact with a matching index-builder"
    )]
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
    /// The deletion neighbourhoods are damaged.
    #[error("{path}: {source}")]
    BadDeletions {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: DeletionsError,
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
    /// The manifest's checksum file is missing, malformed, or does not match
    /// the manifest's bytes.
    #[error("{path}: {reason}")]
    ManifestChecksum {
        /// The checksum file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The caller requires a signature and the artifact has none.
    #[error(
        "{path}: missing: the artifact is not signed, and only artifacts signed by the verify key (key id {key_id}) are accepted"
    )]
    Unsigned {
        /// The signature file expected.
        path: PathBuf,
        /// The verify key's id.
        key_id: String,
    },
    /// The signature is malformed, by another key, or does not verify.
    #[error("{path}: {source}")]
    Signature {
        /// The signature file.
        path: PathBuf,
        /// Why it was refused.
        source: SignatureError,
    },
    /// A symbolic link leads out of the artifact directory.
    #[error(
        "{path}: symbolic link to {}, outside the artifact directory", target.display()
    )]
    SymlinkEscape {
        /// The link.
        path: PathBuf,
        /// Where it leads.
        target: PathBuf,
    },
    /// A file is not a regular file (or a link to one inside the artifact).
    #[error("{path}: {kind}, not a regular file; an artifact holds regular files only")]
    SpecialFile {
        /// The file.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// A file the manifest does not size is larger than any valid one.
    #[error("{path}: {found} bytes, more than the {limit} such a file may have")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Largest size accepted.
        limit: u64,
        /// Size on disk.
        found: u64,
    },
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
        deletions: &Deletions,
        info: BuildInfo,
    ) -> Result<Manifest, ArtifactError> {
        let root = self.staging.path();
        let signer = info.signer;
        write_synced(&root.join(NAMES_FILE), &names.to_bytes())?;
        write_synced(&root.join(VOTERS_FILE), &voters.to_bytes())?;
        write_synced(&root.join(DELETIONS_FILE), &deletions.to_bytes())?;
        let stations_path = root.join(STATIONS_FILE);
        let stations_json =
            serde_json::to_vec_pretty(stations).map_err(|source| ArtifactError::BadStations {
                path: stations_path.clone(),
                source,
            })?;
        write_synced(&stations_path, &stations_json)?;

        let mut files = Vec::new();
        for relative in list_files(root)? {
            if META_FILES.contains(&relative.as_str()) {
                continue;
            }
            let path = root.join(&relative);
            let bytes = fs::read(&path).map_err(|source| ArtifactError::io(&path, source))?;
            restrict_file(&path)?;
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
            departements: info.departements,
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
        let checksum = manifest_checksum(&manifest_json);
        write_synced(&root.join(MANIFEST_CHECKSUM_FILE), checksum.as_bytes())?;
        if let Some(signer) = &signer {
            let signature = signer.sign(&manifest_json);
            write_synced(&root.join(SIGNATURE_FILE), signature.as_bytes())?;
        }
        restrict_dir(&root.join(INDEX_DIR))?;
        restrict_dir(root)?;
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

/// The content of `manifest.sha256` for a manifest of these bytes, in the
/// format of `sha256sum` (so `sha256sum -c manifest.sha256` checks it too).
pub fn manifest_checksum(manifest: &[u8]) -> String {
    format!(
        "{}  {MANIFEST_FILE}\n",
        hex::encode(Sha256::digest(manifest))
    )
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
    /// The deletion neighbourhoods of the name dictionaries.
    pub deletions: Deletions,
}

/// Reads the manifest of an artifact without verifying the files (its
/// checksum and signature are not checked either).
pub fn read_manifest(dir: &Path) -> Result<Manifest, ArtifactError> {
    let root = canonical_root(dir)?;
    let bytes = read_manifest_bytes(&root, dir)?;
    parse_manifest(dir, &bytes)
}

/// The artifact directory with every link resolved: what a file must stay
/// inside.
fn canonical_root(dir: &Path) -> Result<PathBuf, ArtifactError> {
    fs::canonicalize(dir).map_err(|source| ArtifactError::io(dir, source))
}

fn read_manifest_bytes(root: &Path, dir: &Path) -> Result<Vec<u8>, ArtifactError> {
    let path = dir.join(MANIFEST_FILE);
    read_checked(root, &path, MAX_MANIFEST_BYTES, |found| {
        ArtifactError::TooLarge {
            path: path.clone(),
            limit: MAX_MANIFEST_BYTES,
            found,
        }
    })?
    .ok_or_else(|| ArtifactError::MissingManifest(dir.to_path_buf()))
}

fn parse_manifest(dir: &Path, bytes: &[u8]) -> Result<Manifest, ArtifactError> {
    serde_json::from_slice(bytes).map_err(|source| ArtifactError::BadManifest {
        path: dir.join(MANIFEST_FILE),
        source,
    })
}

/// Refuses a manifest of another format version before anything else is
/// asked of it (an older artifact has no checksum file to check).
fn check_format_version(dir: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    #[derive(Deserialize)]
    struct Versions {
        format_version: u32,
    }
    let versions: Versions =
        serde_json::from_slice(bytes).map_err(|source| ArtifactError::BadManifest {
            path: dir.join(MANIFEST_FILE),
            source,
        })?;
    if versions.format_version != FORMAT_VERSION {
        return Err(ArtifactError::FormatVersion {
            path: dir.to_path_buf(),
            found: versions.format_version,
            expected: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// Reads a small file that describes the manifest; `None` when absent.
fn read_meta_file(root: &Path, path: &Path) -> Result<Option<String>, ArtifactError> {
    let bytes = read_checked(root, path, MAX_META_FILE_BYTES, |found| {
        ArtifactError::TooLarge {
            path: path.to_path_buf(),
            limit: MAX_META_FILE_BYTES,
            found,
        }
    })?;
    Ok(bytes.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}

/// The manifest's bytes must have the SHA-256 its checksum file states.
fn check_manifest_checksum(root: &Path, dir: &Path, manifest: &[u8]) -> Result<(), ArtifactError> {
    let path = dir.join(MANIFEST_CHECKSUM_FILE);
    let refuse = |reason: String| ArtifactError::ManifestChecksum {
        path: path.clone(),
        reason,
    };
    let Some(text) = read_meta_file(root, &path)? else {
        return Err(refuse(
            "missing: every artifact of this format has its manifest's checksum".to_string(),
        ));
    };
    let mut fields = text.split_whitespace();
    let (Some(stated), Some(MANIFEST_FILE), None) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(refuse(format!(
            "malformed: expected `SHA256  {MANIFEST_FILE}` on one line"
        )));
    };
    if stated != hex::encode(Sha256::digest(manifest)) {
        return Err(refuse(format!(
            "the SHA-256 of {MANIFEST_FILE} does not match (the manifest was altered or damaged)"
        )));
    }
    Ok(())
}

/// The manifest's bytes must carry `key`'s signature.
fn check_signature(
    root: &Path,
    dir: &Path,
    manifest: &[u8],
    key: &VerifyKey,
) -> Result<(), ArtifactError> {
    let path = dir.join(SIGNATURE_FILE);
    let Some(signature) = read_meta_file(root, &path)? else {
        return Err(ArtifactError::Unsigned {
            path,
            key_id: key.key_id(),
        });
    };
    key.verify(manifest, &signature)
        .map_err(|source| ArtifactError::Signature { path, source })
}

/// Loads an artifact into memory, verifying versions, the manifest's
/// checksum, the file list, sizes and checksums, and the voter count. Its
/// signature is not checked: see [`load_verified`].
pub fn load(dir: &Path) -> Result<LoadedArtifact, ArtifactError> {
    load_verified(dir, None)
}

/// [`load`], and, given a `verify_key`, refuses an artifact whose manifest
/// that key did not sign (unsigned, signed by another key, or altered
/// since), before any other file is read.
pub fn load_verified(
    dir: &Path,
    verify_key: Option<&VerifyKey>,
) -> Result<LoadedArtifact, ArtifactError> {
    let root = canonical_root(dir)?;
    let manifest_bytes = read_manifest_bytes(&root, dir)?;
    check_format_version(dir, &manifest_bytes)?;
    check_manifest_checksum(&root, dir, &manifest_bytes)?;
    if let Some(key) = verify_key {
        check_signature(&root, dir, &manifest_bytes, key)?;
    }
    let manifest = parse_manifest(dir, &manifest_bytes)?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(ArtifactError::SchemaVersion {
            path: dir.to_path_buf(),
            found: manifest.schema_version,
            expected: SCHEMA_VERSION,
        });
    }
    let present = list_files(dir)?;
    for relative in &present {
        if !META_FILES.contains(&relative.as_str())
            && !manifest.files.iter().any(|f| &f.path == relative)
        {
            return Err(ArtifactError::UnlistedFile(dir.join(relative)));
        }
    }
    let ram = RamDirectory::create();
    let mut stations_bytes = None;
    let mut names_bytes = None;
    let mut voters_bytes = None;
    let mut deletions_bytes = None;
    for entry in &manifest.files {
        let path = dir.join(&entry.path);
        if !present.contains(&entry.path) {
            return Err(ArtifactError::MissingFile(path));
        }
        let too_large = |found| ArtifactError::SizeMismatch {
            path: path.clone(),
            expected: entry.bytes,
            found,
        };
        let bytes = read_checked(&root, &path, entry.bytes, too_large)?
            .ok_or_else(|| ArtifactError::MissingFile(path.clone()))?;
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
        } else if entry.path == DELETIONS_FILE {
            deletions_bytes = Some(bytes);
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
    let deletions_path = dir.join(DELETIONS_FILE);
    let deletions = match deletions_bytes {
        Some(bytes) => {
            Deletions::from_bytes(&bytes).map_err(|source| ArtifactError::BadDeletions {
                path: deletions_path,
                source,
            })?
        }
        None => return Err(ArtifactError::MissingFile(deletions_path)),
    };
    Ok(LoadedArtifact {
        manifest,
        index,
        stations,
        names,
        voters,
        deletions,
    })
}

/// Every file below `root`, as sorted `/`-separated relative paths.
/// tantivy's lock files are left out: they are runtime state, not content.
///
/// Refuses, from metadata alone, a symbolic link that leads out of `root`
/// or to a directory, and anything that is neither a directory nor a
/// regular file (pipe, socket, device).
fn list_files(root: &Path) -> Result<Vec<String>, ArtifactError> {
    let canonical = canonical_root(root)?;
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative_dir) = pending.pop() {
        let dir = root.join(&relative_dir);
        let entries = fs::read_dir(&dir).map_err(|source| ArtifactError::io(&dir, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| ArtifactError::io(&dir, source))?;
            let relative = relative_dir.join(entry.file_name());
            let path = entry.path();
            // The entry itself: a link is not followed here.
            let file_type = entry
                .file_type()
                .map_err(|source| ArtifactError::io(&path, source))?;
            if file_type.is_dir() {
                pending.push(relative);
                continue;
            }
            if file_type.is_symlink() {
                let target =
                    fs::canonicalize(&path).map_err(|source| ArtifactError::io(&path, source))?;
                if !target.starts_with(&canonical) {
                    return Err(ArtifactError::SymlinkEscape { path, target });
                }
                let target_type = fs::metadata(&target)
                    .map_err(|source| ArtifactError::io(&path, source))?
                    .file_type();
                if target_type.is_dir() {
                    return Err(ArtifactError::SpecialFile {
                        path,
                        kind: "symbolic link to a directory",
                    });
                }
                if !target_type.is_file() {
                    return Err(ArtifactError::SpecialFile {
                        path,
                        kind: kind_of(target_type),
                    });
                }
            } else if !file_type.is_file() {
                return Err(ArtifactError::SpecialFile {
                    path,
                    kind: kind_of(file_type),
                });
            }
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
    files.sort();
    Ok(files)
}

/// What a file that is not a regular file is, for an error.
fn kind_of(file_type: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        if file_type.is_fifo() {
            return "named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_char_device() {
            return "character device";
        }
    }
    if file_type.is_dir() {
        return "directory";
    }
    "special file"
}

/// Reads the file at `path` (inside the artifact whose resolved directory
/// is `root`) when it stays inside `root`, is a regular file and holds at
/// most `limit` bytes; all three are checked before a byte is read. `None`
/// when there is no such file.
fn read_checked(
    root: &Path,
    path: &Path,
    limit: u64,
    too_large: impl FnOnce(u64) -> ArtifactError,
) -> Result<Option<Vec<u8>>, ArtifactError> {
    let io_error = |source| ArtifactError::io(path, source);
    let target = match fs::canonicalize(path) {
        Ok(target) => target,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_error(error)),
    };
    if !target.starts_with(root) {
        return Err(ArtifactError::SymlinkEscape {
            path: path.to_path_buf(),
            target,
        });
    }
    let file = open_no_wait(&target).map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    if !metadata.is_file() {
        return Err(ArtifactError::SpecialFile {
            path: path.to_path_buf(),
            kind: kind_of(metadata.file_type()),
        });
    }
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // A file growing after the check is still read no further than the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// Opens a resolved path for reading without following a link put there
/// since it was resolved, and without waiting on a pipe (whose type the
/// caller then sees and refuses).
fn open_no_wait(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Writes a new file of the artifact, readable by owner and group only.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    let mut file = options
        .open(path)
        .map_err(|source| ArtifactError::io(path, source))?;
    file.write_all(bytes)
        .map_err(|source| ArtifactError::io(path, source))?;
    file.sync_all()
        .map_err(|source| ArtifactError::io(path, source))
}

/// Makes a file of the artifact readable by owner and group only (0640).
fn restrict_file(path: &Path) -> Result<(), ArtifactError> {
    #[cfg(unix)]
    fs::set_permissions(path, fs::Permissions::from_mode(FILE_MODE))
        .map_err(|source| ArtifactError::io(path, source))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Makes a directory of the artifact open to owner and group only (0750).
fn restrict_dir(path: &Path) -> Result<(), ArtifactError> {
    #[cfg(unix)]
    fs::set_permissions(path, fs::Permissions::from_mode(DIR_MODE))
        .map_err(|source| ArtifactError::io(path, source))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn sync_file(path: &Path) -> Result<(), ArtifactError> {
    fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| ArtifactError::io(path, source))
}

fn sync_dir(path: &Path) -> Result<(), ArtifactError> {
    sync_file(path)
}

#[cfg(test)]
mod tests;
