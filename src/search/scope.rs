//! Which voters a lookup may return: the `departement` a request names.
//!
//! A national roll is served in shards, an artifact per département (or a
//! few), and a request says which département it is about. Here that field
//! is read once against the index: a département the index does not hold is
//! refused (`not_served`, so that a router or a client can tell a request
//! sent to the wrong shard from a voter who is not on the roll), and in an
//! index of several départements the lookup keeps that département's voters
//! only. An index of one département, or a request that names none, puts
//! no bound on the search.

use voter_core::commune::{departement_of, parse_departement};

use crate::error::LookupError;
use crate::index::LoadedIndex;

/// The voters a lookup may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every voter of the index.
    All,
    /// The voters of one of the index's départements.
    Departement(String),
}

impl Scope {
    /// The scope of a request naming `departement` (as typed) on `index`.
    pub fn of(index: &LoadedIndex, departement: Option<&str>) -> Result<Scope, LookupError> {
        let Some(typed) = departement.filter(|typed| !typed.trim().is_empty()) else {
            return Ok(Scope::All);
        };
        let served = &index.info().departements;
        // A code the index holds is taken as it is, whatever its shape
        // (a roll's own commune codes decide them: a consular list's `99`,
        // a test roll's made-up commune); anything else is read as typed.
        let held = typed.trim().to_ascii_uppercase();
        let code = if served.contains(&held) {
            held
        } else {
            parse_departement(typed)
                .map_err(|error| LookupError::invalid("departement", error.to_string()))?
        };
        if !served.contains(&code) {
            return Err(LookupError::NotServed(match served.as_slice() {
                [] => format!(
                    "département {code} is not served here: this server's roll names no commune"
                ),
                served => format!(
                    "département {code} is not served here (this server serves {}): send the request to its shard",
                    served.join(", ")
                ),
            }));
        }
        Ok(if served.len() == 1 {
            Scope::All
        } else {
            Scope::Departement(code)
        })
    }

    /// Whether voter `voter_id` of `index` is within the scope.
    pub fn admits(&self, index: &LoadedIndex, voter_id: u64) -> bool {
        match self {
            Scope::All => true,
            Scope::Departement(code) => index
                .commune_of(voter_id)
                .and_then(departement_of)
                .is_some_and(|departement| departement == code),
        }
    }
}
