//! The search-quality harness: a synthetic roll, labelled queries made from
//! it ([`voter_core::queries`]), and recall per category against targets;
//! or a roll file and a labelled query file in the development set's format
//! ([`devset`]).
//!
//! Two scorings. The classic query model keeps the first one
//! ([`Scoring::Ties`]): a hit counts when the voter is ranked within the
//! group of voters who fit the query equally well (rank = 1 + the number of
//! results scored strictly above the voter). The desk model and query files
//! are scored with the rules of the development set's `score.py`
//! ([`Scoring::ScorePy`]): the voter must be within the first k results,
//! k widened only by the voters who share the target's surname and first
//! given name. For people not on the roll, what counts is a confident
//! (`exact` or `strong`) answer, which would be a false match.

pub mod devset;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use std::path::PathBuf;

use voter_core::generator::{Generator, GeneratorConfig, NameSampler};
use voter_core::model::RollRow;
use voter_core::queries::{
    Category, LabelledQuery, QueryModel, QuerySetConfig, Target, labelled_queries,
};
use voter_core::reu::{BadRowPolicy, ReaderOptions, RollReader, read_roll};
use voter_core::stations::{StationInfo, read_stations};

use crate::demo::{DemoError, index_rows, station_infos};
use crate::index::LoadedIndex;
use crate::search::{Confidence, Hit, LookupQuery, LookupResponse, SearchMode, Searcher};

/// What to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalConfig {
    /// Voters in the synthetic roll.
    pub voters: usize,
    /// Seed of the roll.
    pub roll_seed: u64,
    /// Seed of the queries.
    pub query_seed: u64,
    /// Queries per category.
    pub per_category: usize,
    /// Misses to keep per category, for the report.
    pub keep_misses: usize,
    /// Only these categories (all when empty).
    pub only: Vec<Category>,
    /// Read the roll from this REU export instead of generating one.
    pub roll: Option<PathBuf>,
    /// Serve this artifact (built from `roll`) instead of indexing in RAM.
    pub index: Option<PathBuf>,
    /// The stations file of `roll`, for the in-memory index.
    pub stations: Option<PathBuf>,
    /// Score this labelled query file (development set format) instead of
    /// generating queries.
    pub queries: Option<PathBuf>,
    /// The query models to generate and report, in order.
    pub models: Vec<QueryModel>,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            voters: 200_000,
            roll_seed: 1,
            query_seed: 2024,
            per_category: 1_000,
            keep_misses: 5,
            only: Vec::new(),
            roll: None,
            index: None,
            stations: None,
            queries: None,
            models: QueryModel::ALL.to_vec(),
        }
    }
}

/// Required recall of a category, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QualityTarget {
    /// Recall@1 at least.
    pub recall_at_1: Option<f64>,
    /// Recall@5 at least.
    pub recall_at_5: Option<f64>,
    /// Confident false matches at most (people not on the roll).
    pub max_confident_false: Option<f64>,
}

/// The targets of issue "name search quality", per category.
pub fn target_of(category: Category) -> QualityTarget {
    let recall = |at_1, at_5| QualityTarget {
        recall_at_1: Some(at_1),
        recall_at_5: Some(at_5),
        max_confident_false: None,
    };
    match category {
        Category::Exact
        | Category::NoAccents
        | Category::Punctuation
        | Category::GivenFirst
        | Category::TypoWithDate => recall(99.5, 100.0),
        Category::SurnameTypo | Category::MarriedName => recall(97.0, 99.5),
        Category::TwoTyposLong | Category::SoundAlike => recall(90.0, 98.0),
        Category::KioskPrefix | Category::SecondGivenOnly => recall(85.0, 97.0),
        Category::NotOnRoll => QualityTarget {
            recall_at_1: None,
            recall_at_5: None,
            max_confident_false: Some(0.5),
        },
    }
}

/// A query that missed, for reading.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// Text typed.
    pub text: String,
    /// Birth date parameter.
    pub birth_date: Option<String>,
    /// The voter expected (`NAME Given`), or the confident stranger found.
    pub expected: String,
    /// Rank found (`None`: not returned).
    pub rank: Option<usize>,
    /// The top results as `NAME Given (score, confidence)`.
    pub top: Vec<String>,
}

/// Results of one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryReport {
    /// Category name.
    pub category: String,
    /// Queries scored.
    pub queries: usize,
    /// Queries run but not scored: under [`Scoring::ScorePy`], kiosk and
    /// second-given-name queries that more than 20 voters fit.
    pub unscored: usize,
    /// Percent found at rank 1 (within ties).
    pub recall_at_1: f64,
    /// Percent found within the first 5.
    pub recall_at_5: f64,
    /// Percent answered with `exact` or `strong` confidence: for people not
    /// on the roll, false matches.
    pub confident: f64,
    /// Percent of answers marked ambiguous.
    pub ambiguous: f64,
    /// Median lookup time, microseconds (this process, one thread).
    pub median_us: f64,
    /// 99th percentile lookup time, microseconds.
    pub p99_us: f64,
    /// The target.
    pub target: QualityTarget,
    /// Whether the target is met.
    pub passed: bool,
    /// Some misses.
    pub misses: Vec<Miss>,
}

/// How hits are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Rank = 1 + the results scored strictly above the voter: a voter tied
    /// with others at the top is a hit at 1.
    Ties,
    /// The rules of the development set's `score.py` ([`devset`]).
    ScorePy,
}

/// The whole evaluation of one query set.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Voters in the roll.
    pub voters: u64,
    /// Seeds used.
    pub roll_seed: u64,
    /// Seed of the queries.
    pub query_seed: u64,
    /// The query model (`classic`, `desk`) or the query file scored.
    pub model: String,
    /// How hits were counted.
    pub scoring: Scoring,
    /// Recall@1 over every scored query (people not on the roll aside),
    /// under [`Scoring::ScorePy`].
    pub overall_at_1: Option<f64>,
    /// Recall@5 likewise.
    pub overall_at_5: Option<f64>,
    /// Lookups that failed (counted as misses).
    pub errors: usize,
    /// Per category, in report order.
    pub categories: Vec<CategoryReport>,
}

impl EvalReport {
    /// True when every category meets its target.
    pub fn passed(&self) -> bool {
        self.categories.iter().all(|c| c.passed)
    }

    /// The names of the categories short of their target.
    pub fn short(&self) -> Vec<&str> {
        self.categories
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.category.as_str())
            .collect()
    }

    /// The category named `name`.
    pub fn category(&self, name: &str) -> Option<&CategoryReport> {
        self.categories.iter().find(|c| c.category == name)
    }

    /// `score.py`'s closing line: overall recall, false matches, the
    /// categories short of target.
    pub fn summary(&self) -> String {
        let false_match = self
            .categories
            .iter()
            .find(|c| c.target.max_confident_false.is_some())
            .map_or(0.0, |c| c.confident);
        let short = self.short();
        format!(
            "recall@1 {:.1}% recall@5 {:.1}% false-match {:.1}%; categories short: {}",
            self.overall_at_1.unwrap_or(0.0),
            self.overall_at_5.unwrap_or(0.0),
            false_match,
            if short.is_empty() {
                "none".to_string()
            } else {
                short.join(",")
            }
        )
    }

    /// A table for a terminal.
    pub fn table(&self) -> String {
        let scoring = match self.scoring {
            Scoring::Ties => "ties share rank 1",
            Scoring::ScorePy => "rules of score.py",
        };
        let mut out = match self.roll_seed {
            0 => format!(
                "search quality on {} voters, queries {} ({scoring})\n",
                self.voters, self.model
            ),
            _ => format!(
                "search quality on {} synthetic voters (roll seed {}, query seed {}), {} query model ({scoring})\n",
                self.voters, self.roll_seed, self.query_seed, self.model
            ),
        };
        out.push_str(&format!(
            "{:<18} {:>7} {:>9} {:>9} {:>10} {:>10} {:>9} {:>9}  {}\n",
            "category",
            "queries",
            "recall@1",
            "recall@5",
            "confident",
            "ambiguous",
            "p50 µs",
            "p99 µs",
            "target"
        ));
        for c in &self.categories {
            let target = match (
                c.target.recall_at_1,
                c.target.recall_at_5,
                c.target.max_confident_false,
            ) {
                (Some(r1), Some(r5), _) => format!("≥{r1}% / ≥{r5}%"),
                (_, _, Some(max)) => format!("confident ≤{max}%"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{:<18} {:>7} {:>8.2}% {:>8.2}% {:>9.2}% {:>9.2}% {:>9.0} {:>9.0}  {} {}\n",
                c.category,
                c.queries,
                c.recall_at_1,
                c.recall_at_5,
                c.confident,
                c.ambiguous,
                c.median_us,
                c.p99_us,
                target,
                if c.passed { "ok" } else { "MISSED" }
            ));
        }
        let unscored: Vec<String> = self
            .categories
            .iter()
            .filter(|c| c.unscored > 0)
            .map(|c| format!("{} {}", c.category, c.unscored))
            .collect();
        if !unscored.is_empty() {
            out.push_str(&format!(
                "not scored, more than 20 voters fit equally well: {}\n",
                unscored.join(", ")
            ));
        }
        if self.errors > 0 {
            out.push_str(&format!("lookups failed: {}\n", self.errors));
        }
        if self.scoring == Scoring::ScorePy {
            out.push_str(&self.summary());
            out.push('\n');
        }
        out
    }
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Indexing the roll in memory failed.
    #[error(transparent)]
    Build(#[from] DemoError),
    /// The roll file could not be read.
    #[error(transparent)]
    Roll(#[from] voter_core::reu::RollError),
    /// The artifact could not be loaded.
    #[error(transparent)]
    Load(#[from] crate::index::LoadError),
    /// The stations file could not be read.
    #[error(transparent)]
    Stations(#[from] voter_core::stations::StationsError),
    /// The query file could not be read.
    #[error(transparent)]
    Queries(#[from] devset::QueryFileError),
}

/// The roll to evaluate on, its index, and the names of people not on it.
struct Subject {
    index: LoadedIndex,
    rows: Vec<RollRow>,
    names: NameSampler,
}

fn subject(config: &EvalConfig) -> Result<Subject, EvalError> {
    let Some(roll) = &config.roll else {
        let generator = Generator::new(GeneratorConfig {
            seed: config.roll_seed,
            voters: config.voters,
            ..GeneratorConfig::default()
        });
        let stations = station_infos(&generator);
        let names = generator.names().clone();
        let rows: Vec<RollRow> = generator.collect();
        let index = index_rows(
            rows.clone(),
            &stations,
            &format!("eval-seed{}", config.roll_seed),
        )?;
        return Ok(Subject { index, rows, names });
    };
    let reader = RollReader::open(roll, &ReaderOptions::default())?;
    let mut rows = Vec::new();
    read_roll(reader, BadRowPolicy::Skip, |_, row| rows.push(row))?;
    let stations: Vec<StationInfo> = match &config.stations {
        Some(path) => read_stations(path)?,
        None => Vec::new(),
    };
    let index = match &config.index {
        Some(dir) => LoadedIndex::from_artifact(dir)?,
        None => index_rows(rows.clone(), &stations, "eval-file")?,
    };
    Ok(Subject {
        index,
        rows,
        names: NameSampler::new(),
    })
}

/// Makes the roll (generated, or read from `config.roll`) and its index;
/// then scores the query file `config.queries` (one report), or makes the
/// queries of each model of `config.models` and runs them (one report per
/// model, in order).
pub fn run(config: &EvalConfig) -> Result<Vec<EvalReport>, EvalError> {
    let subject = subject(config)?;
    if let Some(path) = &config.queries {
        let queries = devset::read_queries(path)?;
        let wanted = |query: &&devset::FileQuery| {
            config.only.is_empty()
                || devset::category_of(&query.category)
                    .is_some_and(|category| config.only.contains(&category))
        };
        let queries: Vec<devset::FileQuery> = queries.iter().filter(wanted).cloned().collect();
        let facts = devset::RollFacts::new(&subject.rows);
        let name = path.display().to_string();
        return Ok(vec![devset::score(
            &subject.index,
            &facts,
            &queries,
            &name,
            config.keep_misses,
        )]);
    }
    let mut facts = None;
    let mut reports = Vec::with_capacity(config.models.len());
    for &model in &config.models {
        let queries = model_queries(&subject, config, model);
        let mut report = match model {
            QueryModel::Classic => evaluate(&subject.index, &queries, config),
            QueryModel::Desk => {
                let facts = facts.get_or_insert_with(|| devset::RollFacts::new(&subject.rows));
                let files: Vec<devset::FileQuery> =
                    queries.iter().map(devset::file_query).collect();
                let mut report = devset::score(
                    &subject.index,
                    facts,
                    &files,
                    model.as_str(),
                    config.keep_misses,
                );
                // Report order is the harness's own.
                report.categories.sort_by_key(|c| {
                    Category::from_name(&c.category).map_or(usize::MAX, |category| {
                        Category::ALL
                            .iter()
                            .position(|c| *c == category)
                            .unwrap_or(usize::MAX)
                    })
                });
                report
            }
        };
        report.roll_seed = config.roll_seed;
        report.query_seed = config.query_seed;
        report.model = model.as_str().to_string();
        reports.push(report);
    }
    Ok(reports)
}

/// The labelled queries of `model` on the subject's roll.
fn model_queries(subject: &Subject, config: &EvalConfig, model: QueryModel) -> Vec<LabelledQuery> {
    labelled_queries(
        &subject.rows,
        &subject.names,
        &QuerySetConfig {
            seed: config.query_seed,
            per_category: config.per_category,
            only: config.only.clone(),
            model,
        },
    )
}

/// Writes the queries of `model` on the evaluation roll as a labelled query
/// file (development set format), for `score.py` or for reading.
pub fn export_queries(
    config: &EvalConfig,
    model: QueryModel,
    out: impl std::io::Write,
) -> Result<(), EvalError> {
    let subject = subject(config)?;
    let queries = model_queries(&subject, config, model);
    devset::write_queries(&queries, out).map_err(|source| {
        EvalError::Queries(devset::QueryFileError::Io {
            path: PathBuf::from("<export>"),
            source,
        })
    })
}

/// Runs one query on the evaluation roll and describes every result: for
/// working on the search.
pub fn explain(
    config: &EvalConfig,
    text: &str,
    birth_date: Option<&str>,
) -> Result<String, EvalError> {
    let index = subject(config)?.index;
    let lookup = LookupQuery {
        text: text.to_string(),
        birth_date: birth_date.map(String::from),
        limit: Some(10),
        ..LookupQuery::default()
    };
    let started = Instant::now();
    let response = Searcher.lookup(&index, &lookup, SearchMode::Full);
    let elapsed = started.elapsed();
    let mut out = String::new();
    match response {
        Err(error) => out.push_str(&format!("error: {error}\n")),
        Ok(response) => {
            out.push_str(&format!(
                "{} results in {} µs, confidence {}, ambiguous {}\n",
                response.hits.len(),
                elapsed.as_micros(),
                response.confidence.as_str(),
                response.ambiguous
            ));
            for hit in response.hits.iter().take(600) {
                let matches: Vec<String> = hit
                    .matches
                    .iter()
                    .map(|m| format!("{}→{}:{}:{}", m.token, m.field, m.kind, m.matched))
                    .collect();
                out.push_str(&format!("  {}  [{}]\n", describe(hit), matches.join(" ")));
            }
        }
    }
    Ok(out)
}

/// Runs `queries` against `index`.
pub fn evaluate(index: &LoadedIndex, queries: &[LabelledQuery], config: &EvalConfig) -> EvalReport {
    let searcher = Searcher;
    let mut by_category: BTreeMap<Category, Tally> = BTreeMap::new();
    let wanted = |category: &Category| config.only.is_empty() || config.only.contains(category);
    for query in queries.iter().filter(|query| wanted(&query.category)) {
        let lookup = LookupQuery {
            text: query.text.clone(),
            birth_date: query.birth_date.clone(),
            limit: Some(10),
            ..LookupQuery::default()
        };
        let started = Instant::now();
        let response = searcher.lookup(index, &lookup, SearchMode::Full);
        let elapsed = started.elapsed();
        let tally = by_category.entry(query.category).or_default();
        tally.record(query, response, elapsed, config.keep_misses);
    }
    EvalReport {
        voters: index.info().voters,
        roll_seed: config.roll_seed,
        query_seed: config.query_seed,
        model: QueryModel::Classic.as_str().to_string(),
        scoring: Scoring::Ties,
        overall_at_1: None,
        overall_at_5: None,
        errors: 0,
        categories: Category::ALL
            .iter()
            .filter_map(|category| {
                by_category
                    .remove(category)
                    .map(|tally| tally.report(*category))
            })
            .collect(),
    }
}

#[derive(Default)]
struct Tally {
    queries: usize,
    at_1: usize,
    at_5: usize,
    confident: usize,
    ambiguous: usize,
    times: Vec<Duration>,
    misses: Vec<Miss>,
}

impl Tally {
    fn record(
        &mut self,
        query: &LabelledQuery,
        response: Result<LookupResponse, crate::error::LookupError>,
        elapsed: Duration,
        keep_misses: usize,
    ) {
        self.queries += 1;
        self.times.push(elapsed);
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                if self.misses.len() < keep_misses {
                    self.misses.push(Miss {
                        text: query.text.clone(),
                        birth_date: query.birth_date.clone(),
                        expected: format!("error: {error}"),
                        rank: None,
                        top: Vec::new(),
                    });
                }
                return;
            }
        };
        let confident = matches!(response.confidence, Confidence::Exact | Confidence::Strong);
        self.confident += usize::from(confident);
        self.ambiguous += usize::from(response.ambiguous);
        let rank = query
            .target
            .as_ref()
            .and_then(|target| rank_of(target, &response.hits));
        self.at_1 += usize::from(rank.is_some_and(|rank| rank <= 1));
        self.at_5 += usize::from(rank.is_some_and(|rank| rank <= 5));
        let missed = match &query.target {
            Some(_) => rank.is_none_or(|rank| rank > 1),
            None => confident,
        };
        if missed && self.misses.len() < keep_misses {
            self.misses.push(Miss {
                text: query.text.clone(),
                birth_date: query.birth_date.clone(),
                expected: query
                    .target
                    .as_ref()
                    .map(|t| format!("{} {} {}", t.birth_name, t.first_names, t.birth_date))
                    .unwrap_or_else(|| "nobody".to_string()),
                rank,
                top: response.hits.iter().take(3).map(describe).collect(),
            });
        }
    }

    fn report(mut self, category: Category) -> CategoryReport {
        let percent = |count: usize| {
            if self.queries == 0 {
                0.0
            } else {
                100.0 * count as f64 / self.queries as f64
            }
        };
        self.times.sort_unstable();
        let quantile = |q: f64| {
            self.times
                .get(((self.times.len() as f64 - 1.0) * q).round() as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1e6)
        };
        let target = target_of(category);
        let (recall_at_1, recall_at_5, confident) = (
            percent(self.at_1),
            percent(self.at_5),
            percent(self.confident),
        );
        let passed = target.recall_at_1.is_none_or(|t| recall_at_1 >= t)
            && target.recall_at_5.is_none_or(|t| recall_at_5 >= t)
            && target.max_confident_false.is_none_or(|t| confident <= t);
        CategoryReport {
            category: category.as_str().to_string(),
            queries: self.queries,
            unscored: 0,
            recall_at_1,
            recall_at_5,
            confident,
            ambiguous: percent(self.ambiguous),
            median_us: quantile(0.5),
            p99_us: quantile(0.99),
            target,
            passed,
            misses: self.misses,
        }
    }
}

fn describe(hit: &Hit) -> String {
    format!(
        "{}{} {} {} ({:.2}, {})",
        hit.voter.birth_name,
        hit.voter
            .usage_name
            .as_deref()
            .map(|u| format!(" [{u}]"))
            .unwrap_or_default(),
        hit.voter.first_names,
        hit.voter.birth_date,
        hit.score,
        hit.confidence.as_str()
    )
}

/// Rank of the target among the hits: 1 + the hits scored strictly above it.
fn rank_of(target: &Target, hits: &[Hit]) -> Option<usize> {
    let found = hits.iter().find(|hit| is_target(target, hit))?;
    Some(
        1 + hits
            .iter()
            .filter(|hit| hit.score > found.score + 1e-6)
            .count(),
    )
}

/// True when `hit` is the voter `target` names (same names, birth date,
/// station and order number).
pub fn is_target(target: &Target, hit: &Hit) -> bool {
    hit.voter.birth_name == target.birth_name
        && hit.voter.first_names == target.first_names
        && hit.voter.birth_date == target.birth_date
        && hit.voter.memberships.iter().any(|membership| {
            membership.station_code == target.station_code
                && membership.order_number == target.order_number
        })
}
