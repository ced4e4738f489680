//! Name normalisation: the one place where builder and server agree on what a
//! name looks like to the search.
//!
//! Folding maps any text to upper-case ASCII letters and digits separated by
//! single spaces: accents are dropped (`É` → `E`), ligatures expanded (`Œ` →
//! `OE`, `Æ` → `AE`, `ß` → `SS`), other scripts transliterated, and every
//! punctuation mark (hyphen, apostrophe, dot, comma…) becomes a token boundary.
//! Analysis then splits a folded name into tokens and adds the *joined* forms,
//! so that `SAINT-AMOUR`, `SAINT AMOUR` and `SAINTAMOUR` meet, and `D'ALMEIDA`
//! is found as `DALMEIDA` as well as `ALMEIDA`.

/// Folds `input` into `out` (which is cleared first): upper-case ASCII letters
/// and digits, single spaces between tokens, no leading or trailing space.
pub fn fold_into(input: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    for ch in input.chars() {
        if ch.is_ascii() {
            push_folded_byte(ch as u8, out, &mut pending_space);
            continue;
        }
        // deunicode transliterates accented letters, ligatures and other
        // scripts to ASCII; characters it does not know become boundaries.
        match deunicode::deunicode_char(ch) {
            Some(ascii) => {
                for byte in ascii.bytes() {
                    push_folded_byte(byte, out, &mut pending_space);
                }
            }
            None => pending_space = true,
        }
    }
}

/// Appends one ASCII byte to a folded string: letters and digits upper-cased,
/// anything else remembered as a token boundary.
fn push_folded_byte(byte: u8, out: &mut String, pending_space: &mut bool) {
    if byte.is_ascii_alphanumeric() {
        if *pending_space && !out.is_empty() {
            out.push(' ');
        }
        *pending_space = false;
        out.push(byte.to_ascii_uppercase() as char);
    } else {
        *pending_space = true;
    }
}

/// Folds `input` into a new string. See [`fold_into`].
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    fold_into(input, &mut out);
    out
}

/// A name as it was written, for telling apart names that fold alike
/// (`BEN SAID` and `BENSAID`, `Lætitia` and `Laetitia`): upper case, words
/// separated by single spaces, hyphens and apostrophes kept (a typographic
/// apostrophe written `'`), accents and ligatures kept when `accents`, else
/// transliterated as folding does. Other marks separate words.
pub fn literal_form(input: &str, accents: bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let mut push = |ch: char, out: &mut String| {
        if ch.is_alphanumeric() || ch == '-' || ch == '\'' {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            // Upper case may spell a letter with a mark of its own (`ŉ`):
            // only its letters are kept, as folding keeps them.
            out.extend(
                ch.to_uppercase()
                    .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '\''),
            );
        } else {
            pending_space = true;
        }
    };
    for ch in input.chars() {
        let ch = if matches!(ch, '\u{2019}' | '\u{02BC}') {
            '\''
        } else {
            ch
        };
        // Letters beyond ASCII are kept as written when accents count;
        // anything else beyond ASCII (symbols, and accents that do not
        // count) is transliterated as folding does.
        if ch.is_ascii() || (accents && ch.is_alphanumeric()) {
            push(ch, &mut out);
            continue;
        }
        match deunicode::deunicode_char(ch) {
            Some(ascii) => ascii.chars().for_each(|ch| push(ch, &mut out)),
            None => push(' ', &mut out),
        }
    }
    out
}

/// True when `input` holds a letter beyond ASCII (an accent, a ligature):
/// whoever typed it wrote the name's accents, and they may tell voters apart.
pub fn has_accents(input: &str) -> bool {
    input.chars().any(|ch| !ch.is_ascii() && ch.is_alphabetic())
}

/// Surname particles: articles and prepositions that stand before a name
/// (`DE LA FONTAINE`, `LE GALL`, `D'ALMEIDA`, `VAN DER MEULEN`). A particle
/// typed alone does not identify anyone, and one left out must not cost a match.
const PARTICLES: &[&str] = &[
    "A", "D", "DA", "DAL", "DAS", "DE", "DEGLI", "DEI", "DEL", "DELA", "DELLA", "DEN", "DER",
    "DES", "DI", "DO", "DOS", "DU", "EL", "L", "LA", "LE", "LES", "TEN", "TER", "VAN", "VON", "Y",
    "ZU",
];

/// True when a folded token is a particle such as `DE`, `LA`, `D` or `VAN`.
pub fn is_particle(token: &str) -> bool {
    PARTICLES.binary_search(&token).is_ok()
}

/// Words staff write between the names of a married or widowed person
/// (`DUPONT épouse MARTIN`, `DUPONT ép. MARTIN`, `MARTIN née DUPONT`,
/// `veuve DUPONT`, `vve DUPONT`), folded: they mark which name is which
/// and name nobody. Sorted, for binary search.
const MARRIAGE_MARKERS: &[&str] = &["EP", "EPOUSE", "EPSE", "NEE", "VEUF", "VEUVE", "VVE"];

/// True when a folded token is a marker of a married or widowed name such
/// as `EPOUSE`, `EP`, `NEE` or `VVE`, not a name.
pub fn is_marriage_marker(token: &str) -> bool {
    MARRIAGE_MARKERS.binary_search(&token).is_ok()
}

/// True when a folded token of two or three letters is not a particle but
/// one slip away from one: a letter struck for its neighbour's (`DR`,
/// `KA`, `VAB`) or two letters swapped (`AL`). Such a word, typed beside a
/// surname, is likelier a mistyped particle than a name.
pub fn near_particle(token: &str) -> bool {
    let typed = token.as_bytes();
    if !(2..=3).contains(&typed.len()) || is_particle(token) {
        return false;
    }
    PARTICLES
        .iter()
        .map(|particle| particle.as_bytes())
        .filter(|particle| particle.len() == typed.len())
        .any(|particle| {
            let mut differ = (0..typed.len()).filter(|&at| typed[at] != particle[at]);
            match (differ.next(), differ.next(), differ.next()) {
                (Some(_), None, None) => true,
                (Some(a), Some(b), None) => {
                    b == a + 1 && typed[a] == particle[b] && typed[b] == particle[a]
                }
                _ => false,
            }
        })
}

/// The search terms of one name field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameTerms {
    /// Folded tokens in order, particles included: `DE LA FONTAINE` →
    /// `DE`, `LA`, `FONTAINE`.
    pub tokens: Vec<String>,
    /// Joined forms of multi-token names: the whole name without spaces, and the
    /// same after each leading particle is dropped: `DELAFONTAINE`,
    /// `LAFONTAINE`. Never repeats a token.
    pub joined: Vec<String>,
}

impl NameTerms {
    /// Tokens and joined forms together, without duplicates.
    pub fn all_terms(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .chain(self.joined.iter())
            .map(String::as_str)
    }

    /// The tokens that are not particles.
    pub fn significant_tokens(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .map(String::as_str)
            .filter(|token| !is_particle(token))
    }
}

/// Splits a name (surname or given names) into its search terms.
pub fn analyse_name(name: &str) -> NameTerms {
    let folded = fold(name);
    let tokens: Vec<String> = folded
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    let mut joined = Vec::new();
    if tokens.len() > 1 {
        let mut start = 0;
        while start + 1 < tokens.len() {
            let form: String = tokens[start..].concat();
            if !joined.contains(&form) && !tokens.contains(&form) {
                joined.push(form);
            }
            if !is_particle(&tokens[start]) {
                break;
            }
            start += 1;
        }
        // A hyphenated or spaced compound also meets its joined pairs, so that
        // `JEAN-PIERRE MARIE` is found as `JEANPIERRE`.
        for pair in tokens.windows(2) {
            let form = pair.concat();
            if !joined.contains(&form) && !tokens.contains(&form) {
                joined.push(form);
            }
        }
    }
    NameTerms { tokens, joined }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check_fold(input: &str, expected: &str) {
        assert_eq!(fold(input), expected, "fold({input:?})");
    }

    #[test]
    fn literal_forms_keep_what_folding_drops() {
        assert_eq!(literal_form("ben  said", false), "BEN SAID");
        assert_eq!(literal_form("BENSAID", false), "BENSAID");
        assert_eq!(literal_form("Lætitia", true), "LÆTITIA");
        assert_eq!(literal_form("Lætitia", false), "LAETITIA");
        assert_eq!(literal_form("N’DIAYE", false), "N'DIAYE");
        assert_eq!(
            literal_form("Jean-Pierre, Émile.", true),
            "JEAN-PIERRE ÉMILE"
        );
        assert_eq!(
            literal_form("Jean-Pierre, Émile.", false),
            "JEAN-PIERRE EMILE"
        );
        assert!(has_accents("Hélène"));
        assert!(has_accents("Lætitia"));
        assert!(!has_accents("Helene 12/03/1962"));
    }

    #[test]
    fn folds_case_accents_ligatures_and_punctuation() {
        check_fold("Hélène", "HELENE");
        check_fold("ÉLÉONORE-BLIN", "ELEONORE BLIN");
        check_fold("SCHÖNBERGER", "SCHONBERGER");
        check_fold("Œuvray", "OEUVRAY");
        check_fold("LÆTITIA", "LAETITIA");
        check_fold("Weiß", "WEISS");
        check_fold("D'ALMEIDA", "D ALMEIDA");
        check_fold("N’DIAYE", "N DIAYE");
        check_fold("  de   la  Fontaine ", "DE LA FONTAINE");
        check_fold("Jean-Pierre", "JEAN PIERRE");
        check_fold("O'SULLIVAN", "O SULLIVAN");
        check_fold("Çelik", "CELIK");
        check_fold("Łukasz", "LUKASZ");
        check_fold("", "");
        check_fold("--", "");
    }

    #[test]
    fn particles_are_recognised() {
        for particle in ["DE", "LA", "LE", "D", "VAN", "DER", "DU", "DES"] {
            assert!(is_particle(particle), "{particle}");
        }
        for name in ["FONTAINE", "GALL", "MARTIN", "SAINT"] {
            assert!(!is_particle(name), "{name}");
        }
        let mut sorted = PARTICLES.to_vec();
        sorted.sort_unstable();
        assert_eq!(
            sorted, PARTICLES,
            "PARTICLES must stay sorted for binary search"
        );
    }

    #[test]
    fn marriage_markers_are_recognised_folded() {
        for typed in ["épouse", "ep", "ép.", "Née", "veuve", "vve", "EPSE"] {
            let folded = fold(typed);
            assert!(is_marriage_marker(&folded), "{typed}");
        }
        for name in ["DUPONT", "NEEL", "EPOUX", "VEUVES"] {
            assert!(!is_marriage_marker(name), "{name}");
        }
        let mut sorted = MARRIAGE_MARKERS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, MARRIAGE_MARKERS);
    }

    #[test]
    fn slips_of_particles_are_told_from_names() {
        for slip in ["DR", "KA", "VAB", "AL", "DZ", "VOM"] {
            assert!(near_particle(slip), "{slip}");
        }
        for other in ["DE", "LA", "VAN", "NG", "MARTIN", "X", "DUPO", "ABC"] {
            assert!(!near_particle(other), "{other}");
        }
    }

    #[test]
    fn joined_forms_drop_leading_particles_one_by_one() {
        let terms = analyse_name("DE LA FONTAINE");
        assert_eq!(terms.tokens, ["DE", "LA", "FONTAINE"]);
        assert!(terms.joined.contains(&"DELAFONTAINE".to_string()));
        assert!(terms.joined.contains(&"LAFONTAINE".to_string()));
        assert_eq!(terms.significant_tokens().collect::<Vec<_>>(), ["FONTAINE"]);

        let terms = analyse_name("D'ALMEIDA");
        assert_eq!(terms.tokens, ["D", "ALMEIDA"]);
        assert_eq!(terms.joined, ["DALMEIDA"]);

        let terms = analyse_name("SAINT-AMOUR");
        assert_eq!(terms.tokens, ["SAINT", "AMOUR"]);
        assert_eq!(terms.joined, ["SAINTAMOUR"]);

        let terms = analyse_name("Jean-Pierre Marie");
        assert!(terms.joined.contains(&"JEANPIERRE".to_string()));

        assert!(analyse_name("MARTIN").joined.is_empty());
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_emits_only_allowed_characters(input in "\\PC*") {
            let once = fold(&input);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(once.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' '));
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        #[test]
        fn literal_forms_are_stable_words_and_fold_as_the_text_does(input in "\\PC*", accents: bool) {
            let literal = literal_form(&input, accents);
            prop_assert_eq!(literal_form(&literal, accents), literal.clone());
            prop_assert!(!literal.starts_with(' ') && !literal.ends_with(' ') && !literal.contains("  "));
            // Without accents, nothing folding keeps is lost, nor anything
            // added (with them, a few scripts' upper case spells a letter
            // twice: `ῲ`).
            if !accents {
                prop_assert_eq!(fold(&literal), fold(&input));
            }
        }

        #[test]
        fn analysis_never_panics_and_terms_are_folded(input in "\\PC*") {
            let terms = analyse_name(&input);
            for term in terms.all_terms() {
                prop_assert!(!term.is_empty());
                prop_assert!(term.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            }
        }
    }
}
