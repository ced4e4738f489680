//! `index-builder build`: runs [`voter_core::pipeline::build_artifact`] with a
//! progress bar on a terminal, then prints a one-line summary on stdout and
//! the build's warnings, as counts, on stderr.

use std::io::{self, IsTerminal};
use std::time::Duration;

use anyhow::bail;
use indicatif::{HumanBytes, HumanCount, ProgressBar, ProgressStyle};
use voter_core::build::BuildStats;
use voter_core::pipeline::{
    ArtifactOutcome, ArtifactRequest, ProgressEvent, build_artifact, default_rejects_path,
};
use voter_core::publish;
use voter_core::reu::BadRowPolicy;
use voter_core::signing::ArtifactSigner;

use crate::cli::BuildArgs;

/// Examples shown after a count in a warning.
const EXAMPLES: usize = 5;

/// Runs the build that `args` describes.
pub fn run(args: &BuildArgs) -> anyhow::Result<()> {
    // A publishing build holds the root's lock to the end: no other build
    // stages beside it, so staging left by a killed build can go.
    let mut lock = None;
    let out = match (&args.out, &args.publish) {
        (Some(out), _) => out.clone(),
        (None, Some(root)) => {
            if args.keep < 2 {
                bail!(
                    "--keep {}: keep at least 2 versions, the live one and one to roll back to",
                    args.keep
                );
            }
            let held = publish::BuildLock::acquire(root)?;
            for stale in held.removed() {
                eprintln!(
                    "warning: removed {}, left by a build that did not finish",
                    root.join(stale).display()
                );
            }
            lock = Some(held);
            publish::incoming_dir(root)
        }
        (None, None) => bail!("give --out DIR or --publish ROOT"),
    };
    let policy = BadRowPolicy::from(args.on_bad_row);
    if args.rejects.is_some() && policy != BadRowPolicy::Skip {
        bail!(
            "--rejects only applies with --on-bad-row skip (under fail the build stops at the first bad row)"
        );
    }
    // Under --publish the artifact is built inside the root: its report
    // goes beside the root instead, where servers and whoever reads the
    // published versions do not look.
    let rejects = args
        .rejects
        .clone()
        .or_else(|| args.publish.as_deref().map(default_rejects_path));
    // Read before the roll, so that a wrong key costs no build.
    let signing_key = args
        .signing_key
        .as_deref()
        .map(ArtifactSigner::read_pem_file)
        .transpose()?;
    let request = ArtifactRequest {
        stations: args.stations.clone(),
        departements: args.departement.clone(),
        bad_row_policy: policy,
        encoding: args.encoding.into(),
        rejects,
        signing_key,
        memory_budget: args.memory_mb as usize * 1024 * 1024,
        builder: concat!("index-builder ", env!("CARGO_PKG_VERSION")).to_string(),
        ..ArtifactRequest::new(&args.roll, &out)
    };

    let bar = progress_bar();
    let result = build_artifact(&request, &|event| show_progress(&bar, event));
    bar.finish_and_clear();
    let outcome = result?;

    print_warnings(&outcome, &request);
    println!("{}", summary_line(&outcome, &request));
    if let Some(root) = &args.publish {
        let published = publish::publish(root, &out, &outcome.manifest.version, args.keep)?;
        println!(
            "published {}: current -> {} (was {}){}",
            published.dir.display(),
            outcome.manifest.version,
            published.previous.as_deref().unwrap_or("nothing"),
            if published.removed.is_empty() {
                String::new()
            } else {
                format!(", removed {}", published.removed.join(", "))
            }
        );
        if !published.kept_in_use.is_empty() {
            println!(
                "kept {}: a server reports serving it",
                published.kept_in_use.join(", ")
            );
        }
    }
    drop(lock);
    Ok(())
}

/// A bar on stderr when it is a terminal; hidden otherwise, so logs and
/// pipes get only the summary.
fn progress_bar() -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] [{bar:32}] {bytes}/{total_bytes} {msg} (eta {eta})",
    )
    .expect("the progress template is valid")
    .progress_chars("=> ");
    let bar = ProgressBar::new(0).with_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn show_progress(bar: &ProgressBar, event: ProgressEvent) {
    match event {
        ProgressEvent::Reading {
            bytes_read,
            total_bytes,
            rows,
            skipped,
        } => {
            bar.set_length(total_bytes);
            bar.set_position(bytes_read);
            if skipped == 0 {
                bar.set_message(format!("{} rows", HumanCount(rows)));
            } else {
                bar.set_message(format!(
                    "{} rows, {} skipped",
                    HumanCount(rows),
                    HumanCount(skipped)
                ));
            }
        }
        ProgressEvent::Merging => bar.set_message("merging the index into one segment"),
        ProgressEvent::Committing => bar.set_message("writing and checksumming the artifact"),
    }
}

/// `built DIR: N voters[ of département(s) D (R rows of other communes
/// left out)], K skipped rows, S s, SIZE on disk, version V`,
/// with `signed by key KEY_ID` before the version when signed.
fn summary_line(outcome: &ArtifactOutcome, request: &ArtifactRequest) -> String {
    let signed = match &request.signing_key {
        Some(signer) => format!("signed by key {}, ", signer.verify_key().key_id()),
        None => String::new(),
    };
    let shard = match request.departements.as_slice() {
        [] => String::new(),
        departements => format!(
            " of département(s) {} ({} rows of other communes left out)",
            departements.join(", "),
            HumanCount(outcome.rows_outside)
        ),
    };
    format!(
        "built {}: {} voters{shard}, {} skipped rows, {:.1} s, {} on disk, {signed}version {}",
        outcome.out.display(),
        HumanCount(outcome.stats.voters),
        HumanCount(outcome.skipped_rows),
        outcome.elapsed.as_secs_f64(),
        HumanBytes(outcome.artifact_bytes),
        outcome.manifest.version,
    )
}

/// What the build found worth a look, one line per kind, with a count and a
/// few examples rather than a flood.
fn print_warnings(outcome: &ArtifactOutcome, request: &ArtifactRequest) {
    for warning in warnings(outcome, request) {
        eprintln!("warning: {warning}");
    }
}

fn warnings(outcome: &ArtifactOutcome, request: &ArtifactRequest) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(report) = &outcome.rejects
        && outcome.skipped_rows > 0
    {
        warnings.push(format!(
            "skipped {} bad row(s) of {}; they are listed in {}",
            HumanCount(outcome.skipped_rows),
            request.roll.display(),
            report.display()
        ));
    }
    let BuildStats {
        voters_without_station,
        duplicate_order_numbers,
        stations_missing_from_file,
        ..
    } = &outcome.stats;
    if !stations_missing_from_file.is_empty()
        && let Some(stations) = &request.stations
    {
        warnings.push(format!(
            "{} station(s) of the roll are missing from {} (shown without an address): {}",
            stations_missing_from_file.len(),
            stations.display(),
            examples(stations_missing_from_file.iter())
        ));
    }
    if *voters_without_station > 0 {
        warnings.push(format!(
            "{} voter(s) have no polling station in the roll; they are indexed, and found without one",
            HumanCount(*voters_without_station)
        ));
    }
    if !duplicate_order_numbers.is_empty() {
        let pairs = duplicate_order_numbers
            .iter()
            .map(|(station, order)| format!("{station} no. {order}"));
        warnings.push(format!(
            "{} order number(s) occur more than once in their station: {}",
            duplicate_order_numbers.len(),
            examples(pairs)
        ));
    }
    if !outcome.ignored_columns.is_empty() {
        warnings.push(format!(
            "column(s) not read (unknown to the REU format): {}",
            examples(outcome.ignored_columns.iter())
        ));
    }
    warnings
}

/// The first few items, comma-separated, with `…` when there are more.
fn examples<T: std::fmt::Display>(items: impl ExactSizeIterator<Item = T>) -> String {
    let more = items.len() > EXAMPLES;
    let mut text = items
        .take(EXAMPLES)
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if more {
        text.push_str(", …");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_capped() {
        assert_eq!(examples(["a", "b"].iter()), "a, b");
        let many: Vec<u32> = (1..=9).collect();
        assert_eq!(examples(many.iter()), "1, 2, 3, 4, 5, …");
    }
}
