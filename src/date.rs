//! A calendar date (proleptic Gregorian, no time of day, no zone): what a reduction's `from` and
//! `to` are, and the day a model is read for. Written and read as `YYYY-MM-DD`.
//!
//! The library never reads the clock for it: the command layer passes `--date` or today
//! ([`stamp_secs`] is the clock, for outputs that date themselves).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A day, counted from 1970-01-01. Ordered as the calendar is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

impl Date {
    /// The date of a year, month (1-12) and day (1-31), if it exists (2026-02-30 does not).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { days: days_from_civil(year, month, day) })
    }

    /// Parses `YYYY-MM-DD` (four-digit year, two-digit month and day); the error says what is
    /// wrong in words.
    pub fn parse(text: &str) -> std::result::Result<Date, String> {
        let form = || format!("{text:?} is not a date; write it as YYYY-MM-DD, such as 2026-11-01");
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(form());
        }
        let digits = |s: &str| -> Option<u32> {
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let (Some(y), Some(m), Some(d)) = (digits(&text[0..4]), digits(&text[5..7]), digits(&text[8..10]))
        else {
            return Err(form());
        };
        Date::from_ymd(i64::from(y), m, d).ok_or_else(|| {
            if (1..=12).contains(&m) {
                format!(
                    "{text:?} is not a date: month {m} of {y} has {} days",
                    days_in_month(i64::from(y), m)
                )
            } else {
                format!("{text:?} is not a date: there is no month {m}")
            }
        })
    }

    /// A day as [`Date::parse`] reads it, or a time on a day as exports write one (`2026-11-30
    /// 09:15`, `2026-11-30 09:15:00`, `2026-11-30T09:15:00`, with a fraction of a second, `Z`
    /// or an offset such as `+01:00`): the calendar date written, the time dropped and the
    /// offset not applied (the day the export says, not the day in another zone). Anything else
    /// is refused as [`Date::parse`] refuses it. For `waiting_since`, which case systems export
    /// as a time.
    pub fn parse_day_of(text: &str) -> std::result::Result<Date, String> {
        match text.get(..10).zip(text.get(10..)) {
            Some((day, time)) if is_time_of_day(time) => {
                Date::parse(day).map_err(|e| e.replacen(&format!("{day:?}"), &format!("{text:?}"), 1))
            }
            _ => Date::parse(text),
        }
    }

    /// The day (UTC) of a Unix time in seconds.
    pub fn from_unix_secs(secs: i64) -> Date {
        Date { days: secs.div_euclid(86_400) }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        self.days
    }

    /// (year, month 1-12, day 1-31).
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Now, as Unix seconds: `SOURCE_DATE_EPOCH` when it is set (reproducible outputs), else the
/// clock. The one reading of it, for outputs that date themselves (report, workbook) and for the
/// command layer's today.
pub fn stamp_secs() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    })
}

/// The last second of the year 9999, the latest time a date here can name.
pub const MAX_UNIX_SECS: i64 = 253_402_300_799;

/// Checks `SOURCE_DATE_EPOCH` when it is set: whole seconds since 1970-01-01, at most the end
/// of the year 9999. Anything else is refused (rather than silently replaced by the clock, or
/// leaving outputs without a date).
pub fn check_source_date_epoch() -> crate::error::Result<()> {
    let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") else { return Ok(()) };
    match v.trim().parse::<i64>() {
        Ok(s) if (0..=MAX_UNIX_SECS).contains(&s) => Ok(()),
        _ => Err(crate::error::Error::Usage(format!(
            "SOURCE_DATE_EPOCH is {v:?}; it must be whole seconds since 1970-01-01, from 0 to {MAX_UNIX_SECS} (the end of 9999)"
        ))),
    }
}

/// Whether `t` is the time part of a time stamp after its day: `T` or a space, `HH:MM`, then
/// optionally `:SS` (and a fraction `.123`), then optionally `Z` or an offset `+HH:MM`.
fn is_time_of_day(t: &str) -> bool {
    let Some(rest) = t.strip_prefix(['T', ' ']) else { return false };
    let b = rest.as_bytes();
    let two = |i: usize, max: u32| {
        b.get(i..i + 2)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .is_some_and(|d| u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0') <= max)
    };
    if !(two(0, 23) && b.get(2) == Some(&b':') && two(3, 59)) {
        return false;
    }
    let mut i = 5;
    if b.get(i) == Some(&b':') {
        // 60: a leap second.
        if !two(i + 1, 60) {
            return false;
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            i += 1 + n;
        }
    }
    match &b[i..] {
        [] | [b'Z'] => true,
        [b'+' | b'-', ..] => b.len() == i + 6 && two(i + 1, 23) && b[i + 3] == b':' && two(i + 4, 59),
        _ => false,
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Howard Hinnant's days-from-civil: days since 1970-01-01 of a valid date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's civil-from-days, the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_their_day_number_for_four_centuries() {
        let start = Date::parse("1900-01-01").unwrap().days();
        let mut last: Option<Date> = None;
        for days in start..start + 146_097 {
            let d = Date { days };
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            assert_eq!(Date::parse(&d.to_string()), Ok(d));
            assert!(last.is_none_or(|l| l < d));
            last = Some(d);
        }
    }

    #[test]
    fn the_unix_epoch_and_a_known_day_have_their_numbers() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(Date::from_unix_secs(1_796_083_200).to_string(), "2026-12-01");
        assert_eq!(Date::from_unix_secs(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn impossible_days_and_wrong_forms_are_refused_in_words() {
        assert!(Date::parse("2026-02-30").unwrap_err().contains("has 28 days"));
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2100-02-29").is_err());
        assert!(Date::parse("2026-13-01").unwrap_err().contains("no month 13"));
        for bad in
            ["2026-1-01", "01/11/2026", "2026-11-01T00:00", "", "2026-00-10", "+026-11-01", "2026-11-00"]
        {
            assert!(Date::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_time_stamp_is_read_as_the_day_it_is_written_on() {
        let day = Date::parse("2026-11-30").unwrap();
        for stamp in [
            "2026-11-30",
            "2026-11-30 09:15",
            "2026-11-30 09:15:00",
            "2026-11-30T09:15:00",
            "2026-11-30T09:15:00Z",
            "2026-11-30T23:59:59.999",
            "2026-11-30T23:59:60",
            "2026-11-30T00:30:00+01:00",
            "2026-11-30 23:30-05:00",
        ] {
            assert_eq!(Date::parse_day_of(stamp), Ok(day), "{stamp:?}");
        }
        for bad in [
            "2026-11-30T",
            "2026-11-30 9:15",
            "2026-11-30 24:00",
            "2026-11-30 09:60",
            "2026-11-30T09:15:61",
            "2026-11-30T09:15:00.",
            "2026-11-30T09:15:00ZZ",
            "2026-11-30T09:15+1",
            "2026-11-30T09:15+01:00x",
            "2026-11-30x09:15",
            "2026-11-30 garbage",
            "30/11/2026 09:15",
            "2026-11-3009:15",
            "09:15",
            "2026-11-30\u{e9}09:15",
        ] {
            let e = Date::parse_day_of(bad).unwrap_err();
            assert_eq!(e, Date::parse(bad).unwrap_err(), "{bad:?}: the same words as a day");
        }
        // A day that does not exist is named with the whole stamp.
        let e = Date::parse_day_of("2026-02-30 09:15").unwrap_err();
        assert_eq!(e, "\"2026-02-30 09:15\" is not a date: month 2 of 2026 has 28 days");
    }
}
