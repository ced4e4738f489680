//! The query text and `birth_date` as a client sends them: parsed as the
//! search parses them, and folded, analysed and keyed as the builder and
//! the server fold names. Input: the text, then optionally a NUL and the
//! `birth_date` value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voter_core::normalise::{analyse_name, fold, near_particle};
use voter_core::phonetic::phonetic_key;
use voter_lookup::search::query::{MAX_TOKENS, ParsedQuery, parse_date};

/// Folded text: upper-case ASCII letters and digits, single spaces.
fn is_folded(text: &str) -> bool {
    !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (text, birth_date) = match input.split_once('\0') {
        Some((text, date)) => (text, Some(date)),
        None => (input, None),
    };
    if let Ok(query) = ParsedQuery::parse(text, birth_date) {
        assert!(!query.tokens.is_empty() && query.tokens.len() <= MAX_TOKENS);
        for token in &query.tokens {
            assert!(
                !token.text.is_empty() && is_folded(&token.text),
                "{token:?}"
            );
            assert!(!token.text.contains(' '), "{token:?}");
        }
        for unit in &query.joined {
            assert!(unit.first < unit.last && unit.last < query.tokens.len());
        }
    }
    let _ = parse_date(text);

    let folded = fold(text);
    assert!(is_folded(&folded), "{folded:?}");
    assert_eq!(fold(&folded), folded, "folding is idempotent");
    for token in folded.split(' ').filter(|t| !t.is_empty()) {
        let key = phonetic_key(token);
        assert!(key.is_ascii(), "{key:?}");
        let _ = near_particle(token);
    }
    let terms = analyse_name(text);
    for term in terms.all_terms() {
        assert!(is_folded(term) && !term.contains(' '), "{term:?}");
    }
});
