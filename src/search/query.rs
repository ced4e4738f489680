//! Turns the text a person typed into a query: folded name tokens, their
//! joined forms, and an optional birth date.
//!
//! People type names in any order, with or without accents, hyphens and
//! apostrophes, and often add a birth date (`12/03/1962`, `1962-03-12`,
//! `1962`). Folding is [`voter_core::normalise`]'s, the same the index was
//! built with; a date typed in the text is lifted out of it.

use voter_core::normalise::{fold_into, is_marriage_marker, is_particle};
use voter_core::phonetic::phonetic_key_into;

use crate::error::LookupError;

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 256;
/// Most name tokens a query may hold.
pub const MAX_TOKENS: usize = 8;

/// A birth date as given in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryDate {
    /// Day, month and year.
    Full {
        /// Year.
        year: u16,
        /// Month 1–12.
        month: u8,
        /// Day 1–31.
        day: u8,
    },
    /// Only the year.
    Year(u16),
}

impl QueryDate {
    /// ISO form, for the `match` description.
    pub fn to_iso(self) -> String {
        match self {
            QueryDate::Full { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
            QueryDate::Year(year) => format!("{year:04}"),
        }
    }
}

/// One folded name token of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryToken {
    /// Folded text, e.g. `FONTAINE`.
    pub text: String,
    /// French phonetic key of the text.
    pub phonetic: String,
    /// True for a particle (`DE`, `LA`, `D`…): it weighs little, and may be
    /// left out or added without cost.
    pub particle: bool,
    /// Typed in capitals (two letters or more, none in lower case), as
    /// French forms write a surname: `Thomas CLEMENT`.
    pub capitals: bool,
}

/// Adjacent tokens written together: `SAINT AMOUR` → `SAINTAMOUR`,
/// `D ALMEIDA` → `DALMEIDA`, `DE LA FONTAINE` → `DELAFONTAINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedUnit {
    /// The joined text.
    pub text: String,
    /// Its phonetic key.
    pub phonetic: String,
    /// First token covered.
    pub first: usize,
    /// Last token covered (inclusive).
    pub last: usize,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Name tokens in the order typed.
    pub tokens: Vec<QueryToken>,
    /// Joined forms of adjacent tokens.
    pub joined: Vec<JoinedUnit>,
    /// Birth date, from the `birth_date` parameter or the text.
    pub birth_date: Option<QueryDate>,
}

impl ParsedQuery {
    /// Parses the query text and the optional `birth_date` parameter.
    pub fn parse(text: &str, birth_date: Option<&str>) -> Result<ParsedQuery, LookupError> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(LookupError::invalid(
                "q",
                format!(
                    "query text is {} bytes long, at most {MAX_QUERY_BYTES} are accepted",
                    text.len()
                ),
            ));
        }
        let mut date = match birth_date.map(str::trim).filter(|d| !d.is_empty()) {
            Some(value) => Some(parse_date(value).ok_or_else(|| {
                LookupError::invalid(
                    "birth_date",
                    format!("`{value}` is not a date: expected YYYY-MM-DD or YYYY"),
                )
            })?),
            None => None,
        };
        let mut tokens = Vec::new();
        let mut folded = String::new();
        for chunk in text.split_whitespace() {
            if let Some(typed_date) = parse_date(chunk) {
                // The explicit parameter wins over a date typed in the text.
                date.get_or_insert(typed_date);
                continue;
            }
            if looks_like_a_date(chunk) {
                return Err(LookupError::invalid(
                    "q",
                    format!("`{chunk}` looks like a date but is not a valid one"),
                ));
            }
            fold_into(chunk, &mut folded);
            let capitals = typed_in_capitals(chunk);
            for piece in folded.split(' ').filter(|piece| !piece.is_empty()) {
                // Digits are no part of a name: a stray number is left out.
                if piece.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                tokens.push(QueryToken {
                    capitals,
                    ..query_token(piece)
                });
            }
        }
        // The words of a married name's desk form (`DUPONT épouse MARTIN`,
        // `veuve DUPONT`) say which surname is which, and ranking already
        // matches each surname to the birth or the usage name: they are
        // left out, unless nothing else was typed.
        if tokens.iter().any(|token| !is_marriage_marker(&token.text)) {
            tokens.retain(|token| !is_marriage_marker(&token.text));
        }
        if tokens.is_empty() {
            return Err(LookupError::invalid(
                "q",
                "the query holds no name: type at least part of a surname",
            ));
        }
        if tokens.len() > MAX_TOKENS {
            return Err(LookupError::invalid(
                "q",
                format!(
                    "the query holds {} words, at most {MAX_TOKENS} are accepted",
                    tokens.len()
                ),
            ));
        }
        // A name made only of particles (`LE VAN`, `DA`) is a name: its
        // words count in full.
        if tokens.iter().all(|token| token.particle) {
            for token in &mut tokens {
                token.particle = false;
            }
        }
        let joined = joined_units(&tokens);
        Ok(ParsedQuery {
            tokens,
            joined,
            birth_date: date,
        })
    }

    /// The tokens that are not particles.
    pub fn significant_count(&self) -> usize {
        self.tokens.iter().filter(|token| !token.particle).count()
    }

    /// The query mixes words in capitals with words that are not (`Thomas
    /// CLEMENT`, `DUPONT Claire`): the capitals mark the surnames. Typed
    /// all in one case, the words' order is the only sign.
    pub fn capitals_mark_surnames(&self) -> bool {
        let mut significant = self.tokens.iter().filter(|token| !token.particle);
        let first = significant.next().map(|token| token.capitals);
        first.is_some_and(|first| significant.any(|token| token.capitals != first))
    }
}

/// A word typed in capitals: two letters or more, none in lower case.
fn typed_in_capitals(chunk: &str) -> bool {
    let mut letters = chunk.chars().filter(|c| c.is_alphabetic());
    letters.clone().nth(1).is_some() && letters.all(|c| !c.is_lowercase())
}

fn query_token(text: &str) -> QueryToken {
    let mut phonetic = String::new();
    phonetic_key_into(text, &mut phonetic);
    QueryToken {
        text: text.to_string(),
        phonetic,
        particle: is_particle(text),
        capitals: false,
    }
}

/// Joined forms: each pair of adjacent tokens, and each run of particles
/// with the token that follows it (`DE LA FONTAINE` → `DELAFONTAINE`,
/// `LAFONTAINE`), as the index joins names.
fn joined_units(tokens: &[QueryToken]) -> Vec<JoinedUnit> {
    let mut units: Vec<JoinedUnit> = Vec::new();
    let mut push = |first: usize, last: usize| {
        let text: String = tokens[first..=last]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        if units.iter().any(|unit| unit.text == text) || tokens.iter().any(|t| t.text == text) {
            return;
        }
        let mut phonetic = String::new();
        phonetic_key_into(&text, &mut phonetic);
        units.push(JoinedUnit {
            text,
            phonetic,
            first,
            last,
        });
    };
    for first in 0..tokens.len() {
        let mut last = first;
        while last + 1 < tokens.len() && tokens[last].particle {
            last += 1;
        }
        if last > first + 1 {
            push(first, last);
        }
        if first + 1 < tokens.len() {
            push(first, first + 1);
        }
    }
    units
}

/// A chunk made of digits and date separators only.
fn looks_like_a_date(chunk: &str) -> bool {
    chunk.len() >= 6
        && chunk.bytes().any(|b| matches!(b, b'/' | b'-' | b'.'))
        && chunk
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'/' | b'-' | b'.'))
}

/// Reads `YYYY-MM-DD`, `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`,
/// `DDMMYYYY`, the same with a two-digit year (`12.03.62`, `120362`; see
/// [`full_year`]), day and month of one digit (`12/3/1962`), or a bare year
/// `YYYY` (1850–2100).
pub fn parse_date(text: &str) -> Option<QueryDate> {
    let text = text.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if text.len() == 4 && digits(text) {
        let year: u16 = text.parse().ok()?;
        return valid_year(year).then_some(QueryDate::Year(year));
    }
    if text.len() == 8 && digits(text) {
        return full_date(&text[4..8], &text[2..4], &text[0..2]);
    }
    if text.len() == 6 && digits(text) {
        return full_date(&full_year(&text[4..6])?, &text[2..4], &text[0..2]);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    if parts.len() != 3 || !parts.iter().all(|p| digits(p)) {
        return None;
    }
    if parts[0].len() == 4 {
        full_date(parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 {
        full_date(parts[2], parts[1], parts[0])
    } else if parts[2].len() == 2 && parts[0].len() <= 2 && parts[1].len() <= 2 {
        full_date(&full_year(parts[2])?, parts[1], parts[0])
    } else {
        None
    }
}

/// Youngest age at which a person is on a roll, give or take: a two-digit
/// year that would make someone younger is of the century before.
const YOUNGEST_VOTER: u16 = 16;

/// The four-digit year of a two-digit one as staff write it (`62`): the
/// latest year ending so that makes a voter of at least [`YOUNGEST_VOTER`]
/// today.
fn full_year(two_digits: &str) -> Option<String> {
    let short: u16 = two_digits.parse().ok()?;
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    // Days to years closely enough: only the century is chosen here.
    let this_year = 1970 + (seconds / 86_400 * 400 / 146_097) as u16;
    let latest = this_year.saturating_sub(YOUNGEST_VOTER);
    let century = latest - latest % 100;
    let year = if century + short <= latest {
        century + short
    } else {
        century - 100 + short
    };
    Some(year.to_string())
}

fn valid_year(year: u16) -> bool {
    (1850..=2100).contains(&year)
}

fn full_date(year: &str, month: &str, day: &str) -> Option<QueryDate> {
    let year: u16 = year.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    let day: u8 = day.parse().ok()?;
    if !valid_year(year)
        || !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
    {
        return None;
    }
    Some(QueryDate::Full { year, month, day })
}

/// True when `year`, `month`, `day` name a day of the calendar in the
/// years a query accepts.
pub fn is_calendar_date(year: u16, month: u8, day: u8) -> bool {
    valid_year(year) && (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(query: &ParsedQuery) -> Vec<&str> {
        query.tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn names_are_folded_and_split_on_punctuation() {
        let query = ParsedQuery::parse("d'Almeida  Hélène-Marie", None).unwrap();
        assert_eq!(texts(&query), ["D", "ALMEIDA", "HELENE", "MARIE"]);
        assert!(query.tokens[0].particle);
        assert!(!query.tokens[1].particle);
        let joined: Vec<&str> = query.joined.iter().map(|u| u.text.as_str()).collect();
        assert!(joined.contains(&"DALMEIDA"));
        assert!(joined.contains(&"HELENEMARIE"));
    }

    #[test]
    fn capitals_mark_the_surnames_only_beside_words_that_are_not() {
        let marks = |text| {
            ParsedQuery::parse(text, None)
                .unwrap()
                .capitals_mark_surnames()
        };
        for mixed in [
            "Thomas CLEMENT",
            "DUPONT Claire",
            "de la FONTAINE Jean",
            "Hélène D'ALMEIDA",
        ] {
            assert!(marks(mixed), "{mixed}");
        }
        // One case throughout, or a capital that is only an initial.
        for plain in [
            "thomas clement",
            "THOMAS CLEMENT",
            "Thomas Clement",
            "Jean D Dupont",
        ] {
            assert!(!marks(plain), "{plain}");
        }
        let query = ParsedQuery::parse("Jean-Luc LE GALL", None).unwrap();
        let capitals: Vec<bool> = query.tokens.iter().map(|t| t.capitals).collect();
        assert_eq!(capitals, [false, false, true, true]);
    }

    #[test]
    fn particle_runs_join_with_the_following_name() {
        let query = ParsedQuery::parse("de la Fontaine", None).unwrap();
        let joined: Vec<(&str, usize, usize)> = query
            .joined
            .iter()
            .map(|u| (u.text.as_str(), u.first, u.last))
            .collect();
        assert!(joined.contains(&("DELAFONTAINE", 0, 2)));
        assert!(joined.contains(&("LAFONTAINE", 1, 2)));
        assert_eq!(query.significant_count(), 1);
    }

    #[test]
    fn dates_are_lifted_out_of_the_text_in_every_usual_form() {
        let full = QueryDate::Full {
            year: 1962,
            month: 3,
            day: 14,
        };
        for text in [
            "DUPONT 14/03/1962",
            "DUPONT 14/3/1962",
            "1962-03-14 DUPONT",
            "DUPONT 14.03.1962",
            "DUPONT 14031962",
            "DUPONT 14.03.62",
            "DUPONT 14/03/62",
            "DUPONT 140362",
        ] {
            let query = ParsedQuery::parse(text, None).unwrap();
            assert_eq!(query.birth_date, Some(full), "{text}");
            assert_eq!(texts(&query), ["DUPONT"], "{text}");
        }
        let query = ParsedQuery::parse("DUPONT 1962", None).unwrap();
        assert_eq!(query.birth_date, Some(QueryDate::Year(1962)));
        let query = ParsedQuery::parse("DUPONT 1962", Some("1962-03-14")).unwrap();
        assert_eq!(query.birth_date, Some(full), "the parameter wins");
    }

    #[test]
    fn a_two_digit_year_is_of_the_century_that_makes_a_voter() {
        let year = |text: &str| match parse_date(text) {
            Some(QueryDate::Full { year, .. }) => year,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(year("01/01/62"), 1962);
        assert_eq!(year("01/01/99"), 1999);
        assert_eq!(year("01/01/00"), 2000);
        // Nobody born this year or last votes.
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let this_year = 1970 + (seconds / 86_400 * 400 / 146_097) as u16;
        assert_eq!(
            year(&format!("01/01/{:02}", this_year % 100)),
            this_year - 100
        );
    }

    #[test]
    fn married_name_markers_are_read_as_markers() {
        for text in [
            "DUPONT épouse MARTIN",
            "DUPONT ep MARTIN",
            "DUPONT ép. MARTIN",
            "DUPONT Née MARTIN",
            "veuve DUPONT MARTIN",
            "vve DUPONT MARTIN",
        ] {
            let query = ParsedQuery::parse(text, None).unwrap();
            let mut words = texts(&query);
            words.sort_unstable();
            assert_eq!(words, ["DUPONT", "MARTIN"], "{text}");
        }
        let alone = ParsedQuery::parse("Née", None).unwrap();
        assert_eq!(texts(&alone), ["NEE"], "a marker alone is all there is");
    }

    #[test]
    fn bad_input_names_the_parameter() {
        let all_particles = ParsedQuery::parse("Le Van", None).unwrap();
        assert_eq!(
            all_particles.significant_count(),
            2,
            "a name of particles counts in full"
        );
        let error = ParsedQuery::parse("   ", None).unwrap_err();
        assert_eq!(error.parameter(), Some("q"));
        let error = ParsedQuery::parse("1962", None).unwrap_err();
        assert_eq!(error.parameter(), Some("q"));
        let error = ParsedQuery::parse("DUPONT", Some("14/13/1962")).unwrap_err();
        assert_eq!(error.parameter(), Some("birth_date"));
        let error = ParsedQuery::parse("DUPONT 31/02/1962", None).unwrap_err();
        assert_eq!(error.parameter(), Some("q"));
        let error = ParsedQuery::parse(&"A ".repeat(200), None).unwrap_err();
        assert_eq!(error.parameter(), Some("q"));
        let error = ParsedQuery::parse("A B C D E F G H I", None).unwrap_err();
        assert_eq!(error.parameter(), Some("q"));
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(parse_date("29/02/2000").is_some());
        assert!(parse_date("29/02/1900").is_none());
        assert!(parse_date("31/04/1980").is_none());
        assert!(parse_date("1849").is_none());
        assert!(parse_date("12/13/62").is_none());
    }
}
