//! The search-quality harness on a small roll, with both query models. The
//! full-size runs (200,000 voters) are `search-eval`, recorded in
//! BENCHMARKS.md.
//!
//! The classic model must meet every target (issue "name search quality").
//! The desk model (issue 19: typos on the first letter, French spellings
//! at the start of a name, four or five given names, kin names, desk
//! dates) is scored with the development set's rules; today's engine does
//! not meet all its targets on it. The test prints every figure, asserts
//! the targets the engine meets today ([`DESK_MET`]) so that they cannot
//! slip back, and lists the others by name: move a category into
//! [`DESK_MET`] when the engine meets it.

use voter_core::queries::{Category, QueryModel};
use voter_lookup::eval::{EvalConfig, EvalReport, run};

fn report(model: QueryModel) -> EvalReport {
    let config = EvalConfig {
        voters: 20_000,
        roll_seed: 11,
        query_seed: 5,
        per_category: 300,
        keep_misses: 3,
        models: vec![model],
        ..EvalConfig::default()
    };
    let report = run(&config).expect("the evaluation roll builds").remove(0);
    println!("{}", report.table());
    let table = report.table();
    for category in &report.categories {
        assert!(
            category.queries + category.unscored >= 250,
            "{}: too few queries\n{table}",
            category.category
        );
    }
    report
}

#[test]
fn every_category_meets_its_target_on_the_classic_model() {
    let report = report(QueryModel::Classic);
    let table = report.table();
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

/// The categories whose targets the engine meets on the desk model, on
/// this test's roll (measured after issue 19's search changes and the
/// desk generator's respellings that keep the sound; still short here:
/// punctuation).
const DESK_MET: &[Category] = &[
    Category::Exact,
    Category::NoAccents,
    Category::SurnameTypo,
    Category::TwoTyposLong,
    Category::SoundAlike,
    Category::MarriedName,
    Category::SecondGivenOnly,
    Category::GivenFirst,
    Category::KioskPrefix,
    Category::TypoWithDate,
    Category::NotOnRoll,
];

#[test]
fn the_desk_model_holds_what_the_engine_meets_today() {
    let report = report(QueryModel::Desk);
    let table = report.table();
    let mut slipped = Vec::new();
    let mut short = Vec::new();
    for category in &report.categories {
        let name = Category::from_name(&category.category).expect("a harness category");
        let line = format!(
            "{}: recall@1 {:.1}% recall@5 {:.1}% confident {:.1}% (target {:?}/{:?}, confident ≤ {:?}); misses {:?}",
            category.category,
            category.recall_at_1,
            category.recall_at_5,
            category.confident,
            category.target.recall_at_1,
            category.target.recall_at_5,
            category.target.max_confident_false,
            category.misses
        );
        match (DESK_MET.contains(&name), category.passed) {
            (true, false) => slipped.push(line),
            (false, false) => short.push(line),
            _ => {}
        }
    }
    println!(
        "desk model, targets not met yet ({}):\n{}",
        short.len(),
        short.join("\n")
    );
    assert!(
        slipped.is_empty(),
        "targets met before are missed now:\n{table}\n{}",
        slipped.join("\n")
    );
    assert!(
        report.categories.len() == Category::ALL.len(),
        "every category is reported\n{table}"
    );
}
