//! The JSON result of a run (`--json OUT.json`), for dashboards and for
//! comparing rehearsals.
//!
//! Top level (rates are over the planned duration, latencies in
//! milliseconds):
//!
//! | field | meaning |
//! |---|---|
//! | `tool` | `loadtest` and its version |
//! | `started_at` | RFC 3339 time the run started |
//! | `target`, `protocol` | the server and the door (`http`, `grpc`) |
//! | `profile`, `arrivals` | `constant`, `election-morning` or the profile file; `uniform` or `poisson` |
//! | `traffic` | where the queries came from (generated roll, roll file, fixed query or path) |
//! | `duration_s`, `peak_rps` | planned length and highest planned rate |
//! | `max_in_flight`, `timeout_ms` | the bound on outstanding requests, each request's deadline |
//! | `elapsed_s` | from the start to the last answer |
//! | `offered` | requests the schedule called for |
//! | `offered_rps` | `offered / duration_s` |
//! | `achieved_rps` | requests sent and finished (any outcome) per second |
//! | `goodput_rps` | requests answered usefully (`ok` + `degraded`) per second |
//! | `counts` | `{ok, degraded, shed, rate_limited, error, not_sent}`: every offered request is in exactly one |
//! | `latency_ms` | `{p50, p90, p99, p999, max, mean, samples}` from each request's *intended* send time (coordinated omission corrected), over every finished request whatever its outcome |
//! | `service_time_ms` | the same from the actual send (what a closed-loop tool reports) |
//! | `errors` | error counts by cause: `http 500`, `index not ready`, `grpc Internal`, `transport`, `timeout (harness deadline)`, `unfinished at the end of the run` |
//! | `schedule` | `{fell_behind, late, late_after_ms, not_sent, slot_waits, lag_ms}`: whether the harness kept to its schedule; `fell_behind` is true when requests were never sent or more than 1% went out more than `late_after_ms` late; `slot_waits` counts the times the `max_in_flight` bound was hit; `lag_ms` how late requests went out |
//! | `classes` | per class name: `{weight, share, mix, dates, api_keys, offered, offered_rps, achieved_rps, goodput_rps, counts, latency_ms}` (`api_keys` counts the keys the class sent in turn; the keys themselves are never written) |
//! | `slo` | `null` without `--slo`; else `{pass, objectives: [{objective, limit, actual, pass}]}` |
//! | `timeline` | one entry per second from the start (see below) |
//!
//! A `timeline` entry: `second`, `planned_rps` (the plan's rate mid-second),
//! `offered` (requests scheduled in that second), `achieved` (requests that
//! *finished* in that second), the outcome counts `ok`, `degraded`, `shed`,
//! `rate_limited`, `error`, `not_sent` and `late` of the requests
//! *scheduled* in that second, and their `latency_ms` (`null` when none
//! finished). Seconds after the planned end hold the answers that came in
//! late.

use std::path::Path;

use super::Report;

/// The report as pretty-printed JSON.
pub fn to_string(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report always serialises")
}

/// Writes the report to `path`.
pub fn write(report: &Report, path: &Path) -> std::io::Result<()> {
    std::fs::write(path, to_string(report) + "\n")
}
