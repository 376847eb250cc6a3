//! Instants, the contract's fixed-offset timezone, civil months and days.
//!
//! Instants are whole seconds since the Unix epoch (sub-second parts are
//! truncated: every rule works at second or minute precision). Months and days
//! are civil dates in the contract timezone, a fixed offset (§1: China has no
//! daylight saving, and the contract names an offset, not a region).

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Seconds since 1970-01-01T00:00:00Z.
pub type Instant = i64;

/// A fixed UTC offset, in seconds east of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tz {
    pub offset_secs: i32,
}

impl Tz {
    pub const CST: Tz = Tz {
        offset_secs: 8 * 3600,
    };

    /// Parses `+08:00`, `-05:30`, `Z` or `+00:00`: a sign, exactly two hour
    /// digits (00–23), a colon and exactly two minute digits (00–59).
    ///
    /// Each digit is checked as a byte, so `"+08:-5"` or `"+8:00"` cannot slip
    /// through a signed integer parse and become another offset.
    ///
    /// # Errors
    ///
    /// `None` for anything else, including hours above 23 and minutes above 59.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::Tz;
    /// assert_eq!(Tz::parse("+08:00"), Some(Tz::CST));
    /// assert_eq!(Tz::parse("-05:30").map(|t| t.offset_secs), Some(-19_800));
    /// assert_eq!(Tz::parse("+08:-5"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Tz> {
        if s == "Z" {
            return Some(Tz { offset_secs: 0 });
        }
        let &[sign, h1, h2, b':', m1, m2] = s.as_bytes() else {
            return None;
        };
        let sign = match sign {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digit = |c: u8| c.is_ascii_digit().then(|| i32::from(c - b'0'));
        let h = digit(h1)? * 10 + digit(h2)?;
        let m = digit(m1)? * 10 + digit(m2)?;
        if h > 23 || m > 59 {
            return None;
        }
        Some(Tz {
            offset_secs: sign * (h * 3600 + m * 60),
        })
    }

    /// `+08:00` form.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::Tz;
    /// assert_eq!(Tz { offset_secs: -19_800 }.label(), "-05:30");
    /// assert_eq!(Tz::CST.label(), "+08:00");
    /// ```
    pub fn label(self) -> String {
        let sign = if self.offset_secs < 0 { '-' } else { '+' };
        let a = self.offset_secs.abs();
        format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
    }

    /// The local civil date of an instant.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_date, parse_instant, Tz};
    /// // 16:00 UTC on 28 February is midnight of 1 March in +08:00.
    /// let t = parse_instant("2026-02-28T16:00:00Z").unwrap();
    /// assert_eq!(Tz::CST.date(t), parse_date("2026-03-01").unwrap());
    /// ```
    pub fn date(self, t: Instant) -> NaiveDate {
        let local = t + self.offset_secs as i64;
        let days = local.div_euclid(86_400);
        date_from_days(days)
    }

    /// Seconds into the local day of an instant.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_instant, Tz};
    /// // 09:57 local = 9 × 3,600 + 57 × 60 = 35,820 s.
    /// let t = parse_instant("2026-02-10T09:57:00+08:00").unwrap();
    /// assert_eq!(Tz::CST.second_of_day(t), 35_820);
    /// ```
    pub fn second_of_day(self, t: Instant) -> i64 {
        (t + self.offset_secs as i64).rem_euclid(86_400)
    }

    /// The instant a local date begins.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_date, parse_instant, Tz};
    /// let d = parse_date("2026-03-01").unwrap();
    /// assert_eq!(Tz::CST.day_start(d), parse_instant("2026-02-28T16:00:00Z").unwrap());
    /// ```
    pub fn day_start(self, d: NaiveDate) -> Instant {
        days_from_date(d) * 86_400 - self.offset_secs as i64
    }

    /// The instant a month begins.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_instant, Month, Tz};
    /// let m = Month::parse("2026-03").unwrap();
    /// assert_eq!(Tz::CST.month_start(m), parse_instant("2026-03-01T00:00:00+08:00").unwrap());
    /// ```
    pub fn month_start(self, m: Month) -> Instant {
        self.day_start(m.first_day())
    }

    /// RFC 3339 in this zone, whole seconds: `2026-02-10T09:57:00+08:00`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_instant, Tz};
    /// let t = parse_instant("2026-02-10T01:57:00Z").unwrap();
    /// assert_eq!(Tz::CST.format(t), "2026-02-10T09:57:00+08:00");
    /// ```
    pub fn format(self, t: Instant) -> String {
        let d = self.date(t);
        let s = self.second_of_day(t);
        format!(
            "{}T{:02}:{:02}:{:02}{}",
            ymd(d),
            s / 3600,
            (s % 3600) / 60,
            s % 60,
            self.label()
        )
    }

    /// `YYYYMMDDTHHMM` of an instant, the suffix of outage ids.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_instant, Tz};
    /// let t = parse_instant("2026-02-10T09:57:00+08:00").unwrap();
    /// assert_eq!(Tz::CST.compact_minute(t), "20260210T0957");
    /// ```
    pub fn compact_minute(self, t: Instant) -> String {
        let d = self.date(t);
        let s = self.second_of_day(t);
        format!(
            "{:04}{:02}{:02}T{:02}{:02}",
            d.year(),
            d.month(),
            d.day(),
            s / 3600,
            (s % 3600) / 60
        )
    }
}

/// An instant and the offset it is written in: a report's times are typed, not text,
/// and serialise as RFC 3339 in the contract timezone (`2026-02-10T09:57:00+08:00`),
/// the same JSON as before, so a reader never parses a report's instants again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stamp {
    /// The instant (ordering compares it first).
    pub at: Instant,
    pub tz: Tz,
}

impl Stamp {
    pub fn new(at: Instant, tz: Tz) -> Stamp {
        Stamp { at, tz }
    }

    /// Reads RFC 3339 text, keeping its offset (`Z` is `+00:00`).
    ///
    /// # Errors
    ///
    /// As [`parse_instant`], or when the offset is not `Z` or `±HH:MM`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{Stamp, Tz};
    /// let s = Stamp::parse("2026-02-10T09:57:00+08:00").unwrap();
    /// assert_eq!((s.at, s.tz), (1_770_688_620, Tz::CST));
    /// assert_eq!(s.to_string(), "2026-02-10T09:57:00+08:00");
    /// assert!(Stamp::parse("2026-02-10T09:57:00").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Stamp, String> {
        let at = parse_instant(s)?;
        let tz = if s.ends_with(['Z', 'z']) {
            Some(Tz { offset_secs: 0 })
        } else {
            s.get(s.len().saturating_sub(6)..).and_then(Tz::parse)
        };
        let tz = tz.ok_or_else(|| format!("\"{s}\" has no offset ±HH:MM or Z"))?;
        Ok(Stamp { at, tz })
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tz.format(self.at))
    }
}

/// A stamp equals its RFC 3339 text in its own offset.
impl PartialEq<&str> for Stamp {
    fn eq(&self, other: &&str) -> bool {
        Stamp::parse(other).is_ok_and(|s| s == *self)
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        let s = String::deserialize(d)?;
        Stamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

fn date_from_days(days: i64) -> NaiveDate {
    // Dates outside chrono's range cannot come from validated input, which is
    // bounded by `parse_instant`; fall back to the epoch rather than panic.
    i32::try_from(days + UNIX_EPOCH_DAYS_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

fn days_from_date(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64 - UNIX_EPOCH_DAYS_FROM_CE
}

/// The earliest and latest instants accepted (years 1000..=9999), so that every
/// later calculation stays inside chrono's and i64's range.
const MIN_INSTANT: Instant = -30_610_224_000; // 1000-01-01T00:00:00Z
const MAX_INSTANT: Instant = 253_402_300_799; // 9999-12-31T23:59:59Z

/// Parses an RFC 3339 instant with an offset. Fractions of a second are dropped.
///
/// # Errors
///
/// A message quoting `s` when it is not RFC 3339 with an offset, or falls outside the
/// years 1000 to 9999.
///
/// # Examples
///
/// ```
/// use sla_rules::time::parse_instant;
/// // 1970-01-01T08:00:00+08:00 is the epoch itself; the fraction is dropped.
/// assert_eq!(parse_instant("1970-01-01T08:00:00.9+08:00"), Ok(0));
/// assert!(parse_instant("2026-02-10T09:57:00").is_err(), "no offset");
/// ```
pub fn parse_instant(s: &str) -> Result<Instant, String> {
    let dt = DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("\"{s}\" is not an RFC 3339 instant with an offset ({e})"))?;
    let t = dt.timestamp();
    if !(MIN_INSTANT..=MAX_INSTANT).contains(&t) {
        return Err(format!("\"{s}\" is outside the years 1000 to 9999"));
    }
    Ok(t)
}

/// Parses `YYYY-MM-DD`.
///
/// # Errors
///
/// A message quoting `s` when it is not a real date in that exact form, years 1000–9999.
///
/// # Examples
///
/// ```
/// use sla_rules::time::parse_date;
/// assert!(parse_date("2024-02-29").is_ok());
/// assert!(parse_date("2026-02-29").is_err(), "2026 is not a leap year");
/// assert!(parse_date("2026-2-1").is_err());
/// ```
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    // A fixed layout read field by field: chrono's format-string parser would add tens of
    // kilobytes to the widget for the same check.
    let field = |r: std::ops::Range<usize>| digits(s.as_bytes().get(r)?);
    let b = s.as_bytes();
    let date = match (b.len(), b.get(4), b.get(7)) {
        (10, Some(b'-'), Some(b'-')) => field(0..4)
            .zip(field(5..7))
            .zip(field(8..10))
            .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y as i32, m, d)),
        _ => None,
    };
    date.filter(|d| d.year() >= 1000)
        .ok_or_else(|| format!("\"{s}\" is not a date YYYY-MM-DD"))
}

/// The value of a run of ASCII digits (`None` if any byte is not one).
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// A date as `YYYY-MM-DD`, the form every document and report uses.
///
/// # Examples
///
/// ```
/// use sla_rules::time::{parse_date, ymd};
/// assert_eq!(ymd(parse_date("2026-03-01").unwrap()), "2026-03-01");
/// ```
pub fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Parses a local time `HH:MM` into seconds after midnight (`24:00` allowed).
///
/// # Errors
///
/// A message quoting `s` when it is not a time `HH:MM`.
///
/// # Examples
///
/// ```
/// use sla_rules::time::parse_hhmm;
/// assert_eq!(parse_hhmm("09:00"), Ok(32_400));
/// assert_eq!(parse_hhmm("24:00"), Ok(86_400));
/// assert!(parse_hhmm("9h").is_err());
/// ```
pub fn parse_hhmm(s: &str) -> Result<i64, String> {
    if s == "24:00" {
        return Ok(86_400);
    }
    let b = s.as_bytes();
    let hm = match (b.len(), b.get(2)) {
        (5, Some(b':')) => digits(&b[0..2]).zip(digits(&b[3..5])),
        _ => None,
    };
    match hm {
        Some((h, m)) if h < 24 && m < 60 => Ok(i64::from(h * 3600 + m * 60)),
        _ => Err(format!("\"{s}\" is not a time HH:MM")),
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl Month {
    /// The month of a date.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::{parse_date, Month};
    /// assert_eq!(Month::of(parse_date("2026-02-28").unwrap()).label(), "2026-02");
    /// ```
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// Parses `YYYY-MM`.
    ///
    /// # Errors
    ///
    /// A message quoting `s` unless it is four year digits (1000 or later), a dash and a
    /// month 01–12.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::Month;
    /// assert_eq!(Month::parse("2026-02"), Ok(Month { year: 2026, month: 2 }));
    /// assert!(Month::parse("2026-13").is_err());
    /// assert!(Month::parse("2026-2").is_err());
    /// assert!(Month::parse("2026-+1").is_err(), "digits only, no sign");
    /// ```
    pub fn parse(s: &str) -> Result<Month, String> {
        let bad = || format!("\"{s}\" is not a month YYYY-MM");
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(bad());
        }
        // Digits only: `str::parse` would take "+1" for a month.
        let (year, month) = match (digits(&b[..4]), digits(&b[5..])) {
            (Some(y), Some(m)) => (y as i32, m),
            _ => return Err(bad()),
        };
        if !(1..=12).contains(&month) || year < 1000 {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    /// A month index that orders and subtracts: `year × 12 + month − 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::Month;
    /// let m = Month::parse("2026-01").unwrap();
    /// assert_eq!(m.index(), 2026 * 12);
    /// assert_eq!(Month::from_index(m.index() - 1).label(), "2025-12");
    /// ```
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + self.month as i64 - 1
    }

    /// The month of an [`index`](Month::index).
    pub fn from_index(i: i64) -> Month {
        Month {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    /// The following month (December → January of the next year).
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::Month;
    /// assert_eq!(Month::parse("2025-12").unwrap().next().label(), "2026-01");
    /// ```
    pub fn next(self) -> Month {
        Month::from_index(self.index() + 1)
    }

    /// The month's first date.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// The number of days in the month.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::time::Month;
    /// assert_eq!(Month::parse("2024-02").unwrap().days(), 29);
    /// assert_eq!(Month::parse("2026-04").unwrap().days(), 30);
    /// ```
    pub fn days(self) -> i64 {
        let next = self.next().first_day();
        (next - self.first_day()).num_days()
    }

    /// `YYYY-MM`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A month equals its `YYYY-MM` text (claims name periods as text).
impl PartialEq<str> for Month {
    fn eq(&self, other: &str) -> bool {
        Month::parse(other).is_ok_and(|m| m == *self)
    }
}

impl PartialEq<&str> for Month {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for Month {
    fn eq(&self, other: &String) -> bool {
        *self == *other.as_str()
    }
}

/// A month is `"YYYY-MM"` in JSON.
impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let s = String::deserialize(d)?;
        Month::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `date + n` calendar months; a day that does not exist in the target month
/// becomes that month's last day (31 January + 1 month = 28 or 29 February).
///
/// # Errors
///
/// `None` when `n` exceeds `u32` or the result leaves chrono's range.
///
/// # Examples
///
/// ```
/// use sla_rules::time::{add_months, parse_date};
/// let d = parse_date("2026-01-31").unwrap();
/// assert_eq!(add_months(d, 1), Some(parse_date("2026-02-28").unwrap()));
/// assert_eq!(add_months(d, u64::MAX), None);
/// ```
pub fn add_months(date: NaiveDate, n: u64) -> Option<NaiveDate> {
    let n = u32::try_from(n).ok()?;
    date.checked_add_months(Months::new(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_lengths_are_civil() {
        // 2026 is not a leap year, 2024 is: 28 and 29 days; April 30; March 31.
        assert_eq!(Month::parse("2026-02").unwrap().days(), 28);
        assert_eq!(Month::parse("2024-02").unwrap().days(), 29);
        assert_eq!(Month::parse("2026-04").unwrap().days(), 30);
        assert_eq!(Month::parse("2026-03").unwrap().days(), 31);
    }

    #[test]
    fn thirty_first_of_january_plus_one_month_is_the_last_of_february() {
        let d = parse_date("2026-01-31").unwrap();
        assert_eq!(add_months(d, 1).unwrap(), parse_date("2026-02-28").unwrap());
        let leap = parse_date("2024-01-31").unwrap();
        assert_eq!(
            add_months(leap, 1).unwrap(),
            parse_date("2024-02-29").unwrap()
        );
        // 2027-01-14 + 2 months = 2027-03-14 (worked example).
        assert_eq!(
            add_months(parse_date("2027-01-14").unwrap(), 2).unwrap(),
            parse_date("2027-03-14").unwrap()
        );
    }

    #[test]
    fn local_dates_follow_the_offset() {
        // 2026-02-28T16:00:00Z is 2026-03-01 00:00 in +08:00.
        let t = parse_instant("2026-02-28T16:00:00Z").unwrap();
        assert_eq!(Tz::CST.date(t), parse_date("2026-03-01").unwrap());
        assert_eq!(Tz::CST.format(t), "2026-03-01T00:00:00+08:00");
        assert_eq!(Tz::CST.compact_minute(t), "20260301T0000");
    }

    #[test]
    fn offsets_parse_and_print() {
        assert_eq!(Tz::parse("+08:00"), Some(Tz::CST));
        assert_eq!(Tz::parse("-05:30").unwrap().label(), "-05:30");
        assert_eq!(Tz::parse("Z").unwrap().label(), "+00:00");
        assert_eq!(Tz::parse("8:00"), None);
        assert_eq!(Tz::parse("+24:00"), None);
    }

    #[test]
    fn malformed_offsets_are_refused_not_reinterpreted() {
        // "+08:-5" once parsed as 8 h + (−5) min = +07:55.
        assert_eq!(Tz::parse("+08:-5"), None);
        assert_eq!(Tz::parse("+8:00"), None, "one hour digit");
        assert_eq!(Tz::parse("+08:60"), None, "minutes above 59");
        assert_eq!(Tz::parse("+24:00"), None, "hours above 23");
        assert_eq!(Tz::parse("+0+:00"), None);
        assert_eq!(Tz::parse("+08:+5"), None);
        assert_eq!(Tz::parse("+08:5 "), None);
        // The edges that are valid: +23:59 = 86,340 s, −00:01 = −60 s.
        assert_eq!(Tz::parse("+23:59").map(|t| t.offset_secs), Some(86_340));
        assert_eq!(Tz::parse("-00:01").map(|t| t.offset_secs), Some(-60));
    }

    #[test]
    fn dates_and_times_are_read_in_their_exact_layout() {
        for ok in ["2024-02-29", "1000-01-01", "9999-12-31"] {
            assert_eq!(ymd(parse_date(ok).unwrap()), ok);
        }
        for bad in [
            "2026-02-29", // not a leap year
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "0999-12-31", // before year 1000
            "2026-1-01",
            "2026/01/01",
            "2026-01-0a",
            "+026-01-01",
            " 2026-01-01",
            "2026-01-01T",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_hhmm("00:00"), Ok(0));
        assert_eq!(parse_hhmm("23:59"), Ok(86_340));
        assert_eq!(parse_hhmm("24:00"), Ok(86_400));
        for bad in [
            "24:01", "9:00", "09:60", "0900", "09:0a", "-1:00", "09:00:00",
        ] {
            assert!(parse_hhmm(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unparsable_instants_are_errors() {
        assert!(parse_instant("2026-02-10 09:57").is_err());
        assert!(
            parse_instant("2026-02-10T09:57:00").is_err(),
            "an offset is required"
        );
        assert!(parse_instant("0001-01-01T00:00:00Z").is_err());
    }
}
