//! voter-core: the library that the index builder, the server and its demo share.
//!
//! - [`reu`] reads the REU roll export (and [`stations`] the polling-stations file);
//! - [`normalise`] and [`phonetic`] turn names into search terms, and
//!   [`name_records`] keeps each voter's analysed names for ranking;
//!   [`voter_records`] keeps what a result shows of each voter;
//! - [`schema`] defines the tantivy index, [`build`] fills it from roll rows, and
//!   [`artifact`] writes and verifies the versioned, checksummed artifact,
//!   whose manifest [`signing`] signs and verifies with Ed25519 keys;
//! - [`pipeline`] runs the whole build, roll file to artifact directory;
//! - [`generator`] writes realistic synthetic rolls, so that no real personal
//!   data ever enters tests, benches or demos.
#![warn(missing_docs)]

pub mod artifact;
pub mod build;
pub mod commune;
pub mod deletions;
pub mod distance;
pub mod generator;
pub mod model;
pub mod name_records;
pub mod normalise;
pub mod phonetic;
pub mod pipeline;
pub mod publish;
pub mod queries;
pub mod record_table;
pub mod reu;
pub mod schema;
pub mod signing;
pub mod stations;
pub mod units;
pub mod voter_records;
