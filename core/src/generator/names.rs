//! Name sampling: surnames and given names drawn from distributions shaped
//! like those of a French commune.
//!
//! Each [`Origin`] (French, regional French, and the communities of foreign
//! origin found in French communes) has a head of real common surnames and,
//! for most, a composed long tail: a rank is drawn from a heavy-tailed power
//! law, ranks inside the head are the real names in order of frequency, and
//! ranks beyond it are turned into plausible names of that origin (stems,
//! endings, particles) by a deterministic function of the rank. The same rank
//! always gives the same name, so tail names repeat with Zipf-like
//! frequencies and a 100,000-voter roll holds tens of thousands of distinct
//! surnames, as a real one does.
//!
//! [`NameSampler`] is public so that the search-quality harness can make
//! people who are *not* on a roll from the same distributions.

use super::name_data::*;
use super::random::{Draw, PowerLaw, Weighted, mix64};
use crate::model::Sex;
use rand::Rng;

/// Where a family name comes from; decides the surname's shape and the
/// given-name pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// French names of no marked region.
    French,
    /// Breton (`LE GALL`, `KERMARREC`).
    Breton,
    /// Alsatian and Lorrain (`SCHMITT`, `SCHÖNBERGER`).
    Alsatian,
    /// Occitan (`DELMAS`, `CASTANET`).
    Occitan,
    /// Corsican (`SANTONI`).
    Corsican,
    /// Basque (`ETCHEVERRY`).
    Basque,
    /// Flemish of the Nord (`DECLERCQ`, `VAN DER MEULEN`).
    Flemish,
    /// Portuguese (`DA SILVA`, `D'ALMEIDA`).
    Portuguese,
    /// Spanish (`GARCIA`, `MUÑOZ`).
    Spanish,
    /// Italian (`ROSSI`, `D'ANGELO`).
    Italian,
    /// Algerian, Moroccan and Tunisian (`BENALI`, `AIT AHMED`).
    Maghrebi,
    /// West African (`DIALLO`, `N'DIAYE`).
    WestAfrican,
    /// Vietnamese (`NGUYEN`, `TRAN VAN`).
    Vietnamese,
    /// Chinese (`CHEN`, `WANG`).
    Chinese,
    /// Turkish (`YILMAZ`, `ÇELIK`).
    Turkish,
    /// Polish (`KOWALSKI`).
    Polish,
    /// Armenian (`MANOUKIAN`).
    Armenian,
    /// Irish (`O'SULLIVAN`).
    Irish,
    /// Romanian (`POPESCU`).
    Romanian,
    /// German (`MÜLLER`).
    German,
    /// Dutch (`DE JONG`, `VAN DIJK`).
    Dutch,
}

impl Origin {
    /// Every origin, in declaration order.
    pub const ALL: [Origin; 21] = [
        Origin::French,
        Origin::Breton,
        Origin::Alsatian,
        Origin::Occitan,
        Origin::Corsican,
        Origin::Basque,
        Origin::Flemish,
        Origin::Portuguese,
        Origin::Spanish,
        Origin::Italian,
        Origin::Maghrebi,
        Origin::WestAfrican,
        Origin::Vietnamese,
        Origin::Chinese,
        Origin::Turkish,
        Origin::Polish,
        Origin::Armenian,
        Origin::Irish,
        Origin::Romanian,
        Origin::German,
        Origin::Dutch,
    ];

    /// True for France's own names, regional ones included: they take French
    /// given names.
    pub fn is_french(self) -> bool {
        matches!(
            self,
            Origin::French
                | Origin::Breton
                | Origin::Alsatian
                | Origin::Occitan
                | Origin::Corsican
                | Origin::Basque
                | Origin::Flemish
        )
    }

    /// Share of French citizens (the principal list) whose surname has this
    /// origin, in percent; rough figures for an urban commune.
    fn principal_share(self) -> f64 {
        match self {
            Origin::French => 66.0,
            Origin::Breton => 4.0,
            Origin::Alsatian => 3.0,
            Origin::Occitan => 3.0,
            Origin::Corsican => 1.0,
            Origin::Basque => 0.7,
            Origin::Flemish => 1.5,
            Origin::Portuguese => 3.5,
            Origin::Spanish => 2.2,
            Origin::Italian => 3.0,
            Origin::Maghrebi => 6.5,
            Origin::WestAfrican => 1.8,
            Origin::Vietnamese => 0.6,
            Origin::Chinese => 0.5,
            Origin::Turkish => 0.9,
            Origin::Polish => 1.2,
            Origin::Armenian => 0.6,
            Origin::Irish => 0.15,
            Origin::Romanian => 0.3,
            Origin::German => 0.5,
            Origin::Dutch => 0.2,
        }
    }

    /// The note example that belongs to this origin, if any.
    fn note_examples(self) -> &'static [&'static str] {
        match self {
            Origin::French => &["DE LA ROCHEFOUCAULD", "SAINT-AMOUR", "ÉLÉONORE-BLIN"],
            Origin::Breton => &["LE GALL"],
            Origin::Portuguese => &["D'ALMEIDA"],
            Origin::WestAfrican => &["N'DIAYE"],
            Origin::Flemish => &["VAN DER MEULEN"],
            Origin::Irish => &["O'SULLIVAN"],
            Origin::Alsatian => &["SCHÖNBERGER"],
            Origin::Vietnamese => &["TRAN VAN"],
            _ => &[],
        }
    }

    /// Probability that someone of this origin born in `birth_year` was born
    /// abroad, when a French citizen.
    pub(crate) fn born_abroad_probability(self, birth_year: u16) -> f64 {
        if self.is_french() {
            return 0.025;
        }
        // First generations came as adults; their children were born here.
        match birth_year {
            ..1960 => 0.75,
            1960..1975 => 0.5,
            1975..1990 => 0.25,
            _ => 0.12,
        }
    }
}

/// How often a note example is drawn, as a share of all voters: about 20 in
/// every 100,000, so each occurs in any roll of that size.
const NOTE_EXAMPLE_SHARE: f64 = 0.000_2;

/// Extra share of French names that are MARTIN, on top of its rank's.
const MARTIN_BOOST: f64 = 0.002;

/// How a family of surnames is shaped.
#[derive(Debug, Clone)]
struct SurnameModel {
    head: &'static [&'static str],
    ranks: PowerLaw,
    /// Probability that a written accent is dropped, as many registers do.
    strip_accents: f64,
}

/// A name drawn for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledName {
    /// Where the surname comes from.
    pub origin: Origin,
    /// Birth surname, upper case as on the roll.
    pub birth_name: String,
    /// Given names, capitalised, space separated, in civil-status order.
    pub first_names: String,
    /// Whether the person was drawn as born abroad.
    pub born_abroad: bool,
}

/// Draws surnames and given names from the distributions of a French commune.
///
/// Building one is cheap (a few thousand table entries); sampling never
/// allocates beyond the returned strings' needs.
#[derive(Debug, Clone)]
pub struct NameSampler {
    origins: Weighted<Origin>,
    french_origins: Weighted<Origin>,
    models: Vec<SurnameModel>,
    french_endings: Weighted<&'static str>,
    germanic_seconds: Weighted<&'static str>,
    italian_endings: Weighted<&'static str>,
    polish_endings: Weighted<&'static str>,
    low_countries_particles: Weighted<&'static str>,
    maghrebi_prefixes: Weighted<&'static str>,
}

impl Default for NameSampler {
    fn default() -> Self {
        NameSampler::new()
    }
}

impl NameSampler {
    /// Builds the tables.
    pub fn new() -> Self {
        let model =
            |_origin: Origin, head, exponent, offset, universe: u64, strip_accents| SurnameModel {
                head,
                ranks: PowerLaw::new(exponent, offset, universe),
                strip_accents,
            };
        let head_only = |head: &[&str]| head.len() as u64;
        let models = Origin::ALL
            .iter()
            .map(|&origin| match origin {
                // Tuned so that MARTIN is about 0.4 % of French names and the
                // 330 names of the head about 16 %, as in civil-status counts.
                Origin::French => model(origin, FRENCH_HEAD, 0.9, 8.0, 5_000_000, 0.65),
                Origin::Breton => model(origin, BRETON_HEAD, 0.95, 4.0, 200_000, 0.65),
                Origin::Alsatian => model(origin, ALSATIAN_HEAD, 0.95, 4.0, 200_000, 0.0),
                Origin::Occitan => model(origin, OCCITAN_HEAD, 0.95, 4.0, 50_000, 0.65),
                Origin::Corsican => model(origin, CORSICAN_HEAD, 0.95, 4.0, 20_000, 0.65),
                Origin::Basque => model(origin, BASQUE_HEAD, 0.95, 4.0, 20_000, 0.65),
                Origin::Flemish => model(origin, FLEMISH_HEAD, 0.95, 4.0, 50_000, 0.65),
                Origin::Portuguese => model(origin, PORTUGUESE_HEAD, 1.05, 3.0, 100_000, 0.8),
                Origin::Spanish => model(origin, SPANISH_HEAD, 1.05, 3.0, 100_000, 0.6),
                Origin::Italian => model(origin, ITALIAN_HEAD, 1.05, 3.0, 100_000, 0.5),
                Origin::Maghrebi => model(origin, MAGHREBI_HEAD, 0.95, 5.0, 200_000, 0.5),
                Origin::WestAfrican => model(
                    origin,
                    WEST_AFRICAN_HEAD,
                    0.8,
                    3.0,
                    head_only(WEST_AFRICAN_HEAD),
                    0.5,
                ),
                Origin::Vietnamese => model(
                    origin,
                    VIETNAMESE_HEAD,
                    1.3,
                    1.0,
                    head_only(VIETNAMESE_HEAD),
                    0.5,
                ),
                Origin::Chinese => {
                    model(origin, CHINESE_HEAD, 1.2, 2.0, head_only(CHINESE_HEAD), 0.5)
                }
                Origin::Turkish => model(origin, TURKISH_HEAD, 1.05, 3.0, 20_000, 0.55),
                Origin::Polish => model(origin, POLISH_HEAD, 0.95, 4.0, 20_000, 0.8),
                Origin::Armenian => model(origin, ARMENIAN_HEAD, 0.95, 4.0, 10_000, 0.5),
                Origin::Irish => model(origin, IRISH_HEAD, 1.05, 3.0, 5_000, 0.5),
                Origin::Romanian => model(origin, ROMANIAN_HEAD, 1.05, 3.0, 5_000, 0.7),
                Origin::German => model(origin, GERMAN_HEAD, 1.05, 4.0, 50_000, 0.0),
                Origin::Dutch => model(origin, DUTCH_HEAD, 1.05, 3.0, 20_000, 0.5),
            })
            .collect();
        NameSampler {
            origins: Weighted::new(Origin::ALL.iter().map(|&o| (o, o.principal_share()))),
            french_origins: Weighted::new(
                Origin::ALL
                    .iter()
                    .filter(|o| o.is_french())
                    .map(|&o| (o, o.principal_share())),
            ),
            models,
            french_endings: Weighted::new(FRENCH_ENDINGS.iter().copied()),
            germanic_seconds: Weighted::new(GERMANIC_SECONDS.iter().copied()),
            italian_endings: Weighted::new(ITALIAN_ENDINGS.iter().copied()),
            polish_endings: Weighted::new(POLISH_ENDINGS.iter().copied()),
            low_countries_particles: Weighted::new(LOW_COUNTRIES_PARTICLES.iter().copied()),
            maghrebi_prefixes: Weighted::new(MAGHREBI_PREFIXES.iter().copied()),
        }
    }

    /// The origin of a French citizen's surname, from the commune's mix.
    pub fn origin<R: Rng + ?Sized>(&self, rng: &mut R) -> Origin {
        *self.origins.sample(rng)
    }

    /// A surname of a random origin, from the commune's mix.
    pub fn surname<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        let origin = self.origin(rng);
        self.surname_of(rng, origin)
    }

    /// A surname of the given origin, in upper case.
    pub fn surname_of<R: Rng + ?Sized>(&self, rng: &mut R, origin: Origin) -> String {
        // MARTIN stands far above a smooth law: about twice BERNARD.
        if origin == Origin::French && rng.chance(MARTIN_BOOST) {
            return "MARTIN".to_string();
        }
        let model = &self.models[origin as usize];
        let rank = model.ranks.sample(rng);
        let raw = match model.head.get(rank as usize) {
            Some(name) => (*name).to_string(),
            None => {
                // Any distinct constant per origin keeps the tails apart.
                let seed = mix64(rank ^ ((origin as u64 + 1) << 56));
                self.compose_tail(origin, seed)
            }
        };
        match origin {
            Origin::Alsatian | Origin::German => render_umlauts(rng, raw, origin),
            _ if rng.chance(model.strip_accents) => strip_accents(&raw),
            _ => raw,
        }
    }

    /// A birth surname as the roll would carry it for this person: the
    /// origin's surname, sometimes a double name (`DUPONT-MARTIN`, or
    /// `DUPONT--MARTIN` for births between 2005 and 2010, when civil status
    /// wrote double names with two hyphens), the feminine `-SKA` of Polish
    /// women born in Poland, and now and then one of the format note's
    /// example names, kept exactly as written.
    pub fn birth_name<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        origin: Origin,
        sex: Sex,
        birth_year: u16,
        born_abroad: bool,
    ) -> String {
        let examples = origin.note_examples();
        if !examples.is_empty() {
            let share = origin.principal_share() / 100.0;
            let per_example = (NOTE_EXAMPLE_SHARE / share).min(0.2);
            if rng.chance(per_example * examples.len() as f64) {
                return (*rng.pick(examples)).to_string();
            }
        }
        let mut name = self.surname_of(rng, origin);
        if origin == Origin::Polish && sex == Sex::F && born_abroad {
            for (masculine, feminine) in [("SKI", "SKA"), ("CKI", "CKA"), ("DZKI", "DZKA")] {
                if let Some(stem) = name.strip_suffix(masculine) {
                    name = format!("{stem}{feminine}");
                    break;
                }
            }
        }
        if origin.is_french() {
            let double_share = match birth_year {
                2005.. => 0.08,
                1990..2005 => 0.02,
                _ => 0.006,
            };
            if rng.chance(double_share) {
                let other_origin = *self.french_origins.sample(rng);
                let other = self.surname_of(rng, other_origin);
                if other != name && !other.contains(' ') && !name.contains(' ') {
                    let hyphens = if (2005..=2010).contains(&birth_year) && rng.chance(0.6) {
                        "--"
                    } else {
                        "-"
                    };
                    name = format!("{name}{hyphens}{other}");
                }
            }
        }
        name
    }

    /// French given names for someone of this sex born in `birth_year`.
    pub fn given_names<R: Rng + ?Sized>(&self, rng: &mut R, sex: Sex, birth_year: u16) -> String {
        self.given_names_of(rng, Origin::French, sex, birth_year, false)
    }

    /// Given names, 1 to 5, capitalised and space separated in civil-status
    /// order (`Jean-Pierre Louis Marie`), for someone of this origin, sex and
    /// birth year. People born in France to families of foreign origin often
    /// carry French given names, and more so in younger generations.
    pub fn given_names_of<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        origin: Origin,
        sex: Sex,
        birth_year: u16,
        born_abroad: bool,
    ) -> String {
        let era = era_of(birth_year);
        let foreign_pool = foreign_given_pool(origin).map(|pool| match sex {
            Sex::M => pool.male,
            Sex::F => pool.female,
        });
        let foreign_share = match (foreign_pool.is_some(), born_abroad) {
            (false, _) => 0.0,
            (true, true) => 0.92,
            (true, false) if birth_year < 1985 => 0.55,
            (true, false) => 0.4,
        };
        let counts: [f64; 5] = if born_abroad && !origin.is_french() {
            [0.5, 0.33, 0.12, 0.04, 0.01]
        } else {
            COUNT_WEIGHTS_BY_ERA[era]
        };
        let count = 1 + pick_weighted_index(rng, &counts);
        let mut names: Vec<&'static str> = Vec::with_capacity(count);
        let mut attempts = 0;
        while names.len() < count && attempts < 15 {
            attempts += 1;
            let name = match foreign_pool {
                Some(pool) if rng.chance(foreign_share) => {
                    if names.len() == 1
                        && matches!(origin, Origin::Portuguese | Origin::Spanish)
                        && sex == Sex::F
                        && names[0].starts_with("Mar")
                        && rng.chance(0.4)
                    {
                        // `Maria De Fátima` is a whole: nothing follows it.
                        names.push(*rng.pick(IBERIAN_MARIAN_NAMES));
                        break;
                    } else {
                        pick_skewed(rng, pool, 0.7)
                    }
                }
                _ => self.french_given(rng, origin, sex, era, names.is_empty()),
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let strip = if foreign_pool.is_some() { 0.35 } else { 0.05 };
        let joined = names.join(" ");
        if rng.chance(strip) {
            strip_accents(&joined)
        } else {
            joined
        }
    }

    /// A whole person's name: origin from the commune's mix, birthplace in
    /// France or abroad as that origin's generation would have it.
    pub fn person<R: Rng + ?Sized>(&self, rng: &mut R, sex: Sex, birth_year: u16) -> SampledName {
        let origin = self.origin(rng);
        let born_abroad = rng.chance(origin.born_abroad_probability(birth_year));
        SampledName {
            origin,
            birth_name: self.birth_name(rng, origin, sex, birth_year, born_abroad),
            first_names: self.given_names_of(rng, origin, sex, birth_year, born_abroad),
            born_abroad,
        }
    }

    /// One French given name: first names follow the fashion of the birth
    /// generation; later ones are often a grandparent's or a saint's.
    fn french_given<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        origin: Origin,
        sex: Sex,
        era: usize,
        first: bool,
    ) -> &'static str {
        let (by_era, middles, breton) = match sex {
            Sex::M => (&FRENCH_MALE_BY_ERA, FRENCH_MALE_MIDDLES, BRETON_MALE),
            Sex::F => (&FRENCH_FEMALE_BY_ERA, FRENCH_FEMALE_MIDDLES, BRETON_FEMALE),
        };
        if origin == Origin::Breton && era >= 2 && rng.chance(0.25) {
            return breton[rng.below(breton.len())];
        }
        if first {
            // A tenth of parents pick from the neighbouring generation.
            let era = match rng.below(20) {
                0 if era > 0 => era - 1,
                1 if era < 5 => era + 1,
                _ => era,
            };
            return pick_skewed(rng, by_era[era], 0.8);
        }
        match rng.below(10) {
            0..=4 => pick_skewed(rng, middles, 0.9),
            5..=7 => pick_skewed(rng, by_era[era.saturating_sub(2)], 0.8),
            _ => pick_skewed(rng, by_era[era], 0.8),
        }
    }

    /// The composed tail name of an origin for a mixed rank.
    fn compose_tail(&self, origin: Origin, seed: u64) -> String {
        let mut bits = Bits(seed);
        match origin {
            Origin::French => self.french_tail(&mut bits),
            Origin::Breton => breton_tail(&mut bits),
            Origin::Alsatian | Origin::German => self.germanic_tail(&mut bits),
            Origin::Occitan => glue(bits.pick(OCCITAN_STEMS), bits.pick(OCCITAN_ENDINGS)),
            Origin::Corsican => glue(bits.pick(CORSICAN_STEMS), bits.pick(CORSICAN_ENDINGS)),
            Origin::Basque => format!("{}{}", bits.pick(BASQUE_FIRSTS), bits.pick(BASQUE_SECONDS)),
            Origin::Flemish | Origin::Dutch => self.low_countries_tail(&mut bits),
            Origin::Portuguese => portuguese_tail(&mut bits),
            Origin::Spanish => spanish_tail(&mut bits),
            Origin::Italian => self.italian_tail(&mut bits),
            Origin::Maghrebi => self.maghrebi_tail(&mut bits),
            Origin::Turkish => format!(
                "{}{}",
                bits.pick(TURKISH_FIRSTS),
                bits.pick(TURKISH_SECONDS)
            ),
            Origin::Polish => {
                let stem = bits.pick(POLISH_STEMS);
                let ending = self.polish_endings.sample_with(bits.unit());
                format!("{stem}{ending}")
            }
            Origin::Armenian => {
                let root = bits.pick(ARMENIAN_ROOTS);
                let ending = if bits.take(4) == 0 { "YAN" } else { "IAN" };
                if bits.take(10) == 0 {
                    format!("DER {root}{ending}")
                } else {
                    format!("{root}{ending}")
                }
            }
            Origin::Irish => match bits.take(4) {
                0 => format!("MC {}", bits.pick(IRISH_MC_TAILS)),
                1 => format!("MC{}", bits.pick(IRISH_MC_TAILS)),
                _ => format!("O'{}", bits.pick(IRISH_O_TAILS)),
            },
            Origin::Romanian => glue(bits.pick(ROMANIAN_ROOTS), bits.pick(ROMANIAN_ENDINGS)),
            // No tail: these origins have a concentrated set of surnames.
            Origin::WestAfrican | Origin::Vietnamese | Origin::Chinese => {
                let head = self.models[origin as usize].head;
                head[bits.take(head.len())].to_string()
            }
        }
    }

    fn french_tail(&self, bits: &mut Bits) -> String {
        let simple = |bits: &mut Bits| {
            let stem = bits.pick(FRENCH_STEMS);
            glue(stem, self.french_endings.sample_with(bits.unit()))
        };
        match bits.take(100) {
            0..=51 => simple(bits),
            52..=69 => {
                let stem = bits.pick(FRENCH_STEMS);
                let middle = bits.pick(FRENCH_MIDDLES);
                let ending = bits.pick(FRENCH_SECOND_ENDINGS);
                let mut name = glue(stem, middle);
                // PERRONNET or PERRONET: both spellings exist.
                let doubles = matches!(middle, "EL" | "ON" | "ET" | "OT");
                if doubles && starts_with_vowel(ending) && bits.take(2) == 0 {
                    let last = name.chars().last().expect("a middle is never empty");
                    name.push(last);
                }
                glue(&name, ending)
            }
            70..=84 => {
                let syllable = bits.pick(FRENCH_SYLLABLES);
                format!("{syllable}{}", simple(bits))
            }
            85..=92 => format!("{}{}", bits.pick(PLACE_FIRSTS), bits.pick(PLACE_SECONDS)),
            93..=95 => match bits.take(6) {
                0 => format!("DE {}", simple(bits)),
                1 => format!("DE LA {}", bits.pick(DE_LA_WORDS)),
                2 => format!("DU {}", bits.pick(DU_WORDS)),
                3 => format!("DES {}", bits.pick(DES_WORDS)),
                4 => format!("D'{}", bits.pick(D_APOSTROPHE_WORDS)),
                _ => format!("LE {}", simple(bits)),
            },
            96 => bits.pick(SAINT_NAMES).to_string(),
            97 => bits.pick(L_APOSTROPHE_NAMES).to_string(),
            _ => format!("{}-{}", simple(bits), simple(bits)),
        }
    }

    fn germanic_tail(&self, bits: &mut Bits) -> String {
        let first = bits.pick(GERMANIC_FIRSTS);
        if bits.take(4) == 0 {
            let second = bits.pick(GERMANIC_FIRSTS);
            return format!("{first}{second}ER");
        }
        glue(first, self.germanic_seconds.sample_with(bits.unit()))
    }

    fn low_countries_tail(&self, bits: &mut Bits) -> String {
        let stem = bits.pick(LOW_COUNTRIES_STEMS);
        if bits.take(5) == 0 {
            let ending = bits.pick(&["AERT", "AERTS", "ENS", "YNCK", "EEL", "KE"]);
            return format!("{}{ending}", stem.trim_end_matches('E'));
        }
        let particle = self.low_countries_particles.sample_with(bits.unit());
        format!("{particle}{stem}")
    }

    fn italian_tail(&self, bits: &mut Bits) -> String {
        let stem = bits.pick(ITALIAN_STEMS);
        match bits.take(20) {
            0 => format!("DI {stem}O"),
            1 => format!("DE {stem}IS"),
            2 => format!("D'{}", bits.pick(ITALIAN_D_APOSTROPHE)),
            3 => format!("LO {stem}O"),
            _ => glue(stem, self.italian_endings.sample_with(bits.unit())),
        }
    }

    fn maghrebi_tail(&self, bits: &mut Bits) -> String {
        let root = bits.pick(MAGHREBI_ROOTS);
        match bits.take(10) {
            0..=4 => {
                let prefix = self.maghrebi_prefixes.sample_with(bits.unit());
                format!("{prefix}{root}")
            }
            5..=8 => glue(root, bits.pick(MAGHREBI_SUFFIXES)),
            _ => format!("EL {}", glue(root, "I")),
        }
    }
}

/// Weights of 1 to 5 given names by birth generation: older civil status
/// often gave four or five (a grandparent's, a godparent's, a saint's).
const COUNT_WEIGHTS_BY_ERA: [[f64; 5]; 6] = [
    [0.12, 0.26, 0.34, 0.18, 0.10],
    [0.13, 0.30, 0.33, 0.16, 0.08],
    [0.18, 0.36, 0.30, 0.11, 0.05],
    [0.23, 0.39, 0.26, 0.09, 0.03],
    [0.28, 0.40, 0.23, 0.07, 0.02],
    [0.33, 0.38, 0.21, 0.06, 0.02],
];

/// Birth generation index into the era tables.
fn era_of(birth_year: u16) -> usize {
    match birth_year {
        ..1940 => 0,
        1940..1955 => 1,
        1955..1970 => 2,
        1970..1985 => 3,
        1985..2000 => 4,
        _ => 5,
    }
}

fn foreign_given_pool(origin: Origin) -> Option<&'static GivenPool> {
    Some(match origin {
        Origin::Portuguese => &PORTUGUESE_GIVEN,
        Origin::Spanish => &SPANISH_GIVEN,
        Origin::Italian => &ITALIAN_GIVEN,
        Origin::Maghrebi => &MAGHREBI_GIVEN,
        Origin::WestAfrican => &WEST_AFRICAN_GIVEN,
        Origin::Vietnamese => &VIETNAMESE_GIVEN,
        Origin::Chinese => &CHINESE_GIVEN,
        Origin::Turkish => &TURKISH_GIVEN,
        Origin::Polish => &POLISH_GIVEN,
        Origin::Armenian => &ARMENIAN_GIVEN,
        Origin::Irish => &IRISH_GIVEN,
        Origin::Romanian => &ROMANIAN_GIVEN,
        Origin::German => &GERMAN_GIVEN,
        Origin::Dutch => &DUTCH_GIVEN,
        _ => return None,
    })
}

/// An index drawn with the given weights.
pub(crate) fn pick_weighted_index<R: Rng + ?Sized>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = rng.unit() * total;
    for (index, weight) in weights.iter().enumerate() {
        if target < *weight {
            return index;
        }
        target -= weight;
    }
    weights.len() - 1
}

/// An item of a list ordered by popularity, favouring the first ones: the
/// index is `len * u^(1/skew)`-like, cheap and without a table.
fn pick_skewed<R: Rng + ?Sized>(rng: &mut R, items: &[&'static str], skew: f64) -> &'static str {
    // u^(1/skew) with skew < 1 pushes mass towards 0, i.e. the popular names.
    let u = rng.unit().powf(1.0 / skew);
    items[((u * items.len() as f64) as usize).min(items.len() - 1)]
}

/// Mixed-radix reader over a 64-bit hash: each `take(n)` consumes about
/// log2(n) bits, re-mixing when the hash runs low.
struct Bits(u64);

impl Bits {
    fn take(&mut self, n: usize) -> usize {
        if self.0 < (1 << 24) {
            self.0 = mix64(self.0 ^ 0xA5A5_5A5A);
        }
        let value = (self.0 % n as u64) as usize;
        self.0 /= n as u64;
        value
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.take(items.len())]
    }

    fn unit(&mut self) -> f64 {
        self.take(1 << 20) as f64 / (1u64 << 20) as f64
    }
}

impl<T: Copy> Weighted<T> {
    /// The item at a given point of the distribution, for hash-driven choices.
    fn sample_with(&self, u: f64) -> T {
        *self.at(u)
    }
}

fn starts_with_vowel(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('A' | 'E' | 'I' | 'O' | 'U' | 'Y' | 'É' | 'È')
    )
}

/// Joins a stem and an ending the way French spelling would: a `C` before
/// `E`/`I` becomes `QU` (`FOUQUET`), a final `E` before a vowel is dropped.
fn glue(stem: &str, ending: &str) -> String {
    let mut name = String::with_capacity(stem.len() + ending.len() + 1);
    let soft = matches!(ending.chars().next(), Some('E' | 'I' | 'É' | 'È' | 'Y'));
    if soft && stem.ends_with('C') && !stem.ends_with("CC") {
        name.push_str(&stem[..stem.len() - 1]);
        name.push_str("QU");
    } else if starts_with_vowel(ending) && stem.ends_with('E') && stem.len() > 2 {
        name.push_str(&stem[..stem.len() - 1]);
    } else {
        name.push_str(stem);
    }
    name.push_str(ending);
    name
}

/// Removes diacritics letter by letter, keeping case and punctuation:
/// `LEFÈVRE` → `LEFEVRE`, `Hélène` → `Helene`, `ŞAHIN` → `SAHIN`.
pub(crate) fn strip_accents(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii() {
            out.push(ch);
            continue;
        }
        match deunicode::deunicode_char(ch) {
            // Keep case: deunicode may lower-case some letters' expansions.
            Some(ascii) if !ascii.is_empty() && ascii.is_ascii() => {
                if ch.is_uppercase() {
                    out.push_str(&ascii.to_ascii_uppercase());
                } else {
                    out.push_str(ascii);
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Germanic umlauts as French registers write them: kept (`SCHÖN`), spelled
/// out (`SCHOEN`) or dropped (`SCHON`).
fn render_umlauts<R: Rng + ?Sized>(rng: &mut R, name: String, origin: Origin) -> String {
    if name.is_ascii() {
        return name;
    }
    let keep = if origin == Origin::German { 0.5 } else { 0.3 };
    let roll = rng.unit();
    if roll < keep {
        return name;
    }
    if roll < keep + (1.0 - keep) * 0.7 {
        return name
            .replace('Ä', "AE")
            .replace('Ö', "OE")
            .replace('Ü', "UE");
    }
    strip_accents(&name)
}

fn breton_tail(bits: &mut Bits) -> String {
    match bits.take(100) {
        0..=44 => {
            let stem = bits.pick(BRETON_STEMS);
            if bits.take(5) == 0 {
                format!("LE {}", glue(stem, bits.pick(BRETON_ENDINGS)))
            } else {
                format!("LE {stem}")
            }
        }
        45..=69 => glue(bits.pick(BRETON_SUFFIX_STEMS), bits.pick(BRETON_ENDINGS)),
        70..=89 => format!(
            "{}{}",
            bits.pick(BRETON_PREFIXES),
            bits.pick(BRETON_PREFIX_TAILS)
        ),
        _ => format!(
            "LE {}",
            glue(bits.pick(BRETON_SUFFIX_STEMS), bits.pick(BRETON_ENDINGS))
        ),
    }
}

fn portuguese_tail(bits: &mut Bits) -> String {
    let with_particle = |bits: &mut Bits| {
        let name = bits.pick(PORTUGUESE_PARTS);
        match portuguese_particle(name) {
            Some(particle) if bits.take(2) == 0 => format!("{particle}{name}"),
            _ => name.to_string(),
        }
    };
    let first = with_particle(bits);
    if bits.take(20) < 11 {
        first
    } else {
        format!("{first} {}", with_particle(bits))
    }
}

fn spanish_tail(bits: &mut Bits) -> String {
    match bits.take(10) {
        0 => format!(
            "DE LA {}",
            bits.pick(&[
                "FUENTE", "CRUZ", "TORRE", "ROSA", "PEÑA", "CALLE", "VEGA", "HOZ"
            ])
        ),
        1 => format!(
            "DEL {}",
            bits.pick(&["RIO", "VALLE", "POZO", "CASTILLO", "CAMPO", "AMO", "BARRIO"])
        ),
        2..=5 => format!("{} {}", bits.pick(SPANISH_PARTS), bits.pick(SPANISH_PARTS)),
        _ => bits.pick(SPANISH_PARTS).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::random::stream_rng;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn surnames_are_upper_case_and_heavy_tailed() {
        let sampler = NameSampler::new();
        let mut rng = stream_rng(3, 9, 0);
        let mut counts: HashMap<String, usize> = HashMap::new();
        for _ in 0..20_000 {
            let name = sampler.surname(&mut rng);
            assert!(!name.is_empty());
            assert_eq!(name, name.to_uppercase(), "{name}");
            assert!(!name.starts_with(' ') && !name.ends_with(' ') && !name.contains("  "));
            *counts.entry(name).or_default() += 1;
        }
        let top = counts.values().max().copied().unwrap_or(0);
        assert!(top < 400, "most common surname drawn {top} times of 20,000");
        assert!(
            counts.len() > 6_000,
            "only {} distinct surnames",
            counts.len()
        );
    }

    #[test]
    fn given_names_are_capitalised_and_at_most_five() {
        let sampler = NameSampler::new();
        let mut rng = stream_rng(4, 9, 0);
        for year in [1930, 1950, 1965, 1980, 1995, 2005] {
            for sex in [Sex::M, Sex::F] {
                for origin in Origin::ALL {
                    for _ in 0..50 {
                        let names =
                            sampler.given_names_of(&mut rng, origin, sex, year, year < 1960);
                        let tokens: Vec<&str> = names.split(' ').collect();
                        // Five names at most, some of two words (`Thi Lan`, `De Fátima`).
                        assert!(!tokens.is_empty() && tokens.len() <= 8, "{names}");
                        for token in tokens {
                            let first = token.chars().next().expect("non-empty token");
                            assert!(first.is_uppercase(), "{names}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn generations_have_their_own_fashions() {
        let sampler = NameSampler::new();
        let mut rng = stream_rng(5, 9, 0);
        let firsts = |rng: &mut _, year| -> HashSet<String> {
            (0..400)
                .map(|_| {
                    let names = sampler.given_names(rng, Sex::F, year);
                    names.split(' ').next().unwrap_or_default().to_string()
                })
                .collect()
        };
        let old = firsts(&mut rng, 1935);
        let young = firsts(&mut rng, 2004);
        assert!(old.contains("Jeanne") || old.contains("Simone") || old.contains("Marie"));
        assert!(young.contains("Emma") || young.contains("Léa") || young.contains("Manon"));
        assert!(!young.contains("Germaine"));
    }

    #[test]
    fn composed_tails_look_like_names() {
        let sampler = NameSampler::new();
        for origin in Origin::ALL {
            for rank in 0..200u64 {
                let name = sampler.compose_tail(origin, mix64(rank));
                assert!(name.len() >= 2, "{origin:?} {name}");
                assert_eq!(name, name.to_uppercase(), "{origin:?} {name}");
                assert!(!name.contains("  "), "{origin:?} {name}");
            }
        }
        assert_eq!(glue("FOUC", "ET"), "FOUQUET");
        assert_eq!(glue("BOULE", "ET"), "BOULET");
        assert_eq!(glue("MART", "IN"), "MARTIN");
    }

    #[test]
    fn polish_women_born_in_poland_take_the_feminine_ending() {
        let sampler = NameSampler::new();
        let mut rng = stream_rng(6, 9, 0);
        let names: Vec<String> = (0..300)
            .map(|_| sampler.birth_name(&mut rng, Origin::Polish, Sex::F, 1970, true))
            .collect();
        assert!(names.iter().any(|n| n.ends_with("SKA")));
        assert!(!names.iter().any(|n| n.ends_with("SKI")));
    }

    #[test]
    fn accents_are_stripped_letter_by_letter() {
        assert_eq!(strip_accents("LEFÈVRE"), "LEFEVRE");
        assert_eq!(strip_accents("Hélène Zoé"), "Helene Zoe");
        assert_eq!(strip_accents("ŞAHIN"), "SAHIN");
        assert_eq!(strip_accents("D'ALMEIDA"), "D'ALMEIDA");
    }
}
