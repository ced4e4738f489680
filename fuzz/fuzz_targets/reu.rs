//! A roll export or a stations file as an operator might be handed it:
//! any bytes, read by the streaming REU reader (every encoding setting) or
//! the stations reader; every good row then goes through the per-voter
//! records the builder writes, which must read back whole. Input: one byte
//! of settings, then the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voter_core::model::Voter;
use voter_core::name_records::{NameRecords, NameRecordsBuilder};
use voter_core::reu::{Encoding, ReaderOptions, RollReader};
use voter_core::stations::read_stations_from;
use voter_core::voter_records::{VoterRecords, VoterRecordsBuilder};

fuzz_target!(|data: &[u8]| {
    let Some((&settings, file)) = data.split_first() else {
        return;
    };
    if settings & 0x80 != 0 {
        let _ = read_stations_from("stations.csv", file);
        return;
    }
    let encoding = match settings % 3 {
        0 => Encoding::Auto,
        1 => Encoding::Utf8,
        _ => Encoding::Windows1252,
    };
    // Some tools name the file after the list and the commune: the reader
    // reads them from there when the columns are missing.
    let source = if settings & 0x40 != 0 {
        "LEA_PRINCIPALE_75056.csv"
    } else {
        "roll.csv"
    };
    let Ok(reader) = RollReader::from_reader(source, file, &ReaderOptions { encoding }) else {
        return;
    };
    let mut names = NameRecordsBuilder::default();
    let mut voters = VoterRecordsBuilder::default();
    let mut written = Vec::new();
    for item in reader {
        match item {
            Ok((line, row)) => {
                assert!(line >= 2, "the header is line 1");
                let voter = Voter::from_row(row);
                names.push(&voter);
                voters.push(&voter);
                written.push(voter);
            }
            Err(error) => {
                // Every message names its file.
                assert!(error.to_string().starts_with(source), "{error}");
            }
        }
    }
    let names = NameRecords::from_bytes(names.finish().to_bytes()).expect("names read back");
    let voters = VoterRecords::from_bytes(voters.finish().to_bytes()).expect("voters read back");
    assert_eq!(names.len(), written.len());
    assert_eq!(voters.len(), written.len());
    for (id, voter) in written.iter().enumerate() {
        let view = voters.get(id as u64).expect("a record per voter");
        assert_eq!(view.sex, voter.sex);
        assert_eq!(view.birth_date, voter.birth_date);
        assert!(names.get(id as u64).is_some());
    }
});
