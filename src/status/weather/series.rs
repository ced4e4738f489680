//! The window's minutes laid out for a chart: one column per minute, or
//! per few minutes when the window is wider than the chart, over the
//! whole window (minutes before the server started have no data).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::status::document::{MinuteStatus, StatusDocument};

/// What one column shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Column {
    /// Lookups that ended.
    pub lookups: u64,
    /// Answered with someone found.
    pub found: u64,
    /// Answered, nobody found with confidence.
    pub not_found: u64,
    /// Refused for load.
    pub shed: u64,
    /// Failed: on the server's side or the caller's.
    pub errors: u64,
    /// The highest median of its minutes, in ms.
    pub p50_ms: Option<f64>,
    /// The highest 99th percentile of its minutes, in ms.
    pub p99_ms: Option<f64>,
    /// The highest resident memory of its minutes.
    pub resident_bytes: Option<u64>,
}

/// The window as columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Minutes per column.
    pub minutes_per_column: u32,
    /// Each column, oldest first; `None` where no minute has data (before
    /// the server started).
    pub columns: Vec<Option<Column>>,
    /// The window's first minute, since the epoch.
    pub first_minute: u64,
    /// `HH:MM` (UTC) of the window's start.
    pub from: String,
    /// `HH:MM` (UTC) of the window's end.
    pub to: String,
}

fn epoch_minute(rfc3339: &str) -> Option<u64> {
    let time: SystemTime = humantime::parse_rfc3339_weak(rfc3339).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs() / 60)
}

/// `status`'s window in at most `max_columns` columns.
pub fn columns(status: &StatusDocument, max_columns: usize) -> Series {
    let minutes = status.window.minutes.max(1);
    let max_columns = max_columns.max(1) as u32;
    let per_column = minutes.div_ceil(max_columns);
    let count = minutes.div_ceil(per_column) as usize;
    let mut columns: Vec<Option<Column>> = vec![None; count];
    let from = epoch_minute(&status.window.from).unwrap_or(0);
    for minute in &status.minutes {
        let Some(at) = epoch_minute(&minute.at) else {
            continue;
        };
        let Some(offset) = at.checked_sub(from) else {
            continue;
        };
        let Some(column) = columns.get_mut((offset / u64::from(per_column)) as usize) else {
            continue;
        };
        add(column.get_or_insert_with(Column::default), minute);
    }
    Series {
        minutes_per_column: per_column,
        columns,
        first_minute: from,
        from: super::units::clock(&status.window.from),
        to: super::units::clock(&status.window.to),
    }
}

fn add(column: &mut Column, minute: &MinuteStatus) {
    let tally = &minute.tally;
    column.lookups += tally.lookups;
    column.found += tally.found;
    column.not_found += tally.not_found;
    column.shed += tally.shed;
    column.errors += tally.server_errors + tally.client_errors;
    let highest = |seen: Option<f64>, value: Option<f64>| match (seen, value) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    column.p50_ms = highest(column.p50_ms, tally.latency_ms.map(|l| l.p50));
    column.p99_ms = highest(column.p99_ms, tally.latency_ms.map(|l| l.p99));
    column.resident_bytes = column.resident_bytes.max(minute.resident_bytes);
}

impl Series {
    /// The highest value of `value` over the columns with data.
    pub fn highest<T: PartialOrd + Copy>(&self, value: impl Fn(&Column) -> Option<T>) -> Option<T> {
        self.columns
            .iter()
            .flatten()
            .filter_map(value)
            .fold(None, |best, v| match best {
                Some(b) if b >= v => Some(b),
                _ => Some(v),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::document::Tally;

    fn minute(at: &str, lookups: u64) -> MinuteStatus {
        MinuteStatus {
            at: at.into(),
            tally: Tally {
                lookups,
                found: lookups,
                not_found: 0,
                shed: 0,
                server_errors: 0,
                client_errors: 0,
                degraded: 0,
                reload_refusals: 0,
                errors: Default::default(),
                latency_ms: None,
            },
            resident_bytes: Some(lookups),
            index_version: None,
        }
    }

    fn status(minutes: u32, from: &str, data: Vec<MinuteStatus>) -> StatusDocument {
        let mut status: StatusDocument = serde_json::from_value(serde_json::json!({
            "server": {"version": "0", "now": "2026-12-06T10:00:00Z", "started_at": "2026-12-06T08:00:00Z",
                       "uptime_seconds": 0, "ready": true, "accepting": true},
            "index": {"loaded": false, "version": null, "built_at": null, "age_seconds": null, "voters": null,
                      "loaded_at": null, "fallback": null, "pinned": null, "last_reload": null},
            "memory": {"resident_bytes": null, "limit_bytes": null, "limit_source": null},
            "window": {"minutes": minutes, "from": from, "to": "2026-12-06T10:00:00Z"},
            "totals": {"lookups": 0, "found": 0, "not_found": 0, "shed": 0, "server_errors": 0,
                       "client_errors": 0, "degraded": 0, "reload_refusals": 0, "errors": {},
                       "latency_ms": null, "resident_bytes_max": null, "index_versions": []},
            "minutes": [],
        }))
        .unwrap();
        status.minutes = data;
        status
    }

    #[test]
    fn each_minute_lands_in_its_column_and_minutes_before_the_start_have_none() {
        let status = status(
            4,
            "2026-12-06T09:57:00Z",
            vec![
                minute("2026-12-06T09:59:00Z", 5),
                minute("2026-12-06T10:00:00Z", 7),
            ],
        );
        let series = columns(&status, 60);
        assert_eq!(series.minutes_per_column, 1);
        let lookups: Vec<Option<u64>> = series
            .columns
            .iter()
            .map(|c| c.map(|c| c.lookups))
            .collect();
        assert_eq!(lookups, [None, None, Some(5), Some(7)]);
        assert_eq!(
            (series.from.as_str(), series.to.as_str()),
            ("09:57", "10:00")
        );
        assert_eq!(series.highest(|c| Some(c.lookups)), Some(7));
    }

    #[test]
    fn a_wide_window_groups_minutes_into_columns() {
        let status = status(
            240,
            "2026-12-06T06:01:00Z",
            vec![
                minute("2026-12-06T06:01:00Z", 1),
                minute("2026-12-06T06:04:00Z", 2),
                minute("2026-12-06T06:05:00Z", 4),
                minute("2026-12-06T10:00:00Z", 8),
            ],
        );
        let series = columns(&status, 60);
        assert_eq!(series.minutes_per_column, 4);
        assert_eq!(series.columns.len(), 60);
        assert_eq!(series.columns[0].unwrap().lookups, 3);
        assert_eq!(series.columns[0].unwrap().resident_bytes, Some(2));
        assert_eq!(series.columns[1].unwrap().lookups, 4);
        assert!(series.columns[2].is_none());
        assert_eq!(series.columns[59].unwrap().lookups, 8);
    }
}
