//! `names.bin`, `voters.bin` and `deletions.bin` as a damaged or forged artifact could hold
//! them (their checksums are checked first, but the decoders must not rely
//! on it): what reads back must serialise to the same bytes, and every
//! record must decode (every deletions table must answer lookups). Input:
//! one byte choosing the file (its remainder by three), then its bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voter_core::deletions::{Deletions, Dictionary};
use voter_core::name_records::NameRecords;
use voter_core::schema::NameField;
use voter_core::voter_records::VoterRecords;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    if which % 3 == 2 {
        let Ok(deletions) = Deletions::from_bytes(bytes) else {
            return;
        };
        assert_eq!(deletions.to_bytes(), bytes, "deletions.bin reads back as it was");
        let mut scratch = Vec::new();
        for dictionary in [Dictionary::Surnames, Dictionary::GivenNames] {
            for word in [b"MARTIN".as_slice(), b"A", b"", b"NARCIAZZ"] {
                deletions.candidates(dictionary, word, 2, &mut scratch, |term| {
                    assert!(!term.is_empty());
                });
            }
        }
    } else if which % 3 == 0 {
        let Ok(records) = NameRecords::from_bytes(bytes.to_vec()) else {
            return;
        };
        assert_eq!(records.to_bytes(), bytes, "names.bin reads back as it was");
        for id in 0..records.len() as u64 {
            records.prefetch(id);
            let record = records.get(id).expect("checked at load");
            let _ = record.birth_date.to_iso();
            for field in NameField::ALL {
                for term in record.terms(field) {
                    let _ = term.text();
                }
            }
        }
        assert!(records.get(records.len() as u64).is_none());
    } else {
        let Ok(records) = VoterRecords::from_bytes(bytes.to_vec()) else {
            return;
        };
        assert_eq!(records.to_bytes(), bytes, "voters.bin reads back as it was");
        for id in 0..records.len() as u64 {
            records.prefetch(id);
            let voter = records.get(id).expect("checked at load");
            let _ = voter.desk_lookup();
        }
        assert!(records.get(records.len() as u64).is_none());
    }
});
