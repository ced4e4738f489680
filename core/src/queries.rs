//! Labelled lookups made from a roll: what people at a polling-station desk
//! or a kiosk actually type, each with the voter it should find.
//!
//! The search-quality harness measures recall on them, and the load tester
//! replays them, so both exercise the search with the same realistic mix.
//! Every perturbation here is an ordinary thing people do to a name (drop
//! the accents, mistype a letter, spell it as it sounds, give the married
//! name, type only the beginning), written from French spelling habits, not
//! from the search's own rules: the search must not be graded on an exam it
//! wrote.
//!
//! Two models of what people type are kept side by side ([`QueryModel`]):
//! the classic one the project measured itself with first, and the desk
//! model ([`desk`]), which misspells the way people do (a typo on the first
//! letter too, sounds spelt the French ways at the start of a name, dates
//! typed in the forms desks use). Reports give both, so that a change of
//! engine is judged on the harder model without losing the history of the
//! older one.
//!
//! Deterministic for a seed, like the roll generator.

pub mod desk;

use std::collections::HashSet;
use std::fmt;

pub use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::generator::NameSampler;
use crate::generator::random::Draw;
use crate::model::{BirthDate, RollRow, Sex};
use crate::normalise::{fold, is_particle};

/// What kind of mistake or habit a query stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Birth name and first given name as the roll writes them.
    Exact,
    /// Lower case, accents dropped.
    NoAccents,
    /// One typo in the surname.
    SurnameTypo,
    /// Two typos in a surname of eight letters or more.
    TwoTyposLong,
    /// The surname spelled as it sounds (`GAUTIER` for `GAUTHIER`).
    SoundAlike,
    /// The name in use (often married) instead of the birth name, or one
    /// half of a double name.
    MarriedName,
    /// Only a later given name, or no given name but the birth year.
    SecondGivenOnly,
    /// Particles and punctuation typed another way (`DALMEIDA`,
    /// `LA FONTAINE`, `SAINT AMOUR`).
    Punctuation,
    /// Given name first.
    GivenFirst,
    /// The beginnings of surname and given name, as kiosk users type.
    KioskPrefix,
    /// A typo in the surname, with the birth date.
    TypoWithDate,
    /// Someone not on this roll.
    NotOnRoll,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 12] = [
        Category::Exact,
        Category::NoAccents,
        Category::SurnameTypo,
        Category::TwoTyposLong,
        Category::SoundAlike,
        Category::MarriedName,
        Category::SecondGivenOnly,
        Category::Punctuation,
        Category::GivenFirst,
        Category::KioskPrefix,
        Category::TypoWithDate,
        Category::NotOnRoll,
    ];

    /// Short name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Exact => "exact",
            Category::NoAccents => "no_accents",
            Category::SurnameTypo => "surname_typo",
            Category::TwoTyposLong => "two_typos_long",
            Category::SoundAlike => "sound_alike",
            Category::MarriedName => "married_name",
            Category::SecondGivenOnly => "second_given_only",
            Category::Punctuation => "punctuation",
            Category::GivenFirst => "given_first",
            Category::KioskPrefix => "kiosk_prefix",
            Category::TypoWithDate => "typo_with_date",
            Category::NotOnRoll => "not_on_roll",
        }
    }

    /// Parses [`Category::as_str`].
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|category| category.as_str() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The voter a query should find, identified as the roll does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Birth name as written.
    pub birth_name: String,
    /// Given names as written.
    pub first_names: String,
    /// Birth date.
    pub birth_date: BirthDate,
    /// Station code of the row.
    pub station_code: Option<String>,
    /// Order number of the row.
    pub order_number: Option<u32>,
}

/// One query with its expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledQuery {
    /// What it stands for.
    pub category: Category,
    /// Text as typed.
    pub text: String,
    /// Birth date parameter, ISO (`1962-03-14` or `1962`).
    pub birth_date: Option<String>,
    /// The voter to find; `None` for someone not on the roll.
    pub target: Option<Target>,
}

/// Which habits queries are made with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueryModel {
    /// The first model: typos away from the first letter, sounds changed
    /// after it, dates typed `14/03/1962`.
    #[default]
    Classic,
    /// The desk model: typos anywhere (first letter included) with AZERTY
    /// neighbours, sounds spelt the French ways anywhere in the name, the
    /// usual (first) given name or a later one, dates typed in any desk
    /// form ([`desk`]).
    Desk,
}

impl QueryModel {
    /// Both models, the classic one first.
    pub const ALL: [QueryModel; 2] = [QueryModel::Classic, QueryModel::Desk];

    /// Short name used in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryModel::Classic => "classic",
            QueryModel::Desk => "desk",
        }
    }

    /// Parses [`QueryModel::as_str`].
    pub fn from_name(name: &str) -> Option<QueryModel> {
        QueryModel::ALL
            .into_iter()
            .find(|model| model.as_str() == name)
    }
}

impl fmt::Display for QueryModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The random generator perturbations draw from (seed it with
/// `QueryRng::seed_from_u64`).
pub type QueryRng = ChaCha8Rng;

/// How many queries of each category to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySetConfig {
    /// Everything random derives from it.
    pub seed: u64,
    /// Queries per category (fewer when the roll has too few suitable voters).
    pub per_category: usize,
    /// Only these categories; all of them when empty.
    pub only: Vec<Category>,
    /// The habits the queries are made with.
    pub model: QueryModel,
}

impl Default for QuerySetConfig {
    fn default() -> Self {
        QuerySetConfig {
            seed: 2024,
            per_category: 500,
            only: Vec::new(),
            model: QueryModel::Classic,
        }
    }
}

/// Makes labelled queries from the rows of a roll. `names` draws the people
/// who are not on it (use the roll generator's sampler, so they look alike).
pub fn labelled_queries(
    rows: &[RollRow],
    names: &NameSampler,
    config: &QuerySetConfig,
) -> Vec<LabelledQuery> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut queries = Vec::new();
    let usable: Vec<&RollRow> = rows
        .iter()
        .filter(|row| !row.birth_name.trim().is_empty())
        .collect();
    if usable.is_empty() {
        return queries;
    }
    let wanted = |category: &Category| config.only.is_empty() || config.only.contains(category);
    for category in Category::ALL.into_iter().filter(wanted) {
        if category == Category::NotOnRoll {
            queries.extend(not_on_roll(
                &mut rng,
                rows,
                names,
                config.per_category,
                config.model,
            ));
            continue;
        }
        let mut made = 0;
        // Some categories need voters of a kind (a usage name, a long
        // surname); give up after enough misses on a roll without them.
        let mut attempts = 0;
        while made < config.per_category && attempts < config.per_category * 200 {
            attempts += 1;
            let row = usable[rng.below(usable.len())];
            if let Some(query) = perturb_with(&mut rng, config.model, category, row) {
                queries.push(query);
                made += 1;
            }
        }
    }
    queries
}

/// One query of `category` for `row` in the classic model, or `None` when
/// the voter does not suit the category (no usage name, a short surname…).
pub fn perturb(rng: &mut QueryRng, category: Category, row: &RollRow) -> Option<LabelledQuery> {
    perturb_with(rng, QueryModel::Classic, category, row)
}

/// One query of `category` for `row` in `model`, or `None` when the voter
/// does not suit the category.
pub fn perturb_with(
    rng: &mut QueryRng,
    model: QueryModel,
    category: Category,
    row: &RollRow,
) -> Option<LabelledQuery> {
    match model {
        QueryModel::Classic => perturb_classic(rng, category, row),
        QueryModel::Desk => perturb_desk(rng, category, row),
    }
}

fn target_of_row(row: &RollRow) -> Target {
    Target {
        birth_name: row.birth_name.clone(),
        first_names: row.first_names.clone(),
        birth_date: row.birth_date,
        station_code: row.membership.station_code.clone(),
        order_number: row.membership.order_number,
    }
}

/// The desk model of [`QueryModel::Desk`]: the same categories, typed the
/// way people do.
fn perturb_desk(rng: &mut QueryRng, category: Category, row: &RollRow) -> Option<LabelledQuery> {
    let given: Vec<&str> = row.first_names.split_whitespace().collect();
    let first_given = given.first()?.to_string();
    let surname = row.birth_name.trim().to_string();
    let mut birth_date = None;
    let text = match category {
        Category::SurnameTypo => {
            format!("{} {first_given}", desk::typos_anywhere(rng, &surname, 1)?)
        }
        Category::TwoTyposLong => {
            if letters(&surname) < 8 {
                return None;
            }
            format!("{} {first_given}", desk::typos_anywhere(rng, &surname, 2)?)
        }
        Category::SoundAlike => format!(
            "{} {first_given}",
            desk::sound_alike_anywhere(rng, &surname)?
        ),
        Category::SecondGivenOnly => {
            // Staff who know only a later given name type it with the
            // surname; voters with one given name do not suit.
            if given.len() < 2 {
                return None;
            }
            format!("{surname} {}", given[1 + rng.below(given.len() - 1)])
        }
        Category::TypoWithDate => {
            let iso = full_date(row.birth_date)?;
            let edits = if letters(&surname) >= 8 {
                1 + rng.below(2)
            } else {
                1
            };
            let typed = format!(
                "{} {first_given}",
                desk::typos_anywhere(rng, &surname, edits)?
            );
            if rng.chance(0.5) {
                birth_date = Some(iso);
                typed
            } else {
                format!("{typed} {}", desk::desk_date(rng, &iso)?)
            }
        }
        // The other categories are typed alike in both models; the roll
        // makes them harder (more given names, kin names).
        _ => return perturb_classic(rng, category, row),
    };
    Some(LabelledQuery {
        category,
        text,
        birth_date,
        target: Some(target_of_row(row)),
    })
}

fn perturb_classic(rng: &mut QueryRng, category: Category, row: &RollRow) -> Option<LabelledQuery> {
    let first_given = row.first_names.split_whitespace().next()?.to_string();
    let surname = row.birth_name.trim().to_string();
    let mut birth_date = None;
    let text = match category {
        Category::Exact => format!("{surname} {first_given}"),
        Category::NoAccents => lower_without_accents(&format!("{surname} {first_given}")),
        Category::SurnameTypo => format!("{} {first_given}", typos(rng, &surname, 1)?),
        Category::TwoTyposLong => {
            if letters(&surname) < 8 {
                return None;
            }
            format!("{} {first_given}", typos(rng, &surname, 2)?)
        }
        Category::SoundAlike => format!("{} {first_given}", sound_alike(rng, &surname)?),
        Category::MarriedName => {
            let usage = row
                .usage_name
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())?;
            if fold(usage) == fold(&surname) {
                return None;
            }
            let parts: Vec<&str> = usage.split('-').filter(|p| !p.trim().is_empty()).collect();
            let usage = if parts.len() == 2 && rng.chance(0.3) {
                parts[rng.below(2)].trim().to_string()
            } else {
                usage.to_string()
            };
            format!("{usage} {first_given}")
        }
        Category::SecondGivenOnly => {
            let given: Vec<&str> = row.first_names.split_whitespace().collect();
            if given.len() >= 2 && rng.chance(0.7) {
                format!("{surname} {}", given[1 + rng.below(given.len() - 1)])
            } else {
                birth_date = Some(format!("{:04}", row.birth_date.year()?));
                surname.clone()
            }
        }
        Category::Punctuation => format!("{} {first_given}", punctuation_variant(rng, &surname)?),
        Category::GivenFirst => format!("{first_given} {surname}"),
        Category::KioskPrefix => kiosk_prefix(rng, &surname, &first_given)?,
        Category::TypoWithDate => {
            birth_date = Some(full_date(row.birth_date)?);
            let edits = if letters(&surname) >= 8 {
                1 + rng.below(2)
            } else {
                1
            };
            format!("{} {first_given}", typos(rng, &surname, edits)?)
        }
        Category::NotOnRoll => return None,
    };
    let (text, birth_date) = place_date(rng, text, birth_date);
    Some(LabelledQuery {
        category,
        text,
        birth_date,
        target: Some(target_of_row(row)),
    })
}

/// A full date is typed in the text half of the time (`14/03/1962`), given
/// as the parameter otherwise.
fn place_date(
    rng: &mut QueryRng,
    text: String,
    birth_date: Option<String>,
) -> (String, Option<String>) {
    match birth_date {
        Some(date) if date.len() == 10 && rng.chance(0.5) => {
            let (year, rest) = date.split_at(4);
            let month = &rest[1..3];
            let day = &rest[4..6];
            (format!("{text} {day}/{month}/{year}"), None)
        }
        other => (text, other),
    }
}

fn full_date(date: BirthDate) -> Option<String> {
    match date {
        BirthDate::Full { .. } => date.to_iso(),
        _ => None,
    }
}

/// People drawn from the same name distributions whose name is carried by
/// nobody on the roll: no voter has their surname (birth or usage name, or
/// one of its words) together with their given name. Half come with a full
/// birth date: the parameter in the classic model, the parameter or a desk
/// form in the text in the desk model.
fn not_on_roll(
    rng: &mut QueryRng,
    rows: &[RollRow],
    names: &NameSampler,
    count: usize,
    model: QueryModel,
) -> Vec<LabelledQuery> {
    let mut taken: HashSet<(String, String)> = HashSet::new();
    for row in rows {
        let given = name_keys(&row.first_names);
        let mut surnames = name_keys(&row.birth_name);
        if let Some(usage) = &row.usage_name {
            surnames.extend(name_keys(usage));
        }
        for surname in &surnames {
            for given in &given {
                taken.insert((surname.clone(), given.clone()));
            }
        }
    }
    let mut queries = Vec::with_capacity(count);
    let mut attempts = 0;
    while queries.len() < count && attempts < count * 100 {
        attempts += 1;
        let sex = if rng.chance(0.5) { Sex::F } else { Sex::M };
        let year = 1930 + rng.below(75) as u16;
        let person = names.person(rng, sex, year);
        let Some(given) = person.first_names.split_whitespace().next() else {
            continue;
        };
        let on_roll = name_keys(&person.birth_name).iter().any(|surname| {
            name_keys(given)
                .into_iter()
                .any(|g| taken.contains(&(surname.clone(), g)))
        });
        if on_roll {
            continue;
        }
        let birth_date = rng.chance(0.5).then(|| {
            format!(
                "{year:04}-{:02}-{:02}",
                1 + rng.below(12),
                1 + rng.below(28)
            )
        });
        let mut text = format!("{} {given}", person.birth_name);
        let birth_date = match (model, birth_date) {
            (QueryModel::Desk, Some(iso)) if rng.chance(0.5) => {
                text = format!("{text} {}", desk::desk_date(rng, &iso).unwrap_or(iso));
                None
            }
            (_, birth_date) => birth_date,
        };
        queries.push(LabelledQuery {
            category: Category::NotOnRoll,
            text,
            birth_date,
            target: None,
        });
    }
    queries
}

/// The forms of a name a query could match exactly: the whole folded name,
/// written with or without spaces, and each of its words that is not a
/// particle.
fn name_keys(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut keys: Vec<String> = folded
        .split(' ')
        .filter(|word| !word.is_empty() && !is_particle(word))
        .map(String::from)
        .collect();
    keys.push(folded.replace(' ', ""));
    keys.push(folded);
    keys
}

fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Lower case without accents, punctuation kept: what a hurried typist
/// enters.
pub fn lower_without_accents(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else if let Some(ascii) = deunicode::deunicode_char(ch) {
            out.push_str(&ascii.to_ascii_lowercase());
        }
    }
    out
}

/// Keyboard neighbours on an AZERTY layout, for substitutions.
const AZERTY_ROWS: [&str; 3] = ["AZERTYUIOP", "QSDFGHJKLM", "WXCVBN"];

fn neighbour(rng: &mut QueryRng, letter: char) -> char {
    for row in AZERTY_ROWS {
        if let Some(position) = row.find(letter) {
            let bytes = row.as_bytes();
            let left = position.checked_sub(1).map(|p| bytes[p] as char);
            let right = bytes.get(position + 1).map(|&b| b as char);
            return match (left, right) {
                (Some(l), Some(r)) => {
                    if rng.chance(0.5) {
                        l
                    } else {
                        r
                    }
                }
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (None, None) => letter,
            };
        }
    }
    (b'A' + rng.below(26) as u8) as char
}

/// `edits` typing mistakes in `name` (folded to capitals first): a
/// neighbouring key, a letter dropped, doubled, or two letters swapped.
/// The first letter is kept, as people rarely get it wrong. `None` when the
/// name is too short to bear them.
pub fn typos(rng: &mut QueryRng, name: &str, edits: usize) -> Option<String> {
    let original: Vec<char> = fold(name).chars().collect();
    let letter_positions = |chars: &[char]| -> Vec<usize> {
        chars
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, c)| c.is_ascii_alphabetic())
            .map(|(i, _)| i)
            .collect()
    };
    if letter_positions(&original).len() < 2 * edits + 1 {
        return None;
    }
    let mut chars = original.clone();
    let mut touched: Vec<usize> = Vec::new();
    for _ in 0..edits {
        let positions: Vec<usize> = letter_positions(&chars)
            .into_iter()
            .filter(|p| touched.iter().all(|t| t.abs_diff(*p) > 1))
            .collect();
        if positions.is_empty() {
            return None;
        }
        let at = positions[rng.below(positions.len())];
        match rng.below(4) {
            0 => chars[at] = neighbour(rng, chars[at]),
            1 => {
                chars.remove(at);
            }
            2 => chars.insert(at, chars[at]),
            _ => {
                if at + 1 < chars.len()
                    && chars[at + 1].is_ascii_alphabetic()
                    && chars[at] != chars[at + 1]
                {
                    chars.swap(at, at + 1);
                } else {
                    chars[at] = neighbour(rng, chars[at]);
                }
            }
        }
        touched.push(at);
    }
    let typed: String = chars.into_iter().collect();
    (typed != original.iter().collect::<String>()).then_some(typed)
}

/// French spellings that sound alike, applied to a folded name: a writer who
/// only heard the name may use either side.
const SOUND_ALIKE: &[(&str, &str)] = &[
    ("EAU", "O"),
    ("AU", "O"),
    ("PH", "F"),
    ("TH", "T"),
    ("AI", "E"),
    ("EI", "E"),
    ("ER", "E"),
    ("EZ", "E"),
    ("ET", "E"),
    ("AY", "E"),
    ("Y", "I"),
    ("QU", "K"),
    ("CK", "K"),
    ("CQ", "K"),
    ("C", "K"),
    ("K", "C"),
    ("GU", "G"),
    ("LL", "L"),
    ("TT", "T"),
    ("NN", "N"),
    ("MM", "M"),
    ("RR", "R"),
    ("SS", "S"),
    ("PP", "P"),
    ("FF", "F"),
    ("EN", "AN"),
    ("AN", "EN"),
    ("AIN", "IN"),
    ("EIN", "IN"),
    ("OI", "OY"),
    ("S", "Z"),
    ("CH", "SCH"),
    ("X", "KS"),
    ("W", "V"),
    ("V", "W"),
    ("H", ""),
];

/// Silent endings of French names that writers add or drop.
const SILENT_ENDINGS: &[(&str, &str)] = &[
    ("AULT", "AUD"),
    ("AULT", "O"),
    ("AUD", "AULT"),
    ("AUD", "AUT"),
    ("AUT", "AUD"),
    ("ARD", "ART"),
    ("ART", "ARD"),
    ("ET", "EY"),
    ("OT", "AUX"),
    ("AUX", "AULT"),
    ("ENT", "AN"),
    ("D", "T"),
    ("T", "D"),
    ("S", ""),
    ("X", ""),
    ("E", ""),
    ("", "E"),
    ("", "S"),
];

/// The surname as someone who only heard it might write it; `None` when no
/// rule applies to it.
pub fn sound_alike(rng: &mut QueryRng, name: &str) -> Option<String> {
    let folded = fold(name);
    let mut options: Vec<String> = Vec::new();
    for &(from, to) in SOUND_ALIKE {
        // Skip the first letter: people hear the start of a name clearly.
        let mut search_from = 1;
        while let Some(found) = folded.get(search_from..).and_then(|rest| rest.find(from)) {
            let at = search_from + found;
            let mut variant = String::with_capacity(folded.len() + 2);
            variant.push_str(&folded[..at]);
            variant.push_str(to);
            variant.push_str(&folded[at + from.len()..]);
            options.push(variant);
            search_from = at + from.len().max(1);
        }
    }
    for &(from, to) in SILENT_ENDINGS {
        if folded.ends_with(from) && folded.len() > from.len() + 2 && !folded.ends_with(' ') {
            options.push(format!("{}{to}", &folded[..folded.len() - from.len()]));
        }
    }
    options.retain(|option| *option != folded && letters(option) >= 3);
    options.sort();
    options.dedup();
    if options.is_empty() {
        return None;
    }
    Some(options.swap_remove(rng.below(options.len())))
}

/// Particles and punctuation typed another way; `None` for a plain name.
pub fn punctuation_variant(rng: &mut QueryRng, name: &str) -> Option<String> {
    let has_punctuation = name.contains(['\'', '’', '-', ' ']);
    if !has_punctuation {
        return None;
    }
    let folded = fold(name);
    let tokens: Vec<&str> = folded.split(' ').collect();
    let mut options = vec![
        folded.replace(' ', ""),
        folded.clone(),
        name.replace(['\'', '’', '-'], " "),
    ];
    let leading_particles = tokens.iter().take_while(|t| is_particle(t)).count();
    if leading_particles > 0 && leading_particles < tokens.len() {
        options.push(tokens[leading_particles..].join(" "));
        if leading_particles > 1 {
            options.push(tokens[leading_particles - 1..].join(" "));
        }
    }
    options.retain(|option| option != name);
    if options.is_empty() {
        return None;
    }
    let pick = options.swap_remove(rng.below(options.len()));
    Some(lower_without_accents(&pick))
}

/// The beginnings of surname and given name, lower case, as kiosk users
/// type: at least three letters of the surname (or all of a short one),
/// two to four of the given name.
pub fn kiosk_prefix(rng: &mut QueryRng, surname: &str, given: &str) -> Option<String> {
    let surname = fold(surname).replace(' ', "");
    let given = fold(given).replace(' ', "");
    if surname.len() < 3 || given.len() < 2 {
        return None;
    }
    let surname_len = (3 + rng.below(4)).min(surname.len());
    let given_len = (2 + rng.below(3)).min(given.len());
    let text = format!("{} {}", &surname[..surname_len], &given[..given_len]);
    Some(text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{Generator, GeneratorConfig};

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    #[test]
    fn typos_change_the_name_but_keep_its_first_letter() {
        let mut rng = rng();
        for _ in 0..200 {
            let typed = typos(&mut rng, "FONTAINE", 1).unwrap();
            assert_ne!(typed, "FONTAINE");
            assert!(typed.starts_with('F'));
            assert!(typed.len().abs_diff(8) <= 1);
        }
        assert!(typos(&mut rng, "LI", 1).is_none());
        let two = typos(&mut rng, "DESCHAMPS", 2).unwrap();
        assert_ne!(two, "DESCHAMPS");
    }

    #[test]
    fn sound_alikes_are_french_spellings_of_the_same_sounds() {
        let mut rng = rng();
        let mut seen = HashSet::new();
        for _ in 0..300 {
            seen.insert(sound_alike(&mut rng, "GAUTHIER").unwrap());
        }
        assert!(seen.contains("GAUTIER"), "{seen:?}");
        assert!(seen.contains("GOTHIER"), "{seen:?}");
        assert!(!seen.contains("GAUTHIER"));
        let renault: HashSet<String> = (0..300)
            .filter_map(|_| sound_alike(&mut rng, "RENAULT"))
            .collect();
        assert!(renault.contains("RENAUD"), "{renault:?}");
    }

    #[test]
    fn punctuation_variants_join_split_and_drop_particles() {
        let mut rng = rng();
        let variants: HashSet<String> = (0..200)
            .filter_map(|_| punctuation_variant(&mut rng, "DE LA FONTAINE"))
            .collect();
        assert!(variants.contains("delafontaine"), "{variants:?}");
        assert!(variants.contains("fontaine"), "{variants:?}");
        assert!(variants.contains("la fontaine"), "{variants:?}");
        let almeida: HashSet<String> = (0..200)
            .filter_map(|_| punctuation_variant(&mut rng, "D'ALMEIDA"))
            .collect();
        assert!(almeida.contains("dalmeida"), "{almeida:?}");
        assert!(punctuation_variant(&mut rng, "MARTIN").is_none());
    }

    #[test]
    fn kiosk_prefixes_are_beginnings() {
        let mut rng = rng();
        for _ in 0..100 {
            let text = kiosk_prefix(&mut rng, "BERNARD", "Hélène").unwrap();
            let (surname, given) = text.split_once(' ').unwrap();
            assert!(
                "bernard".starts_with(surname) && surname.len() >= 3,
                "{text}"
            );
            assert!("helene".starts_with(given) && given.len() >= 2, "{text}");
        }
    }

    #[test]
    fn a_query_set_covers_every_category_deterministically() {
        let generator = Generator::new(GeneratorConfig {
            voters: 3_000,
            ..GeneratorConfig::default()
        });
        let names = generator.names().clone();
        let rows: Vec<RollRow> = generator.collect();
        for model in QueryModel::ALL {
            let config = QuerySetConfig {
                seed: 3,
                per_category: 20,
                only: Vec::new(),
                model,
            };
            let queries = labelled_queries(&rows, &names, &config);
            for category in Category::ALL {
                let count = queries.iter().filter(|q| q.category == category).count();
                assert_eq!(count, 20, "{model} {category}");
            }
            assert_eq!(queries, labelled_queries(&rows, &names, &config));
        }
        let config = QuerySetConfig {
            seed: 3,
            per_category: 20,
            only: Vec::new(),
            model: QueryModel::Classic,
        };
        let queries = labelled_queries(&rows, &names, &config);
        assert!(
            queries
                .iter()
                .filter(|q| q.category == Category::NotOnRoll)
                .all(|q| q.target.is_none())
        );
        assert!(
            queries
                .iter()
                .filter(|q| q.category != Category::NotOnRoll)
                .all(|q| q.target.is_some())
        );
        assert_eq!(queries, labelled_queries(&rows, &names, &config));
    }
}
