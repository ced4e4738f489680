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

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Name of the link to the live version.
pub const CURRENT_LINK: &str = "current";

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
    root.join(format!(".incoming-{}", std::process::id()))
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
}

/// Moves the complete artifact `built` to `root/<version>`, points
/// `root/current` at it, and removes all but the `keep` newest versions
/// (never the one `current` names).
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
    let removed = prune(root, keep, version)?;
    Ok(Published {
        dir,
        previous,
        removed,
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

/// The published versions, oldest first (hidden and non-directory
/// entries, and the `current` link, are not versions).
pub fn versions(root: &Path) -> Result<Vec<String>, PublishError> {
    let mut versions = Vec::new();
    for entry in fs::read_dir(root).map_err(io_error(root))? {
        let entry = entry.map_err(io_error(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().map_err(io_error(&entry.path()))?.is_dir();
        if is_dir && !name.starts_with('.') && name != CURRENT_LINK {
            versions.push(name);
        }
    }
    versions.sort();
    Ok(versions)
}

/// The version published just before `version`, if any.
pub fn version_before(root: &Path, version: &str) -> Result<Option<String>, PublishError> {
    Ok(versions(root)?.into_iter().rfind(|v| v.as_str() < version))
}

fn prune(root: &Path, keep: usize, live: &str) -> Result<Vec<String>, PublishError> {
    let all = versions(root)?;
    let mut removed = Vec::new();
    let excess = all.len().saturating_sub(keep);
    for version in all.into_iter().take(excess) {
        if version == live {
            continue;
        }
        let dir = root.join(&version);
        fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        removed.push(version);
    }
    Ok(removed)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn fake_artifact(root: &Path, name: &str) -> PathBuf {
        let dir = root.join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("manifest.json"), name).unwrap();
        dir
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
            let incoming = fake_artifact(root, ".incoming-test");
            let published = publish(root, &incoming, version, 2).unwrap();
            assert_eq!(current_version(root).unwrap().as_deref(), Some(version));
            assert_eq!(
                fs::read_to_string(root.join("current/manifest.json")).unwrap(),
                ".incoming-test"
            );
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
        let incoming = fake_artifact(root, ".incoming-1");
        publish(root, &incoming, "v1", 3).unwrap();
        let again = fake_artifact(root, ".incoming-2");
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
        fake_artifact(root, "v1");
        fake_artifact(root, "v2");
        switch_current(root, "v2").unwrap();
        switch_current(root, "v1").unwrap();
        assert_eq!(current_version(root).unwrap().as_deref(), Some("v1"));
        assert_eq!(versions(root).unwrap(), ["v1", "v2"]);
    }
}
