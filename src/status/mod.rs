//! The service's own account of its day, for the people running it: the
//! last 24 hours minute by minute ([`history`]), served as `GET
//! /v1/status?window=…` ([`document`]), and the `voter-lookup weather`
//! command that turns it into a traffic-light report ([`weather`]).
//!
//! The history is fed where the metrics are: every name search, whichever
//! door and however it ended, by [`crate::metrics::RequestMetrics::observe`];
//! the searches that found nobody with confidence and those admitted in
//! degraded mode by the privacy gate, which both doors call; refused
//! reloads by the reloader; memory and the index version by the server's
//! upkeep task every few seconds. It sits below the doors and imports
//! none of them.

pub mod document;
pub mod history;
pub mod memory;
pub mod weather;

pub use document::{StatusDocument, build, parse_window, sample};
