//! The minute map: one byte of flags per minute of the evaluation window, and
//! the raw runs and outages found in it (docs/RULES.md §2–3).

use crate::policy::{Fill, Policy};
use crate::usage::{Span, Usage};

/// Telemetry or a declared outage covers the minute.
pub const COVERED: u8 = 1;
/// The minute's raw state is down.
pub const DOWN: u8 = 2;
/// The minute lies in an excluded interval.
pub const EXCLUDED: u8 = 4;
/// The minute belongs to an outage (a raw run of at least `min_outage_minutes`).
pub const OUTAGE: u8 = 8;

/// Flags for the minutes `[start, start + flags.len())`, minutes since the epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteMap {
    pub start: i64,
    pub flags: Vec<u8>,
}

/// A raw run long enough to be an outage: `[start, end)` in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: i64,
    pub end: i64,
}

/// Counts over a range of minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub minutes: u64,
    pub excluded: u64,
    pub unavailable: u64,
    pub no_data: u64,
}

impl MinuteMap {
    /// Builds the map for `[start, end)` (minutes since the epoch) and returns it with the
    /// outages: raw runs of down minutes at least `min_outage_minutes` long.
    ///
    /// ```
    /// use sla_rules::minutes::MinuteMap;
    /// use sla_rules::policy::Policy;
    /// // Down 10:00–10:07, an announced upgrade 10:05–10:20 (+08:00, 2026-02-10).
    /// let usage = sla_rules::usage::parse_usage(br#"{"schema":"sla-portal/usage/v1",
    ///   "client":{"id":"c"},"contract":{"id":"K","service_start":"2026-02-01","service_end":"2026-12-31"},
    ///   "telemetry":[],
    ///   "outages":[{"start":"2026-02-10T10:00:00+08:00","end":"2026-02-10T10:07:00+08:00"}],
    ///   "maintenance":[{"kind":"upgrade","start":"2026-02-10T10:05:00+08:00",
    ///     "end":"2026-02-10T10:20:00+08:00","announced_at":"2026-02-09T10:00:00+08:00"}]}"#,
    ///   "usage.json").unwrap();
    /// let t0 = sla_rules::time::parse_instant("2026-02-10T10:00:00+08:00").unwrap() / 60;
    /// let (map, runs) = MinuteMap::build(&usage, &Policy::default(), t0 - 60, t0 + 60);
    /// // One 7-minute run: excluded minutes keep their raw state, so the window does not cut it.
    /// assert_eq!((runs[0].start, runs[0].end), (t0, t0 + 7));
    /// let c = map.counts(t0, t0 + 60);
    /// // 15 excluded (10:05–10:20); of the 7 down minutes, 10:00–10:05 count.
    /// assert_eq!((c.minutes, c.excluded, c.unavailable), (60, 15, 5));
    /// assert_eq!(map.outage_runs().len(), 1);
    /// assert_eq!(map.get(t0 - 61), None);
    /// ```
    pub fn build(usage: &Usage, policy: &Policy, start: i64, end: i64) -> (MinuteMap, Vec<Run>) {
        let len = (end - start).max(0) as usize;
        let fill = if policy.missing_data == Fill::Down {
            DOWN
        } else {
            0
        };
        let mut flags = vec![fill; len];
        let zero = if policy.zero_traffic == Fill::Down {
            COVERED | DOWN
        } else {
            COVERED
        };
        // In lowest terms ("0.90" = 9/10) the ratio fits u32 for every ratio anyone
        // writes, and then `count × term` fits u64: wasm32 has no native u128 multiply.
        let (num, den) = policy.minute_ok_ratio.value.reduced();
        let small = u32::try_from(num)
            .and_then(|n| Ok((n, u32::try_from(den)?)))
            .ok();

        for seg in &usage.telemetry {
            let n = seg.total.len() as i64;
            let (a, b) = (seg.start_minute.max(start), (seg.start_minute + n).min(end));
            if b <= a {
                continue;
            }
            let off = (a - seg.start_minute) as usize;
            let cnt = (b - a) as usize;
            let dst = &mut flags[(a - start) as usize..][..cnt];
            let total = &seg.total[off..off + cnt];
            let ok = &seg.ok[off..off + cnt];
            match small {
                // Without a branch per minute (a year is 525,600 of them): the compiler can
                // vectorise this form, and in wasm it is a few instructions a minute.
                Some((n, d)) => {
                    let (n, d) = (u64::from(n), u64::from(d));
                    for ((f, &t), &o) in dst.iter_mut().zip(total).zip(ok) {
                        let down = u64::from(o) * d < u64::from(t) * n;
                        *f = if t == 0 {
                            zero
                        } else {
                            COVERED | (DOWN * u8::from(down))
                        };
                    }
                }
                None => {
                    for ((f, &t), &o) in dst.iter_mut().zip(total).zip(ok) {
                        let down = (o as u128) * den < (t as u128) * num;
                        *f = if t == 0 {
                            zero
                        } else {
                            COVERED | (DOWN * u8::from(down))
                        };
                    }
                }
            }
        }
        let mut map = MinuteMap { start, flags };
        for o in &usage.outages {
            map.set(o, COVERED | DOWN, COVERED | DOWN);
        }
        for m in &usage.maintenance {
            if crate::exclusions::maintenance_applies(policy, m).is_ok() {
                map.set(&m.span, EXCLUDED, 0);
            }
        }
        for x in &usage.exclusions {
            if crate::exclusions::exclusion_applies(policy, x).is_ok() {
                map.set(&x.span, EXCLUDED, 0);
            }
        }
        let runs = map.mark_outages(policy.min_outage_minutes as usize);
        (map, runs)
    }

    /// Sets `set` on the span's minutes inside the window, after clearing `clear`.
    fn set(&mut self, span: &Span, set: u8, clear: u8) {
        let a = (span.start_minute - self.start).clamp(0, self.flags.len() as i64) as usize;
        let b = (span.end_minute - self.start).clamp(0, self.flags.len() as i64) as usize;
        for f in &mut self.flags[a..b.max(a)] {
            *f = (*f & !clear) | set;
        }
    }

    /// Finds maximal raw runs of down minutes; excluded minutes keep their raw
    /// state, so a maintenance window does not split a run. Marks and returns
    /// those at least `min` long.
    fn mark_outages(&mut self, min: usize) -> Vec<Run> {
        let mut runs = Vec::new();
        let n = self.flags.len();
        let mut i = 0;
        while i < n {
            if self.flags[i] & DOWN == 0 {
                i += 1;
                // Most minutes are up: skip eight at a time while none of them is down.
                while let Some(w) = self.flags.get(i..i + 8) {
                    let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
                    if w & (u64::from(DOWN) * 0x0101_0101_0101_0101) != 0 {
                        break;
                    }
                    i += 8;
                }
                continue;
            }
            let s = i;
            while i < n && self.flags[i] & DOWN != 0 {
                i += 1;
            }
            if i - s >= min {
                self.flags[s..i].iter_mut().for_each(|f| *f |= OUTAGE);
                runs.push(Run {
                    start: self.start + s as i64,
                    end: self.start + i as i64,
                });
            }
        }
        runs
    }

    /// Copies `other`'s flags for the minutes `[a, b)` (both maps cover the same window):
    /// a period judged by another policy version takes its minutes from that version's map.
    pub fn splice(&mut self, other: &MinuteMap, a: i64, b: i64) {
        let lo = (a - self.start).clamp(0, self.flags.len() as i64) as usize;
        let hi = (b - self.start).clamp(0, self.flags.len() as i64) as usize;
        if hi > lo && other.start == self.start && other.flags.len() == self.flags.len() {
            self.flags[lo..hi].copy_from_slice(&other.flags[lo..hi]);
        }
    }

    /// The maximal runs of outage minutes, as already marked. After [`MinuteMap::splice`],
    /// an outage that crosses into a month judged by another version is one run again
    /// when both versions count its minutes.
    pub fn outage_runs(&self) -> Vec<Run> {
        let mut runs = Vec::new();
        let mut i = 0;
        let n = self.flags.len();
        while i < n {
            if self.flags[i] & OUTAGE == 0 {
                i += 1;
                continue;
            }
            let s = i;
            while i < n && self.flags[i] & OUTAGE != 0 {
                i += 1;
            }
            runs.push(Run {
                start: self.start + s as i64,
                end: self.start + i as i64,
            });
        }
        runs
    }

    /// Counts over `[a, b)` (clipped to the window).
    pub fn counts(&self, a: i64, b: i64) -> Counts {
        let lo = (a - self.start).clamp(0, self.flags.len() as i64) as usize;
        let hi = (b - self.start).clamp(0, self.flags.len() as i64) as usize;
        let mut c = Counts::default();
        if hi <= lo {
            return c;
        }
        c.minutes = (hi - lo) as u64;
        // Eight minutes at a time: one flag bit per byte lane, counted with popcount.
        const LANES: u64 = 0x0101_0101_0101_0101;
        let lane_bit = |w: u64, flag: u8| (w >> flag.trailing_zeros()) & LANES;
        let words = self.flags[lo..hi].chunks_exact(8);
        let tail = words.remainder();
        for w in words {
            let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            let excluded = lane_bit(w, EXCLUDED);
            let counted = !excluded & LANES;
            c.excluded += u64::from(excluded.count_ones());
            c.unavailable += u64::from((counted & lane_bit(w, OUTAGE)).count_ones());
            c.no_data += u64::from((counted & !lane_bit(w, COVERED)).count_ones());
        }
        for &f in tail {
            let excluded = f & EXCLUDED != 0;
            c.excluded += excluded as u64;
            c.unavailable += (!excluded && f & OUTAGE != 0) as u64;
            c.no_data += (!excluded && f & COVERED == 0) as u64;
        }
        c
    }

    /// The flags of one minute, if it is in the window.
    pub fn get(&self, minute: i64) -> Option<u8> {
        usize::try_from(minute - self.start)
            .ok()
            .and_then(|i| self.flags.get(i).copied())
    }
}
