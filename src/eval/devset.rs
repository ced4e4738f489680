//! Labelled query files in the development set's format
//! (`../shared/devset/queries.jsonl`) and the scoring rules of its
//! `score.py`, kept rule for rule so that `search-eval` and the scorer run
//! against a served index give the same figures.
//!
//! One query a line: `{"id", "category", "q", "birth_date"?, "expect":
//! {"nom_naissance", "prenoms", "date_naissance", "code_bureau"} | null}`.
//! The rules:
//! - a hit@k is the expected voter (birth name, given names, birth date,
//!   station code, compared after folding) among the first k of 20 results;
//! - without a `birth_date` parameter, k widens to the number of roll rows
//!   whose surname (birth or usage) and first given name are the target's;
//! - for `prefix` and `second_prenom` without a date, k widens to the rows
//!   that fit the typed text as well as the target; more than 20: the query
//!   is not scored;
//! - `expect: null`: a false match is a top result marked `exact` or
//!   `strong`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;
use voter_core::model::{BirthDate, RollRow};
use voter_core::queries::{Category, LabelledQuery};

use super::{CategoryReport, EvalReport, QualityTarget, Scoring, describe, target_of};
use crate::index::LoadedIndex;
use crate::search::{Confidence, Hit, LookupQuery, SearchMode, Searcher};

/// Results asked for per query, as `score.py` asks.
const RESULTS_ASKED: u32 = 20;
/// A kiosk or second-given-name query that more voters fit than this is not
/// scored.
const AMBIGUOUS_MAX: usize = 20;

/// One labelled query of a file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FileQuery {
    /// Category name (`exact`, `typo1_surname`, …).
    pub category: String,
    /// Text typed.
    #[serde(rename = "q")]
    pub text: String,
    /// Birth date parameter.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// The voter to find; `None` for someone not on the roll.
    pub expect: Option<Expect>,
}

/// The voter a query should find, as the roll row writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Expect {
    /// `nom de naissance`.
    pub nom_naissance: String,
    /// `prénoms`.
    pub prenoms: String,
    /// `date de naissance` as written (`dd/mm/yyyy`).
    pub date_naissance: String,
    /// `code du bureau de vote`.
    pub code_bureau: String,
}

/// Why a query file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QueryFileError {
    /// Opening or reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A line is not a labelled query.
    #[error("{path}:{line}: {reason}")]
    Line {
        /// The file.
        path: PathBuf,
        /// Line number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// Reads a labelled query file; blank lines are skipped.
pub fn read_queries(path: &Path) -> Result<Vec<FileQuery>, QueryFileError> {
    let io = |source| QueryFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut queries = Vec::new();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let query =
            serde_json::from_str::<FileQuery>(&line).map_err(|error| QueryFileError::Line {
                path: path.to_path_buf(),
                line: number + 1,
                reason: error.to_string(),
            })?;
        queries.push(query);
    }
    Ok(queries)
}

/// The category names of the development set for the harness's own
/// categories, so that generated sets and files share targets and rules.
const FILE_NAMES: [(Category, &str); 12] = [
    (Category::Exact, "exact"),
    (Category::NoAccents, "lower_noaccent"),
    (Category::Punctuation, "punctuation"),
    (Category::GivenFirst, "prenom_first"),
    (Category::TypoWithDate, "with_birthdate"),
    (Category::SurnameTypo, "typo1_surname"),
    (Category::TwoTyposLong, "typo2_surname"),
    (Category::SoundAlike, "phonetic"),
    (Category::MarriedName, "usage_name"),
    (Category::SecondGivenOnly, "second_prenom"),
    (Category::KioskPrefix, "prefix"),
    (Category::NotOnRoll, "not_on_roll"),
];

/// The development set's name of `category`.
pub fn file_name(category: Category) -> &'static str {
    FILE_NAMES
        .iter()
        .find(|(c, _)| *c == category)
        .map_or("", |(_, name)| name)
}

/// The category a file's category name stands for (either spelling).
pub fn category_of(name: &str) -> Option<Category> {
    FILE_NAMES
        .iter()
        .find(|(_, file)| *file == name)
        .map(|(category, _)| *category)
        .or_else(|| Category::from_name(name))
}

/// A generated query in the file format, under the harness's category name.
pub fn file_query(query: &LabelledQuery) -> FileQuery {
    FileQuery {
        category: query.category.as_str().to_string(),
        text: query.text.clone(),
        birth_date: query.birth_date.clone(),
        expect: query.target.as_ref().map(|target| Expect {
            nom_naissance: target.birth_name.clone(),
            prenoms: target.first_names.clone(),
            date_naissance: roll_date(target.birth_date),
            code_bureau: target.station_code.clone().unwrap_or_default(),
        }),
    }
}

/// Writes generated queries as a file in the development set's format
/// (category names included), so that `score.py` can score them.
pub fn write_queries(queries: &[LabelledQuery], mut out: impl Write) -> std::io::Result<()> {
    for (id, query) in queries.iter().enumerate() {
        let file = file_query(query);
        let mut line = serde_json::json!({
            "id": id,
            "category": file_name(query.category),
            "q": file.text,
            "expect": file.expect.map(|expect| serde_json::json!({
                "nom_naissance": expect.nom_naissance,
                "prenoms": expect.prenoms,
                "date_naissance": expect.date_naissance,
                "code_bureau": expect.code_bureau,
            })),
        });
        if let Some(date) = &file.birth_date {
            line["birth_date"] = serde_json::Value::from(date.as_str());
        }
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// A birth date as the roll writes it: `dd/mm/yyyy`, `00/00/yyyy` for a
/// year alone.
fn roll_date(date: BirthDate) -> String {
    match date {
        BirthDate::Full { year, month, day } => format!("{day:02}/{month:02}/{year:04}"),
        BirthDate::YearMonth { year, month } => format!("00/{month:02}/{year:04}"),
        BirthDate::Year(year) => format!("00/00/{year:04}"),
        BirthDate::Unknown => String::new(),
    }
}

/// `score.py`'s `norm`: capitals, compatibility decomposition without the
/// marks, anything but letters and digits a space, spaces collapsed.
pub fn norm(text: &str) -> String {
    let upper = text.to_uppercase();
    let bare: String = upper
        .nfkd()
        .filter(|c| unicode_normalization::char::canonical_combining_class(*c) == 0)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `score.py`'s `iso`: `dd/mm/yyyy` to `yyyy-mm-dd`, the year alone when
/// the day is `00`.
fn iso(date: &str) -> String {
    let date = date.trim();
    let parts: Vec<&str> = date.split('/').collect();
    if parts.len() == 3 && parts[0] != "00" {
        return format!("{}-{}-{}", parts[2], parts[1], parts[0]);
    }
    parts.last().copied().unwrap_or(date).to_string()
}

/// What the rules need to know of the roll: who shares a surname and a
/// first given name, and every row's surnames and given names.
pub struct RollFacts {
    homonyms: HashMap<(String, Option<String>), usize>,
    /// Per initial: (surname, surname without spaces, row).
    by_initial: HashMap<char, Vec<(String, String, usize)>>,
    given: Vec<Vec<String>>,
}

impl RollFacts {
    /// Reads them from the roll's rows (every row, as the file has them).
    pub fn new(rows: &[RollRow]) -> RollFacts {
        let mut facts = RollFacts {
            homonyms: HashMap::new(),
            by_initial: HashMap::new(),
            given: Vec::with_capacity(rows.len()),
        };
        for (index, row) in rows.iter().enumerate() {
            let given: Vec<String> = norm(&row.first_names)
                .split(' ')
                .filter(|g| !g.is_empty())
                .map(String::from)
                .collect();
            let mut surnames: Vec<String> = vec![norm(&row.birth_name)];
            if let Some(usage) = &row.usage_name {
                surnames.push(norm(usage));
            }
            surnames.retain(|s| !s.is_empty());
            surnames.sort();
            surnames.dedup();
            for surname in surnames {
                *facts
                    .homonyms
                    .entry((surname.clone(), given.first().cloned()))
                    .or_default() += 1;
                let initial = surname.chars().next().expect("not empty");
                let joined = surname.replace(' ', "");
                facts
                    .by_initial
                    .entry(initial)
                    .or_default()
                    .push((surname, joined, index));
            }
            facts.given.push(given);
        }
        facts
    }

    fn homonyms_of(&self, expect: &Expect) -> usize {
        let given = norm(&expect.prenoms)
            .split(' ')
            .find(|g| !g.is_empty())
            .map(String::from);
        self.homonyms
            .get(&(norm(&expect.nom_naissance), given))
            .copied()
            .unwrap_or(0)
    }

    /// Rows that fit a kiosk (`prefix`) or second-given-name query as well
    /// as the target does; 0 for other kinds or a one-word query.
    fn fitting(&self, kind: Kind, text: &str) -> usize {
        let normed = norm(text);
        let tokens: Vec<&str> = normed.split(' ').filter(|t| !t.is_empty()).collect();
        if tokens.len() < 2 {
            return 0;
        }
        let surname = tokens[..tokens.len() - 1].join(" ");
        let given = tokens[tokens.len() - 1];
        let initial = surname.chars().next().expect("a token is not empty");
        let Some(candidates) = self.by_initial.get(&initial) else {
            return 0;
        };
        let rows: HashSet<usize> = match kind {
            Kind::Prefix => {
                let joined = surname.replace(' ', "");
                candidates
                    .iter()
                    .filter(|(sn, snj, row)| {
                        (sn.starts_with(&surname) || snj.starts_with(&joined))
                            && self.given[*row].iter().any(|g| g.starts_with(given))
                    })
                    .map(|(_, _, row)| *row)
                    .collect()
            }
            Kind::SecondGiven => candidates
                .iter()
                .filter(|(sn, _, row)| {
                    *sn == surname && self.given[*row].iter().any(|g| g == given)
                })
                .map(|(_, _, row)| *row)
                .collect(),
            Kind::Plain => return 0,
        };
        rows.len()
    }
}

/// How a category's window is widened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Prefix,
    SecondGiven,
}

fn kind_of(category: &str) -> Kind {
    match category_of(category) {
        Some(Category::KioskPrefix) => Kind::Prefix,
        Some(Category::SecondGivenOnly) => Kind::SecondGiven,
        _ => Kind::Plain,
    }
}

/// True when `hit` is the expected voter, compared as `score.py` does.
fn same(expect: &Expect, hit: &Hit) -> bool {
    let date = hit
        .voter
        .birth_date
        .to_iso()
        .unwrap_or_else(|| "None".to_string());
    let station = hit.station.as_ref().map_or("", |s| &*s.code);
    norm(&hit.voter.birth_name) == norm(&expect.nom_naissance)
        && norm(&hit.voter.first_names) == norm(&expect.prenoms)
        && date == iso(&expect.date_naissance)
        && station == expect.code_bureau
}

#[derive(Default)]
struct Tally {
    scored: usize,
    at_1: usize,
    at_5: usize,
    unscored: usize,
    ambiguous: usize,
    confident: usize,
    times: Vec<Duration>,
    misses: Vec<super::Miss>,
}

/// Scores `queries` on `index` with the rules of `score.py`; `model` names
/// the query set in the report. Categories come in `score.py`'s order
/// (sorted by name), people not on the roll last.
pub fn score(
    index: &LoadedIndex,
    facts: &RollFacts,
    queries: &[FileQuery],
    model: &str,
    keep_misses: usize,
) -> EvalReport {
    let searcher = Searcher;
    let mut per: BTreeMap<String, Tally> = BTreeMap::new();
    let mut strangers = Tally::default();
    let mut false_matches = 0;
    let mut errors = 0;
    for query in queries {
        let birth_date = query.birth_date.clone().filter(|d| !d.is_empty());
        let lookup = LookupQuery {
            text: query.text.clone(),
            birth_date: birth_date.clone(),
            limit: Some(RESULTS_ASKED),
            ..LookupQuery::default()
        };
        let started = Instant::now();
        let response = searcher.lookup(index, &lookup, SearchMode::Full);
        let elapsed = started.elapsed();
        let (hits, ambiguous) = match response {
            Ok(response) => (response.hits, response.ambiguous),
            Err(_) => {
                errors += 1;
                (Vec::new(), false)
            }
        };
        let confident = hits
            .first()
            .is_some_and(|top| matches!(top.confidence, Confidence::Exact | Confidence::Strong));
        let Some(expect) = &query.expect else {
            strangers.scored += 1;
            strangers.times.push(elapsed);
            strangers.ambiguous += usize::from(ambiguous);
            strangers.confident += usize::from(confident);
            false_matches += usize::from(confident);
            if confident && strangers.misses.len() < keep_misses {
                strangers
                    .misses
                    .push(miss(query, "nobody".to_string(), None, &hits));
            }
            continue;
        };
        let tally = per.entry(query.category.clone()).or_default();
        tally.times.push(elapsed);
        let mut widen = if birth_date.is_some() {
            1
        } else {
            facts.homonyms_of(expect)
        };
        let kind = kind_of(&query.category);
        if birth_date.is_none() && kind != Kind::Plain {
            let fit = facts.fitting(kind, &query.text);
            if fit > AMBIGUOUS_MAX {
                tally.unscored += 1;
                continue;
            }
            widen = widen.max(fit);
        }
        tally.scored += 1;
        tally.ambiguous += usize::from(ambiguous);
        tally.confident += usize::from(confident);
        let rank = hits.iter().position(|hit| same(expect, hit));
        let hit_1 = rank.is_some_and(|r| r < widen.max(1));
        let hit_5 = rank.is_some_and(|r| r < widen.max(5));
        tally.at_1 += usize::from(hit_1);
        tally.at_5 += usize::from(hit_5);
        if !hit_1 && tally.misses.len() < keep_misses {
            let expected = format!(
                "{} {} {}",
                expect.nom_naissance, expect.prenoms, expect.date_naissance
            );
            tally
                .misses
                .push(miss(query, expected, rank.map(|r| r + 1), &hits));
        }
    }
    // A category whose every query was left unscored is not reported,
    // as `score.py` does not.
    per.retain(|_, tally| tally.scored > 0);
    let scored: usize = per.values().map(|t| t.scored).sum();
    let overall = |hits: usize| {
        if scored == 0 {
            0.0
        } else {
            100.0 * hits as f64 / scored as f64
        }
    };
    let overall_at_1 = overall(per.values().map(|t| t.at_1).sum());
    let overall_at_5 = overall(per.values().map(|t| t.at_5).sum());
    let mut categories: Vec<CategoryReport> = per
        .into_iter()
        .map(|(name, tally)| report(&name, tally, None))
        .collect();
    categories.push(report("not_on_roll", strangers, Some(false_matches)));
    EvalReport {
        voters: index.info().voters,
        roll_seed: 0,
        query_seed: 0,
        model: model.to_string(),
        scoring: Scoring::ScorePy,
        overall_at_1: Some(overall_at_1),
        overall_at_5: Some(overall_at_5),
        errors,
        categories,
    }
}

fn miss(query: &FileQuery, expected: String, rank: Option<usize>, hits: &[Hit]) -> super::Miss {
    super::Miss {
        text: query.text.clone(),
        birth_date: query.birth_date.clone(),
        expected,
        rank,
        top: hits.iter().take(3).map(describe).collect(),
    }
}

fn report(name: &str, mut tally: Tally, false_matches: Option<usize>) -> CategoryReport {
    let percent = |count: usize| {
        if tally.scored == 0 {
            0.0
        } else {
            100.0 * count as f64 / tally.scored as f64
        }
    };
    tally.times.sort_unstable();
    let quantile = |q: f64| {
        tally
            .times
            .get(((tally.times.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    let target = match false_matches {
        Some(_) => target_of(Category::NotOnRoll),
        None => category_of(name)
            .filter(|c| *c != Category::NotOnRoll)
            .map_or(
                QualityTarget {
                    recall_at_1: None,
                    recall_at_5: None,
                    max_confident_false: None,
                },
                target_of,
            ),
    };
    let (recall_at_1, recall_at_5) = (percent(tally.at_1), percent(tally.at_5));
    // For people not on the roll, a confident answer is a false match.
    let confident = percent(false_matches.unwrap_or(tally.confident));
    let passed = match false_matches {
        // No stranger asked: nothing to fail.
        Some(_) if tally.scored == 0 => true,
        Some(_) => target.max_confident_false.is_none_or(|t| confident <= t),
        None => {
            target.recall_at_1.is_none_or(|t| recall_at_1 >= t)
                && target.recall_at_5.is_none_or(|t| recall_at_5 >= t)
        }
    };
    CategoryReport {
        category: name.to_string(),
        queries: tally.scored,
        unscored: tally.unscored,
        recall_at_1,
        recall_at_5,
        confident,
        ambiguous: percent(tally.ambiguous),
        median_us: quantile(0.5),
        p99_us: quantile(0.99),
        target,
        passed,
        misses: tally.misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_folds_like_score_py() {
        assert_eq!(
            norm("  Hélène-Marie d'Alembert "),
            "HELENE MARIE D ALEMBERT"
        );
        assert_eq!(norm("Œuvre"), "ŒUVRE");
        assert_eq!(norm("ﬁlon"), "FILON");
        assert_eq!(norm(""), "");
    }

    #[test]
    fn iso_reads_roll_dates_like_score_py() {
        assert_eq!(iso("14/03/1962"), "1962-03-14");
        assert_eq!(iso("00/00/1953"), "1953");
        assert_eq!(iso("1953"), "1953");
        assert_eq!(roll_date(BirthDate::Year(1953)), "00/00/1953");
        assert_eq!(
            iso(&roll_date(BirthDate::Full {
                year: 1962,
                month: 3,
                day: 4
            })),
            "1962-03-04"
        );
    }

    #[test]
    fn both_spellings_of_a_category_share_rules() {
        for (category, name) in FILE_NAMES {
            assert_eq!(category_of(name), Some(category));
            assert_eq!(category_of(category.as_str()), Some(category));
        }
        assert_eq!(kind_of("prefix"), Kind::Prefix);
        assert_eq!(kind_of("kiosk_prefix"), Kind::Prefix);
        assert_eq!(kind_of("second_prenom"), Kind::SecondGiven);
        assert_eq!(kind_of("exact"), Kind::Plain);
        assert_eq!(category_of("something_else"), None);
    }

    #[test]
    fn a_bad_line_is_named_by_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.jsonl");
        std::fs::write(
            &path,
            "{\"category\":\"exact\",\"q\":\"MARTIN Anne\",\"expect\":null}\n\n{\"q\":1}\n",
        )
        .unwrap();
        let error = read_queries(&path).unwrap_err().to_string();
        assert!(error.contains("q.jsonl:3:"), "{error}");
    }
}
