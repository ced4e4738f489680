//! Domain types: one voter as the roll describes them, and the polling stations.
//!
//! These types are what the REU reader produces, what the generator writes out,
//! what the index stores and what the server returns. They carry the roll's data
//! as it was exported (original spelling, accents, case); search-side
//! normalisation lives in [`crate::normalise`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which electoral list a row belongs to (column 3 of the export).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ListKind {
    /// `Liste principale`: French citizens.
    Principal,
    /// `Liste complémentaire municipale`: EU citizens, municipal elections.
    MunicipalComplementary,
    /// `Liste complémentaire européenne`: EU citizens, European elections.
    EuropeanComplementary,
    /// Any other label an export may carry, kept verbatim.
    Other(String),
}

impl ListKind {
    /// The label as the REU export writes it.
    pub fn label(&self) -> &str {
        match self {
            ListKind::Other(label) => label,
            known => known.known_label().unwrap_or_default(),
        }
    }

    /// The label of one of the lists the REU defines; `None` for another.
    pub fn known_label(&self) -> Option<&'static str> {
        match self {
            ListKind::Principal => Some("Liste principale"),
            ListKind::MunicipalComplementary => Some("Liste complémentaire municipale"),
            ListKind::EuropeanComplementary => Some("Liste complémentaire européenne"),
            ListKind::Other(_) => None,
        }
    }

    /// Recognises a label whatever its case and accents; unknown labels are kept.
    pub fn from_label(label: &str) -> ListKind {
        let folded = crate::normalise::fold(label);
        if folded.contains("PRINCIPALE") {
            ListKind::Principal
        } else if folded.contains("COMPLEMENTAIRE") && folded.contains("MUNICIPAL") {
            ListKind::MunicipalComplementary
        } else if folded.contains("COMPLEMENTAIRE") && folded.contains("EUROPEEN") {
            ListKind::EuropeanComplementary
        } else {
            ListKind::Other(label.trim().to_string())
        }
    }

    /// True for the two lists of EU citizens.
    pub fn is_complementary(&self) -> bool {
        matches!(
            self,
            ListKind::MunicipalComplementary | ListKind::EuropeanComplementary
        )
    }
}

/// Sex as recorded on the roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// `M`
    M,
    /// `F`
    F,
}

impl Sex {
    /// `M` or `F`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
        }
    }
}

/// A birth date with the precision the roll has.
///
/// Exports write `dd/mm/yyyy`, but `00/00/1953` (day and month unknown) and a
/// bare `1961` both occur; what is known is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BirthDate {
    /// Day, month and year known.
    Full {
        /// Year, e.g. 1962.
        year: u16,
        /// Month 1–12.
        month: u8,
        /// Day 1–31.
        day: u8,
    },
    /// Year and month known, day written as `00`.
    YearMonth {
        /// Year.
        year: u16,
        /// Month 1–12.
        month: u8,
    },
    /// Only the year is known.
    Year(u16),
    /// The roll has no usable date.
    Unknown,
}

impl BirthDate {
    /// The year when known.
    pub fn year(&self) -> Option<u16> {
        match *self {
            BirthDate::Full { year, .. } | BirthDate::YearMonth { year, .. } => Some(year),
            BirthDate::Year(year) => Some(year),
            BirthDate::Unknown => None,
        }
    }

    /// ISO 8601 with the known precision: `1962-03-14`, `1953-03`, `1953`, or
    /// `None` when nothing is known.
    pub fn to_iso(&self) -> Option<String> {
        match *self {
            BirthDate::Full { year, month, day } => Some(format!("{year:04}-{month:02}-{day:02}")),
            BirthDate::YearMonth { year, month } => Some(format!("{year:04}-{month:02}")),
            BirthDate::Year(year) => Some(format!("{year:04}")),
            BirthDate::Unknown => None,
        }
    }

    /// Packs the date as `yyyymmdd` with `00` for unknown parts (0 when unknown),
    /// the form kept in the index's fast field.
    pub fn to_packed(&self) -> u64 {
        match *self {
            BirthDate::Full { year, month, day } => {
                year as u64 * 10_000 + month as u64 * 100 + day as u64
            }
            BirthDate::YearMonth { year, month } => year as u64 * 10_000 + month as u64 * 100,
            BirthDate::Year(year) => year as u64 * 10_000,
            BirthDate::Unknown => 0,
        }
    }

    /// Inverse of [`BirthDate::to_packed`].
    pub fn from_packed(packed: u64) -> BirthDate {
        let year = (packed / 10_000) as u16;
        let month = ((packed / 100) % 100) as u8;
        let day = (packed % 100) as u8;
        match (year, month, day) {
            (0, _, _) => BirthDate::Unknown,
            (year, 0, _) => BirthDate::Year(year),
            (year, month, 0) => BirthDate::YearMonth { year, month },
            (year, month, day) => BirthDate::Full { year, month, day },
        }
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_iso() {
            Some(iso) => f.write_str(&iso),
            None => f.write_str("unknown"),
        }
    }
}

/// A voter's postal address in the commune (columns 14–21).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// `numéro de voie`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// `libellé de voie`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// `complément 1`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complement1: Option<String>,
    /// `complément 2`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complement2: Option<String>,
    /// `lieu-dit`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// `code postal`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// `commune` (spelled inconsistently across rows in real exports)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// `pays`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One list membership: the list, the polling station and the order number.
///
/// An EU citizen registered on both complementary lists is one person with two
/// memberships.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// Which list.
    pub list: ListKind,
    /// Polling-station code (column 22), `None` when the roll has none.
    pub station_code: Option<String>,
    /// Polling-station label from the roll (column 23).
    pub station_label: Option<String>,
    /// Column 24, kept when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency_code: Option<String>,
    /// Column 25, kept when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canton: Option<String>,
    /// Column 26, kept when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency_label: Option<String>,
    /// Number on the station's signing sheet (column 27).
    pub order_number: Option<u32>,
}

/// One row of the roll: a voter and one list membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RollRow {
    /// INSEE code of the commune (column 1).
    pub commune_code: Option<String>,
    /// Commune name (column 2).
    pub commune_name: Option<String>,
    /// Birth surname, as written (column 4).
    pub birth_name: String,
    /// Name in use, usually empty (column 5).
    pub usage_name: Option<String>,
    /// Given names, space separated, civil-status order (column 6).
    pub first_names: String,
    /// `M` / `F` (column 7), `None` when absent or unreadable.
    pub sex: Option<Sex>,
    /// Birth date with the precision the roll has (column 8).
    pub birth_date: BirthDate,
    /// INSEE code of the birthplace (column 9).
    pub birth_place_code: Option<String>,
    /// Birthplace (column 10).
    pub birth_place: Option<String>,
    /// Département of birth, `99` abroad (column 11).
    pub birth_department: Option<String>,
    /// Country of birth (column 12).
    pub birth_country: Option<String>,
    /// Nationality (column 13).
    pub nationality: Option<String>,
    /// Address in the commune.
    pub address: Address,
    /// List, station and order number.
    pub membership: Membership,
}

/// One person as indexed: identity plus every list membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voter {
    /// INSEE code of the commune whose roll the voter is on (a person is on
    /// one commune's roll, whatever their lists); `None` when the roll
    /// does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune_code: Option<String>,
    /// That commune's name as the roll writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune_name: Option<String>,
    /// Birth surname, as written.
    pub birth_name: String,
    /// Name in use, when the roll gives one.
    pub usage_name: Option<String>,
    /// Given names, space separated.
    pub first_names: String,
    /// Sex.
    pub sex: Option<Sex>,
    /// Birth date.
    pub birth_date: BirthDate,
    /// Birthplace label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<String>,
    /// Country of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<String>,
    /// Nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Address.
    pub address: Address,
    /// Memberships, the principal list first.
    pub memberships: Vec<Membership>,
}

impl Voter {
    /// A voter with the single membership of one row.
    pub fn from_row(row: RollRow) -> Voter {
        Voter {
            commune_code: row.commune_code,
            commune_name: row.commune_name,
            birth_name: row.birth_name,
            usage_name: row.usage_name,
            first_names: row.first_names,
            sex: row.sex,
            birth_date: row.birth_date,
            birth_place: row.birth_place,
            birth_country: row.birth_country,
            nationality: row.nationality,
            address: row.address,
            memberships: vec![row.membership],
        }
    }

    /// The membership shown first: the principal list when present.
    pub fn primary_membership(&self) -> &Membership {
        &self.memberships[0]
    }
}

/// A polling station (bureau de vote). Its code is unique within its
/// commune only: every commune numbers its stations from `0001`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Station {
    /// INSEE code of the station's commune, `None` when the roll names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune_code: Option<String>,
    /// The commune's name, from the roll or the stations file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune_name: Option<String>,
    /// 4-digit code, e.g. `0001`.
    pub code: String,
    /// Label, e.g. `ECOLE ELEMENTAIRE JULES FERRY`.
    pub label: String,
    /// Street address, from the stations file when given.
    pub address: Option<String>,
    /// Number of voters registered in it.
    pub voter_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_dates_round_trip() {
        for date in [
            BirthDate::Full {
                year: 1962,
                month: 3,
                day: 14,
            },
            BirthDate::YearMonth {
                year: 1953,
                month: 7,
            },
            BirthDate::Year(1961),
            BirthDate::Unknown,
        ] {
            assert_eq!(BirthDate::from_packed(date.to_packed()), date);
        }
    }

    #[test]
    fn iso_keeps_the_known_precision() {
        assert_eq!(
            BirthDate::Full {
                year: 1962,
                month: 3,
                day: 14
            }
            .to_iso()
            .as_deref(),
            Some("1962-03-14")
        );
        assert_eq!(BirthDate::Year(1953).to_iso().as_deref(), Some("1953"));
        assert_eq!(BirthDate::Unknown.to_iso(), None);
    }

    #[test]
    fn list_labels_are_recognised_with_or_without_accents() {
        assert_eq!(
            ListKind::from_label("Liste principale"),
            ListKind::Principal
        );
        assert_eq!(
            ListKind::from_label("LISTE COMPLEMENTAIRE MUNICIPALE"),
            ListKind::MunicipalComplementary
        );
        assert_eq!(
            ListKind::from_label("Liste complémentaire européenne"),
            ListKind::EuropeanComplementary
        );
        assert_eq!(
            ListKind::from_label("Liste spéciale"),
            ListKind::Other("Liste spéciale".into())
        );
    }
}
