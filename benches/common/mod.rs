//! What the benches share: sizes read from the environment, the bench roll
//! and its index, labelled queries made from it, the realistic query mix,
//! and the check that a lookup really found its voter.
//!
//! Every roll is synthetic, from `voter_core::generator` with seed 42, and
//! every query set comes from `voter_core::queries` with seed 77 (not
//! search-eval's 2024, so the benches do not replay the set the search was
//! tuned on).

#![allow(dead_code)]

use std::path::Path;
use std::time::Instant;

use voter_core::generator::{Generator, GeneratorConfig, NameSampler};
use voter_core::model::RollRow;
use voter_core::queries::{Category, LabelledQuery, QuerySetConfig, labelled_queries};
use voter_core::reu::{BadRowPolicy, ReaderOptions, RollReader, read_roll};
use voter_lookup::demo::{index_rows, station_infos};
use voter_lookup::eval::is_target;
use voter_lookup::index::LoadedIndex;
use voter_lookup::search::{Confidence, LookupQuery, LookupResponse};

/// Seed of every generated roll.
pub const ROLL_SEED: u64 = 42;
/// Seed of every query set.
pub const QUERY_SEED: u64 = 77;

/// A size from the environment (`1000000` or `1_000_000`), or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
        Err(_) => default,
    }
}

/// An index to search and queries made from the roll it was built from.
pub struct Subject {
    pub index: LoadedIndex,
    pub queries: Vec<LabelledQuery>,
    /// What the index is, for the report.
    pub description: String,
}

/// The large index of the search benches: the artifact named by
/// `VOTER_BENCH_INDEX` (its roll in `VOTER_BENCH_ROLL`), else a roll of
/// `VOTER_BENCH_VOTERS` (default 1,000,000) generated and indexed in RAM.
pub fn large_subject(per_category: usize) -> Subject {
    match std::env::var_os("VOTER_BENCH_INDEX") {
        Some(dir) => artifact_subject(Path::new(&dir), per_category),
        None => generated_subject(
            env_usize("VOTER_BENCH_VOTERS", 1_000_000),
            per_category,
            &[],
        ),
    }
}

/// A generated roll of `voters`, indexed in RAM with the builder's code, and
/// `per_category` queries of each of `only` (every category when empty).
pub fn generated_subject(voters: usize, per_category: usize, only: &[Category]) -> Subject {
    let started = Instant::now();
    let generator = Generator::new(GeneratorConfig {
        seed: ROLL_SEED,
        voters,
        ..GeneratorConfig::default()
    });
    let stations = station_infos(&generator);
    let names = generator.names().clone();
    let rows: Vec<RollRow> = generator.collect();
    let queries = make_queries(&rows, &names, per_category, only);
    let version = format!("bench-seed{ROLL_SEED}-{voters}");
    let index = index_rows(rows, &stations, &version).expect("the generated roll indexes");
    let description = format!(
        "{} voters generated (seed {ROLL_SEED}) and indexed in RAM in {:.1} s",
        index.info().voters,
        started.elapsed().as_secs_f64()
    );
    Subject {
        index,
        queries,
        description,
    }
}

fn artifact_subject(dir: &Path, per_category: usize) -> Subject {
    let roll = std::env::var_os("VOTER_BENCH_ROLL").expect(
        "VOTER_BENCH_INDEX needs VOTER_BENCH_ROLL: the roll CSV the artifact was built from",
    );
    let started = Instant::now();
    let index = LoadedIndex::from_artifact(dir)
        .unwrap_or_else(|error| panic!("cannot load {}: {error}", dir.display()));
    let reader = RollReader::open(Path::new(&roll), &ReaderOptions::default())
        .unwrap_or_else(|error| panic!("cannot open the roll: {error}"));
    let mut rows = Vec::new();
    read_roll(reader, BadRowPolicy::Skip, |_, row| rows.push(row))
        .unwrap_or_else(|error| panic!("cannot read the roll: {error}"));
    // People not on the roll are drawn from the generator's distributions,
    // as search-eval does for an export.
    let queries = make_queries(&rows, &NameSampler::new(), per_category, &[]);
    let description = format!(
        "{} voters from {} loaded in {:.1} s",
        index.info().voters,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Subject {
        index,
        queries,
        description,
    }
}

fn make_queries(
    rows: &[RollRow],
    names: &NameSampler,
    per_category: usize,
    only: &[Category],
) -> Vec<LabelledQuery> {
    labelled_queries(
        rows,
        names,
        &QuerySetConfig {
            seed: QUERY_SEED,
            per_category,
            only: only.to_vec(),
            ..QuerySetConfig::default()
        },
    )
}

/// The lookup a door would hand the search for `query`: ten results, as
/// search-eval asks.
pub fn lookup_of(query: &LabelledQuery) -> LookupQuery {
    LookupQuery {
        text: query.text.clone(),
        birth_date: query.birth_date.clone(),
        limit: Some(10),
        ..LookupQuery::default()
    }
}

/// The lookups of one category.
pub fn lookups_of(queries: &[LabelledQuery], category: Category) -> Vec<LookupQuery> {
    queries
        .iter()
        .filter(|query| query.category == category)
        .map(lookup_of)
        .collect()
}

/// Whether `response` is the right answer to `query`: its voter among the
/// results, or for someone not on the roll, no confident (exact or strong)
/// answer. Results tied beyond the limit come back too, so a voter among
/// equally good homonyms counts.
pub fn answered_right(query: &LabelledQuery, response: &LookupResponse) -> bool {
    let Some(target) = &query.target else {
        return response.confidence < Confidence::Strong;
    };
    response.hits.iter().any(|hit| is_target(target, hit))
}

/// The realistic mix of the issue-5 target, in percent of lookups: what a
/// morning of desks and kiosks types, as assumed here. Most people are
/// typed as the roll spells them, with or without accents; typos and
/// sound-alike spellings come next; the rest are the habits each category
/// stands for. (loadtest's default staff/kiosk classes use their own
/// weights; this one is fixed so that bench figures stay comparable.)
pub const REALISTIC_MIX: [(Category, u32); 12] = [
    (Category::Exact, 25),
    (Category::NoAccents, 20),
    (Category::SurnameTypo, 10),
    (Category::SoundAlike, 8),
    (Category::GivenFirst, 5),
    (Category::MarriedName, 5),
    (Category::Punctuation, 5),
    (Category::SecondGivenOnly, 5),
    (Category::TypoWithDate, 5),
    (Category::KioskPrefix, 5),
    (Category::NotOnRoll, 5),
    (Category::TwoTyposLong, 2),
];

/// `len` queries drawn from `queries` in the proportions of
/// [`REALISTIC_MIX`] (each category's queries taken in turn, repeating when
/// there are too few), shuffled with a fixed seed so that categories
/// interleave as they would in traffic.
pub fn realistic_mix(queries: &[LabelledQuery], len: usize) -> Vec<&LabelledQuery> {
    let total: u32 = REALISTIC_MIX.iter().map(|(_, weight)| weight).sum();
    assert_eq!(total, 100, "the mix's weights are percentages");
    let mut mix = Vec::with_capacity(len);
    for (category, weight) in REALISTIC_MIX {
        let pool: Vec<&LabelledQuery> = queries.iter().filter(|q| q.category == category).collect();
        assert!(!pool.is_empty(), "no {category} query to mix");
        let wanted = (len * weight as usize).div_ceil(100);
        mix.extend(pool.iter().cycle().take(wanted).copied());
    }
    mix.truncate(len);
    shuffle(&mut mix, QUERY_SEED);
    mix
}

/// Fisher–Yates with splitmix64: deterministic, and no dependency for it.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The small index the cost benches compare against: a roll of
/// `VOTER_BENCH_SMALL_VOTERS` (default 20,000) and exact-name queries.
/// Lookups there are cheaper than on a million voters, so a cost compared
/// with them is, if anything, overstated.
pub fn small_exact_subject() -> Subject {
    let voters = env_usize("VOTER_BENCH_SMALL_VOTERS", 20_000);
    generated_subject(voters, 200, &[Category::Exact])
}

/// Benchmarks `exact_lookup`: one exact-name lookup per iteration, the
/// subject's queries in turn, full mode. Checks first that they find their
/// voters, and after timing that the timed ones did.
pub fn bench_exact_lookup(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    subject: &Subject,
) {
    use voter_lookup::search::{SearchMode, Searcher};
    let lookups: Vec<(LookupQuery, &LabelledQuery)> =
        subject.queries.iter().map(|q| (lookup_of(q), q)).collect();
    assert!(!lookups.is_empty());
    let right = lookups
        .iter()
        .filter(|(lookup, query)| {
            let response = Searcher
                .lookup(&subject.index, lookup, SearchMode::Full)
                .expect("an exact lookup succeeds");
            answered_right(query, &response)
        })
        .count();
    assert!(
        right * 100 >= lookups.len() * 95,
        "only {right} of {} exact lookups found their voter",
        lookups.len()
    );
    let mut next = 0;
    let mut hits = 0usize;
    group.bench_function("exact_lookup", |b| {
        b.iter(|| {
            let (lookup, _) = &lookups[next % lookups.len()];
            next += 1;
            let response = Searcher
                .lookup(
                    &subject.index,
                    std::hint::black_box(lookup),
                    SearchMode::Full,
                )
                .expect("an exact lookup succeeds");
            hits += response.hits.len();
            response
        })
    });
    assert!(hits > 0, "the timed exact lookups found nobody");
}
