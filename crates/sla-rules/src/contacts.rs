//! The contact sheet of §3.1/§3.2: which hotline is open at `as_of`, given the
//! business calendar, and who responds to and is notified of each fault level.

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::policy::{Clock, Policy};
use crate::time::{Instant, Stamp, Tz};

/// One support line (§3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// `web_hotline` (5×9) or `interface_fault_hotline` (7×24).
    pub id: String,
    /// `5x9` or `7x24`.
    pub hours: String,
    pub open_now: bool,
    /// When it next opens or closes, RFC 3339 in the contract timezone; `None` for 7×24.
    pub next_change: Option<Stamp>,
}

/// Who handles a fault level (§3.2). Roles are codes the views translate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelContact {
    pub level: u8,
    /// `remote` or `interface_fault_hotline`.
    pub channel: String,
    pub responders: Vec<String>,
    pub notified: Vec<String>,
    pub response_minutes: u32,
    pub recovery_minutes: u32,
    pub clock: Clock,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSheet {
    pub lines: Vec<Line>,
    pub levels: Vec<LevelContact>,
}

/// The contact sheet as of an instant.
///
/// # Examples
///
/// ```
/// use sla_rules::contacts::contact_sheet;
/// use sla_rules::policy::Policy;
/// use sla_rules::policy::Clock;
/// use sla_rules::time::{parse_instant, Tz};
/// // Tuesday 2026-02-10 10:00: the 5×9 hotline is open until 18:00 that day.
/// let s = contact_sheet(&Policy::default(), Tz::CST, parse_instant("2026-02-10T10:00:00+08:00").unwrap());
/// assert!(s.lines[0].open_now);
/// assert_eq!(s.lines[0].next_change.unwrap().to_string(), "2026-02-10T18:00:00+08:00");
/// // Level 3 runs on the business clock by default.
/// assert_eq!(s.levels[2].clock, Clock::Business);
/// ```
pub fn contact_sheet(policy: &Policy, tz: Tz, as_of: Instant) -> ContactSheet {
    let cal = &policy.calendar;
    let open = cal.is_open_at(as_of);
    let roles = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let level = |level: u8, channel: &str, responders: &[&str], notified: &[&str]| {
        let rule = policy.levels[(level - 1) as usize];
        LevelContact {
            level,
            channel: channel.into(),
            responders: roles(responders),
            notified: roles(notified),
            response_minutes: rule.response_minutes,
            recovery_minutes: rule.recovery_minutes,
            clock: Clock::of(rule.business_clock),
        }
    };
    ContactSheet {
        lines: vec![
            Line {
                id: "web_hotline".into(),
                hours: "5x9".into(),
                open_now: open,
                next_change: next_change(cal, as_of, open).map(|t| Stamp::new(t, tz)),
            },
            Line {
                id: "interface_fault_hotline".into(),
                hours: "7x24".into(),
                open_now: true,
                next_change: None,
            },
        ],
        levels: vec![
            level(
                1,
                "interface_fault_hotline",
                &["project_manager", "technical_support", "business"],
                &["customer_success", "director", "cto"],
            ),
            level(
                2,
                "remote",
                &["project_manager", "technical_support"],
                &["customer_success", "director"],
            ),
            level(3, "remote", &["technical_support"], &["project_manager"]),
        ],
    }
}

/// The next opening (when closed) or closing (when open) within 60 days.
fn next_change(cal: &Calendar, t: Instant, open: bool) -> Option<Instant> {
    let mut day = cal.tz.date(t);
    for _ in 0..60 {
        if cal.is_open_day(day) {
            let d0 = cal.tz.day_start(day);
            let edge = if open { d0 + cal.close } else { d0 + cal.open };
            if edge > t {
                return Some(edge);
            }
        }
        day = day.succ_opt()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    #[test]
    fn the_web_hotline_follows_the_calendar() {
        let p = Policy::default();
        // Tue 2026-02-10 10:00: open, closes at 18:00 the same day.
        let s = contact_sheet(
            &p,
            Tz::CST,
            parse_instant("2026-02-10T10:00:00+08:00").unwrap(),
        );
        assert!(s.lines[0].open_now);
        assert_eq!(
            s.lines[0].next_change.map(|t| t.to_string()).as_deref(),
            Some("2026-02-10T18:00:00+08:00")
        );
        // Sun 2026-02-15 10:00 (Spring Festival week): closed; 02-16..20 and 02-23 are holidays,
        // so it reopens Tue 02-24 09:00. The interface-fault line is always open.
        let s = contact_sheet(
            &p,
            Tz::CST,
            parse_instant("2026-02-15T10:00:00+08:00").unwrap(),
        );
        assert!(!s.lines[0].open_now);
        assert_eq!(
            s.lines[0].next_change.map(|t| t.to_string()).as_deref(),
            Some("2026-02-24T09:00:00+08:00")
        );
        assert!(s.lines[1].open_now);
        // Sat 2026-02-14 is a make-up working day: open at 09:30.
        let s = contact_sheet(
            &p,
            Tz::CST,
            parse_instant("2026-02-14T09:30:00+08:00").unwrap(),
        );
        assert!(s.lines[0].open_now);
        assert_eq!(s.levels[0].response_minutes, 15);
        assert_eq!(s.levels[0].channel, "interface_fault_hotline");
    }
}
