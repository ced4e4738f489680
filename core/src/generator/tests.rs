//! Tests of the whole generator: determinism, streaming, name statistics and
//! the presence of every quirk in a default 100,000-voter roll.

use super::*;
use crate::model::{BirthDate, ListKind};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn small_config(seed: u64, voters: usize) -> GeneratorConfig {
    GeneratorConfig {
        seed,
        voters,
        ..GeneratorConfig::default()
    }
}

fn roll_bytes(config: GeneratorConfig) -> Vec<u8> {
    let mut out = Vec::new();
    write_roll_csv(Generator::new(config), &mut out).unwrap();
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let first = roll_bytes(small_config(7, 3_000));
    let again = roll_bytes(small_config(7, 3_000));
    let other = roll_bytes(small_config(8, 3_000));
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(
        Generator::new(small_config(7, 3_000)).stations(),
        Generator::new(small_config(7, 3_000)).stations()
    );
}

#[test]
fn rows_are_generated_lazily_one_station_at_a_time() {
    let mut generator = Generator::new(small_config(1, 50_000));
    let first_station = generator.stations()[0].voters as u64;
    assert!(generator.next().is_some());
    assert!(
        generator.counts().people == first_station,
        "only the first station is drawn"
    );
    assert!(generator.counts().rows < 2_000);
}

#[test]
fn empty_and_tiny_rolls() {
    assert_eq!(Generator::new(small_config(1, 0)).count(), 0);
    assert!(Generator::new(small_config(1, 0)).stations().is_empty());
    let generator = Generator::new(small_config(1, 5));
    assert_eq!(generator.stations().len(), 1);
    assert!(generator.count() >= 5);
}

#[test]
fn no_quirks_when_turned_off() {
    let config = GeneratorConfig {
        quirks: QuirkRates::none(),
        ..small_config(3, 5_000)
    };
    let mut generator = Generator::new(config);
    let rows: Vec<RollRow> = generator.by_ref().collect();
    let counts = generator.counts();
    assert_eq!(counts.rows, 5_000);
    assert_eq!(counts.people, 5_000);
    assert_eq!(
        counts.year_only_dates + counts.eu_citizens + counts.homonyms,
        0
    );
    assert_eq!(
        counts.duplicate_order_numbers + counts.rows_without_station,
        0
    );
    assert_eq!(counts.usage_equals_birth, 0);
    assert!(counts.usage_names > 500, "married names are not a quirk");
    assert!(
        rows.iter()
            .all(|row| matches!(row.birth_date, BirthDate::Full { .. }))
    );
    assert!(
        rows.iter()
            .all(|row| row.membership.list == ListKind::Principal)
    );
}

#[test]
fn quirks_can_be_turned_up() {
    let quirks = QuirkRates {
        year_only_dates: 1.0,
        without_station: 1.0,
        ..QuirkRates::default()
    };
    let config = GeneratorConfig {
        quirks,
        ..small_config(4, 2_000)
    };
    let rows: Vec<RollRow> = Generator::new(config).collect();
    assert!(rows.iter().all(|row| row.membership.station_code.is_none()));
    assert!(rows.iter().all(|row| row.membership.order_number.is_none()));
    // Homonyms copy someone's date, which is year-only as well here.
    assert!(
        rows.iter()
            .all(|row| matches!(row.birth_date, BirthDate::Year(_)))
    );
}

#[test]
fn birth_dates_make_adults_of_18_to_100() {
    for row in Generator::new(small_config(5, 5_000)) {
        let year = row.birth_date.year().expect("every date has a year");
        assert!((1925..=2008).contains(&year), "{year}");
        if let BirthDate::Full { year, month, day } = row.birth_date {
            // 18 on 15 March 2026 at the latest.
            assert!((year, month, day) <= (2008, 3, 15), "{year}-{month}-{day}");
        }
    }
}

#[test]
fn generate_files_writes_roll_stations_and_broken_rows() {
    let dir = tempfile::tempdir().unwrap();
    let roll = dir.path().join("roll.csv");
    let stations = dir.path().join("stations.csv");
    let config = GeneratorConfig {
        broken_rows: 3,
        ..small_config(6, 4_000)
    };
    let summary = generate_files(&config, &roll, Some(&stations)).unwrap();
    assert_eq!(summary.stations, 4);
    assert_eq!(summary.broken_lines.len(), 3);
    assert_eq!(summary.rows, summary.counts.rows);

    let bytes = std::fs::read(&roll).unwrap();
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len() as u64, summary.rows + 1);
    let bad: Vec<u64> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| {
            let separators = line.iter().filter(|&&b| b == b';').count();
            let quotes = line.iter().filter(|&&b| b == b'"').count();
            separators != 26 || quotes % 2 == 1
        })
        .map(|(index, _)| index as u64 + 1)
        .collect();
    let reported: Vec<u64> = summary.broken_lines.iter().map(|b| b.line).collect();
    assert_eq!(bad, reported);

    let stations_text = std::fs::read_to_string(&stations).unwrap();
    let mut station_lines = stations_text.lines();
    assert_eq!(station_lines.next(), Some("commune;code;libelle;adresse"));
    assert_eq!(station_lines.count(), 4);
    assert!(stations_text.contains("\n45999;0001;"));
}

/// Birth name, given names and birth date: what homonyms share.
type NamesAndDate = (String, String, BirthDate);
/// Station code and order number of a row.
type Place = (Option<String>, Option<u32>);

/// Everything the 100,000-voter tests look at, gathered in one streaming pass.
#[derive(Debug, Default)]
struct RollStats {
    rows: u64,
    counts: QuirkCounts,
    stations: usize,
    surnames: HashMap<String, usize>,
    date_zeroes: usize,
    date_bare_years: usize,
    complementary_lists: HashMap<(String, String, BirthDate, String), HashSet<String>>,
    principal_people: HashMap<NamesAndDate, Vec<Place>>,
    without_station: u64,
    usage_equals_birth: usize,
    usage_names: usize,
    orders: HashMap<String, Vec<u32>>,
    given_name_counts: [usize; 6],
    compound_given: usize,
    accented_given: usize,
    first_line: String,
}

fn default_roll() -> &'static RollStats {
    static STATS: OnceLock<RollStats> = OnceLock::new();
    STATS.get_or_init(|| {
        let mut generator = Generator::new(GeneratorConfig::default());
        let mut stats = RollStats {
            stations: generator.stations().len(),
            ..RollStats::default()
        };
        let mut first = Vec::new();
        for row in generator.by_ref() {
            stats.rows += 1;
            if stats.rows == 1 {
                write_roll_csv(vec![row.clone()], &mut first).unwrap();
                let text = String::from_utf8(first.clone()).unwrap();
                stats.first_line = text.lines().nth(1).unwrap().to_string();
            }
            *stats.surnames.entry(row.birth_name.clone()).or_default() += 1;
            match export::date_text(&row).as_deref() {
                Some(text) if text.starts_with("00/00/") => stats.date_zeroes += 1,
                Some(text) if text.len() == 4 => stats.date_bare_years += 1,
                _ => {}
            }
            if row.usage_name.is_some() {
                stats.usage_names += 1;
            }
            if row.usage_name.as_deref() == Some(row.birth_name.as_str()) {
                stats.usage_equals_birth += 1;
            }
            let tokens = row.first_names.split(' ').count();
            stats.given_name_counts[tokens.min(5)] += 1;
            stats.compound_given += usize::from(row.first_names.contains('-'));
            stats.accented_given += usize::from(!row.first_names.is_ascii());
            let membership = &row.membership;
            match &membership.station_code {
                Some(code) => stats
                    .orders
                    .entry(code.clone())
                    .or_default()
                    .push(membership.order_number.expect("a station row has a number")),
                None => stats.without_station += 1,
            }
            if membership.list.is_complementary() {
                let key = (
                    row.birth_name.clone(),
                    row.first_names.clone(),
                    row.birth_date,
                    format!("{:?}", row.address),
                );
                stats
                    .complementary_lists
                    .entry(key)
                    .or_default()
                    .insert(membership.list.label().to_string());
            } else {
                stats
                    .principal_people
                    .entry((
                        row.birth_name.clone(),
                        row.first_names.clone(),
                        row.birth_date,
                    ))
                    .or_default()
                    .push((membership.station_code.clone(), membership.order_number));
            }
        }
        stats.counts = generator.counts().clone();
        stats
    })
}

/// Rows observed against people counted: an EU citizen on both complementary
/// lists shows a quirk on two rows.
fn assert_counted_per_person(rows: u64, people: u64) {
    let both_lists = default_roll().counts.eu_on_both_lists;
    assert!(
        rows >= people && rows <= people + both_lists,
        "{rows} rows for {people} people"
    );
}

#[test]
fn surnames_are_many_and_heavy_tailed() {
    let stats = default_roll();
    let distinct = stats.surnames.len();
    let (top_name, top) = stats.surnames.iter().max_by_key(|(_, n)| **n).unwrap();
    let share = *top as f64 / stats.rows as f64;
    eprintln!(
        "distinct surnames: {distinct}; most common: {top_name} {top} ({:.2} %)",
        share * 100.0
    );
    assert!(distinct >= 20_000, "{distinct} distinct birth names");
    assert!(share < 0.01, "{top_name} is {:.2} % of rows", share * 100.0);
    assert_eq!(top_name, "MARTIN", "France's most common surname leads");
    let common = [
        "BERNARD", "DUBOIS", "NGUYEN", "DA SILVA", "DIALLO", "GARCIA", "ROSSI",
    ];
    for name in common {
        assert!(
            stats.surnames.get(name).copied().unwrap_or(0) > 10,
            "{name}"
        );
    }
    let singletons = stats.surnames.values().filter(|&&n| n == 1).count();
    assert!(singletons * 2 > distinct, "the tail is made of rare names");
}

#[test]
fn every_surname_of_the_format_note_occurs() {
    let stats = default_roll();
    for example in [
        "DE LA ROCHEFOUCAULD",
        "LE GALL",
        "D'ALMEIDA",
        "N'DIAYE",
        "VAN DER MEULEN",
        "O'SULLIVAN",
        "SAINT-AMOUR",
        "ÉLÉONORE-BLIN",
        "SCHÖNBERGER",
        "TRAN VAN",
    ] {
        assert!(stats.surnames.contains_key(example), "{example} missing");
    }
}

#[test]
fn particles_and_punctuation_occur() {
    let stats = default_roll();
    let count = |pred: &dyn Fn(&str) -> bool| stats.surnames.keys().filter(|n| pred(n)).count();
    for prefix in [
        "DE ", "DE LA ", "DU ", "DES ", "LE ", "LA ", "D'", "L'", "N'", "O'", "VAN ", "VAN DER ",
    ] {
        assert!(
            count(&|n: &str| n.starts_with(prefix)) > 0,
            "no surname starting with {prefix:?}"
        );
    }
    assert!(
        count(&|n: &str| n.contains('-') && !n.contains("--")) > 100,
        "hyphenated compounds"
    );
    assert!(
        count(&|n: &str| n.contains("--")) > 0,
        "double hyphen of 2005-2010 double names"
    );
    assert!(count(&|n: &str| n.contains(' ')) > 100, "spaced compounds");
    assert!(count(&|n: &str| !n.is_ascii()) > 100, "accented surnames");
    assert!(stats.surnames.contains_key("LEFÈVRE") && stats.surnames.contains_key("LEFEVRE"));
    assert!(
        stats.surnames.keys().all(|n| n.to_uppercase() == *n),
        "birth names in capitals"
    );
}

#[test]
fn given_names_look_like_civil_status() {
    let stats = default_roll();
    let rows = stats.rows as usize;
    assert_eq!(stats.given_name_counts[0], 0);
    for tokens in 1..=5 {
        assert!(
            stats.given_name_counts[tokens] > rows / 50,
            "{tokens} names: {:?}",
            stats.given_name_counts
        );
    }
    assert!(stats.compound_given > rows / 50, "compound given names");
    assert!(stats.accented_given > rows / 20, "accented given names");
}

#[test]
fn married_names_are_common_but_most_rows_have_none() {
    let stats = default_roll();
    let share = stats.usage_names as f64 / stats.rows as f64;
    assert!((0.15..0.45).contains(&share), "{share}");
    assert!(stats.usage_equals_birth > 0);
    assert_counted_per_person(
        stats.usage_equals_birth as u64,
        stats.counts.usage_equals_birth,
    );
}

#[test]
fn every_quirk_occurs_in_a_default_roll() {
    let stats = default_roll();
    let counts = &stats.counts;
    eprintln!("{counts:?}");
    assert_eq!(counts.rows, stats.rows);
    assert!(stats.date_zeroes > 0, "00/00/yyyy dates");
    assert!(stats.date_bare_years > 0, "bare year dates");
    assert_counted_per_person(
        (stats.date_zeroes + stats.date_bare_years) as u64,
        counts.year_only_dates,
    );

    let both_lists = stats
        .complementary_lists
        .values()
        .filter(|lists| lists.len() == 2)
        .count();
    assert!(both_lists > 0, "EU citizens on both complementary lists");
    assert_eq!(both_lists as u64, counts.eu_on_both_lists);
    assert_eq!(counts.rows, counts.people + counts.eu_on_both_lists);

    let homonym_groups: Vec<_> = stats
        .principal_people
        .values()
        .filter(|rows| rows.len() >= 2)
        .collect();
    assert!(!homonym_groups.is_empty(), "true homonyms");
    let across_stations = homonym_groups
        .iter()
        .filter(|rows| {
            rows.iter()
                .map(|(station, _)| station)
                .collect::<HashSet<_>>()
                .len()
                > 1
        })
        .count();
    assert!(across_stations > 0, "homonyms in different stations");
    assert!(counts.homonyms > 0);

    assert!(stats.without_station > 0, "voters without a station");
    assert_eq!(stats.without_station, counts.rows_without_station);
    assert!(
        counts.duplicate_order_numbers > 0,
        "a duplicated order number"
    );
}

#[test]
fn order_numbers_are_unique_per_station_but_for_the_deliberate_duplicates() {
    let stats = default_roll();
    let mut duplicates = 0;
    for numbers in stats.orders.values() {
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, *numbers, "rows come in order-number order");
        let before = sorted.len();
        sorted.dedup();
        duplicates += before - sorted.len();
        assert!(*sorted.first().unwrap() == 1 || *sorted.first().unwrap() == 2);
    }
    assert_eq!(duplicates as u64, stats.counts.duplicate_order_numbers);
}

#[test]
fn about_one_station_per_thousand_voters() {
    let stats = default_roll();
    assert_eq!(stats.stations, 100);
    assert_eq!(stats.orders.len(), 100);
    for numbers in stats.orders.values() {
        assert!((700..=1_350).contains(&numbers.len()), "{}", numbers.len());
    }
}

#[test]
fn a_written_line_has_the_export_shape() {
    let line = &default_roll().first_line;
    let fields: Vec<&str> = line.split(';').collect();
    assert_eq!(fields.len(), 27, "{line}");
    assert_eq!(fields[0], "\"45999\"");
    assert_eq!(fields[1], "\"SAINT-AUBIN-DES-VERGERS\"");
    assert_eq!(fields[2], "\"Liste principale\"");
    assert_eq!(fields[21], "\"0001\"");
    assert_eq!(fields[26], "1", "the order number is not quoted");
    for field in &fields[..26] {
        assert!(
            field.is_empty() || (field.starts_with('"') && field.ends_with('"')),
            "{field}"
        );
        assert_ne!(*field, "\"\"", "empty fields are written as nothing");
    }
}
