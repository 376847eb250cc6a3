//! Monthly availability against the target, one bar per period; judged bars solid,
//! partial and in-progress bars hollow, breached bars red with a ✕ above.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{font, label, rect, Chart, DrawResult, Palette};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    Met,
    Breached,
    Partial,
    InProgress,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// Availability in percent, for bar height only (the verdict is `kind`, from the core).
    pub value: f64,
    pub kind: BarKind,
    pub tip: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Monthly {
    pub bars: Vec<Bar>,
    pub target: f64,
    pub floor: f64,
    /// Y-axis ticks: (value, formatted label).
    pub ticks: Vec<(f64, String)>,
}

/// The lowest value of the y-axis: below the lowest bar and the target, leaving
/// the target line visible above the axis.
pub fn scale_floor(values: &[f64], target: f64) -> f64 {
    let low = values.iter().copied().fold(target, f64::min);
    let span = (100.0 - low).max(3.0 * (100.0 - target)).max(0.001);
    (100.0 - span * 1.25).max(0.0)
}

const LEFT: i32 = 72;
const RIGHT: i32 = 12;
const TOP: i32 = 22;
const BOTTOM: i32 = 26;
pub const HEIGHT: u32 = 240;
const SLOTS: super::Slots = super::Slots {
    left: LEFT,
    right: RIGHT,
};

impl Monthly {
    fn slot(&self, width: u32) -> f64 {
        SLOTS.width(width, self.bars.len())
    }

    fn y(&self, v: f64) -> i32 {
        let ph = (HEIGHT as i32 - TOP - BOTTOM) as f64;
        let t = ((100.0 - v) / (100.0 - self.floor).max(1e-9)).clamp(0.0, 1.0);
        TOP + (t * ph).round() as i32
    }

    /// The bar under pixel column `x`.
    pub fn index_at(&self, x: i32, width: u32) -> Option<usize> {
        SLOTS.index_at(x, width, self.bars.len())
    }
}

impl Chart for Monthly {
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
        let right = width as i32 - RIGHT;
        let base = self.y(self.floor);
        for (v, text) in &self.ticks {
            let y = self.y(*v);
            area.draw(&PathElement::new(vec![(LEFT, y), (right, y)], pal.border))?;
            label(
                area,
                text,
                (LEFT - 6, y),
                &font(11, pal.muted, HPos::Right, VPos::Center),
            )?;
        }
        let slot = self.slot(width);
        let step = ((56.0 / slot).ceil() as usize).max(1);
        for (i, b) in self.bars.iter().enumerate() {
            let half = (slot * 0.35).min(28.0);
            let mid = i as f64 * slot + slot / 2.0;
            let x0 = LEFT + (mid - half) as i32;
            let x1 = (LEFT + (mid + half) as i32).max(x0 + 1);
            let top = self.y(b.value).min(base - 1);
            match b.kind {
                BarKind::Met => rect(area, (x0, top), (x1, base), pal.ok.filled())?,
                BarKind::Breached => {
                    rect(area, (x0, top), (x1, base), pal.bad.filled())?;
                    let cx = (x0 + x1) / 2;
                    label(
                        area,
                        "✕",
                        (cx, top - 2),
                        &font(12, pal.bad, HPos::Center, VPos::Bottom),
                    )?;
                }
                BarKind::Partial | BarKind::InProgress => {
                    rect(area, (x0, top), (x1, base), pal.surface.filled())?;
                    rect(area, (x0, top), (x1, base), pal.open.stroke_width(2))?;
                    if b.kind == BarKind::InProgress {
                        let cx = (x0 + x1) / 2;
                        label(
                            area,
                            "…",
                            (cx, top - 2),
                            &font(12, pal.open, HPos::Center, VPos::Bottom),
                        )?;
                    }
                }
            }
            if i % step == 0 {
                let cx = LEFT + (i as f64 * slot + slot / 2.0) as i32;
                label(
                    area,
                    &b.label,
                    (cx, base + 6),
                    &font(11, pal.muted, HPos::Center, VPos::Top),
                )?;
            }
        }
        let ty = self.y(self.target);
        area.draw(&PathElement::new(
            vec![(LEFT, ty), (right, ty)],
            pal.accent.stroke_width(2),
        ))?;
        Ok(())
    }
    fn tooltip(&self, x: i32, _: i32, width: u32) -> Option<String> {
        self.index_at(x, width).map(|i| self.bars[i].tip.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Monthly {
        let bar = |label: &str, value, kind| Bar {
            label: label.into(),
            value,
            kind,
            tip: label.into(),
        };
        Monthly {
            bars: vec![
                bar("Jan", 100.0, BarKind::Partial),
                bar("Feb", 99.98014, BarKind::Breached),
                bar("Mar", 99.98879, BarKind::Breached),
                bar("Apr", 100.0, BarKind::InProgress),
            ],
            target: 99.99,
            floor: scale_floor(&[100.0, 99.98014, 99.98879, 100.0], 99.99),
            ticks: vec![(99.99, "99.99%".into()), (100.0, "100%".into())],
        }
    }

    #[test]
    fn floor_leaves_room_below_the_lowest_bar() {
        // Lowest 99.9: span 0.1 (more than 3 × the target's 0.01), × 1.25 → floor 99.875.
        let f = scale_floor(&[99.9, 100.0], 99.99);
        assert!((f - 99.875).abs() < 1e-9, "{f}");
        // Lowest 99.98014: span 0.01986 is under 3 × 0.01 = 0.03, so 0.03 × 1.25 → 99.9625.
        assert!((scale_floor(&[99.98014, 100.0], 99.99) - 99.9625).abs() < 1e-9);
    }

    #[test]
    fn draws_one_red_bar_and_cross_per_breached_month() {
        let c = chart();
        let svg = c.svg(640);
        // February and March breached: two filled bars in the breach colour #B42318.
        let red_fills = svg.matches(r##"fill="#B42318" stroke="none""##).count();
        assert_eq!(red_fills, 2, "{svg}");
        assert_eq!(svg.matches('✕').count(), 2);
        // The in-progress month carries its "…" marker.
        assert_eq!(svg.matches('…').count(), 1);
    }

    #[test]
    fn hit_test_matches_the_bar_slots() {
        let c = chart();
        // 640 wide: plot 72..628, four slots of 139 px.
        assert_eq!(c.index_at(71, 640), None);
        assert_eq!(c.index_at(72, 640), Some(0));
        assert_eq!(c.index_at(72 + 139 + 1, 640), Some(1));
        assert_eq!(c.index_at(627, 640), Some(3));
    }
}
