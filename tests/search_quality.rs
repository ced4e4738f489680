//! The search-quality harness on a small roll: every category must meet its
//! target (issue "name search quality"). The full-size run (200,000 voters)
//! is `search-eval`, recorded in BENCHMARKS.md.

use voter_lookup::eval::{EvalConfig, run};

#[test]
fn every_category_meets_its_target_on_a_small_roll() {
    let config = EvalConfig {
        voters: 20_000,
        roll_seed: 11,
        query_seed: 5,
        per_category: 300,
        keep_misses: 3,
        ..EvalConfig::default()
    };
    let report = run(&config).expect("the evaluation roll builds");
    let table = report.table();
    println!("{table}");
    for category in &report.categories {
        assert!(
            category.queries >= 250,
            "{}: too few queries\n{table}",
            category.category
        );
    }
    let failed: Vec<String> = report
        .categories
        .iter()
        .filter(|category| !category.passed)
        .map(|category| format!("{}: {:?}", category.category, category.misses))
        .collect();
    assert!(
        failed.is_empty(),
        "targets missed:\n{table}\n{}",
        failed.join("\n")
    );
}
