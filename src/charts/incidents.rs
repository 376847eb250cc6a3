//! Incidents per month, stacked by level (1 at the bottom, in the strongest colour).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{font, label, rect, Chart, DrawResult, Palette};

#[derive(Debug, Clone, PartialEq)]
pub struct MonthLevels {
    pub label: String,
    /// Incidents of level 1, 2 and 3.
    pub counts: [u64; 3],
    pub tip: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PerMonth {
    pub months: Vec<MonthLevels>,
}

const LEFT: i32 = 40;
const RIGHT: i32 = 12;
const TOP: i32 = 10;
const BOTTOM: i32 = 24;
pub const HEIGHT: u32 = 200;
const SLOTS: super::Slots = super::Slots {
    left: LEFT,
    right: RIGHT,
};

/// Counts per month (`YYYY-MM`, in order) and level from (month, level) pairs; levels outside 1–3 are skipped.
pub fn count(months: &[String], incidents: impl Iterator<Item = (String, u8)>) -> Vec<[u64; 3]> {
    let mut out = vec![[0u64; 3]; months.len()];
    for (m, level) in incidents {
        if let (Ok(i), 1..=3) = (months.binary_search(&m), level) {
            out[i][(level - 1) as usize] += 1;
        }
    }
    out
}

impl PerMonth {
    fn slot(&self, width: u32) -> f64 {
        SLOTS.width(width, self.months.len())
    }

    fn max(&self) -> u64 {
        self.months
            .iter()
            .map(|m| m.counts.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1)
    }

    pub fn index_at(&self, x: i32, width: u32) -> Option<usize> {
        SLOTS.index_at(x, width, self.months.len())
    }
}

impl Chart for PerMonth {
    fn height(&self, _: u32) -> u32 {
        HEIGHT
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        pal: &Palette,
        width: u32,
    ) -> DrawResult<DB> {
        area.fill(&pal.bg)?;
        let base = HEIGHT as i32 - BOTTOM;
        let ph = (base - TOP) as f64;
        let max = self.max();
        let slot = self.slot(width);
        let muted = font(10, pal.muted, HPos::Right, VPos::Center);
        label(area, &max.to_string(), (LEFT - 6, TOP), &muted)?;
        label(area, "0", (LEFT - 6, base), &muted)?;
        rect(
            area,
            (LEFT, base),
            (width as i32 - RIGHT, base + 1),
            pal.border.filled(),
        )?;
        let colours = [pal.bad, pal.open, pal.accent];
        let step = ((40.0 / slot).ceil() as usize).max(1);
        for (i, m) in self.months.iter().enumerate() {
            let half = (slot * 0.3).min(16.0);
            let mid = LEFT as f64 + i as f64 * slot + slot / 2.0;
            let (x0, x1) = (
                (mid - half) as i32,
                ((mid + half) as i32).max((mid - half) as i32 + 1),
            );
            let mut acc = 0u64;
            for (lvl, n) in m.counts.iter().enumerate() {
                if *n == 0 {
                    continue;
                }
                let y = |v: u64| base - ((v as f64 / max as f64) * ph).round() as i32;
                rect(area, (x0, y(acc + n)), (x1, y(acc)), colours[lvl].filled())?;
                acc += n;
            }
            if i % step == 0 {
                label(
                    area,
                    &m.label,
                    (mid as i32, base + 4),
                    &font(10, pal.muted, HPos::Center, VPos::Top),
                )?;
            }
        }
        Ok(())
    }
    fn tooltip(&self, x: i32, _: i32, width: u32) -> Option<String> {
        self.index_at(x, width).map(|i| self.months[i].tip.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_stacks() {
        let months = vec!["2026-01".to_string(), "2026-02".to_string()];
        let c = count(
            &months,
            [
                ("2026-01", 1),
                ("2026-02", 3),
                ("2026-02", 3),
                ("2026-02", 1),
                ("2026-03", 2),
                ("2026-01", 4),
            ]
            .into_iter()
            .map(|(m, l)| (m.to_string(), l)),
        );
        // March is outside the months and level 4 does not exist: both skipped.
        assert_eq!(c, vec![[1, 0, 0], [1, 0, 2]]);
        let chart = PerMonth {
            months: c
                .into_iter()
                .zip(&months)
                .map(|(counts, m)| MonthLevels {
                    label: m.clone(),
                    counts,
                    tip: String::new(),
                })
                .collect(),
        };
        let svg = chart.svg(252);
        // Plot height 200 − 10 − 24 = 166 px for the largest month (3 incidents):
        // February's level-3 pair is 2/3 × 166 = 110.67 → 111 px, its level-1 one 55 px.
        assert!(svg.contains(r#"height="111""#), "{svg}");
        assert!(svg.contains(r#"height="55""#), "{svg}");
        // 252 px: slots of (252 − 52) / 2 = 100 px from x = 40.
        assert_eq!(chart.index_at(40 + 150, 252), Some(1));
    }
}
