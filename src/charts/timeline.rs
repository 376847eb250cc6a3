//! The minute timeline of one month: a row per day, 1,440 minutes across, each pixel
//! column showing the most important state among its minutes (decimation), outages labelled.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use sla_rules::timeline::{MinuteState, StateRun};

use super::{font, label, rect, Chart, DrawResult, Palette};

/// A run located in the month: minutes from the month's first minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub start: u32,
    pub len: u32,
    pub state: MinuteState,
    pub tip: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub day_labels: Vec<String>,
    pub runs: Vec<Run>,
    /// (minute offset, text) drawn at an outage's start: its counted minutes.
    pub marks: Vec<(u32, String)>,
}

const LEFT: i32 = 64;
const RIGHT: i32 = 64;
const TOP: i32 = 20;
const ROW: i32 = 12;
const GAP: i32 = 2;
const DAY: u32 = 1440;

/// Minutes from the start of month `YYYY-MM` to a contract-timezone RFC 3339 instant
/// the core formatted (`2026-02-10T09:57:00+08:00`).
pub fn offset_in_month(month: &str, instant: &str) -> Option<u32> {
    if instant.get(..7)? != month {
        return None;
    }
    let n = |a: usize, b: usize| instant.get(a..b)?.parse::<u32>().ok();
    Some((n(8, 10)?.checked_sub(1)?) * DAY + n(11, 13)? * 60 + n(14, 16)?)
}

/// Locates the core's runs in the month; the tooltip text comes from `tip`.
pub fn locate(month: &str, runs: &[StateRun], tip: impl Fn(&StateRun) -> String) -> Vec<Run> {
    runs.iter()
        .filter_map(|r| {
            Some(Run {
                start: offset_in_month(month, &r.start)?,
                len: r.minutes.min(u32::MAX as u64) as u32,
                state: r.state,
                tip: tip(r),
            })
        })
        .collect()
}

/// Which state wins a pixel column holding several: the one a reader must not miss.
fn rank(s: MinuteState) -> u8 {
    match s {
        MinuteState::Up => 1,
        MinuteState::NoData => 2,
        MinuteState::Excluded => 3,
        MinuteState::Blip => 4,
        MinuteState::Outage => 5,
    }
}

/// Per day row, per pixel column, the highest-ranked state (0 = nothing evaluated yet).
pub fn rasterise(runs: &[Run], days: usize, cols: usize) -> Vec<Vec<u8>> {
    let mut grid = vec![vec![0u8; cols]; days];
    if cols == 0 {
        return grid;
    }
    for r in runs {
        let (mut m, end) = (r.start as u64, r.start as u64 + r.len as u64);
        while m < end {
            let row = (m / DAY as u64) as usize;
            if row >= days {
                break;
            }
            let row_end = end.min((row as u64 + 1) * DAY as u64);
            let a = (m % DAY as u64) as usize * cols / DAY as usize;
            let b = (((row_end - 1) % DAY as u64) as usize * cols / DAY as usize).max(a);
            for c in &mut grid[row][a..=b.min(cols - 1)] {
                *c = (*c).max(rank(r.state));
            }
            m = row_end;
        }
    }
    grid
}

impl Timeline {
    fn cols(width: u32) -> usize {
        (width as i32 - LEFT - RIGHT).max(1) as usize
    }

    /// The run under pixel `(x, y)`.
    pub fn run_at(&self, x: i32, y: i32, width: u32) -> Option<&Run> {
        if x < LEFT || y < TOP {
            return None;
        }
        let row = ((y - TOP) / (ROW + GAP)) as u32;
        let col = (x - LEFT) as u32;
        let cols = Self::cols(width) as u32;
        if row as usize >= self.day_labels.len() || col >= cols {
            return None;
        }
        let m0 = row * DAY + col * DAY / cols;
        let m1 = row * DAY + ((col + 1) * DAY / cols).max(col * DAY / cols + 1);
        // Prefer the most important state in the column, as drawn.
        self.runs
            .iter()
            .filter(|r| r.start < m1 && r.start + r.len > m0)
            .max_by_key(|r| rank(r.state))
    }
}

impl Chart for Timeline {
    fn height(&self, _: u32) -> u32 {
        (TOP + self.day_labels.len() as i32 * (ROW + GAP) + 6) as u32
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        pal: &Palette,
        width: u32,
    ) -> DrawResult<DB> {
        area.fill(&pal.bg)?;
        let cols = Self::cols(width);
        let small = font(10, pal.muted, HPos::Center, VPos::Top);
        for h in (0..=24).step_by(3) {
            let x = LEFT + (h * cols as i32) / 24;
            label(area, &format!("{h:02}"), (x, 4), &small)?;
        }
        let grid = rasterise(&self.runs, self.day_labels.len(), cols);
        for (row, cells) in grid.iter().enumerate() {
            let y0 = TOP + row as i32 * (ROW + GAP);
            label(
                area,
                &self.day_labels[row],
                (LEFT - 6, y0 + ROW / 2),
                &font(10, pal.muted, HPos::Right, VPos::Center),
            )?;
            rect(
                area,
                (LEFT, y0),
                (LEFT + cols as i32, y0 + ROW),
                pal.surface.filled(),
            )?;
            // Merge equal neighbours: one rectangle per segment, not per column.
            let mut c = 0;
            while c < cells.len() {
                let v = cells[c];
                let mut e = c + 1;
                while e < cells.len() && cells[e] == v {
                    e += 1;
                }
                let color = match v {
                    1 => Some(pal.ok),
                    2 => Some(pal.nodata),
                    3 => Some(pal.excluded),
                    4 => Some(pal.open),
                    5 => Some(pal.bad),
                    _ => None,
                };
                if let Some(color) = color {
                    // Outage minutes fill the whole row height, others less: not colour alone.
                    let inset = if v >= 4 { 0 } else { 2 };
                    rect(
                        area,
                        (LEFT + c as i32, y0 + inset),
                        (LEFT + e as i32, y0 + ROW - inset),
                        color.filled(),
                    )?;
                }
                c = e;
            }
        }
        for (m, text) in &self.marks {
            let row = (m / DAY) as i32;
            if row as usize >= self.day_labels.len() {
                continue;
            }
            let x = LEFT + ((m % DAY) as usize * cols / DAY as usize) as i32;
            let y0 = TOP + row * (ROW + GAP);
            area.draw(&PathElement::new(
                vec![(x, y0 - 1), (x, y0 + ROW + 1)],
                pal.fg.stroke_width(2),
            ))?;
            // A label box in the background colour keeps the text legible over the bars.
            let w = text.chars().count() as i32 * 6 + 6;
            let tx = if x + 14 + w > LEFT + cols as i32 {
                x - 6 - w
            } else {
                x + 10
            };
            rect(area, (tx, y0 - 1), (tx + w, y0 + ROW + 1), pal.bg.filled())?;
            rect(
                area,
                (tx, y0 - 1),
                (tx + w, y0 + ROW + 1),
                pal.fg.stroke_width(1),
            )?;
            label(
                area,
                text,
                (tx + 3, y0 + ROW / 2),
                &font(10, pal.fg, HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }
    fn tooltip(&self, x: i32, y: i32, width: u32) -> Option<String> {
        self.run_at(x, y, width).map(|r| r.tip.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(start: u32, len: u32, state: MinuteState) -> Run {
        Run {
            start,
            len,
            state,
            tip: format!("{state:?}"),
        }
    }

    #[test]
    fn offsets_in_the_month() {
        // 10 Feb 09:57 = 9 whole days (12,960 min) + 597 min = 13,557.
        assert_eq!(
            offset_in_month("2026-02", "2026-02-10T09:57:00+08:00"),
            Some(13_557)
        );
        assert_eq!(
            offset_in_month("2026-02", "2026-03-01T00:00:00+08:00"),
            None
        );
    }

    #[test]
    fn a_short_outage_survives_decimation() {
        // 1,440 minutes on 100 columns: 14.4 minutes per column. A 5-minute outage
        // inside a day of up minutes must still colour its column as an outage.
        let runs = vec![
            run(0, 600, MinuteState::Up),
            run(600, 5, MinuteState::Outage),
            run(605, 835, MinuteState::Up),
        ];
        let g = rasterise(&runs, 1, 100);
        // Minute 600 → column 600 × 100 / 1440 = 41; minute 604 → column 41.
        assert_eq!(g[0][41], 5);
        assert_eq!(g[0][40], 1);
        assert_eq!(g[0][42], 1);
        assert_eq!(g[0].iter().filter(|&&v| v == 5).count(), 1);
    }

    #[test]
    fn runs_crossing_midnight_fill_both_rows() {
        // 23:58 on day 1 for 7 minutes: 2 minutes in row 0, 5 in row 1.
        let g = rasterise(&[run(1438, 7, MinuteState::Outage)], 2, 1440);
        assert_eq!(g[0][1438..].to_vec(), vec![5, 5]);
        assert_eq!(g[1][..6].to_vec(), vec![5, 5, 5, 5, 5, 0]);
    }

    #[test]
    fn draws_merged_segments_and_labels() {
        let t = Timeline {
            day_labels: vec!["1".into(), "2".into()],
            runs: vec![
                run(0, 600, MinuteState::Up),
                run(600, 26, MinuteState::Outage),
                run(626, 2254, MinuteState::Up),
            ],
            marks: vec![(600, "6 min".into())],
        };
        let svg = t.svg(600);
        // Row 1: up, outage, up = 2 green + 1 red; row 2: 1 green. Not one per column.
        assert_eq!(svg.matches(r##"fill="#B42318""##).count(), 1, "{svg}");
        assert_eq!(svg.matches(r##"fill="#17702F""##).count(), 3);
        assert!(svg.contains("6 min"));
        // Hover over the outage: plot 64..536 (472 cols); minute 610 → column 199.
        assert_eq!(
            t.run_at(64 + 199, 25, 600).map(|r| r.state),
            Some(MinuteState::Outage)
        );
    }
}
