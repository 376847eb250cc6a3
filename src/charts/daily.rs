//! The 90-day strip of daily availability: one cell per day, one tab stop, arrow keys move.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{font, label, rect, Chart, DrawResult, Palette};

/// What a day mostly was, from the report's day figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// No counted unavailable minute.
    Up,
    /// Some counted unavailable minutes.
    Outage,
    /// Every minute excluded.
    Excluded,
    /// No minute covered by data.
    NoData,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub kind: DayKind,
    /// Month label drawn above the first day of a month.
    pub month_label: Option<String>,
    /// What a screen reader hears and the tooltip shows.
    pub announce: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Daily {
    pub cells: Vec<Cell>,
    pub focus: Option<usize>,
}

/// The number of days the strip shows.
pub const DAYS: usize = 90;
const SIDE: i32 = 4;
const TOP: i32 = 18;
pub const HEIGHT: u32 = 64;
const SLOTS: super::Slots = super::Slots {
    left: SIDE,
    right: SIDE,
};

/// Classifies a day from the report's counts (display only).
pub fn kind(minutes: u64, excluded: u64, unavailable: u64, no_data: u64) -> DayKind {
    if unavailable > 0 {
        DayKind::Outage
    } else if minutes > 0 && excluded >= minutes {
        DayKind::Excluded
    } else if minutes > 0 && no_data + excluded >= minutes {
        DayKind::NoData
    } else {
        DayKind::Up
    }
}

/// The focus after a key press; `None` when the key does not move it.
pub fn step(focus: usize, len: usize, key: &str) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let last = len - 1;
    Some(match key {
        "ArrowRight" | "ArrowDown" => (focus + 1).min(last),
        "ArrowLeft" | "ArrowUp" => focus.saturating_sub(1),
        "PageDown" => (focus + 7).min(last),
        "PageUp" => focus.saturating_sub(7),
        "Home" => 0,
        "End" => last,
        _ => return None,
    })
}

impl Daily {
    fn cell_width(&self, width: u32) -> f64 {
        SLOTS.width(width, self.cells.len())
    }

    pub fn index_at(&self, x: i32, width: u32) -> Option<usize> {
        SLOTS.index_at(x, width, self.cells.len())
    }
}

impl Chart for Daily {
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
        let w = self.cell_width(width);
        let bottom = HEIGHT as i32 - 6;
        for (i, c) in self.cells.iter().enumerate() {
            let x0 = SIDE + (i as f64 * w) as i32;
            let x1 = (SIDE + ((i + 1) as f64 * w) as i32 - 1).max(x0 + 1);
            let color = match c.kind {
                DayKind::Up => pal.ok,
                DayKind::Outage => pal.bad,
                DayKind::Excluded => pal.excluded,
                DayKind::NoData => pal.nodata,
            };
            // Outage days are also taller: colour is never the only signal.
            let top = if c.kind == DayKind::Outage {
                TOP
            } else {
                TOP + 10
            };
            rect(area, (x0, top), (x1, bottom), color.filled())?;
            if let Some(m) = &c.month_label {
                area.draw(&PathElement::new(vec![(x0, 2), (x0, bottom)], pal.border))?;
                label(
                    area,
                    m,
                    (x0 + 2, 2),
                    &font(11, pal.muted, HPos::Left, VPos::Top),
                )?;
            }
            if self.focus == Some(i) {
                rect(
                    area,
                    (x0 - 2, TOP - 3),
                    (x1 + 2, bottom + 3),
                    pal.fg.stroke_width(2),
                )?;
            }
        }
        Ok(())
    }
    fn tooltip(&self, x: i32, _: i32, width: u32) -> Option<String> {
        self.index_at(x, width)
            .map(|i| self.cells[i].announce.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_kinds() {
        // 1,440-minute day with 6 counted minutes: an outage day.
        assert_eq!(kind(1440, 20, 6, 0), DayKind::Outage);
        assert_eq!(kind(1440, 1440, 0, 0), DayKind::Excluded);
        assert_eq!(kind(1440, 40, 0, 1400), DayKind::NoData);
        assert_eq!(kind(1440, 0, 0, 10), DayKind::Up);
    }

    #[test]
    fn keys_move_within_the_strip() {
        assert_eq!(step(0, 90, "ArrowLeft"), Some(0));
        assert_eq!(step(0, 90, "ArrowRight"), Some(1));
        assert_eq!(step(89, 90, "ArrowRight"), Some(89));
        assert_eq!(step(10, 90, "Home"), Some(0));
        assert_eq!(step(10, 90, "End"), Some(89));
        assert_eq!(step(10, 90, "PageUp"), Some(3));
        assert_eq!(step(10, 90, "Tab"), None);
    }

    #[test]
    fn draws_focus_ring_and_outage_cells() {
        let cell = |kind| Cell {
            kind,
            month_label: None,
            announce: String::new(),
        };
        let d = Daily {
            cells: vec![cell(DayKind::Up), cell(DayKind::Outage), cell(DayKind::Up)],
            focus: Some(1),
        };
        let svg = d.svg(300);
        assert_eq!(svg.matches(r##"fill="#B42318""##).count(), 1, "{svg}");
        assert_eq!(svg.matches(r##"fill="#17702F""##).count(), 2);
        // The focus ring is an unfilled rectangle in the text colour.
        assert_eq!(svg.matches(r##"stroke="#1B1F24""##).count(), 1);
        // 300 px: cells of (300 − 8) / 3 = 97.3 px from x = 4.
        assert_eq!(d.index_at(4 + 98, 300), Some(1));
    }
}
