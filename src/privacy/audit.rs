//! The audit trail: one JSON line for every answer that reveals a voter,
//! and for every admin call, accepted or refused.
//!
//! A reveal line holds the time, the request id, the door, the role, the
//! key id, the client address and the voters shown, as station and order
//! number: never the query text or a name. Files are
//! `DIR/audit-YYYYMMDDTHHMMSSZ.jsonl`, created owner-only (0600, the
//! directory 0700), only ever appended to; a new file starts at each UTC
//! day and when one reaches its size limit, and files older than the
//! retention are deleted when a new one starts.
//!
//! Lines are written by one thread of their own, so that no request waits
//! on the disk; its queue is bounded, and an answer whose line cannot be
//! queued is not shown ([`AuditLog::reveal`] fails): nothing is revealed
//! without a trace.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::quota::VoterRef;
use crate::error::LookupError;

/// Lines waiting for the writer before reveals are refused.
const QUEUE: usize = 16_384;

/// Where and how the trail is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// Its directory.
    pub dir: PathBuf,
    /// Size at which a new file starts.
    pub max_file_bytes: u64,
    /// Age past which files are deleted.
    pub retention: Duration,
}

impl AuditConfig {
    /// Default size of a file: 64 MiB.
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
    /// Default retention: 183 days, six months.
    pub const DEFAULT_RETENTION_DAYS: u64 = 183;
}

/// One line of the trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    /// `reveal` or `admin`.
    pub event: String,
    /// The request's id.
    pub request_id: String,
    /// `http` or `grpc`.
    pub door: String,
    /// `staff`, `kiosk` or `anonymous`.
    pub role: String,
    /// The API key's id, when the caller had one.
    pub key_id: Option<String>,
    /// The client's address (IPv6 by its /64).
    pub client: Option<String>,
    /// Voters revealed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voters: Vec<AuditVoter>,
    /// Admin calls: `reload` or `rollback`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Admin calls: what came of it (`swapped`, `refused`, `unauthenticated`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// A voter revealed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditVoter {
    /// Station code.
    pub station: String,
    /// Order number.
    pub order: u32,
}

impl From<&VoterRef> for AuditVoter {
    fn from(voter: &VoterRef) -> Self {
        AuditVoter {
            station: voter.station.to_string(),
            order: voter.order,
        }
    }
}

enum Message {
    Line(String),
    Flush(SyncSender<()>),
}

/// The trail's writer.
pub struct AuditLog {
    sender: SyncSender<Message>,
}

impl AuditLog {
    /// Opens the trail in `config.dir` (made owner-only if absent) and
    /// starts its writer.
    pub fn open(config: AuditConfig) -> io::Result<AuditLog> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&config.dir)?;
        let mut writer = Writer::new(config)?;
        let (sender, receiver) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || writer.run(receiver))?;
        Ok(AuditLog { sender })
    }

    /// Queues `line`; fails when the writer is behind or gone, and then the
    /// answer must not be shown.
    pub fn record(&self, line: &AuditLine) -> Result<(), LookupError> {
        let text = serde_json::to_string(line)
            .map_err(|error| LookupError::Internal(format!("audit line: {error}")))?;
        match self.sender.try_send(Message::Line(text)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                metrics::counter!("voter_lookup_audit_refused_total").increment(1);
                Err(LookupError::Overloaded {
                    reason: "audit trail behind",
                    retry_after: Duration::from_secs(1),
                })
            }
            Err(TrySendError::Disconnected(_)) => {
                metrics::counter!("voter_lookup_audit_refused_total").increment(1);
                Err(LookupError::Internal(
                    "the audit trail cannot be written".into(),
                ))
            }
        }
    }

    /// Waits until every line queued so far is written.
    pub fn flush(&self) {
        let (done, wait) = sync_channel(1);
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

/// Now, as the trail writes it.
pub fn now_text() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

struct Writer {
    config: AuditConfig,
    file: Option<(File, String, u64)>,
}

impl Writer {
    fn new(config: AuditConfig) -> io::Result<Writer> {
        let writer = Writer { config, file: None };
        writer.prune();
        Ok(writer)
    }

    fn run(&mut self, receiver: Receiver<Message>) {
        for message in receiver {
            match message {
                Message::Line(line) => {
                    if let Err(error) = self.write(&line) {
                        tracing::error!(%error, dir = %self.config.dir.display(), "cannot write the audit trail");
                    }
                }
                Message::Flush(done) => {
                    if let Some((file, _, _)) = &mut self.file {
                        let _ = file.sync_data();
                    }
                    let _ = done.send(());
                }
            }
        }
    }

    fn write(&mut self, line: &str) -> io::Result<()> {
        let day = line
            .split("\"time\":\"")
            .nth(1)
            .map(|rest| rest.chars().take(10).collect::<String>())
            .unwrap_or_default();
        let rotate = match &self.file {
            None => true,
            Some((_, open_day, size)) => {
                *open_day != day || *size + line.len() as u64 + 1 > self.config.max_file_bytes
            }
        };
        if rotate {
            self.file = Some((self.start_file()?, day, 0));
            self.prune();
        }
        let (file, _, size) = self.file.as_mut().expect("a file is open");
        file.write_all(format!("{line}\n").as_bytes())?;
        *size += line.len() as u64 + 1;
        Ok(())
    }

    fn start_file(&self) -> io::Result<File> {
        let stamp: String = now_text()
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == 'T')
            .take(15)
            .collect();
        // Two files in one second get a counter.
        for n in 0..1000 {
            let name = if n == 0 {
                format!("audit-{stamp}Z.jsonl")
            } else {
                format!("audit-{stamp}Z-{n}.jsonl")
            };
            let path = self.config.dir.join(name);
            match OpenOptions::new()
                .append(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(file) => return Ok(file),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        }
        Err(io::Error::other("too many audit files in one second"))
    }

    /// Deletes the files past the retention.
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.config.dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !is_audit_file(&name) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age > self.config.retention);
            if old && let Err(error) = std::fs::remove_file(entry.path()) {
                tracing::warn!(%error, file = name, "cannot delete an expired audit file");
            }
        }
    }
}

fn is_audit_file(name: &str) -> bool {
    name.starts_with("audit-") && name.ends_with(".jsonl")
}

/// The audit files of `dir`, oldest first.
pub fn files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|entry| is_audit_file(&entry.file_name().to_string_lossy()))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    Ok(files)
}

/// Lookups and distinct voters of one key in one hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryRow {
    /// The key id, or `-` for keyless callers.
    pub key_id: String,
    /// The hour, `YYYY-MM-DDTHH:00Z`.
    pub hour: String,
    /// Answers that revealed voters.
    pub lookups: u64,
    /// Distinct voters revealed.
    pub distinct_voters: u64,
    /// Admin calls (accepted or refused).
    pub admin_calls: u64,
}

/// Summarises the trail of `dir` from `since`, for `key` only if given.
pub fn summarise(
    dir: &Path,
    since: Option<SystemTime>,
    key: Option<&str>,
) -> Result<Vec<SummaryRow>, String> {
    let mut rows: BTreeMap<(String, String), (u64, HashSet<AuditVoter>, u64)> = BTreeMap::new();
    let files = files(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    for path in files {
        let file = File::open(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        for (number, line) in io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|error| format!("{}: {error}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let entry: AuditLine = serde_json::from_str(&line)
                .map_err(|error| format!("{}:{}: {error}", path.display(), number + 1))?;
            let at = humantime::parse_rfc3339_weak(&entry.time)
                .map_err(|error| format!("{}:{}: time: {error}", path.display(), number + 1))?;
            if since.is_some_and(|since| at < since) {
                continue;
            }
            let key_id = entry.key_id.clone().unwrap_or_else(|| "-".into());
            if key.is_some_and(|key| key != key_id) {
                continue;
            }
            let hour = format!("{}:00Z", entry.time.get(..13).unwrap_or(&entry.time));
            let row = rows.entry((key_id, hour)).or_default();
            match entry.event.as_str() {
                "reveal" => {
                    row.0 += 1;
                    row.1.extend(entry.voters);
                }
                _ => row.2 += 1,
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |((key_id, hour), (lookups, voters, admin_calls))| SummaryRow {
                key_id,
                hour,
                lookups,
                distinct_voters: voters.len() as u64,
                admin_calls,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn line(key: &str, order: u32) -> AuditLine {
        AuditLine {
            time: now_text(),
            event: "reveal".into(),
            request_id: format!("r{order}"),
            door: "http".into(),
            role: "kiosk".into(),
            key_id: Some(key.into()),
            client: Some("192.0.2.1".into()),
            voters: vec![AuditVoter {
                station: "0001".into(),
                order,
            }],
            action: None,
            outcome: None,
        }
    }

    #[test]
    fn lines_are_appended_owner_only_and_summarised_per_key_and_hour() {
        let dir = tempfile::tempdir().unwrap();
        let trail = dir.path().join("audit");
        let log = AuditLog::open(AuditConfig {
            dir: trail.clone(),
            max_file_bytes: AuditConfig::DEFAULT_MAX_FILE_BYTES,
            retention: Duration::from_secs(3600),
        })
        .unwrap();
        for order in [1, 2, 2] {
            log.record(&line("hall-1", order)).unwrap();
        }
        log.record(&line("desk", 9)).unwrap();
        log.flush();
        let files = files(&trail).unwrap();
        assert_eq!(files.len(), 1);
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(&trail).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let rows = summarise(&trail, None, Some("hall-1")).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].lookups, rows[0].distinct_voters), (3, 2));
        let all = summarise(&trail, None, None).unwrap();
        assert_eq!(all.len(), 2);
        let future = SystemTime::now() + Duration::from_secs(3600);
        assert!(summarise(&trail, Some(future), None).unwrap().is_empty());
    }

    #[test]
    fn a_full_file_starts_a_new_one_and_old_files_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let trail = dir.path().to_path_buf();
        let expired = trail.join("audit-20000101T000000Z.jsonl");
        std::fs::write(&expired, "").unwrap();
        let old = SystemTime::now() - Duration::from_secs(7200);
        File::options()
            .write(true)
            .open(&expired)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let log = AuditLog::open(AuditConfig {
            dir: trail.clone(),
            max_file_bytes: 400,
            retention: Duration::from_secs(3600),
        })
        .unwrap();
        assert!(!expired.exists(), "expired on open");
        for order in 0..6 {
            log.record(&line("hall-1", order)).unwrap();
        }
        log.flush();
        let files = files(&trail).unwrap();
        assert!(files.len() >= 2, "rotated by size: {files:?}");
        for file in &files {
            assert!(std::fs::metadata(file).unwrap().len() <= 400);
        }
        let rows = summarise(&trail, None, None).unwrap();
        assert_eq!(rows.iter().map(|row| row.lookups).sum::<u64>(), 6);
    }
}
