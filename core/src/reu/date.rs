//! Birth dates as the roll writes them.
//!
//! `dd/mm/yyyy` is the rule; `00` stands for an unknown day or month
//! (`00/00/1953`, `00/07/1953`) and some exports give a bare year (`1961`).
//! Whatever is known is kept; a date that cannot exist is refused, so that the
//! row is reported instead of indexed with a wrong date.

use crate::model::BirthDate;

/// Parses a birth date field (already trimmed). Empty means unknown. The error
/// says what is wrong, for the bad-row report.
pub(crate) fn parse_birth_date(text: &str) -> Result<BirthDate, &'static str> {
    if text.is_empty() {
        return Ok(BirthDate::Unknown);
    }
    if let Some(year) = parse_digits(text, 4, 4) {
        return Ok(match year {
            0 => BirthDate::Unknown,
            year => BirthDate::Year(year),
        });
    }
    let mut parts = text.split('/');
    let (Some(day), Some(month), Some(year), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("expected dd/mm/yyyy or a year");
    };
    let (Some(day), Some(month), Some(year)) = (
        parse_digits(day, 1, 2),
        parse_digits(month, 1, 2),
        parse_digits(year, 4, 4),
    ) else {
        return Err("expected dd/mm/yyyy or a year");
    };
    if month > 12 {
        return Err("month out of range");
    }
    if day > 31 {
        return Err("day out of range");
    }
    match (year, month, day) {
        (0, 0, 0) => Ok(BirthDate::Unknown),
        (0, _, _) => Err("year 0000 with a known day or month"),
        // A day without its month says nothing more than the year.
        (year, 0, _) => Ok(BirthDate::Year(year)),
        (year, month, 0) => Ok(BirthDate::YearMonth {
            year,
            month: month as u8,
        }),
        (year, month, day) if day > days_in_month(year, month) => Err("no such day in that month"),
        (year, month, day) => Ok(BirthDate::Full {
            year,
            month: month as u8,
            day: day as u8,
        }),
    }
}

/// Parses `min..=max` ASCII digits.
fn parse_digits(text: &str, min: usize, max: usize) -> Option<u16> {
    if text.len() < min || text.len() > max || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: u16, month: u16) -> u16 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<BirthDate, &str>) {
        assert_eq!(parse_birth_date(text), expected, "{text:?}");
    }

    fn full(year: u16, month: u8, day: u8) -> Result<BirthDate, &'static str> {
        Ok(BirthDate::Full { year, month, day })
    }

    #[test]
    fn dates_keep_what_is_known() {
        check("14/03/1962", full(1962, 3, 14));
        check("1/3/1962", full(1962, 3, 1));
        check("29/02/2000", full(2000, 2, 29));
        check("29/02/1996", full(1996, 2, 29));
        check("31/12/1999", full(1999, 12, 31));
        check("00/00/1953", Ok(BirthDate::Year(1953)));
        check(
            "00/07/1953",
            Ok(BirthDate::YearMonth {
                year: 1953,
                month: 7,
            }),
        );
        check("12/00/1953", Ok(BirthDate::Year(1953)));
        check("1961", Ok(BirthDate::Year(1961)));
        check("", Ok(BirthDate::Unknown));
        check("00/00/0000", Ok(BirthDate::Unknown));
        check("0000", Ok(BirthDate::Unknown));
    }

    #[test]
    fn impossible_or_garbled_dates_are_refused() {
        check("31/02/1990", Err("no such day in that month"));
        check("29/02/1900", Err("no such day in that month"));
        check("31/04/1990", Err("no such day in that month"));
        check("32/01/1990", Err("day out of range"));
        check("01/13/1990", Err("month out of range"));
        check("12/03/0000", Err("year 0000 with a known day or month"));
        for garbage in [
            "abc",
            "1990-03-12",
            "12/03/90",
            "12/03",
            "12/03/1990/1",
            "196",
            "+1961",
            "12/ 3/1990",
        ] {
            check(garbage, Err("expected dd/mm/yyyy or a year"));
        }
    }
}
