//! API keys: who a caller is, kept as salted hashes.
//!
//! `voter-lookup key new CLASS` makes a key (`vl_ID_SECRET`, 256 random
//! bits) and the line that configures it: `ID CLASS sha256:SALT:HASH`,
//! where HASH is SHA-256 of the salt and the whole key. The server keeps
//! only such lines (`--api-keys-file`, reread on SIGHUP): the file gives
//! nobody a key. A key names its own id, so checking it costs one hash.
//! Logs, metrics and the audit trail name a key by its id, never by the
//! key.
//!
//! Keys given in clear (`--api-key KEY:CLASS`, the older form) still work;
//! their id is `key-` and the first 8 hex digits of the key's SHA-256.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::admission::Class;

/// How every key made here begins.
pub const KEY_PREFIX: &str = "vl_";
/// Longest key id.
const MAX_ID: usize = 40;

/// A caller identified by its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    /// The class the key gives.
    pub class: Class,
    /// The key's id, for logs and the audit trail.
    pub id: Arc<str>,
}

/// One configured hashed key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HashedKey {
    class: Class,
    id: Arc<str>,
    salt: Vec<u8>,
    hash: [u8; 32],
}

/// The keys a server knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRing {
    clear: HashMap<String, KeyHolder>,
    hashed: HashMap<String, HashedKey>,
}

/// A line of a keys file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct KeyFileError {
    /// The file.
    pub file: String,
    /// Its line, from 1 (0: the file itself).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl KeyRing {
    /// A ring of clear keys (`KEY` → class).
    pub fn with_clear(keys: &HashMap<String, Class>) -> KeyRing {
        KeyRing {
            clear: keys
                .iter()
                .map(|(key, class)| {
                    let holder = KeyHolder {
                        class: *class,
                        id: clear_id(key).into(),
                    };
                    (key.clone(), holder)
                })
                .collect(),
            hashed: HashMap::new(),
        }
    }

    /// The same, with the hashed keys of `file` added.
    pub fn with_file(mut self, file: &Path) -> Result<KeyRing, KeyFileError> {
        let text = std::fs::read_to_string(file).map_err(|error| KeyFileError {
            file: file.display().to_string(),
            line: 0,
            message: format!("cannot read the keys file: {error}"),
        })?;
        for (number, line) in text.lines().enumerate() {
            let fail = |message: String| KeyFileError {
                file: file.display().to_string(),
                line: number + 1,
                message,
            };
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let key = parse_line(line).map_err(fail)?;
            if self.hashed.contains_key(&*key.id) {
                return Err(fail(format!("key id `{}` is configured twice", key.id)));
            }
            self.hashed.insert(key.id.to_string(), key);
        }
        Ok(self)
    }

    /// How many keys are configured.
    pub fn len(&self) -> usize {
        self.clear.len() + self.hashed.len()
    }

    /// True when no key is configured.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Who holds `presented`, if it is a configured key.
    pub fn identify(&self, presented: &str) -> Option<KeyHolder> {
        let presented = presented.trim();
        if let Some(holder) = self.clear.get(presented) {
            return Some(holder.clone());
        }
        let (id, _) = split_key(presented)?;
        let key = self.hashed.get(id)?;
        // The hash is of the salt and the key: comparing it in any order
        // tells an attacker nothing of the key itself.
        (salted_hash(&key.salt, presented) == key.hash).then(|| KeyHolder {
            class: key.class,
            id: key.id.clone(),
        })
    }
}

/// A new key of `class` with `id`, and the line that configures it.
pub fn new_key(class: Class, id: &str) -> Result<(String, String), String> {
    check_id(id)?;
    let mut secret = [0u8; 32];
    let mut salt = [0u8; 16];
    fill_random(&mut secret)?;
    fill_random(&mut salt)?;
    let key = format!("{KEY_PREFIX}{id}_{}", hex::encode(secret));
    let hash = salted_hash(&salt, &key);
    let line = format!(
        "{id} {} sha256:{}:{}",
        class.as_str(),
        hex::encode(salt),
        hex::encode(hash)
    );
    Ok((key, line))
}

/// The id of a clear key: never the key itself.
pub fn clear_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("key-{}", &hex::encode(digest)[..8])
}

fn parse_line(line: &str) -> Result<HashedKey, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [id, class, hash] = fields.as_slice() else {
        return Err(format!(
            "expected `ID CLASS sha256:SALT:HASH` (from `voter-lookup key new`), found {} fields",
            fields.len()
        ));
    };
    check_id(id)?;
    let class = Class::from_name(class)
        .filter(|class| *class != Class::Anonymous)
        .ok_or_else(|| format!("class `{class}` is not `staff` or `kiosk`"))?;
    let mut parts = hash.split(':');
    let (Some("sha256"), Some(salt), Some(digest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the hash must read `sha256:SALT:HASH`".into());
    };
    let salt = hex::decode(salt).map_err(|_| "the salt is not hexadecimal".to_string())?;
    let digest: [u8; 32] = hex::decode(digest)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| "the hash is not 64 hexadecimal digits".to_string())?;
    if salt.len() < 8 {
        return Err("the salt is shorter than 8 bytes".into());
    }
    Ok(HashedKey {
        class,
        id: Arc::from(*id),
        salt,
        hash: digest,
    })
}

fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty()
        || id.len() > MAX_ID
        || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(format!(
            "key id `{id}` must be 1 to {MAX_ID} letters, digits or hyphens"
        ));
    }
    Ok(())
}

/// The id and secret of a key made by [`new_key`].
fn split_key(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix(KEY_PREFIX)?.rsplit_once('_')
}

fn salted_hash(salt: &[u8], key: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(key.as_bytes());
    hasher.finalize().into()
}

fn fill_random(buffer: &mut [u8]) -> Result<(), String> {
    getrandom::fill(buffer).map_err(|error| format!("no randomness from the system: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_known_by_its_line_and_only_by_it() {
        let (key, line) = new_key(Class::Kiosk, "hall-1").unwrap();
        assert!(key.starts_with("vl_hall-1_"), "{key}");
        assert!(!line.contains(&key[10..]), "the line holds no secret");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        std::fs::write(&file, format!("# kiosks\n{line}\n")).unwrap();
        let ring = KeyRing::default().with_file(&file).unwrap();
        let holder = ring.identify(&key).unwrap();
        assert_eq!(holder.class, Class::Kiosk);
        assert_eq!(&*holder.id, "hall-1");
        // One changed character of the secret, or another key with the
        // same id, is no key.
        let mut forged = key.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert_eq!(ring.identify(&forged), None);
        let (other, _) = new_key(Class::Staff, "hall-1").unwrap();
        assert_eq!(ring.identify(&other), None);
        assert_eq!(ring.identify("hall-1"), None);
    }

    #[test]
    fn clear_keys_keep_working_under_an_id_that_is_not_the_key() {
        let ring =
            KeyRing::with_clear(&HashMap::from([("desk-app-key".to_string(), Class::Staff)]));
        let holder = ring.identify(" desk-app-key ").unwrap();
        assert_eq!(holder.class, Class::Staff);
        assert!(holder.id.starts_with("key-") && !holder.id.contains("desk"));
    }

    #[test]
    fn bad_lines_are_named_by_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        let (_, good) = new_key(Class::Staff, "desk").unwrap();
        for (text, expected) in [
            ("desk staff".to_string(), "fields"),
            ("desk admin sha256:00:00".to_string(), "class"),
            ("desk staff md5:00:00".to_string(), "sha256"),
            ("desk staff sha256:zz:00".to_string(), "salt"),
            (format!("{good}\n{good}"), "twice"),
            ("d_e staff sha256:00:00".to_string(), "key id"),
        ] {
            std::fs::write(&file, format!("\n{text}\n")).unwrap();
            let error = KeyRing::default().with_file(&file).unwrap_err();
            assert!(error.line >= 2, "{error}");
            assert!(error.to_string().contains(expected), "{error}");
            assert!(error.to_string().starts_with(&file.display().to_string()));
        }
        let missing = KeyRing::default()
            .with_file(&dir.path().join("absent"))
            .unwrap_err();
        assert_eq!(missing.line, 0);
    }
}
