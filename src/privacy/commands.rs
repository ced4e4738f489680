//! The `key new` and `audit` commands: what an operator runs beside the
//! server, with no server settings.

use std::time::SystemTime;

use crate::admission::Class;
use crate::config::{AuditArgs, KeyCommand};

use super::audit::summarise;
use super::keys::new_key;

/// Runs `voter-lookup key …`; the text to print, or why not.
pub fn key(command: &KeyCommand) -> Result<String, String> {
    match command {
        KeyCommand::New { class, id } => {
            let class = Class::from_name(class)
                .filter(|class| *class != Class::Anonymous)
                .ok_or_else(|| format!("class `{class}` is not staff or kiosk"))?;
            let id = match id {
                Some(id) => id.clone(),
                None => {
                    let mut suffix = [0u8; 3];
                    getrandom::fill(&mut suffix).map_err(|error| error.to_string())?;
                    format!("{}-{}", class.as_str(), hex::encode(suffix))
                }
            };
            let (key, line) = new_key(class, &id)?;
            Ok(format!(
                "# key (give it to the {} device; it is stored nowhere):\n{key}\n\
                 # line for the --api-keys-file (then SIGHUP the server):\n{line}\n",
                class.as_str()
            ))
        }
    }
}

/// Runs `voter-lookup audit …`; the report, or why not.
pub fn audit(args: &AuditArgs) -> Result<String, String> {
    let since = args.since.as_deref().map(since).transpose()?;
    let rows = summarise(&args.log, since, args.key.as_deref())?;
    match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&rows).map_err(|error| error.to_string()),
        "text" => {
            let mut out = format!(
                "{:<24} {:<18} {:>8} {:>16} {:>6}\n",
                "key", "hour (UTC)", "lookups", "distinct voters", "admin"
            );
            for row in &rows {
                out.push_str(&format!(
                    "{:<24} {:<18} {:>8} {:>16} {:>6}\n",
                    row.key_id, row.hour, row.lookups, row.distinct_voters, row.admin_calls
                ));
            }
            if rows.is_empty() {
                out.push_str("(nothing in this period)\n");
            }
            Ok(out)
        }
        other => Err(format!("--format: `{other}` is not text or json")),
    }
}

/// An RFC 3339 time, or a duration back from now.
fn since(text: &str) -> Result<SystemTime, String> {
    humantime::parse_rfc3339_weak(text)
        .or_else(|_| humantime::parse_duration(text).map(|back| SystemTime::now() - back))
        .map_err(|_| {
            format!(
                "--since: `{text}` is neither a time (2026-12-06T08:00:00Z) nor a duration (4h)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_new_prints_a_key_and_its_line() {
        let text = key(&KeyCommand::New {
            class: "kiosk".into(),
            id: Some("hall-2".into()),
        })
        .unwrap();
        assert!(text.contains("\nvl_hall-2_"), "{text}");
        assert!(text.contains("\nhall-2 kiosk sha256:"), "{text}");
        let refused = key(&KeyCommand::New {
            class: "anonymous".into(),
            id: None,
        });
        assert!(refused.is_err());
    }

    #[test]
    fn since_reads_times_and_durations() {
        assert!(since("2026-12-06T08:00:00Z").is_ok());
        let back = since("4h").unwrap();
        assert!(back < SystemTime::now());
        assert!(since("yesterday").unwrap_err().contains("--since"));
    }
}
