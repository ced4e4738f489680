//! The kiosk view: a voter finds their own station, and nobody else's.
//!
//! A kiosk query must carry a surname, a given name and a full birth date
//! ([`check_query`]). The answer ([`answer`]) names a voter only when one
//! voter fits confidently: every name typed matched (spelled out, by
//! sound or with a typo, never as a mere beginning), the birth date
//! matched exactly, and no other voter fits as well. It then shows the
//! station, the order number and the name as a check (surname and usual
//! given name); never a birth date, another given name, the sex, the list
//! or how the query matched. Several voters who fit are never shown: the
//! answer says so, and the staff take over.

use std::sync::Arc;

use crate::error::LookupError;
use crate::search::query::{ParsedQuery, QueryDate};
use crate::search::{Confidence, Hit, LookupResponse, StationView};

/// Results a kiosk search asks for: enough to see a rival.
pub const KIOSK_SEARCH_LIMIT: u32 = 10;

/// Checks that a kiosk query names someone: at least two words of two
/// letters or more (a surname and a given name) and a full birth date.
pub fn check_query(text: &str, birth_date: Option<&str>) -> Result<(), LookupError> {
    check_parsed(&ParsedQuery::parse(text, birth_date)?)
}

/// [`check_query`] on a query already parsed.
pub fn check_parsed(parsed: &ParsedQuery) -> Result<(), LookupError> {
    let words = parsed
        .tokens
        .iter()
        .filter(|token| !token.particle && token.text.chars().count() >= 2)
        .count();
    if words < 2 {
        return Err(LookupError::invalid(
            "q",
            "a kiosk lookup needs the surname and the given name, spelled out",
        ));
    }
    if !matches!(parsed.birth_date, Some(QueryDate::Full { .. })) {
        return Err(LookupError::invalid(
            "birth_date",
            "a kiosk lookup needs the full birth date (day, month and year)",
        ));
    }
    Ok(())
}

/// What a kiosk is told.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskAnswer {
    /// Found, not found or several.
    pub outcome: KioskOutcome,
    /// The version of the index that answered.
    pub index_version: Arc<str>,
}

/// The three answers a kiosk can give.
#[derive(Debug, Clone, PartialEq)]
pub enum KioskOutcome {
    /// One voter fits confidently.
    Found(KioskVoter),
    /// Nobody fits confidently.
    NotFound,
    /// More than one voter fits: the staff must check the voter's papers.
    Several,
}

impl KioskOutcome {
    /// Its name in answers and metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            KioskOutcome::Found(_) => "found",
            KioskOutcome::NotFound => "not_found",
            KioskOutcome::Several => "several",
        }
    }

    /// What a person at the kiosk reads, in plain words.
    pub fn message(&self) -> &'static str {
        match self {
            KioskOutcome::Found(_) => "one voter fits: check the name shown",
            KioskOutcome::NotFound => {
                "no voter fits: try the birth name, the spelling on the voter card, or ask the staff"
            }
            KioskOutcome::Several => "several voters fit: check with the staff",
        }
    }
}

/// What a kiosk shows of the voter found.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskVoter {
    /// The surname the query matched: the usage name when the voter was
    /// found by it, the birth name otherwise.
    pub surname: String,
    /// The usual (first) given name.
    pub given_name: String,
    /// The polling station.
    pub station: Option<StationView>,
    /// The order number on the station's signing sheet.
    pub order_number: Option<u32>,
}

/// The kiosk's answer from a full search response.
pub fn answer(response: &LookupResponse) -> KioskAnswer {
    let fitting: Vec<&Hit> = response.hits.iter().filter(|hit| fits(hit)).collect();
    let best = fitting.iter().map(|hit| hit.confidence).max();
    let at_best: Vec<&Hit> = fitting
        .into_iter()
        .filter(|hit| Some(hit.confidence) == best)
        .collect();
    let outcome = match at_best.as_slice() {
        [] => KioskOutcome::NotFound,
        [hit] => KioskOutcome::Found(shown(hit)),
        _ => KioskOutcome::Several,
    };
    KioskAnswer {
        outcome,
        index_version: response.index_version.clone(),
    }
}

/// The voters an answer reveals: the one found, if any.
pub fn revealed(answer: &KioskAnswer) -> Vec<(Option<&StationView>, Option<u32>)> {
    match &answer.outcome {
        KioskOutcome::Found(voter) => vec![(voter.station.as_ref(), voter.order_number)],
        _ => Vec::new(),
    }
}

/// True when `hit` fits the kiosk's rule: confident, the date exact, a
/// surname and a given name matched, no word matched as a mere beginning.
fn fits(hit: &Hit) -> bool {
    if hit.confidence < Confidence::Strong {
        return false;
    }
    let date_exact = hit
        .matches
        .iter()
        .any(|m| m.field == "birth_date" && m.kind == "exact");
    let surname = hit
        .matches
        .iter()
        .any(|m| matches!(m.field, "birth_name" | "usage_name"));
    let given = hit.matches.iter().any(|m| m.field == "first_names");
    let begun = hit.matches.iter().any(|m| m.kind == "prefix");
    date_exact && surname && given && !begun
}

fn shown(hit: &Hit) -> KioskVoter {
    let voter = &hit.voter;
    let by_usage = hit.matches.iter().any(|m| m.field == "usage_name");
    let surname = match voter.usage_name.as_deref().filter(|name| !name.is_empty()) {
        Some(usage) if by_usage => usage.to_string(),
        _ => voter.birth_name.clone(),
    };
    let given_name = voter
        .first_names
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    KioskVoter {
        surname,
        given_name,
        station: hit.station.clone(),
        order_number: hit.order_number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn a_kiosk_query_names_someone_with_a_full_date() {
        assert!(check_query("DUPONT Marie", Some("1962-03-12")).is_ok());
        assert!(check_query("dupont marie 12/03/1962", None).is_ok());
        let one_word = check_query("DUPONT", Some("1962-03-12")).unwrap_err();
        assert_eq!(one_word.parameter(), Some("q"));
        let initials = check_query("D M", Some("1962-03-12")).unwrap_err();
        assert_eq!(initials.parameter(), Some("q"));
        let year = check_query("DUPONT Marie", Some("1962")).unwrap_err();
        assert_eq!(year.parameter(), Some("birth_date"));
        assert_eq!(year.kind(), ErrorKind::InvalidArgument);
        let none = check_query("DUPONT Marie", None).unwrap_err();
        assert_eq!(none.parameter(), Some("birth_date"));
    }
}
