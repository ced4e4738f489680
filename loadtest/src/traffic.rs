//! What the requests ask: lookups made from a roll with the same
//! perturbations as the search-quality harness (`voter_core::queries`), in
//! the mix of each client class.
//!
//! A class stands for one kind of client: desk staff, who type fuller
//! names and often ask for the birth date, or kiosks, where voters type
//! lower-case beginnings of names. Each class has a share of the traffic
//! (`weight`), an optional API key the server can tell it by, a mix of
//! query categories, and a chance of adding the voter's birth date.
//!
//! Every query is made before the run starts, so that the run itself does
//! nothing but send; with the same roll and seed the queries are the same.
//! Query texts are never written into reports: a real roll's names stay on
//! the machine.

use std::path::Path;

use rand::Rng;
use voter_core::generator::{Generator, GeneratorConfig, NameSampler};
use voter_core::model::{BirthDate, RollRow};
use voter_core::queries::{
    Category, QueryRng, QuerySetConfig, SeedableRng, labelled_queries, perturb,
};
use voter_core::reu::{BadRowPolicy, ReaderOptions, RollReader, read_roll};

/// Why the traffic could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    /// The roll file could not be read.
    #[error(transparent)]
    Roll(#[from] voter_core::reu::RollError),
    /// The roll has no row a query can be made from.
    #[error("{0}: no voter with a name to look up")]
    EmptyRoll(String),
}

/// A class of clients, as `--class` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSpec {
    /// Name used in reports.
    pub name: String,
    /// Share of the traffic, relative to the other classes' weights.
    pub weight: f64,
    /// Sent as `X-Api-Key` (HTTP) or `x-api-key` metadata (gRPC); with
    /// several keys (a fleet of kiosks), each request takes the next one.
    /// None: the requests carry no key.
    pub api_keys: Vec<String>,
    /// What its users type.
    pub mix: Mix,
    /// Chance that a query (of a voter on the roll, without a date yet)
    /// also gives the voter's full birth date as `birth_date`.
    pub dates: f64,
}

impl ClassSpec {
    /// The classes used without `--class`: staff (70%) and kiosks (30%),
    /// no API key.
    pub fn defaults() -> Vec<ClassSpec> {
        vec![
            ClassSpec {
                name: "staff".to_string(),
                weight: 0.7,
                api_keys: Vec::new(),
                mix: Mix::staff(),
                dates: Mix::STAFF_DATES,
            },
            ClassSpec {
                name: "kiosk".to_string(),
                weight: 0.3,
                api_keys: Vec::new(),
                mix: Mix::kiosk(),
                dates: Mix::KIOSK_DATES,
            },
        ]
    }

    /// Reads `NAME[:weight=W][,key=KEY][,mix=MIX][,dates=P]`. KEY may name
    /// several keys, `a|b|c`, or a numbered range, `kiosk-{1..40}` (forty
    /// keys, used in turn, as forty kiosks would). The mix is
    /// `staff`, `kiosk`, or categories with weights joined by `+`
    /// (`kiosk_prefix:5+no_accents:2`); it defaults to the preset of the
    /// class's name if there is one, staff otherwise, and `dates` to the
    /// preset's (staff 30%, kiosk 100%).
    pub fn parse(text: &str) -> Result<ClassSpec, String> {
        let (name, options) = text.split_once(':').unwrap_or((text, ""));
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            return Err(format!(
                "class `{text}`: the name must be letters, digits, `-` or `_`"
            ));
        }
        let mut spec = ClassSpec {
            name: name.to_string(),
            weight: 1.0,
            api_keys: Vec::new(),
            mix: Mix::preset(name).unwrap_or_else(Mix::staff),
            dates: if name == "kiosk" {
                Mix::KIOSK_DATES
            } else {
                Mix::STAFF_DATES
            },
        };
        let mut dates_given = false;
        for option in options.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let Some((key, value)) = option.split_once('=') else {
                return Err(format!("class {name}: `{option}` is not KEY=VALUE"));
            };
            match key.trim() {
                "weight" => {
                    spec.weight = match value.trim().parse::<f64>() {
                        Ok(weight) if weight.is_finite() && weight > 0.0 => weight,
                        _ => {
                            return Err(format!(
                                "class {name}: weight `{value}` is not a positive number"
                            ));
                        }
                    }
                }
                "key" => {
                    spec.api_keys =
                        expand_keys(value.trim()).map_err(|e| format!("class {name}: {e}"))?;
                }
                "mix" => {
                    let mix = Mix::parse(value.trim()).map_err(|e| format!("class {name}: {e}"))?;
                    if !dates_given {
                        spec.dates = if mix.name == "kiosk" {
                            Mix::KIOSK_DATES
                        } else {
                            Mix::STAFF_DATES
                        };
                    }
                    spec.mix = mix;
                }
                "dates" => {
                    spec.dates = crate::units::parse_share(value)
                        .map_err(|e| format!("class {name}: dates: {e}"))?;
                    dates_given = true;
                }
                other => {
                    return Err(format!(
                        "class {name}: unknown option `{other}` (expected weight, key, mix or dates)"
                    ));
                }
            }
        }
        Ok(spec)
    }
}

/// The keys of `a|b|c` or `prefix-{1..40}-suffix`.
fn expand_keys(text: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for part in text.split('|') {
        let expanded = match (part.find('{'), part.find('}')) {
            (Some(open), Some(close)) if open < close => {
                let (first, last) = part[open + 1..close]
                    .split_once("..")
                    .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
                    .filter(|(a, b)| a <= b && b - a < 100_000)
                    .ok_or_else(|| {
                        format!("`{part}`: a key range is {{FIRST..LAST}}, e.g. kiosk-{{1..40}}")
                    })?;
                (first..=last)
                    .map(|n| format!("{}{n}{}", &part[..open], &part[close + 1..]))
                    .collect()
            }
            _ => vec![part.to_string()],
        };
        for key in expanded {
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic() && b != b'|') {
                return Err(format!(
                    "API key `{key}` must be printable ASCII without spaces"
                ));
            }
            keys.push(key);
        }
    }
    Ok(keys)
}

/// A mix of query categories with their weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// `staff`, `kiosk`, or the text it was read from.
    pub name: String,
    /// Categories and their (relative) weights.
    pub weights: Vec<(Category, f64)>,
}

impl Mix {
    /// Staff give the birth date with three queries in ten.
    pub const STAFF_DATES: f64 = 0.3;
    /// A kiosk asks every voter for it: the server's kiosk view answers
    /// only a surname, a given name and a full birth date.
    pub const KIOSK_DATES: f64 = 1.0;

    /// Desk staff: whole names as heard, with their misspellings, married
    /// names, dates.
    pub fn staff() -> Mix {
        Mix {
            name: "staff".to_string(),
            weights: vec![
                (Category::Exact, 20.0),
                (Category::NoAccents, 10.0),
                (Category::SurnameTypo, 12.0),
                (Category::TwoTyposLong, 3.0),
                (Category::SoundAlike, 10.0),
                (Category::MarriedName, 12.0),
                (Category::SecondGivenOnly, 5.0),
                (Category::Punctuation, 6.0),
                (Category::GivenFirst, 5.0),
                (Category::TypoWithDate, 10.0),
                (Category::NotOnRoll, 7.0),
            ],
        }
    }

    /// Kiosks: what the kiosk page sends for the server's kiosk view, a
    /// voter's own surname and usual given name, typed on a touch screen
    /// without accents, with its slips, and the full birth date. (Before
    /// the kiosk view, this mix was mostly name beginnings; `mix=kiosk_prefix:55+…`
    /// still gives that shape to a keyless or staff class.)
    pub fn kiosk() -> Mix {
        Mix {
            name: "kiosk".to_string(),
            weights: vec![
                (Category::Exact, 25.0),
                (Category::NoAccents, 35.0),
                (Category::SurnameTypo, 15.0),
                (Category::SoundAlike, 8.0),
                (Category::GivenFirst, 7.0),
                (Category::NotOnRoll, 10.0),
            ],
        }
    }

    fn preset(name: &str) -> Option<Mix> {
        match name {
            "staff" => Some(Mix::staff()),
            "kiosk" => Some(Mix::kiosk()),
            _ => None,
        }
    }

    /// `staff`, `kiosk`, or `CATEGORY:WEIGHT+CATEGORY:WEIGHT…` with the
    /// category names of `voter_core::queries::Category` (`exact`,
    /// `kiosk_prefix`, `not_on_roll`…); a category without a weight
    /// weighs 1.
    pub fn parse(text: &str) -> Result<Mix, String> {
        if let Some(mix) = Mix::preset(text) {
            return Ok(mix);
        }
        let mut weights = Vec::new();
        for part in text.split('+').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part.split_once(':').unwrap_or((part, "1"));
            let category = Category::from_name(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "mix: unknown category `{name}` (expected staff, kiosk, or {})",
                    known.join(", ")
                )
            })?;
            let weight = match weight.trim().parse::<f64>() {
                Ok(weight) if weight.is_finite() && weight >= 0.0 => weight,
                _ => return Err(format!("mix: weight `{weight}` of {name} is not a number")),
            };
            weights.push((category, weight));
        }
        if weights.iter().all(|(_, weight)| *weight == 0.0) {
            return Err(format!("mix `{text}` has no category with a weight"));
        }
        Ok(Mix {
            name: text.to_string(),
            weights,
        })
    }
}

/// One lookup, as a client would send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// What it stands for (`None` for a fixed `--query`).
    pub category: Option<Category>,
    /// The text typed.
    pub text: String,
    /// The `birth_date` parameter, if any.
    pub birth_date: Option<String>,
}

/// A roll to make queries from, and the name distributions its people were
/// drawn from (for people who are not on it).
#[derive(Debug, Clone)]
pub struct Roll {
    /// Its rows.
    pub rows: Vec<RollRow>,
    /// Name distributions for people not on it.
    pub names: NameSampler,
    /// Where it came from, for reports.
    pub source: String,
    /// Rows of the file left out because they could not be read.
    pub skipped_rows: usize,
}

impl Roll {
    /// The synthetic roll `voter-lookup demo --voters N --seed S` serves.
    pub fn generate(voters: usize, seed: u64) -> Roll {
        let generator = Generator::new(GeneratorConfig {
            seed,
            voters,
            ..GeneratorConfig::default()
        });
        let names = generator.names().clone();
        Roll {
            rows: generator.collect(),
            names,
            source: format!("generated: {voters} voters, seed {seed}"),
            skipped_rows: 0,
        }
    }

    /// A roll export read from `path` (rows that cannot be read are left
    /// out and counted).
    pub fn read(path: &Path) -> Result<Roll, TrafficError> {
        let reader = RollReader::open(path, &ReaderOptions::default())?;
        let mut rows = Vec::new();
        let summary = read_roll(reader, BadRowPolicy::Skip, |_, row| rows.push(row))?;
        Ok(Roll {
            rows,
            names: NameSampler::new(),
            source: path.display().to_string(),
            skipped_rows: summary.skipped.len(),
        })
    }
}

fn unit(rng: &mut QueryRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn below(rng: &mut QueryRng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Picks an index by weight.
#[derive(Debug, Clone)]
pub struct WeightedPick {
    cumulative: Vec<f64>,
}

impl WeightedPick {
    /// Over these weights (not all zero).
    pub fn new(weights: impl IntoIterator<Item = f64>) -> WeightedPick {
        let mut total = 0.0;
        let cumulative: Vec<f64> = weights
            .into_iter()
            .map(|weight| {
                total += weight.max(0.0);
                total
            })
            .collect();
        let cumulative = cumulative.into_iter().map(|sum| sum / total).collect();
        WeightedPick { cumulative }
    }

    /// An index drawn from `rng`.
    pub fn pick(&self, rng: &mut QueryRng) -> usize {
        let draw = unit(rng);
        self.cumulative
            .iter()
            .position(|&sum| draw < sum)
            .unwrap_or(self.cumulative.len() - 1)
    }
}

/// `count` queries of `class` made from `roll`, deterministic for `seed`.
pub fn class_queries(
    roll: &Roll,
    class: &ClassSpec,
    count: usize,
    seed: u64,
) -> Result<Vec<Query>, TrafficError> {
    let usable: Vec<&RollRow> = roll
        .rows
        .iter()
        .filter(|row| !row.birth_name.trim().is_empty() && !row.first_names.trim().is_empty())
        .collect();
    if usable.is_empty() {
        return Err(TrafficError::EmptyRoll(roll.source.clone()));
    }
    let mut rng = QueryRng::seed_from_u64(seed);
    let total_weight: f64 = class.mix.weights.iter().map(|(_, w)| w).sum();
    let not_on_roll_weight: f64 = class
        .mix
        .weights
        .iter()
        .filter(|(category, _)| *category == Category::NotOnRoll)
        .map(|(_, w)| w)
        .sum();
    let strangers = if not_on_roll_weight > 0.0 {
        let wanted = (count as f64 * not_on_roll_weight / total_weight * 1.2) as usize + 16;
        labelled_queries(
            &roll.rows,
            &roll.names,
            &QuerySetConfig {
                seed: seed ^ 0x5eed,
                per_category: wanted,
                only: vec![Category::NotOnRoll],
                ..QuerySetConfig::default()
            },
        )
    } else {
        Vec::new()
    };
    let categories = WeightedPick::new(class.mix.weights.iter().map(|(_, w)| *w));
    let mut queries = Vec::with_capacity(count);
    let mut next_stranger = 0;
    while queries.len() < count {
        let category = class.mix.weights[categories.pick(&mut rng)].0;
        if category == Category::NotOnRoll
            && let Some(stranger) = strangers.get(next_stranger % strangers.len().max(1))
        {
            next_stranger += 1;
            queries.push(Query {
                category: Some(category),
                text: stranger.text.clone(),
                birth_date: stranger.birth_date.clone(),
            });
            continue;
        }
        // Some categories need voters of a kind (a usage name, a long
        // surname); after enough misses, the voter is typed as written.
        let mut made = None;
        for _ in 0..64 {
            let row = usable[below(&mut rng, usable.len())];
            if let Some(query) = perturb(&mut rng, category, row) {
                made = Some((query, row));
                break;
            }
        }
        let (query, row) = match made {
            Some(made) => made,
            None => {
                let row = usable[below(&mut rng, usable.len())];
                match perturb(&mut rng, Category::Exact, row) {
                    Some(query) => (query, row),
                    None => continue,
                }
            }
        };
        let mut birth_date = query.birth_date;
        let date_in_text = query.category == Category::TypoWithDate;
        if birth_date.is_none()
            && !date_in_text
            && unit(&mut rng) < class.dates
            && let BirthDate::Full { .. } = row.birth_date
        {
            birth_date = row.birth_date.to_iso();
        }
        queries.push(Query {
            category: Some(query.category),
            text: query.text,
            birth_date,
        });
    }
    Ok(queries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_read_their_options_and_presets() {
        let staff = ClassSpec::parse("staff:weight=0.7,key=staff-key").unwrap();
        assert_eq!(staff.name, "staff");
        assert_eq!(staff.weight, 0.7);
        assert_eq!(staff.api_keys, ["staff-key"]);
        assert_eq!(staff.mix, Mix::staff());
        assert_eq!(staff.dates, Mix::STAFF_DATES);

        let kiosk = ClassSpec::parse("kiosk:weight=0.3,key=kiosk-key").unwrap();
        assert_eq!(kiosk.mix, Mix::kiosk());
        assert_eq!(kiosk.dates, 1.0);

        let custom = ClassSpec::parse("mairie:mix=exact:3+not_on_roll,dates=50%").unwrap();
        assert_eq!(custom.weight, 1.0);
        assert_eq!(
            custom.mix.weights,
            vec![(Category::Exact, 3.0), (Category::NotOnRoll, 1.0)]
        );
        assert_eq!(custom.dates, 0.5);

        let bare = ClassSpec::parse("app").unwrap();
        assert_eq!(bare.mix, Mix::staff());
        assert!(bare.api_keys.is_empty());

        let fleet = ClassSpec::parse("kiosk:key=hall-{1..3}-k|spare-key").unwrap();
        assert_eq!(
            fleet.api_keys,
            ["hall-1-k", "hall-2-k", "hall-3-k", "spare-key"]
        );

        for (bad, wanted) in [
            ("", "the name"),
            ("a b", "the name"),
            ("staff:weight=0", "positive"),
            ("staff:speed=3", "unknown option"),
            ("staff:mix=typos", "unknown category `typos`"),
            ("staff:key=a b", "printable"),
            ("kiosk:key=k-{3..1}", "key range"),
            ("kiosk:key=k-{a..b}", "key range"),
            ("staff:mix=exact:0", "no category"),
        ] {
            let error = ClassSpec::parse(bad).unwrap_err();
            assert!(error.contains(wanted), "{bad}: {error}");
        }
    }

    #[test]
    fn queries_follow_the_class_mix_and_are_deterministic() {
        let roll = Roll::generate(2_000, 42);
        let kiosk = ClassSpec::parse("kiosk").unwrap();
        let queries = class_queries(&roll, &kiosk, 1_000, 7).unwrap();
        assert_eq!(queries.len(), 1_000);
        assert_eq!(queries, class_queries(&roll, &kiosk, 1_000, 7).unwrap());
        let prefixes = queries
            .iter()
            .filter(|q| q.category == Some(Category::KioskPrefix))
            .count();
        assert_eq!(prefixes, 0, "the kiosk view answers no beginnings");
        // Kiosk users give their birth date (all but the few voters the
        // roll knows by year only), and a third type in lower case.
        let dated = queries.iter().filter(|q| q.birth_date.is_some()).count();
        assert!(dated > 900, "{dated}");
        let lower = queries
            .iter()
            .filter(|q| q.text == q.text.to_lowercase())
            .count();
        assert!((280..450).contains(&lower), "{lower}");
        let strangers = queries
            .iter()
            .filter(|q| q.category == Some(Category::NotOnRoll))
            .count();
        assert!((30..120).contains(&strangers), "{strangers}");

        let staff = ClassSpec::parse("staff").unwrap();
        let queries = class_queries(&roll, &staff, 1_000, 7).unwrap();
        let with_date = queries.iter().filter(|q| q.birth_date.is_some()).count();
        assert!((250..550).contains(&with_date), "{with_date}");
        assert!(queries.iter().all(|q| !q.text.trim().is_empty()));
    }

    #[test]
    fn weighted_picks_follow_their_weights() {
        let pick = WeightedPick::new([0.7, 0.3, 0.0]);
        let mut rng = QueryRng::seed_from_u64(1);
        let mut counts = [0usize; 3];
        for _ in 0..10_000 {
            counts[pick.pick(&mut rng)] += 1;
        }
        assert!((6_800..7_200).contains(&counts[0]), "{counts:?}");
        assert_eq!(counts[2], 0);
    }
}
