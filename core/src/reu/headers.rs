//! The roll's columns and how header spellings map onto them.
//!
//! Headers are compared after [`fold`] (case, accents, punctuation ignored) and
//! with the spaces then removed, so `Nom d'usage`, `NOM D USAGE` and the older
//! e-listelec `NomDusage` are one column. Spellings that differ in words, not
//! just in form, are listed as aliases.

use crate::normalise::fold;

/// A column of the roll that the reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    CommuneCode,
    CommuneName,
    ListLabel,
    BirthName,
    UsageName,
    GivenNames,
    Sex,
    BirthDate,
    BirthPlaceCode,
    BirthPlace,
    BirthDepartment,
    BirthCountry,
    Nationality,
    StreetNumber,
    /// e-listelec only: the street type (`RUE`), kept apart from its name.
    StreetKind,
    Street,
    Complement1,
    Complement2,
    Locality,
    Postcode,
    City,
    Country,
    StationCode,
    StationLabel,
    ConstituencyCode,
    Canton,
    ConstituencyLabel,
    OrderNumber,
}

impl Column {
    /// Every column, in the export's order.
    pub const ALL: [Column; 28] = [
        Column::CommuneCode,
        Column::CommuneName,
        Column::ListLabel,
        Column::BirthName,
        Column::UsageName,
        Column::GivenNames,
        Column::Sex,
        Column::BirthDate,
        Column::BirthPlaceCode,
        Column::BirthPlace,
        Column::BirthDepartment,
        Column::BirthCountry,
        Column::Nationality,
        Column::StreetNumber,
        Column::StreetKind,
        Column::Street,
        Column::Complement1,
        Column::Complement2,
        Column::Locality,
        Column::Postcode,
        Column::City,
        Column::Country,
        Column::StationCode,
        Column::StationLabel,
        Column::ConstituencyCode,
        Column::Canton,
        Column::ConstituencyLabel,
        Column::OrderNumber,
    ];

    /// Columns without which no usable index can be built.
    pub const REQUIRED: [Column; 7] = [
        Column::BirthName,
        Column::UsageName,
        Column::GivenNames,
        Column::BirthDate,
        Column::StationCode,
        Column::StationLabel,
        Column::OrderNumber,
    ];

    /// The header as the REU export writes it; the first spelling is the one
    /// named in errors. The e-listelec names that differ in words follow.
    pub fn spellings(self) -> &'static [&'static str] {
        match self {
            Column::CommuneCode => &[
                "code du l'ugle",
                "code de l'ugle",
                "code ugle",
                "CodeCommune",
            ],
            Column::CommuneName => &[
                "libellé de l'ugle",
                "libellé du l'ugle",
                "libellé ugle",
                "NomCommune",
            ],
            Column::ListLabel => &["libellé du type de liste", "type de liste", "TypeListe"],
            Column::BirthName => &["nom de naissance"],
            Column::UsageName => &["nom d'usage"],
            Column::GivenNames => &["prénoms"],
            Column::Sex => &["sexe"],
            Column::BirthDate => &["date de naissance"],
            Column::BirthPlaceCode => &["code commune de naissance"],
            Column::BirthPlace => &[
                "libellé commune de naissance",
                "commune de naissance",
                "NomComNaissance",
            ],
            Column::BirthDepartment => &["code département de naissance", "DeptNaissance"],
            Column::BirthCountry => &[
                "pays de naissance",
                "libellé pays de naissance",
                "PaysNaissance",
            ],
            Column::Nationality => &[
                "libellé nationalité",
                "identifiant nationalité",
                "nationalité",
            ],
            Column::StreetNumber => &["numéro de voie", "NumeroVoie"],
            Column::StreetKind => &["type de voie", "TypeVoie"],
            Column::Street => &["libellé de voie", "LibelleVoie"],
            Column::Complement1 => &["complément 1", "ComplementDeLocalisation1"],
            Column::Complement2 => &["complément 2", "ComplementDeLocalisation2"],
            Column::Locality => &["lieu-dit"],
            Column::Postcode => &["code postal"],
            Column::City => &["commune", "VilleLocalite"],
            Column::Country => &["pays"],
            Column::StationCode => &["code du bureau de vote", "NoBureauDeVote"],
            Column::StationLabel => &["libellé du bureau de vote", "NomBureauDeVote"],
            Column::ConstituencyCode => &[
                "code circonscription législative du bureau de vote",
                "circonscription législative du bureau de vote",
                "CodeCirconscription",
            ],
            Column::Canton => &[
                "libellé canton du bureau de vote",
                "code canton du bureau de vote",
                "CodeCanton",
            ],
            Column::ConstituencyLabel => {
                &["libellé circonscription métropolitaine du bureau de vote"]
            }
            // e-listelec has no per-station number; its number on the general
            // list is what staff looked up on the signing sheet then.
            Column::OrderNumber => &["numéro d'ordre dans le bureau de vote", "NoElecteurGeneral"],
        }
    }

    /// The export's header for this column.
    pub fn canonical_name(self) -> &'static str {
        self.spellings()[0]
    }
}

/// The comparison key of a header: folded, spaces removed.
pub(crate) fn header_key(header: &str) -> String {
    let mut key = fold(header);
    key.retain(|c| c != ' ');
    key
}

/// Which field holds each known column.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    positions: [Option<usize>; Column::ALL.len()],
}

/// Why a header could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    /// Required columns that no header matched, by canonical name.
    Missing(Vec<&'static str>),
    /// Two headers matched the same column: its name and both 1-based positions.
    Duplicate {
        column: &'static str,
        first: usize,
        second: usize,
    },
}

/// The header mapped onto known columns.
#[derive(Debug, Clone)]
pub(crate) struct MappedHeader {
    pub columns: ColumnMap,
    /// Headers that matched no known column, as written.
    pub ignored: Vec<String>,
}

impl ColumnMap {
    /// Maps `headers` onto the known columns; `required` lists the columns that
    /// must be found.
    pub fn from_headers<'a>(
        headers: impl IntoIterator<Item = &'a str>,
        required: &[Column],
    ) -> Result<MappedHeader, HeaderProblem> {
        let known: Vec<(Column, Vec<String>)> = Column::ALL
            .iter()
            .map(|&column| {
                let keys = column.spellings().iter().map(|s| header_key(s)).collect();
                (column, keys)
            })
            .collect();
        let mut columns = ColumnMap {
            positions: [None; Column::ALL.len()],
        };
        let mut ignored = Vec::new();
        for (position, header) in headers.into_iter().enumerate() {
            let key = header_key(header);
            let found = known
                .iter()
                .find(|(_, keys)| keys.contains(&key))
                .map(|(column, _)| *column);
            let Some(column) = found else {
                ignored.push(header.trim().to_string());
                continue;
            };
            let slot = &mut columns.positions[column as usize];
            if let Some(first) = *slot {
                return Err(HeaderProblem::Duplicate {
                    column: column.canonical_name(),
                    first: first + 1,
                    second: position + 1,
                });
            }
            *slot = Some(position);
        }
        let missing: Vec<&'static str> = required
            .iter()
            .filter(|column| columns.position(**column).is_none())
            .map(|column| column.canonical_name())
            .collect();
        if !missing.is_empty() {
            return Err(HeaderProblem::Missing(missing));
        }
        Ok(MappedHeader { columns, ignored })
    }

    /// The 0-based field index of `column`, when the header has it.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.positions[column as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_listed_once_in_order() {
        for (index, column) in Column::ALL.iter().enumerate() {
            assert_eq!(*column as usize, index);
        }
    }

    #[test]
    fn no_two_columns_share_a_spelling() {
        let mut keys: Vec<String> = Column::ALL
            .iter()
            .flat_map(|column| column.spellings().iter().map(|s| header_key(s)))
            .collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count);
    }

    fn check(header: &str, column: Column) {
        let mapped = ColumnMap::from_headers([header], &[]).unwrap();
        assert_eq!(mapped.columns.position(column), Some(0), "{header:?}");
    }

    #[test]
    fn spellings_variants_and_camel_case_match() {
        check("code du l'ugle", Column::CommuneCode);
        check("Code de l'UGLE", Column::CommuneCode);
        check("  LIBELLE DE L'UGLE ", Column::CommuneName);
        check("Nom de naissance", Column::BirthName);
        check("NomdeNaissance", Column::BirthName);
        check("NomDusage", Column::UsageName);
        check("nom d’usage", Column::UsageName);
        check("PRENOMS", Column::GivenNames);
        check("Prenoms", Column::GivenNames);
        check("DateDeNaissance", Column::BirthDate);
        check("identifiant nationalité", Column::Nationality);
        check("Nationalite", Column::Nationality);
        check("code canton du bureau de vote", Column::Canton);
        check(
            "circonscription législative du bureau de vote",
            Column::ConstituencyCode,
        );
        check("NoBureauDeVote", Column::StationCode);
        check("NomBureauDeVote", Column::StationLabel);
        check("Numéro d'ordre dans le bureau de vote", Column::OrderNumber);
        check("LieuDit", Column::Locality);
        check("TypeVoie", Column::StreetKind);
    }

    #[test]
    fn missing_required_columns_are_named() {
        let problem =
            ColumnMap::from_headers(["nom de naissance", "sexe"], &Column::REQUIRED).unwrap_err();
        assert_eq!(
            problem,
            HeaderProblem::Missing(vec![
                "nom d'usage",
                "prénoms",
                "date de naissance",
                "code du bureau de vote",
                "libellé du bureau de vote",
                "numéro d'ordre dans le bureau de vote",
            ])
        );
    }

    #[test]
    fn a_column_given_twice_is_refused_and_unknown_ones_are_kept_aside() {
        let problem = ColumnMap::from_headers(["prénoms", "x", "Prenoms"], &[]).unwrap_err();
        assert_eq!(
            problem,
            HeaderProblem::Duplicate {
                column: "prénoms",
                first: 1,
                second: 3
            }
        );
        let mapped = ColumnMap::from_headers(["prénoms", " Horaires "], &[]).unwrap();
        assert_eq!(mapped.ignored, ["Horaires"]);
        assert_eq!(mapped.columns.position(Column::GivenNames), Some(0));
    }
}
