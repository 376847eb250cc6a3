//! One incident on a time axis: reported → responded → resolved (or as of now), its
//! third-party pauses, the closed hours of a business-hours clock, and overlapping outages.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{font, label, rect, Chart, DrawResult, Palette};

/// Seconds since the epoch; spans are half-open.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    pub start: i64,
    pub end: i64,
    pub responded: Option<i64>,
    /// Whether `end` is a resolution (else the clock is still running at `end` = as_of).
    pub resolved: bool,
    pub paused: Vec<(i64, i64)>,
    /// Closed hours of a business clock inside `[start, end)` (empty for 24×7).
    pub closed: Vec<(i64, i64)>,
    pub outages: Vec<(i64, i64)>,
    /// Axis labels: (instant, text).
    pub ticks: Vec<(i64, String)>,
    /// Row labels: clock, pauses, outages.
    pub rows: [String; 3],
    pub tips: Vec<(i64, i64, String)>,
}

const LEFT: i32 = 110;
const RIGHT: i32 = 16;
pub const HEIGHT: u32 = 150;
const ROW: [i32; 3] = [14, 54, 84];
const ROW_H: i32 = 24;

/// The complement of `open` inside `[a, b)`: the closed gaps between business hours.
pub fn gaps(a: i64, b: i64, open: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut t = a;
    for &(s, e) in open {
        if s > t {
            out.push((t, s.min(b)));
        }
        t = t.max(e);
    }
    if t < b {
        out.push((t, b));
    }
    out
}

impl Clock {
    fn x(&self, t: i64, width: u32) -> i32 {
        let w = (width as i32 - LEFT - RIGHT).max(1) as f64;
        let span = (self.end - self.start).max(1) as f64;
        LEFT + (((t - self.start) as f64 / span).clamp(0.0, 1.0) * w).round() as i32
    }
}

impl Chart for Clock {
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
        let text = font(11, pal.fg, HPos::Left, VPos::Center);
        for (i, name) in self.rows.iter().enumerate() {
            label(area, name, (4, ROW[i] + ROW_H / 2), &text)?;
        }
        let span = |row: usize, a: i64, b: i64, c: ShapeStyle| {
            let (x0, x1) = (self.x(a, width), self.x(b, width));
            rect(area, (x0, ROW[row]), (x1.max(x0 + 1), ROW[row] + ROW_H), c)
        };
        // The clock row: response phase, then recovery phase; closed hours drawn over it.
        let responded = self.responded.unwrap_or(self.end).min(self.end);
        span(0, self.start, responded, pal.open.filled())?;
        span(0, responded, self.end, pal.accent.mix(0.7).filled())?;
        for &(a, b) in &self.closed {
            span(0, a, b, pal.nodata.mix(0.85).filled())?;
        }
        for &(a, b) in &self.paused {
            span(1, a, b, pal.excluded.filled())?;
        }
        for &(a, b) in &self.outages {
            span(2, a.max(self.start), b.min(self.end), pal.bad.filled())?;
        }
        let axis = ROW[2] + ROW_H + 8;
        rect(
            area,
            (LEFT, axis),
            (width as i32 - RIGHT, axis + 1),
            pal.border.filled(),
        )?;
        for (t, s) in &self.ticks {
            let x = self.x(*t, width);
            rect(area, (x, ROW[0]), (x + 1, axis + 4), pal.fg.filled())?;
            let pos = if x > width as i32 - 120 {
                HPos::Right
            } else {
                HPos::Left
            };
            label(area, s, (x, axis + 6), &font(10, pal.muted, pos, VPos::Top))?;
        }
        if !self.resolved {
            let x = self.x(self.end, width);
            label(
                area,
                "…",
                (x - 2, ROW[0] + ROW_H / 2),
                &font(14, pal.fg, HPos::Right, VPos::Center),
            )?;
        }
        Ok(())
    }
    fn tooltip(&self, x: i32, _: i32, width: u32) -> Option<String> {
        self.tips
            .iter()
            .find(|(a, b, _)| x >= self.x(*a, width) && x <= self.x(*b, width))
            .map(|(_, _, t)| t.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_gaps_and_scale() {
        // Open 09:00-18:00 on two days inside [08:00 day 1, 10:00 day 2): closed 08-09, 18-09(+1).
        let h = 3600;
        let open = [(9 * h, 18 * h), (33 * h, 34 * h)];
        assert_eq!(
            gaps(8 * h, 34 * h, &open),
            vec![(8 * h, 9 * h), (18 * h, 33 * h)]
        );
        assert_eq!(gaps(0, 10, &[]), vec![(0, 10)]);
        let c = Clock {
            start: 0,
            end: 1000,
            responded: Some(250),
            resolved: true,
            paused: vec![(500, 750)],
            closed: vec![],
            outages: vec![],
            ticks: vec![],
            rows: ["clock".into(), "paused".into(), "outages".into()],
            tips: vec![],
        };
        // 526 px: plot 400 px from x = 110, so the pause 500..750 s is 100 px wide at x = 310.
        let svg = c.svg(526);
        assert!(svg.contains(r#"x="310" y="54" width="100""#), "{svg}");
    }
}
