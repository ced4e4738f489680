//! Publishing artifacts for running servers: a root directory holding one
//! directory per version and a `current` symbolic link to the live one.
//!
//! ```text
//! ROOT/
//!   20261130T080000Z-1a2b3c4d/   an artifact (see crate::artifact)
//!   20261130T120000Z-5e6f7a8b/
//!   current -> 20261130T120000Z-5e6f7a8b
//! ```
//!
//! Version names sort by build time, so the newest sorts last. A version is
//! built under a hidden name in the root and renamed into place when
//! complete; `current` is switched by creating a new link and renaming it
//! over the old one, which readers see change from one complete version to
//! another, never anything in between. Servers watching the root
//! (`voter-lookup serve --index-root`) load whatever `current` names.
//!
//! Only directories the builder published count as versions: a name that
//! is not hidden and a manifest naming that very version. Anything else in
//! the root (`lost+found`, an export, a copy) is neither served, rolled
//! back to nor pruned.
//!
//! A build holds `ROOT/.build.lock` while it stages and publishes, so that
//! staging directories left by a build that was killed (`.incoming-PID`)
//! are removed by the next one. Servers record the version they serve in
//! `ROOT/.serving/SERVER` and refresh the record every minute; pruning
//! never removes a version a fresh record names.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::artifact::MANIFEST_FILE;

/// Name of the link to the live version.
pub const CURRENT_LINK: &str = "current";

/// Hidden directory where servers record the version they serve.
pub const SERVING_DIR: &str = ".serving";

/// Lock file a build holds while it stages and publishes.
pub const BUILD_LOCK: &str = ".build.lock";

/// Prefix of the directories builds stage versions in.
const INCOMING_PREFIX: &str = ".incoming-";

/// How long a server's record counts after its last refresh: a server
/// refreshes it every minute, so a record this old belongs to a server
/// that is gone.
pub const SERVING_RECORD_TTL: Duration = Duration::from_secs(600);

/// Records older than this are removed when pruning.
const SERVING_RECORD_EXPIRY: Duration = Duration::from_secs(24 * 3600);

/// Why publishing failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A file system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The version is already published.
    #[error("{0}: this version is already published")]
    Exists(PathBuf),
    /// `keep` must leave a version to roll back to.
    #[error("keep {0}: at least 2 versions are kept, the live one and one to roll back to")]
    KeepTooFew(usize),
    /// Another build holds the root's lock.
    #[error("{0}: another build is publishing into this root")]
    Busy(PathBuf),
    /// The version asked for is not one the builder published.
    #[error("{root}: no published version {version}")]
    NoSuchVersion {
        /// The root.
        root: PathBuf,
        /// The version asked for.
        version: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a version is built before it is published: a hidden directory in
/// the root, on the same file system, so that publishing is a rename.
pub fn incoming_dir(root: &Path) -> PathBuf {
    root.join(format!("{INCOMING_PREFIX}{}", std::process::id()))
}

/// The root's build lock, held until dropped. Taking it removes the
/// staging directories earlier builds left behind: while it is held no
/// other build can be writing one.
#[derive(Debug)]
pub struct BuildLock {
    _file: fs::File,
    removed: Vec<String>,
}

impl BuildLock {
    /// Takes the lock of `root` (created if needed), or fails at once if
    /// another build holds it, then removes stale staging directories.
    pub fn acquire(root: &Path) -> Result<BuildLock, PublishError> {
        fs::create_dir_all(root).map_err(io_error(root))?;
        let path = root.join(BUILD_LOCK);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(PublishError::Busy(root.into())),
            Err(fs::TryLockError::Error(source)) => return Err(PublishError::Io { path, source }),
        }
        let removed = remove_stale_staging(root)?;
        Ok(BuildLock {
            _file: file,
            removed,
        })
    }

    /// The stale staging directories removed when the lock was taken.
    pub fn removed(&self) -> &[String] {
        &self.removed
    }
}

/// Removes every staging directory in `root`; only safe under the lock.
fn remove_stale_staging(root: &Path) -> Result<Vec<String>, PublishError> {
    let mut removed = Vec::new();
    for entry in fs::read_dir(root).map_err(io_error(root))? {
        let entry = entry.map_err(io_error(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(INCOMING_PREFIX) {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(io_error(&path))?;
            removed.push(name);
        }
    }
    removed.sort();
    Ok(removed)
}

/// What [`publish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The version's directory.
    pub dir: PathBuf,
    /// The version `current` named before, if any.
    pub previous: Option<String>,
    /// Versions removed to keep only the newest.
    pub removed: Vec<String>,
    /// Older versions kept because a server reports serving them.
    pub kept_in_use: Vec<String>,
}

/// Moves the complete artifact `built` to `root/<version>`, points
/// `root/current` at it, and removes all but the `keep` newest versions
/// (never the one `current` names, nor one a server reports serving).
pub fn publish(
    root: &Path,
    built: &Path,
    version: &str,
    keep: usize,
) -> Result<Published, PublishError> {
    if keep < 2 {
        return Err(PublishError::KeepTooFew(keep));
    }
    let dir = root.join(version);
    if dir.exists() {
        return Err(PublishError::Exists(dir));
    }
    fs::rename(built, &dir).map_err(io_error(&dir))?;
    let previous = current_version(root)?;
    switch_current(root, version)?;
    // Servers that cannot write the rest of the root can still record.
    ensure_serving_dir(root)?;
    let (removed, kept_in_use) = prune(root, keep, version)?;
    Ok(Published {
        dir,
        previous,
        removed,
        kept_in_use,
    })
}

/// Points `root/current` at `version` atomically: a new link renamed over
/// the old one.
pub fn switch_current(root: &Path, version: &str) -> Result<(), PublishError> {
    let staging = root.join(format!(".{CURRENT_LINK}-{}", std::process::id()));
    let _ = fs::remove_file(&staging);
    make_link(version, &staging)?;
    let link = root.join(CURRENT_LINK);
    fs::rename(&staging, &link).map_err(io_error(&link))?;
    fs::File::open(root)
        .and_then(|dir| dir.sync_all())
        .map_err(io_error(root))
}

#[cfg(unix)]
fn make_link(target: &str, link: &Path) -> Result<(), PublishError> {
    std::os::unix::fs::symlink(target, link).map_err(io_error(link))
}

#[cfg(not(unix))]
fn make_link(_target: &str, link: &Path) -> Result<(), PublishError> {
    Err(PublishError::Io {
        path: link.to_path_buf(),
        source: io::Error::new(
            io::ErrorKind::Unsupported,
            "publishing needs symbolic links",
        ),
    })
}

/// The version `root/current` names, if the link exists.
pub fn current_version(root: &Path) -> Result<Option<String>, PublishError> {
    let link = root.join(CURRENT_LINK);
    match fs::read_link(&link) {
        Ok(target) => Ok(target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PublishError::Io { path: link, source }),
    }
}

/// The published versions, oldest first: directories (not hidden, not the
/// `current` link) whose manifest names them.
pub fn versions(root: &Path) -> Result<Vec<String>, PublishError> {
    let mut versions = Vec::new();
    for entry in fs::read_dir(root).map_err(io_error(root))? {
        let entry = entry.map_err(io_error(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().map_err(io_error(&entry.path()))?.is_dir();
        if is_dir
            && !name.starts_with('.')
            && name != CURRENT_LINK
            && manifest_names(&entry.path(), &name)
        {
            versions.push(name);
        }
    }
    versions.sort();
    Ok(versions)
}

/// True when `dir`'s manifest can be read and names `version`: the mark of
/// a version the builder published.
fn manifest_names(dir: &Path, version: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Named {
        version: String,
    }
    fs::read(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Named>(&bytes).ok())
        .is_some_and(|named| named.version == version)
}

/// Points `current` back at `version`, which must be a published version:
/// what a rollback does so that servers and restarts keep to it.
pub fn repoint_current(root: &Path, version: &str) -> Result<(), PublishError> {
    if !versions(root)?.iter().any(|v| v == version) {
        return Err(PublishError::NoSuchVersion {
            root: root.to_path_buf(),
            version: version.to_string(),
        });
    }
    switch_current(root, version)
}

/// Records that the server `server` serves `version` (a rename over its
/// previous record).
pub fn record_serving(root: &Path, server: &str, version: &str) -> Result<(), PublishError> {
    let dir = ensure_serving_dir(root)?;
    let name = record_name(server);
    let staging = dir.join(format!(".{name}.tmp"));
    fs::write(&staging, format!("{version}\n")).map_err(io_error(&staging))?;
    let record = dir.join(name);
    fs::rename(&staging, &record).map_err(io_error(&record))
}

/// Creates the records' directory if needed, writable by every user so
/// that servers of any account (and read-only mounts of the rest of the
/// root) can record.
fn ensure_serving_dir(root: &Path) -> Result<PathBuf, PublishError> {
    let dir = root.join(SERVING_DIR);
    if !dir.is_dir() {
        match fs::create_dir(&dir) {
            Ok(()) => set_shared_permissions(&dir)?,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(PublishError::Io { path: dir, source }),
        }
    }
    Ok(dir)
}

/// Removes the record of `server` (a server stopping).
pub fn forget_serving(root: &Path, server: &str) -> Result<(), PublishError> {
    let record = root.join(SERVING_DIR).join(record_name(server));
    match fs::remove_file(&record) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(PublishError::Io {
            path: record,
            source,
        }),
    }
}

/// The versions named by records refreshed within `fresh`, sorted, once
/// each.
pub fn versions_in_use(root: &Path, fresh: Duration) -> Result<Vec<String>, PublishError> {
    let mut in_use = Vec::new();
    for (path, age) in serving_records(root)? {
        if age <= fresh
            && let Ok(text) = fs::read_to_string(&path)
            && !text.trim().is_empty()
        {
            in_use.push(text.trim().to_string());
        }
    }
    in_use.sort();
    in_use.dedup();
    Ok(in_use)
}

/// Every server record with its age (hidden staging files left out).
fn serving_records(root: &Path) -> Result<Vec<(PathBuf, Duration)>, PublishError> {
    let dir = root.join(SERVING_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(PublishError::Io { path: dir, source }),
    };
    let now = SystemTime::now();
    let mut records = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error(&dir))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let modified = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .map_err(io_error(&path))?;
        records.push((path, now.duration_since(modified).unwrap_or_default()));
    }
    Ok(records)
}

/// A server name as a file name: letters, digits, `-`, `_` and `.` kept,
/// anything else replaced.
fn record_name(server: &str) -> String {
    let name: String = server
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        "server".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(unix)]
fn set_shared_permissions(dir: &Path) -> Result<(), PublishError> {
    use std::os::unix::fs::PermissionsExt;
    // Like /tmp: anyone may add a record, only its owner may replace it.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o1777)).map_err(io_error(dir))
}

#[cfg(not(unix))]
fn set_shared_permissions(_dir: &Path) -> Result<(), PublishError> {
    Ok(())
}

/// The version published just before `version`, if any.
pub fn version_before(root: &Path, version: &str) -> Result<Option<String>, PublishError> {
    Ok(versions(root)?.into_iter().rfind(|v| v.as_str() < version))
}

/// Removes the oldest published versions beyond `keep`, except `live` and
/// those a fresh server record names; returns the removed and the kept.
fn prune(root: &Path, keep: usize, live: &str) -> Result<(Vec<String>, Vec<String>), PublishError> {
    for (path, age) in serving_records(root)? {
        if age > SERVING_RECORD_EXPIRY {
            let _ = fs::remove_file(path);
        }
    }
    let in_use = versions_in_use(root, SERVING_RECORD_TTL)?;
    let all = versions(root)?;
    let mut removed = Vec::new();
    let mut kept_in_use = Vec::new();
    let excess = all.len().saturating_sub(keep);
    for version in all.into_iter().take(excess) {
        if version == live {
            continue;
        }
        if in_use.contains(&version) {
            kept_in_use.push(version);
            continue;
        }
        let dir = root.join(&version);
        fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        removed.push(version);
    }
    Ok((removed, kept_in_use))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A directory holding a manifest that names `version`, as a built
    /// artifact's does.
    fn fake_artifact(root: &Path, dir: &str, version: &str) -> PathBuf {
        let dir = root.join(dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join(MANIFEST_FILE),
            format!("{{\"version\": \"{version}\", \"rows\": 1}}"),
        )
        .unwrap();
        dir
    }

    fn manifest_version(dir: &Path) -> String {
        let json: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
        json["version"].as_str().unwrap().to_string()
    }

    #[test]
    fn publishing_switches_current_and_keeps_the_newest() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        for (round, version) in [
            "20260101T000000Z-a",
            "20260102T000000Z-b",
            "20260103T000000Z-c",
        ]
        .into_iter()
        .enumerate()
        {
            let incoming = fake_artifact(root, ".incoming-test", version);
            let published = publish(root, &incoming, version, 2).unwrap();
            assert_eq!(current_version(root).unwrap().as_deref(), Some(version));
            assert_eq!(manifest_version(&root.join(CURRENT_LINK)), version);
            if round == 2 {
                assert_eq!(published.previous.as_deref(), Some("20260102T000000Z-b"));
                assert_eq!(published.removed, ["20260101T000000Z-a"]);
            }
        }
        assert_eq!(
            versions(root).unwrap(),
            ["20260102T000000Z-b", "20260103T000000Z-c"]
        );
        assert_eq!(
            version_before(root, "20260103T000000Z-c")
                .unwrap()
                .as_deref(),
            Some("20260102T000000Z-b")
        );
        assert_eq!(version_before(root, "20260102T000000Z-b").unwrap(), None);
        assert!(!incoming_dir(root).exists());
    }

    #[test]
    fn a_version_is_never_published_twice_and_keep_leaves_a_rollback() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        let incoming = fake_artifact(root, ".incoming-1", "v1");
        publish(root, &incoming, "v1", 3).unwrap();
        assert!(root.join(SERVING_DIR).is_dir(), "servers can record");
        let again = fake_artifact(root, ".incoming-2", "v1");
        assert!(matches!(
            publish(root, &again, "v1", 3),
            Err(PublishError::Exists(_))
        ));
        assert!(matches!(
            publish(root, &again, "v2", 1),
            Err(PublishError::KeepTooFew(1))
        ));
    }

    #[test]
    fn switching_back_is_one_rename() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        fake_artifact(root, "v1", "v1");
        fake_artifact(root, "v2", "v2");
        switch_current(root, "v2").unwrap();
        repoint_current(root, "v1").unwrap();
        assert_eq!(current_version(root).unwrap().as_deref(), Some("v1"));
        assert_eq!(versions(root).unwrap(), ["v1", "v2"]);
        assert!(matches!(
            repoint_current(root, "v9"),
            Err(PublishError::NoSuchVersion { .. })
        ));
        assert_eq!(current_version(root).unwrap().as_deref(), Some("v1"));
    }

    #[test]
    fn only_what_the_builder_published_is_a_version_or_pruned() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        // Things a shared volume's root may hold besides versions.
        fs::create_dir_all(root.join("lost+found")).unwrap();
        fake_artifact(root, "a-copy", "20260101T000000Z-a");
        fs::create_dir_all(root.join("20250101T000000Z-x")).unwrap();
        for version in [
            "20260101T000000Z-a",
            "20260102T000000Z-b",
            "20260103T000000Z-c",
        ] {
            let incoming = fake_artifact(root, ".incoming-test", version);
            publish(root, &incoming, version, 2).unwrap();
        }
        assert_eq!(
            versions(root).unwrap(),
            ["20260102T000000Z-b", "20260103T000000Z-c"]
        );
        for other in ["lost+found", "a-copy", "20250101T000000Z-x"] {
            assert!(root.join(other).is_dir(), "{other} was removed");
        }
    }

    #[test]
    fn a_version_a_server_serves_is_never_pruned() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        let publish_one = |version: &str| {
            let incoming = fake_artifact(root, ".incoming-test", version);
            publish(root, &incoming, version, 2).unwrap()
        };
        publish_one("v1");
        publish_one("v2");
        // One server still serves v1 (say it refused v2); another has gone,
        // its record left behind long ago.
        record_serving(root, "pod-a/1", "v1").unwrap();
        record_serving(root, "pod-b", "v2").unwrap();
        assert_eq!(
            versions_in_use(root, SERVING_RECORD_TTL).unwrap(),
            ["v1", "v2"]
        );
        let published = publish_one("v3");
        assert_eq!(published.kept_in_use, ["v1"]);
        assert!(published.removed.is_empty());
        assert_eq!(versions(root).unwrap(), ["v1", "v2", "v3"]);

        // Once the server moves on (or its record goes stale), v1 goes.
        record_serving(root, "pod-a/1", "v3").unwrap();
        forget_serving(root, "pod-b").unwrap();
        let published = publish_one("v4");
        assert_eq!(published.removed, ["v1", "v2"]);
        assert_eq!(versions(root).unwrap(), ["v3", "v4"]);
        forget_serving(root, "pod-b").unwrap();
    }

    #[test]
    fn a_killed_build_leaves_staging_that_the_next_build_removes() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        // A build killed halfway: its staging directory, half written.
        let stale = fake_artifact(root, ".incoming-4242", "v1");
        fs::write(stale.join("voters.bin"), b"half").unwrap();
        fake_artifact(root, "v0", "v0");
        let lock = BuildLock::acquire(root).unwrap();
        assert_eq!(lock.removed(), [".incoming-4242"]);
        assert!(!stale.exists());
        assert!(root.join("v0").is_dir(), "versions are not staging");
        // While one build holds the lock, another cannot start.
        assert!(matches!(
            BuildLock::acquire(root),
            Err(PublishError::Busy(_))
        ));
        drop(lock);
        let again = BuildLock::acquire(root).unwrap();
        assert!(again.removed().is_empty());
    }
}
