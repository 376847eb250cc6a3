//! Charts drawn with plotters, generic over the backend: canvas in the browser, SVG in native tests.
//!
//! Each chart module has a pure data step (from the report), a layout with a
//! hit test (for tooltips and keyboard focus, sharing the drawing's geometry),
//! and `draw` over any `DrawingBackend`. Canvas, not SVG: drawn pixels never
//! need markup, so nothing from the data is ever parsed as HTML, and the
//! decimated charts stay a few hundred calls. Every chart has a data table too.

pub mod daily;
pub mod incident_clock;
pub mod incidents;
pub mod metering;
pub mod monthly;
pub mod timeline;

use std::rc::Rc;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use yew::prelude::*;

/// Result of a drawing function over backend `DB`.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Chart colours; the defaults match `static/sla-portal.css`, the host overrides them via `--slap-*`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub bg: RGBColor,
    pub surface: RGBColor,
    pub fg: RGBColor,
    pub muted: RGBColor,
    pub border: RGBColor,
    pub accent: RGBColor,
    pub ok: RGBColor,
    pub bad: RGBColor,
    pub open: RGBColor,
    pub excluded: RGBColor,
    pub nodata: RGBColor,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            bg: RGBColor(0xff, 0xff, 0xff),
            surface: RGBColor(0xf6, 0xf7, 0xf9),
            fg: RGBColor(0x1b, 0x1f, 0x24),
            muted: RGBColor(0x50, 0x57, 0x5f),
            border: RGBColor(0xc9, 0xce, 0xd4),
            accent: RGBColor(0x0a, 0x58, 0xca),
            ok: RGBColor(0x17, 0x70, 0x2f),
            bad: RGBColor(0xb4, 0x23, 0x18),
            open: RGBColor(0x8a, 0x5a, 0x00),
            excluded: RGBColor(0x6c, 0x4a, 0xb6),
            nodata: RGBColor(0x8a, 0x90, 0x99),
        }
    }
}

/// `#rrggbb` or `#rgb`.
pub fn parse_hex(s: &str) -> Option<RGBColor> {
    let h = s.trim().strip_prefix('#')?;
    let v = |a: &str| u8::from_str_radix(a, 16).ok();
    match h.len() {
        6 => Some(RGBColor(v(&h[0..2])?, v(&h[2..4])?, v(&h[4..6])?)),
        3 => {
            let d = |i: usize| v(&h[i..i + 1]).map(|x| x * 17);
            Some(RGBColor(d(0)?, d(1)?, d(2)?))
        }
        _ => None,
    }
}

impl Palette {
    /// The palette with the `--slap-*` custom properties in effect on `el`.
    pub fn from_element(el: &web_sys::Element) -> Palette {
        let mut p = Palette::default();
        let Some(style) = web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten())
        else {
            return p;
        };
        let get = |name: &str, c: &mut RGBColor| {
            if let Some(x) = style
                .get_property_value(name)
                .ok()
                .and_then(|v| parse_hex(&v))
            {
                *c = x;
            }
        };
        get("--slap-bg", &mut p.bg);
        get("--slap-surface", &mut p.surface);
        get("--slap-fg", &mut p.fg);
        get("--slap-muted", &mut p.muted);
        get("--slap-border", &mut p.border);
        get("--slap-accent", &mut p.accent);
        get("--slap-ok", &mut p.ok);
        get("--slap-bad", &mut p.bad);
        get("--slap-open", &mut p.open);
        get("--slap-excluded", &mut p.excluded);
        get("--slap-nodata", &mut p.nodata);
        p
    }
}

/// A text style in the chart font.
pub fn font(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(&color)
        .pos(Pos::new(h, v))
}

/// Draws `text` at pixel `(x, y)`.
pub fn label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    style: &TextStyle,
) -> DrawResult<DB> {
    area.draw(&Text::new(text.to_string(), at, style.clone()))
}

/// A filled rectangle between two pixel corners.
pub fn rect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    style: ShapeStyle,
) -> DrawResult<DB> {
    area.draw(&Rectangle::new([a, b], style))
}

/// What the canvas wrapper needs from a chart: draw at a size, and say what is under a point.
/// Equal slots (bars, day cells) laid out between a left and a right margin: the layout
/// every bar chart shares, so drawing and tooltip hit-testing agree on where a slot is.
#[derive(Debug, Clone, Copy)]
pub struct Slots {
    pub left: i32,
    pub right: i32,
}

impl Slots {
    /// The width of one of `n` slots in a `width`-pixel drawing.
    pub fn width(self, width: u32, n: usize) -> f64 {
        (width as i32 - self.left - self.right).max(1) as f64 / n.max(1) as f64
    }

    /// The slot under pixel column `x`, if any.
    pub fn index_at(self, x: i32, width: u32, n: usize) -> Option<usize> {
        if x < self.left || n == 0 {
            return None;
        }
        let i = ((x - self.left) as f64 / self.width(width, n)) as usize;
        (i < n).then_some(i)
    }
}

/// A chart: its height at a width, its drawing over any backend, and what is under a
/// point. Each chart implements only this; the canvas wrapper's [`CanvasChart`] and the
/// native tests' SVG come from it.
pub trait Chart {
    fn height(&self, width: u32) -> u32;
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        pal: &Palette,
        width: u32,
    ) -> DrawResult<DB>;
    /// The tooltip text at pixel `(x, y)` of a `width`-wide drawing.
    fn tooltip(&self, x: i32, y: i32, width: u32) -> Option<String>;

    /// The chart drawn as SVG text at `width` in the default palette, for native tests.
    fn svg(&self, width: u32) -> String
    where
        Self: Sized,
    {
        let mut svg = String::new();
        {
            let area =
                SVGBackend::with_string(&mut svg, (width, self.height(width))).into_drawing_area();
            // An SVG string backend cannot fail to draw; a failure would show as a
            // missing element in the test's assertions.
            let _ = self.draw(&area, &Palette::default(), width);
            let _ = area.present();
        }
        svg
    }
}

/// The object-safe face of a chart that the [`Canvas`] component holds.
pub trait CanvasChart {
    fn canvas_height(&self, width: u32) -> u32;
    fn draw_canvas(
        &self,
        area: &DrawingArea<plotters_canvas::CanvasBackend, Shift>,
        pal: &Palette,
        width: u32,
    );
    fn tooltip_at(&self, x: i32, y: i32, width: u32) -> Option<String>;
}

/// One impl for every chart: the canvas wrapper forwards to the chart's own methods.
impl<C: Chart> CanvasChart for C {
    fn canvas_height(&self, width: u32) -> u32 {
        self.height(width)
    }
    fn draw_canvas(
        &self,
        area: &DrawingArea<plotters_canvas::CanvasBackend, Shift>,
        pal: &Palette,
        width: u32,
    ) {
        // A canvas that fails mid-drawing keeps what it drew; the data table has the figures.
        let _ = self.draw(area, pal, width);
    }
    fn tooltip_at(&self, x: i32, y: i32, width: u32) -> Option<String> {
        self.tooltip(x, y, width)
    }
}

#[derive(Properties)]
pub struct CanvasProps {
    pub chart: Rc<dyn CanvasChart>,
    /// Redraws when this changes (the chart's data identity).
    pub version: u64,
    #[prop_or_default]
    pub canvas_attrs: CanvasAttrs,
}

/// Optional keyboard behaviour of a focusable chart.
#[derive(Clone, Default, PartialEq)]
pub struct CanvasAttrs {
    pub tabindex: Option<AttrValue>,
    pub role: Option<AttrValue>,
    pub aria_label: Option<AttrValue>,
    pub aria_describedby: Option<AttrValue>,
    pub onkeydown: Option<Callback<KeyboardEvent>>,
    pub onclick_x: Option<Callback<(i32, i32, u32)>>,
}

impl PartialEq for CanvasProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.chart, &o.chart)
            && self.version == o.version
            && self.canvas_attrs == o.canvas_attrs
    }
}

/// Canvas width from the container, bounded so text stays legible.
fn fit_width(el: &web_sys::Element) -> u32 {
    let w = el.parent_element().map(|p| p.client_width()).unwrap_or(800);
    (w.max(0) as u32).clamp(320, 1100)
}

/// A `<canvas>` that draws a chart after each render and shows tooltips.
#[component]
pub fn Canvas(props: &CanvasProps) -> Html {
    let node = use_node_ref();
    let tip = use_state(|| None::<(i32, i32, String)>);
    let size = use_state(|| (0u32, 0u32));
    {
        let node = node.clone();
        let chart = props.chart.clone();
        let size = size.clone();
        use_effect_with(
            (
                props.version,
                Rc::as_ptr(&props.chart) as *const u8 as usize,
            ),
            move |_| {
                if let Some(canvas) = node.cast::<web_sys::HtmlCanvasElement>() {
                    let w = fit_width(&canvas);
                    let h = chart.canvas_height(w);
                    canvas.set_width(w);
                    canvas.set_height(h);
                    let pal = Palette::from_element(&canvas);
                    if let Some(backend) =
                        plotters_canvas::CanvasBackend::with_canvas_object(canvas)
                    {
                        let area = backend.into_drawing_area();
                        chart.draw_canvas(&area, &pal, w);
                        let _ = area.present();
                        crate::mark("sla-portal:chart-drawn");
                    }
                    size.set((w, h));
                }
            },
        );
    }
    let onmousemove = {
        let chart = props.chart.clone();
        let tip = tip.clone();
        let size = size.clone();
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (e.offset_x(), e.offset_y());
            match chart.tooltip_at(x, y, size.0) {
                Some(t) => tip.set(Some((x, y, t))),
                None => tip.set(None),
            }
        })
    };
    let onmouseleave = {
        let tip = tip.clone();
        Callback::from(move |_| tip.set(None))
    };
    let onclick = props.canvas_attrs.onclick_x.clone().map(|cb| {
        let size = size.clone();
        Callback::from(move |e: MouseEvent| cb.emit((e.offset_x(), e.offset_y(), size.0)))
    });
    let a = &props.canvas_attrs;
    let interactive = a.tabindex.is_some();
    html! {
        <div class="slap-canvas-wrap" style="position:relative">
            <canvas ref={node} class="slap-canvas"
                tabindex={a.tabindex.clone()} role={a.role.clone()}
                aria-label={a.aria_label.clone()} aria-describedby={a.aria_describedby.clone()}
                aria-hidden={(!interactive).then_some("true")}
                // Set once the chart has been drawn at its size: a condition tests and hosts can wait for.
                data-sla-drawn={(size.0 > 0).to_string()}
                onkeydown={a.onkeydown.clone()} {onclick} {onmousemove} {onmouseleave}></canvas>
            if let Some((x, y, t)) = &*tip {
                <div class="slap-tooltip" role="presentation"
                    style={format!("left:{}px;top:{}px", (x + 12).min(size.0 as i32 - 160).max(0), y + 14)}>{ t.clone() }</div>
            }
        </div>
    }
}

/// A legend entry: a swatch and its text (the swatch repeats the chart colour, the text says it).
pub fn legend_item(color: &str, text: &str) -> Html {
    html! {
        <span class="slap-legend-item">
            <span class="slap-swatch" style={format!("background:var({color})")} aria-hidden="true"></span>{ text.to_string() }
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--slap-NAME` from the stylesheet the widget ships.
    fn css_var(name: &str) -> RGBColor {
        let css = crate::CSS;
        let at = css.find(&format!("--slap-{name}:")).expect(name);
        let value = css[at..]
            .split_once(':')
            .unwrap()
            .1
            .split(';')
            .next()
            .unwrap();
        parse_hex(value).expect(name)
    }

    /// WCAG 2.x contrast ratio.
    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let lum = |c: RGBColor| {
            let f = |v: u8| {
                let x = v as f64 / 255.0;
                if x <= 0.03928 {
                    x / 12.92
                } else {
                    ((x + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * f(c.0) + 0.7152 * f(c.1) + 0.0722 * f(c.2)
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn default_colours_meet_wcag_aa() {
        // Text: 4.5:1 (badges, muted text, links); chart marks against the background: 3:1.
        let text = [
            ("fg", "surface"),
            ("muted", "bg"),
            ("muted", "surface"),
            ("muted", "open-bg"),
            ("accent", "bg"),
            ("ok", "ok-bg"),
            ("bad", "bad-bg"),
            ("open", "open-bg"),
        ];
        for (f, b) in text {
            let c = contrast(css_var(f), css_var(b));
            assert!(c >= 4.5, "--slap-{f} on --slap-{b}: {c:.2}");
        }
        for g in ["ok", "bad", "open", "excluded", "nodata", "accent"] {
            let c = contrast(css_var(g), css_var("bg"));
            assert!(c >= 3.0, "--slap-{g} on --slap-bg: {c:.2}");
        }
    }

    #[test]
    fn chart_defaults_match_the_stylesheet() {
        let p = Palette::default();
        for (name, c) in [
            ("bg", p.bg),
            ("surface", p.surface),
            ("fg", p.fg),
            ("muted", p.muted),
            ("border", p.border),
            ("accent", p.accent),
            ("ok", p.ok),
            ("bad", p.bad),
            ("open", p.open),
            ("excluded", p.excluded),
            ("nodata", p.nodata),
        ] {
            assert_eq!(css_var(name), c, "--slap-{name}");
        }
    }

    #[test]
    fn hex_colours() {
        assert_eq!(parse_hex(" #1a7f37"), Some(RGBColor(0x1a, 0x7f, 0x37)));
        assert_eq!(parse_hex("#fff"), Some(RGBColor(255, 255, 255)));
        assert_eq!(parse_hex("rgb(1,2,3)"), None);
        assert_eq!(parse_hex("#12345"), None);
    }
}
