//! The business calendar (§3.1 "5×9"): which local dates are open, and the
//! business seconds between two instants.
//!
//! Mon–Fri 09:00–18:00 in the calendar's timezone, minus public holidays, plus
//! the weekend dates that are official working days (调休). The calendar is data:
//! `data/cn-mainland-2024-2026.json` is the default, and a policy may carry its own.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::error::InputError;
use crate::time::{parse_date, parse_hhmm, Instant, Tz};

/// The schema tag of a calendar document.
pub const CALENDAR_SCHEMA: &str = "sla-portal/calendar/v1";

/// The default calendar: mainland China's holidays and make-up working days for 2024–2026.
pub const DEFAULT_CALENDAR_JSON: &str = include_str!("../data/cn-mainland-2024-2026.json");

#[derive(Debug, Clone, Deserialize)]
pub struct CalendarDoc {
    pub schema: Option<String>,
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub weekdays: Vec<u8>,
    pub open: String,
    pub close: String,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub workdays: Vec<String>,
}

/// A validated business calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub name: String,
    pub tz: Tz,
    /// Index 1 = Monday … 7 = Sunday.
    weekdays: [bool; 8],
    /// Seconds after local midnight.
    pub open: i64,
    pub close: i64,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    /// The years the holiday lists cover; dates outside are plain weekdays and warn.
    years: Option<(i32, i32)>,
}

impl Calendar {
    /// The built-in default calendar.
    pub fn default_cn() -> Calendar {
        // The embedded file is tested; a failure here would be a build defect.
        parse_calendar(DEFAULT_CALENDAR_JSON.as_bytes(), "default calendar")
            .unwrap_or_else(|_| Calendar::plain(Tz::CST))
    }

    /// Mon–Fri 09:00–18:00 with no holidays.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::calendar::Calendar;
    /// use sla_rules::time::{parse_date, Tz};
    /// let c = Calendar::plain(Tz::CST);
    /// // 2026-10-01 is a Thursday: open in the plain calendar, a holiday in the default one.
    /// assert!(c.is_open_day(parse_date("2026-10-01").unwrap()));
    /// assert!(!Calendar::default_cn().is_open_day(parse_date("2026-10-01").unwrap()));
    /// ```
    pub fn plain(tz: Tz) -> Calendar {
        let mut weekdays = [false; 8];
        weekdays[1..=5].iter_mut().for_each(|d| *d = true);
        Calendar {
            name: "plain".into(),
            tz,
            weekdays,
            open: 9 * 3600,
            close: 18 * 3600,
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
            years: None,
        }
    }

    /// Validates a calendar document; `at` is the JSON path prefix for errors.
    pub fn from_doc(doc: &CalendarDoc, file: &str, at: &str) -> Result<Calendar, InputError> {
        let p = |field: &str| {
            if at.is_empty() {
                field.to_string()
            } else {
                format!("{at}.{field}")
            }
        };
        if let Some(s) = &doc.schema {
            if s != CALENDAR_SCHEMA {
                return Err(InputError::new(
                    file,
                    p("schema"),
                    format!("unknown schema \"{s}\""),
                ));
            }
        }
        let tz = match &doc.timezone {
            None => Tz::CST,
            Some(s) => Tz::parse(s).ok_or_else(|| {
                InputError::new(
                    file,
                    p("timezone"),
                    format!("\"{s}\" is not an offset like +08:00"),
                )
            })?,
        };
        let mut weekdays = [false; 8];
        for (i, &d) in doc.weekdays.iter().enumerate() {
            if !(1..=7).contains(&d) {
                return Err(InputError::new(
                    file,
                    format!("{}[{i}]", p("weekdays")),
                    format!("{d} is not a weekday (1 = Monday … 7 = Sunday)"),
                ));
            }
            weekdays[d as usize] = true;
        }
        let open = parse_hhmm(&doc.open).map_err(|m| InputError::new(file, p("open"), m))?;
        let close = parse_hhmm(&doc.close).map_err(|m| InputError::new(file, p("close"), m))?;
        if close <= open {
            return Err(InputError::new(file, p("close"), "closes before it opens"));
        }
        let dates = |list: &[String], field: &str| -> Result<BTreeSet<NaiveDate>, InputError> {
            list.iter()
                .enumerate()
                .map(|(i, s)| {
                    parse_date(s)
                        .map_err(|m| InputError::new(file, format!("{}[{i}]", p(field)), m))
                })
                .collect()
        };
        let holidays = dates(&doc.holidays, "holidays")?;
        let workdays = dates(&doc.workdays, "workdays")?;
        let years = holidays
            .iter()
            .chain(workdays.iter())
            .map(|d| d.year())
            .fold(None, |acc: Option<(i32, i32)>, y| match acc {
                None => Some((y, y)),
                Some((a, b)) => Some((a.min(y), b.max(y))),
            });
        Ok(Calendar {
            name: doc.name.clone().unwrap_or_else(|| "custom".into()),
            tz,
            weekdays,
            open,
            close,
            holidays,
            workdays,
            years,
        })
    }

    /// Whether the calendar's holiday lists cover this date's year.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::calendar::Calendar;
    /// use sla_rules::time::parse_date;
    /// let c = Calendar::default_cn();
    /// assert!(c.covers(parse_date("2026-06-01").unwrap()));
    /// assert!(!c.covers(parse_date("2027-06-01").unwrap()), "the built-in lists end in 2026");
    /// ```
    pub fn covers(&self, d: NaiveDate) -> bool {
        match self.years {
            Some((a, b)) => (a..=b).contains(&d.year()),
            None => true,
        }
    }

    /// Whether a local date is a working day.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::calendar::Calendar;
    /// use sla_rules::time::parse_date;
    /// let c = Calendar::default_cn();
    /// // National Day is a holiday; Sunday 2026-09-20 is a make-up working day (调休).
    /// assert!(!c.is_open_day(parse_date("2026-10-01").unwrap()));
    /// assert!(c.is_open_day(parse_date("2026-09-20").unwrap()));
    /// ```
    pub fn is_open_day(&self, d: NaiveDate) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        if self.workdays.contains(&d) {
            return true;
        }
        self.weekdays[d.weekday().number_from_monday() as usize]
    }

    /// Whether the business line is open at an instant.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::calendar::Calendar;
    /// use sla_rules::time::{parse_instant, Tz};
    /// let c = Calendar::plain(Tz::CST);
    /// // Tuesday: open from 09:00 up to (not including) 18:00.
    /// assert!(c.is_open_at(parse_instant("2026-02-10T09:00:00+08:00").unwrap()));
    /// assert!(!c.is_open_at(parse_instant("2026-02-10T18:00:00+08:00").unwrap()));
    /// ```
    pub fn is_open_at(&self, t: Instant) -> bool {
        let s = self.tz.second_of_day(t);
        self.is_open_day(self.tz.date(t)) && s >= self.open && s < self.close
    }

    /// The business-hours intervals inside `[a, b)`, in order: what a
    /// business-hours clock counts, so a view can draw the closed gaps between them.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::calendar::Calendar;
    /// use sla_rules::time::{parse_instant, Tz};
    /// let t = |s: &str| parse_instant(s).unwrap();
    /// let c = Calendar::plain(Tz::CST);
    /// // Friday 17:00 to Monday 10:00: Friday's last hour and Monday's first.
    /// assert_eq!(
    ///     c.open_intervals(t("2026-02-13T17:00:00+08:00"), t("2026-02-16T10:00:00+08:00")),
    ///     [(t("2026-02-13T17:00:00+08:00"), t("2026-02-13T18:00:00+08:00")),
    ///      (t("2026-02-16T09:00:00+08:00"), t("2026-02-16T10:00:00+08:00"))],
    /// );
    /// ```
    pub fn open_intervals(&self, a: Instant, b: Instant) -> Vec<(Instant, Instant)> {
        let mut out = Vec::new();
        if b <= a {
            return out;
        }
        let mut day = self.tz.date(a);
        let last = self.tz.date(b - 1);
        while day <= last {
            if self.is_open_day(day) {
                let d0 = self.tz.day_start(day);
                let (s, e) = (a.max(d0 + self.open), b.min(d0 + self.close));
                if e > s {
                    out.push((s, e));
                }
            }
            match day.succ_opt() {
                Some(n) => day = n,
                None => break,
            }
        }
        out
    }

    /// Business seconds in `[a, b)`. Also returns whether any date fell outside
    /// the calendar's years (the caller warns).
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::calendar::Calendar;
    /// use sla_rules::time::parse_instant;
    /// let c = Calendar::default_cn();
    /// // Friday 17:00 to Monday 10:00: one hour each side of the weekend.
    /// let (a, b) = (parse_instant("2025-03-07T17:00:00+08:00").unwrap(),
    ///               parse_instant("2025-03-10T10:00:00+08:00").unwrap());
    /// assert_eq!(c.business_seconds(a, b), (7_200, false));
    /// ```
    pub fn business_seconds(&self, a: Instant, b: Instant) -> (i64, bool) {
        if b <= a {
            return (0, false);
        }
        let mut total = 0;
        let mut outside = false;
        let mut day = self.tz.date(a);
        let last = self.tz.date(b - 1);
        while day <= last {
            outside |= !self.covers(day);
            if self.is_open_day(day) {
                let d0 = self.tz.day_start(day);
                let (o, c) = (d0 + self.open, d0 + self.close);
                let (s, e) = (a.max(o), b.min(c));
                if e > s {
                    total += e - s;
                }
            }
            match day.succ_opt() {
                Some(n) => day = n,
                None => break,
            }
        }
        (total, outside)
    }
}

/// Parses a calendar document (`sla-portal/calendar/v1`).
///
/// # Errors
///
/// An [`InputError`] in `file` naming the JSON path: not JSON or not a calendar,
/// another schema, a weekday outside 1–7, a time that is not `HH:MM`, a closing time not
/// after the opening time, or a date that is not `YYYY-MM-DD`.
///
/// # Examples
///
/// ```
/// use sla_rules::calendar::parse_calendar;
/// let doc = br#"{"schema":"sla-portal/calendar/v1","weekdays":[1,2,3,4,5],
///   "open":"09:00","close":"18:00","holidays":["2026-10-01"]}"#;
/// let c = parse_calendar(doc, "calendar.json").unwrap();
/// assert_eq!((c.open, c.close), (32_400, 64_800));
/// let bad = br#"{"schema":"sla-portal/calendar/v1","weekdays":[1],"open":"9","close":"18:00"}"#;
/// assert_eq!(parse_calendar(bad, "calendar.json").unwrap_err().path, "open");
/// ```
pub fn parse_calendar(bytes: &[u8], file: &str) -> Result<Calendar, InputError> {
    let doc: CalendarDoc = crate::json::decode(bytes, file, CALENDAR_SCHEMA)?;
    Calendar::from_doc(&doc, file, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn t(s: &str) -> Instant {
        parse_instant(s).unwrap()
    }

    #[test]
    fn the_default_calendar_parses() {
        let c = parse_calendar(DEFAULT_CALENDAR_JSON.as_bytes(), "cal").unwrap();
        assert_eq!(c.name, "cn-mainland");
        assert!(c.covers(parse_date("2026-06-01").unwrap()));
        assert!(!c.covers(parse_date("2027-06-01").unwrap()));
    }

    #[test]
    fn business_clock_skips_the_weekend() {
        let c = Calendar::default_cn();
        // Fri 2025-03-07 17:00 .. Mon 2025-03-10 10:00: 1 h Friday + 1 h Monday = 7,200 s.
        let (s, outside) = c.business_seconds(
            t("2025-03-07T17:00:00+08:00"),
            t("2025-03-10T10:00:00+08:00"),
        );
        assert_eq!(s, 7200);
        assert!(!outside);
    }

    #[test]
    fn business_clock_counts_a_make_up_working_day_and_skips_holidays() {
        let c = Calendar::default_cn();
        // Worked example INC-2: Fri 02-13 17:30 -> Tue 02-24 10:00 is
        // 30 min (Fri) + 540 min (Sat 02-14, make-up day) + 60 min (Tue) = 630 min;
        // 02-16..20 and 02-23 are Spring Festival holidays.
        let (s, _) = c.business_seconds(
            t("2026-02-13T17:30:00+08:00"),
            t("2026-02-24T10:00:00+08:00"),
        );
        assert_eq!(s, 630 * 60);
    }

    #[test]
    fn dates_outside_the_calendar_years_are_flagged() {
        let c = Calendar::default_cn();
        // Mon 2027-03-01 10:00 .. 11:00, a plain weekday outside 2024–2026.
        let (s, outside) = c.business_seconds(
            t("2027-03-01T10:00:00+08:00"),
            t("2027-03-01T11:00:00+08:00"),
        );
        assert_eq!(s, 3600);
        assert!(outside);
    }

    #[test]
    fn bad_calendars_name_the_path() {
        let e = parse_calendar(
            br#"{"schema":"sla-portal/calendar/v1","weekdays":[1,8],"open":"09:00","close":"18:00"}"#,
            "cal.json",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cal.json: weekdays[1]: 8 is not a weekday (1 = Monday … 7 = Sunday)"
        );
    }

    #[test]
    fn open_intervals_leave_nights_weekends_and_holidays_out() {
        let c = Calendar::default_cn();
        let t = |s: &str| crate::time::parse_instant(s).unwrap();
        // Fri 2026-09-04 14:00 to Mon 09-07 10:00: Friday 14:00-18:00 and Monday
        // 09:00-10:00; the weekend is closed. 4 h + 1 h = 18,000 s, as business_seconds says.
        let v = c.open_intervals(
            t("2026-09-04T14:00:00+08:00"),
            t("2026-09-07T10:00:00+08:00"),
        );
        assert_eq!(
            v,
            vec![
                (
                    t("2026-09-04T14:00:00+08:00"),
                    t("2026-09-04T18:00:00+08:00")
                ),
                (
                    t("2026-09-07T09:00:00+08:00"),
                    t("2026-09-07T10:00:00+08:00")
                ),
            ]
        );
        let total: i64 = v.iter().map(|(a, b)| b - a).sum();
        assert_eq!(
            total,
            c.business_seconds(
                t("2026-09-04T14:00:00+08:00"),
                t("2026-09-07T10:00:00+08:00")
            )
            .0
        );
        assert!(c
            .open_intervals(
                t("2026-09-05T10:00:00+08:00"),
                t("2026-09-05T12:00:00+08:00")
            )
            .is_empty());
    }
}
