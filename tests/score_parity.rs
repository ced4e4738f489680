//! `search-eval --roll --queries` against the development set's own scorer:
//! a synthetic roll written to a file, desk-model queries exported in the
//! development set's format, scored once in process by `eval::run` and once
//! by `tests/python/score.py` (a copy of `../shared/devset/score.py`) over
//! HTTP against a server on an artifact built from the same file. Both must
//! give the same count and recalls per category, the same false-match rate
//! and the same overall figures.

mod common;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use common::TestServer;
use tokio::process::Command;
use voter_core::generator::{GeneratorConfig, generate_files};
use voter_core::pipeline::{ArtifactRequest, build_artifact};
use voter_core::queries::QueryModel;
use voter_lookup::eval::{EvalConfig, EvalReport, export_queries, run};

const SCORER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/score.py");
/// A few hundred sequential HTTP lookups take a few seconds.
const SCORER_TIMEOUT: Duration = Duration::from_secs(300);

/// One row of score.py's table: queries, recall@1, recall@5 (or the false
/// match rate for `not_on_roll`).
type Row = (usize, f64, f64);

/// Reads score.py's markdown table and closing line.
fn parse_score_py(stdout: &str) -> (BTreeMap<String, Row>, String) {
    let mut rows = BTreeMap::new();
    for line in stdout.lines() {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 4 || cells[1].parse::<usize>().is_err() {
            continue;
        }
        let percent = |cell: &str| -> f64 {
            cell.trim_start_matches("false match ")
                .trim_end_matches('%')
                .parse()
                .unwrap_or(0.0)
        };
        rows.insert(
            cells[0].to_string(),
            (
                cells[1].parse().unwrap(),
                percent(cells[2]),
                percent(cells[3]),
            ),
        );
    }
    let last = stdout
        .lines()
        .rfind(|line| line.starts_with("recall@1"))
        .unwrap_or_default()
        .to_string();
    (rows, last)
}

/// The same figures from search-eval's report, under score.py's names.
fn rows_of(report: &EvalReport) -> BTreeMap<String, Row> {
    report
        .categories
        .iter()
        .map(|c| {
            let row = if c.target.max_confident_false.is_some() {
                (c.queries, c.confident, 0.0)
            } else {
                (c.queries, c.recall_at_1, c.recall_at_5)
            };
            (c.category.clone(), row)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_eval_scores_a_query_file_as_score_py_does() {
    let work = tempfile::tempdir().unwrap();
    let roll = work.path().join("roll.csv");
    let stations = work.path().join("stations.csv");
    let queries = work.path().join("queries.jsonl");
    let generator = GeneratorConfig {
        seed: 19,
        voters: 4_000,
        ..GeneratorConfig::default()
    };
    generate_files(&generator, &roll, Some(&stations)).unwrap();

    let config = EvalConfig {
        per_category: 40,
        query_seed: 8,
        keep_misses: 0,
        roll: Some(roll.clone()),
        stations: Some(stations.clone()),
        models: vec![QueryModel::Desk],
        ..EvalConfig::default()
    };
    let file = std::fs::File::create(&queries).unwrap();
    export_queries(&config, QueryModel::Desk, file).unwrap();
    let in_process = run(&EvalConfig {
        queries: Some(queries.clone()),
        ..config
    })
    .unwrap()
    .remove(0);

    let artifact = work.path().join("artifact");
    let mut request = ArtifactRequest::new(&roll, &artifact);
    request.stations = Some(stations);
    build_artifact(&request, &|_| {}).unwrap();
    let server = TestServer::start_artifact(&artifact).await;
    let child = Command::new("python3")
        .arg(SCORER)
        .arg(&roll)
        .arg(&queries)
        .arg(format!("http://{}", server.http))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs (CI machines have it)");
    let output = tokio::time::timeout(SCORER_TIMEOUT, child.wait_with_output())
        .await
        .expect("score.py finishes in time")
        .expect("score.py output");
    server.shutdown().await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (theirs, their_summary) = parse_score_py(&stdout);
    assert!(
        theirs.len() >= 10,
        "score.py printed no table:\n{stdout}\n{stderr}"
    );
    // A lookup the service refuses (a date it cannot read) is a miss for
    // both, and counted as an error by both.
    let their_errors: usize = stdout
        .lines()
        .find_map(|line| line.split_once("errors {"))
        .map(|(_, counts)| {
            counts
                .split(',')
                .filter_map(|count| {
                    count
                        .rsplit(':')
                        .next()?
                        .trim_matches([' ', '}'])
                        .parse::<usize>()
                        .ok()
                })
                .sum()
        })
        .expect("score.py prints its errors");

    let table = in_process.table();
    let ours = rows_of(&in_process);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "categories differ\nscore.py:\n{stdout}\nsearch-eval:\n{table}"
    );
    for (category, (n, r1, r5)) in &theirs {
        let (our_n, our_r1, our_r5) = ours[category];
        assert_eq!(our_n, *n, "{category}: queries scored\n{stdout}\n{table}");
        // score.py prints one decimal.
        assert!(
            (our_r1 - r1).abs() <= 0.051 && (our_r5 - r5).abs() <= 0.051,
            "{category}: score.py {r1}/{r5}, search-eval {our_r1:.2}/{our_r5:.2}\n{stdout}\n{table}"
        );
    }
    assert_eq!(
        in_process.errors, their_errors,
        "failed lookups\n{stdout}\n{table}"
    );
    assert_eq!(
        in_process.summary(),
        their_summary,
        "overall\n{stdout}\n{table}"
    );
}
