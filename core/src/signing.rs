//! Ed25519 keys that sign an artifact's manifest, and the detached signature
//! written beside it.
//!
//! The builder signs the exact bytes of `manifest.json` with a private key
//! ([`ArtifactSigner`], `index-builder build --signing-key`); a server given
//! the public key ([`VerifyKey`], `voter-lookup serve --verify-key`) serves
//! only artifacts whose manifest that key signed. The manifest names every
//! other file with its size and SHA-256, so the signature covers the whole
//! artifact.
//!
//! Keys are PEM files in the standard encodings, so `openssl` reads and
//! makes them too: the private key as PKCS#8 (`BEGIN PRIVATE KEY`), the
//! public key as SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`).
//!
//! The signature file holds one line:
//!
//! ```text
//! ed25519 KEY_ID SIGNATURE
//! ```
//!
//! `KEY_ID` is the first 16 hex digits of the SHA-256 of the raw public key,
//! to say which key signed (it is not trusted: only the signature decides);
//! `SIGNATURE` is the 64-byte Ed25519 signature in hex.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Algorithm name that starts a signature file.
const ALGORITHM: &str = "ed25519";

/// Longest key file read, in bytes (a PEM Ed25519 key is about 120).
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// Why a key could not be read, made or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a key of the expected kind.
    #[error("{path}: not an Ed25519 {kind} in PEM form ({reason})")]
    Malformed {
        /// The key file.
        path: PathBuf,
        /// `private key (PKCS#8)` or `public key (SPKI)`.
        kind: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// A new key would overwrite an existing file.
    #[error("{0}: already exists; choose another file or remove it first")]
    Exists(PathBuf),
    /// The operating system gave no random bytes.
    #[error("cannot draw random bytes for a new key: {0}")]
    Random(String),
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature file is not of the expected form.
    #[error("malformed signature ({0})")]
    Malformed(String),
    /// Another key signed it.
    #[error("signed by another key (key id {found}, the verify key is {expected})")]
    OtherKey {
        /// The key id the file names.
        found: String,
        /// The verify key's id.
        expected: String,
    },
    /// The signature does not verify: the manifest changed after signing, or
    /// the file was forged.
    #[error("the signature does not match the manifest (altered after signing, or forged)")]
    Mismatch,
}

/// A private key that signs manifests.
#[derive(Clone, PartialEq, Eq)]
pub struct ArtifactSigner {
    key: SigningKey,
}

impl fmt::Debug for ArtifactSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret: the key id only.
        f.debug_struct("ArtifactSigner")
            .field("key_id", &self.verify_key().key_id())
            .finish_non_exhaustive()
    }
}

impl ArtifactSigner {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<ArtifactSigner, KeyError> {
        let mut seed = [0u8; ed25519_dalek::SECRET_KEY_LENGTH];
        getrandom::fill(&mut seed).map_err(|error| KeyError::Random(error.to_string()))?;
        let key = SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(ArtifactSigner { key })
    }

    /// Reads a PKCS#8 PEM private key file.
    pub fn read_pem_file(path: &Path) -> Result<ArtifactSigner, KeyError> {
        let text = read_key_file(path)?;
        let key = SigningKey::from_pkcs8_pem(&text).map_err(|error| KeyError::Malformed {
            path: path.to_path_buf(),
            kind: "private key (PKCS#8)",
            reason: error.to_string(),
        })?;
        Ok(ArtifactSigner { key })
    }

    /// Writes the key as PKCS#8 PEM to a new file readable by its owner only
    /// (mode 0600 on Unix); refuses to overwrite a file.
    pub fn write_pem_file(&self, path: &Path) -> Result<(), KeyError> {
        let pem = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|error| KeyError::Io {
                path: path.to_path_buf(),
                source: io::Error::other(error.to_string()),
            })?;
        write_new_file(path, pem.as_bytes(), 0o600)
    }

    /// The matching public key.
    pub fn verify_key(&self) -> VerifyKey {
        VerifyKey {
            key: self.key.verifying_key(),
        }
    }

    /// The signature file's content for `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        let signature: Signature = self.key.sign(message);
        format!(
            "{ALGORITHM} {} {}\n",
            self.verify_key().key_id(),
            hex::encode(signature.to_bytes())
        )
    }
}

/// A public key that verifies manifests.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyKey {
    key: VerifyingKey,
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifyKey").field(&self.key_id()).finish()
    }
}

impl VerifyKey {
    /// Reads an SPKI PEM public key file (`BEGIN PUBLIC KEY`).
    pub fn read_pem_file(path: &Path) -> Result<VerifyKey, KeyError> {
        let text = read_key_file(path)?;
        let key = VerifyingKey::from_public_key_pem(&text).map_err(|error| {
            let reason = if text.contains("PRIVATE KEY") {
                "this is a private key: give the public key (.pub) instead".to_string()
            } else {
                error.to_string()
            };
            KeyError::Malformed {
                path: path.to_path_buf(),
                kind: "public key (SPKI)",
                reason,
            }
        })?;
        Ok(VerifyKey { key })
    }

    /// The key as SPKI PEM.
    pub fn to_pem(&self) -> String {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .expect("an Ed25519 public key always encodes")
    }

    /// Writes the key as SPKI PEM to a new file (mode 0644 on Unix);
    /// refuses to overwrite a file.
    pub fn write_pem_file(&self, path: &Path) -> Result<(), KeyError> {
        write_new_file(path, self.to_pem().as_bytes(), 0o644)
    }

    /// Short name of the key: the first 16 hex digits of the SHA-256 of its
    /// 32 raw bytes.
    pub fn key_id(&self) -> String {
        let digest = hex::encode(Sha256::digest(self.key.as_bytes()));
        digest[..16].to_string()
    }

    /// Checks that `signature_file` (the text of a signature file) is this
    /// key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature_file: &str) -> Result<(), SignatureError> {
        let fields: Vec<&str> = signature_file.split_whitespace().collect();
        let [algorithm, key_id, signature] = fields.as_slice() else {
            return Err(SignatureError::Malformed(format!(
                "expected `{ALGORITHM} KEY_ID SIGNATURE` on one line"
            )));
        };
        if *algorithm != ALGORITHM {
            return Err(SignatureError::Malformed(format!(
                "algorithm `{algorithm}`, expected `{ALGORITHM}`"
            )));
        }
        let expected = self.key_id();
        if *key_id != expected {
            return Err(SignatureError::OtherKey {
                found: key_id.to_string(),
                expected,
            });
        }
        let bytes: [u8; ed25519_dalek::SIGNATURE_LENGTH] = hex::decode(signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| {
                SignatureError::Malformed("the signature is not 128 hex digits".to_string())
            })?;
        self.key
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| SignatureError::Mismatch)
    }
}

fn read_key_file(path: &Path) -> Result<String, KeyError> {
    let io_error = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = fs::metadata(path).map_err(io_error)?;
    if !metadata.is_file() || metadata.len() > MAX_KEY_FILE_BYTES {
        return Err(KeyError::Malformed {
            path: path.to_path_buf(),
            kind: "key",
            reason: format!("not a regular file of at most {MAX_KEY_FILE_BYTES} bytes"),
        });
    }
    fs::read_to_string(path).map_err(io_error)
}

fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io_error = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|error| {
        if error.kind() == io::ErrorKind::AlreadyExists {
            KeyError::Exists(path.to_path_buf())
        } else {
            io_error(error)
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_key_only() {
        let signer = ArtifactSigner::generate().unwrap();
        let other = ArtifactSigner::generate().unwrap();
        assert_ne!(signer.verify_key().key_id(), other.verify_key().key_id());
        let message = b"{\"format_version\": 2}";
        let signature = signer.sign(message);
        assert!(signature.starts_with(&format!("ed25519 {} ", signer.verify_key().key_id())));
        assert_eq!(signer.verify_key().verify(message, &signature), Ok(()));
        assert!(matches!(
            other.verify_key().verify(message, &signature),
            Err(SignatureError::OtherKey { .. })
        ));
        assert_eq!(
            signer
                .verify_key()
                .verify(b"{\"format_version\": 3}", &signature),
            Err(SignatureError::Mismatch)
        );
        // A forger who names the right key id still cannot sign.
        let forged = other
            .sign(message)
            .replace(&other.verify_key().key_id(), &signer.verify_key().key_id());
        assert_eq!(
            signer.verify_key().verify(message, &forged),
            Err(SignatureError::Mismatch)
        );
        for malformed in ["", "ed25519 abc", "rsa a b", "ed25519 x y z"] {
            assert!(
                matches!(
                    signer.verify_key().verify(message, malformed),
                    Err(SignatureError::Malformed(_))
                ),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn keys_round_trip_through_pem_files_and_the_private_one_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let signer = ArtifactSigner::generate().unwrap();
        let private = dir.path().join("signing.pem");
        let public = dir.path().join("signing.pem.pub");
        signer.write_pem_file(&private).unwrap();
        signer.verify_key().write_pem_file(&public).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&private).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(
            fs::read_to_string(&private)
                .unwrap()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert_eq!(ArtifactSigner::read_pem_file(&private).unwrap(), signer);
        assert_eq!(
            VerifyKey::read_pem_file(&public).unwrap(),
            signer.verify_key()
        );
        assert!(matches!(
            signer.write_pem_file(&private),
            Err(KeyError::Exists(_))
        ));
        // The wrong file is named in the error.
        let error = VerifyKey::read_pem_file(&private).unwrap_err();
        assert!(error.to_string().contains("signing.pem:"), "{error}");
        assert!(error.to_string().contains("private key"), "{error}");
        let error = ArtifactSigner::read_pem_file(&public).unwrap_err();
        assert!(matches!(error, KeyError::Malformed { .. }), "{error}");
        assert!(!format!("{signer:?}").contains(&hex::encode(signer.key.to_bytes())));
    }
}
