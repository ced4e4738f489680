//! `names.bin` and `voters.bin` as a damaged or forged artifact could hold
//! them (their checksums are checked first, but the decoders must not rely
//! on it): what reads back must serialise to the same bytes, and every
//! record must decode. Input: one byte choosing the file, then its bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voter_core::name_records::NameRecords;
use voter_core::schema::NameField;
use voter_core::voter_records::VoterRecords;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    if which & 1 == 0 {
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
