//! The last word between voters the search scores alike: how literally
//! their record spells what was typed.
//!
//! Folding makes `BEN SAID` and `BENSAID`, `VANDERMEER` and `VAN DER MEER`,
//! `Lætitia` and `Laetitia` the same words, so that nobody is missed for a
//! space or an accent. Between two voters who fit equally well after
//! folding, the one whose name is written as it was typed is the likelier:
//! whoever typed `BEN SAID` with its space, or `CHARRÉ` with its accent,
//! was reading or hearing that spelling. Accents count only when the query
//! has some (a query typed without accents says nothing about them). The
//! voters stay tied for `ambiguous`; only their order changes.

use voter_core::normalise::{has_accents, literal_form};
use voter_core::voter_records::VoterView;

use super::Hit;

/// A query's words as typed, ready to be found in records.
pub struct LiteralQuery {
    /// The query in literal form, padded with a space at each end so that
    /// a name is found only as whole words.
    padded: String,
    accents: bool,
}

impl LiteralQuery {
    /// The literal form of the query text `text`.
    pub fn of(text: &str) -> LiteralQuery {
        let accents = has_accents(text);
        LiteralQuery {
            padded: format!(" {} ", literal_form(text, accents)),
            accents,
        }
    }

    /// `hits`, in the order given, but among hits of the same confidence
    /// and score those whose record is written more as typed first (the
    /// sort is stable: the order given stands otherwise). Records are read
    /// only when some hits are level.
    pub fn order(&self, hits: Vec<Hit>) -> Vec<Hit> {
        let level = |a: &Hit, b: &Hit| a.confidence == b.confidence && a.score == b.score;
        if !hits.windows(2).any(|pair| level(&pair[0], &pair[1])) {
            return hits;
        }
        let mut fits: Vec<(u8, Hit)> = hits
            .into_iter()
            .map(|hit| (self.fit(&hit.voter), hit))
            .collect();
        fits.sort_by(|(fit_a, a), (fit_b, b)| {
            b.confidence
                .cmp(&a.confidence)
                .then(b.score.total_cmp(&a.score))
                .then(fit_b.cmp(fit_a))
        });
        fits.into_iter().map(|(_, hit)| hit).collect()
    }

    /// How much of `voter`'s name is written as typed: one for a surname
    /// (birth or usage name), one for the usual given name (the first).
    pub fn fit(&self, voter: &VoterView) -> u8 {
        let surname = std::iter::once(voter.birth_name.as_str())
            .chain(voter.usage_name.as_deref())
            .any(|name| self.contains(name));
        let usual = voter
            .first_names
            .split_whitespace()
            .next()
            .is_some_and(|given| self.contains(given));
        u8::from(surname) + u8::from(usual)
    }

    fn contains(&self, name: &str) -> bool {
        let name = literal_form(name, self.accents);
        // As whole words: a space on each side (the query is padded).
        !name.is_empty()
            && self.padded.match_indices(name.as_str()).any(|(at, _)| {
                self.padded[..at].ends_with(' ') && self.padded[at + name.len()..].starts_with(' ')
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use voter_core::model::BirthDate;

    fn voter(birth: &str, usage: Option<&str>, given: &str) -> VoterView {
        VoterView {
            commune_code: None,
            birth_name: birth.into(),
            usage_name: usage.map(String::from),
            first_names: given.into(),
            sex: None,
            birth_date: BirthDate::Unknown,
            memberships: Vec::new(),
        }
    }

    #[test]
    fn spaces_and_typed_accents_tell_alike_names_apart() {
        let query = LiteralQuery::of("BEN SAID Sonia");
        assert_eq!(query.fit(&voter("BEN SAID", None, "Sonia Aïcha")), 2);
        assert_eq!(query.fit(&voter("BENSAID", None, "Sonia")), 1);
        let query = LiteralQuery::of("CHARRÉ Anne");
        assert_eq!(query.fit(&voter("CHARRÉ", None, "Anne Rose")), 2);
        assert_eq!(query.fit(&voter("CHARRE", None, "Anne")), 1);
        // Typed without accents: accents on the roll cost nothing.
        let query = LiteralQuery::of("charre anne");
        assert_eq!(query.fit(&voter("CHARRÉ", None, "Anne Rose")), 2);
    }

    #[test]
    fn a_name_counts_only_as_whole_words_and_the_usual_given_name_only() {
        let query = LiteralQuery::of("MARTIN Jean");
        assert_eq!(query.fit(&voter("MARTINEZ", None, "Jeanne")), 0);
        assert_eq!(query.fit(&voter("DUPONT", Some("MARTIN"), "Paul Jean")), 1);
        assert_eq!(query.fit(&voter("DE MARTIN", None, "Jean-Paul")), 0);
        let query = LiteralQuery::of("DUPONT épouse MARTIN Claire");
        assert_eq!(query.fit(&voter("DUPONT", Some("MARTIN"), "Claire")), 2);
    }
}
