//! One voter at a time: sex, age, names, birthplace, nationality, married
//! name and address, drawn consistently with each other (a Portuguese-born
//! EU citizen has a Portuguese surname and nationality; an elderly woman is
//! more often known by her husband's name).

use super::GeneratorConfig;
use super::names::{NameSampler, Origin};
use super::places::{
    BirthPlace, commune_spellings, eu_nationality, eu_origins, foreign_birthplace,
    french_birthplace, upper_ascii, voter_address,
};
use super::random::{Draw, GenRng, Weighted};
use super::stations::StationPlan;
use crate::model::{BirthDate, ListKind, Membership, RollRow, Sex};

/// Who a person is, as far as telling people apart goes: what a true
/// homonym shares with someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) origin: Origin,
    pub(crate) birth_name: String,
    pub(crate) first_names: String,
    pub(crate) sex: Sex,
    pub(crate) birth_date: BirthDate,
}

impl Identity {
    pub(crate) fn of(row: &RollRow, origin: Origin) -> Identity {
        Identity {
            origin,
            birth_name: row.birth_name.clone(),
            first_names: row.first_names.clone(),
            sex: row.sex.unwrap_or(Sex::F),
            birth_date: row.birth_date,
        }
    }
}

/// The lists a person is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lists {
    Principal,
    Municipal,
    European,
    BothComplementary,
}

/// A person before numbering: their row (one list) and the lists they are on.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) row: RollRow,
    pub(crate) origin: Origin,
    pub(crate) lists: Lists,
    pub(crate) year_only_date: bool,
    pub(crate) usage_equals_birth: bool,
}

impl Person {
    /// The person's rows: one per list.
    pub(crate) fn into_rows(self, rows: &mut Vec<RollRow>) {
        let kinds: &[ListKind] = match self.lists {
            Lists::Principal => &[ListKind::Principal],
            Lists::Municipal => &[ListKind::MunicipalComplementary],
            Lists::European => &[ListKind::EuropeanComplementary],
            Lists::BothComplementary => &[
                ListKind::MunicipalComplementary,
                ListKind::EuropeanComplementary,
            ],
        };
        let mut row = self.row;
        for (index, kind) in kinds.iter().enumerate() {
            if index + 1 == kinds.len() {
                row.membership.list = kind.clone();
                rows.push(row);
                break;
            }
            let mut copy = row.clone();
            copy.membership.list = kind.clone();
            rows.push(copy);
        }
    }
}

/// Everything a person is drawn from, fixed for the whole roll.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) config: GeneratorConfig,
    pub(crate) names: NameSampler,
    pub(crate) streets: Vec<String>,
    city_spellings: Weighted<String>,
    eu_origins: Weighted<Origin>,
    ages: Weighted<u16>,
    commune_label: String,
    reference: (i64, u32, u32),
}

impl Context {
    pub(crate) fn new(config: GeneratorConfig, names: NameSampler, streets: Vec<String>) -> Self {
        let (year, month, day) = config.reference_date;
        let month = u32::from(month).clamp(1, 12);
        let day = u32::from(day).clamp(1, 28.max(days_in_month(i64::from(year), month)));
        Context {
            city_spellings: commune_spellings(&config.commune_name),
            eu_origins: eu_origins(),
            ages: Weighted::new((18..=100u16).map(|age| (age, age_weight(age)))),
            commune_label: upper_ascii(&config.commune_name),
            reference: (i64::from(year), month, day),
            config,
            names,
            streets,
        }
    }

    /// Draws one person registered at `plan`'s station, or a true homonym of
    /// `homonym_of` (same names, sex and birth date; everything else their own).
    /// `neighbours` are the station's people drawn before: families live
    /// near each other, so a double name or a married name is often the
    /// birth name of someone else on the same sheet.
    pub(crate) fn person(
        &self,
        rng: &mut GenRng,
        plan: &StationPlan,
        homonym_of: Option<&Identity>,
        neighbours: &[Person],
    ) -> Person {
        let quirks = &self.config.quirks;
        let eu_citizen = rng.chance(quirks.eu_citizens);
        let (origin, sex, birth_date, born_abroad, birth_name, first_names) = match homonym_of {
            Some(identity) => {
                let year = identity.birth_date.year().unwrap_or(1960);
                let abroad = rng.chance(identity.origin.born_abroad_probability(year));
                (
                    identity.origin,
                    identity.sex,
                    identity.birth_date,
                    abroad,
                    identity.birth_name.clone(),
                    identity.first_names.clone(),
                )
            }
            None => {
                let origin = if eu_citizen {
                    *self.eu_origins.sample(rng)
                } else {
                    self.names.origin(rng)
                };
                let sex = if rng.chance(0.525) { Sex::F } else { Sex::M };
                let birth_date = self.birth_date(rng);
                let year = birth_date.year().unwrap_or(1960);
                let abroad = if eu_citizen {
                    rng.chance(0.85)
                } else {
                    rng.chance(origin.born_abroad_probability(year))
                };
                let birth_name = self.names.birth_name(rng, origin, sex, year, abroad);
                let birth_name = kin_double_name(rng, birth_name, origin, year, neighbours);
                let first_names = self.names.given_names_of(rng, origin, sex, year, abroad);
                (origin, sex, birth_date, abroad, birth_name, first_names)
            }
        };
        let year = birth_date.year().unwrap_or(1960);
        let year_only_date = homonym_of.is_none() && rng.chance(quirks.year_only_dates);
        let birth_date = if year_only_date {
            BirthDate::Year(year)
        } else {
            birth_date
        };

        let BirthPlace {
            code,
            label,
            department,
            country,
        } = if born_abroad {
            foreign_birthplace(rng, origin, year)
        } else {
            french_birthplace(rng, &self.config.commune_code, &self.config.commune_name)
        };
        let nationality = if eu_citizen {
            eu_nationality(origin)
        } else {
            "Française"
        };

        let usage_equals_birth = rng.chance(quirks.usage_equals_birth);
        let usage_name = if usage_equals_birth {
            Some(birth_name.clone())
        } else {
            self.usage_name(rng, &birth_name, sex, year, neighbours)
        };

        let street = &self.streets[plan.streets[rng.below(plan.streets.len())]];
        let address = voter_address(
            rng,
            street,
            &self.config.postcode,
            &self.city_spellings,
            &self.names,
        );

        let lists = if !eu_citizen {
            Lists::Principal
        } else if rng.chance(quirks.eu_both_lists) {
            Lists::BothComplementary
        } else if rng.chance(0.6) {
            Lists::Municipal
        } else {
            Lists::European
        };

        let station = &plan.station;
        let row = RollRow {
            commune_code: Some(self.config.commune_code.clone()),
            commune_name: Some(self.commune_label.clone()),
            birth_name,
            usage_name,
            first_names,
            sex: Some(sex),
            birth_date,
            birth_place_code: code,
            birth_place: Some(label),
            birth_department: Some(department),
            birth_country: Some(country),
            nationality: Some(nationality.to_string()),
            address,
            membership: Membership {
                list: ListKind::Principal,
                station_code: Some(station.code.clone()),
                station_label: Some(station.label.clone()),
                constituency_code: Some(station.constituency_code.clone()),
                canton: Some(station.canton.clone()),
                constituency_label: self.config.metropolitan_constituency.clone(),
                order_number: None,
            },
        };
        Person {
            row,
            origin,
            lists,
            year_only_date,
            usage_equals_birth,
        }
    }

    /// A married or double name in use, or none (most rows).
    fn usage_name(
        &self,
        rng: &mut GenRng,
        birth_name: &str,
        sex: Sex,
        birth_year: u16,
        neighbours: &[Person],
    ) -> Option<String> {
        let age = self.reference.0 - i64::from(birth_year);
        let married = match (sex, age) {
            (Sex::M, _) => 0.015,
            (Sex::F, ..25) => 0.04,
            (Sex::F, 25..30) => 0.2,
            (Sex::F, 30..35) => 0.38,
            (Sex::F, 35..45) => 0.52,
            (Sex::F, 45..65) => 0.6,
            (Sex::F, _) => 0.66,
        };
        if rng.chance(married) {
            // Half the time the spouse is on the same sheet: the married
            // name is then another voter's birth name.
            let spouse = rng
                .chance(0.5)
                .then(|| neighbour_name(rng, neighbours, Some(opposite(sex))))
                .flatten()
                .unwrap_or_else(|| self.names.surname(rng));
            if spouse == birth_name {
                return None;
            }
            let roll = rng.below(100);
            return Some(match (sex, roll) {
                (Sex::F, 0..=74) | (Sex::M, 0..=39) => spouse,
                (Sex::F, 75..=89) | (Sex::M, _) => format!("{birth_name}-{spouse}"),
                (Sex::F, _) => format!("{spouse}-{birth_name}"),
            });
        }
        // Young adults sometimes use both parents' names.
        if age < 30 && rng.chance(0.02) {
            let other = self.names.surname(rng);
            if other != birth_name {
                return Some(format!("{birth_name}-{other}"));
            }
        }
        None
    }

    /// A birth date for an adult of the commune: 18 to 100 years old on the
    /// reference date, ages weighted like the French adult population.
    fn birth_date(&self, rng: &mut GenRng) -> BirthDate {
        let age = i64::from(*self.ages.sample(rng));
        let (year, month, day) = self.reference;
        // Born after the day `age + 1` years before, up to `age` years before.
        let latest = days_from_civil(year - age, month, day.min(days_in_month(year - age, month)));
        let earliest = days_from_civil(
            year - age - 1,
            month,
            day.min(days_in_month(year - age - 1, month)),
        ) + 1;
        let span = (latest - earliest + 1).max(1) as usize;
        let (y, m, d) = civil_from_days(earliest + rng.below(span) as i64);
        BirthDate::Full {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        }
    }
}

/// Sometimes makes `birth_name` a double name whose second half is the
/// birth name of a voter drawn before (`MARREMON` and `MARREMON-FAUCHERIF`
/// on one roll), as double names have been given more and more since 2005.
fn kin_double_name(
    rng: &mut GenRng,
    birth_name: String,
    origin: super::names::Origin,
    birth_year: u16,
    neighbours: &[Person],
) -> String {
    let share = match birth_year {
        2005.. => 0.04,
        1990..2005 => 0.015,
        _ => 0.005,
    };
    if !origin.is_french() || birth_name.contains([' ', '-', '\'']) || !rng.chance(share) {
        return birth_name;
    }
    match neighbour_name(rng, neighbours, None) {
        Some(other) if other != birth_name => format!("{birth_name}-{other}"),
        _ => birth_name,
    }
}

fn opposite(sex: Sex) -> Sex {
    match sex {
        Sex::M => Sex::F,
        Sex::F => Sex::M,
    }
}

/// The one-word birth name of a voter drawn before, of `sex` when given;
/// `None` when a few tries find none.
fn neighbour_name(rng: &mut GenRng, neighbours: &[Person], sex: Option<Sex>) -> Option<String> {
    if neighbours.is_empty() {
        return None;
    }
    for _ in 0..4 {
        let row = &neighbours[rng.below(neighbours.len())].row;
        let fits = sex.is_none_or(|sex| row.sex == Some(sex));
        if fits && !row.birth_name.contains([' ', '-', '\'']) {
            return Some(row.birth_name.clone());
        }
    }
    None
}

/// Relative number of voters of each age: flat through working life,
/// thinning after 75.
fn age_weight(age: u16) -> f64 {
    match age {
        ..25 => 0.95,
        25..40 => 1.0,
        40..65 => 1.08,
        65..75 => 1.0,
        75..85 => 0.62,
        85..90 => 0.33,
        90..95 => 0.15,
        _ => 0.04,
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = if days >= 0 { days } else { days - 146_096 } / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        for days in (-40_000..30_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
    }
}
