//! Signed and failed contracts per month for up to 24 months (§4.12, the metering basis).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{font, label, rect, Chart, DrawResult, Palette};

#[derive(Debug, Clone, PartialEq)]
pub struct MonthCount {
    pub label: String,
    pub signed: u64,
    pub failed: u64,
    pub tip: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Metering {
    pub months: Vec<MonthCount>,
    /// Formatted maxima for the two panels' scales, and their titles.
    pub signed_title: String,
    pub failed_title: String,
}

const LEFT: i32 = 12;
const RIGHT: i32 = 12;
pub const HEIGHT: u32 = 220;
const SPLIT: i32 = 140;
const SLOTS: super::Slots = super::Slots {
    left: LEFT,
    right: RIGHT,
};

impl Metering {
    fn slot(&self, width: u32) -> f64 {
        SLOTS.width(width, self.months.len())
    }

    pub fn index_at(&self, x: i32, width: u32) -> Option<usize> {
        SLOTS.index_at(x, width, self.months.len())
    }
}

impl Chart for Metering {
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
        let slot = self.slot(width);
        let max_s = self
            .months
            .iter()
            .map(|m| m.signed)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let max_f = self
            .months
            .iter()
            .map(|m| m.failed)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let title = font(11, pal.muted, HPos::Left, VPos::Top);
        label(area, &self.signed_title, (LEFT, 0), &title)?;
        label(area, &self.failed_title, (LEFT, SPLIT + 4), &title)?;
        let (s_top, s_base) = (18, SPLIT - 4);
        let (f_top, f_base) = (SPLIT + 20, HEIGHT as i32 - 22);
        let step = ((48.0 / slot).ceil() as usize).max(1);
        for (i, m) in self.months.iter().enumerate() {
            // Bars at most 36 px wide so a short history does not look like a wall.
            let half = (slot * 0.3).min(18.0);
            let mid = i as f64 * slot + slot / 2.0;
            let x0 = LEFT + (mid - half) as i32;
            let x1 = (LEFT + (mid + half) as i32).max(x0 + 1);
            let sh = ((m.signed as f64 / max_s) * (s_base - s_top) as f64).round() as i32;
            let fh = ((m.failed as f64 / max_f) * (f_base - f_top) as f64).round() as i32;
            rect(area, (x0, s_base - sh), (x1, s_base), pal.accent.filled())?;
            rect(area, (x0, f_base - fh), (x1, f_base), pal.bad.filled())?;
            if i % step == 0 {
                let cx = (x0 + x1) / 2;
                label(
                    area,
                    &m.label,
                    (cx, f_base + 4),
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
    fn bars_scale_to_the_largest_month() {
        let m = |signed, failed| MonthCount {
            label: String::new(),
            signed,
            failed,
            tip: String::new(),
        };
        let c = Metering {
            months: vec![m(1000, 9), m(500, 0)],
            signed_title: "signed".into(),
            failed_title: "failed".into(),
        };
        let svg = c.svg(212);
        // Signed panel 18..136 = 118 px: 1,000 → 118 px tall, 500 → 59 px.
        assert!(svg.contains(r#"height="118""#), "{svg}");
        assert!(svg.contains(r#"height="59""#), "{svg}");
        // 212 px wide: two slots of 94 px from x = 12.
        assert_eq!(c.index_at(12 + 95, 212), Some(1));
    }
}
