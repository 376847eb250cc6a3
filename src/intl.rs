//! Numbers and dates through the browser's `Intl`, in the chosen locale and the contract timezone.
//!
//! The report's instants are typed (`Stamp`, an instant); they are converted to the
//! contract timezone's wall clock by the core's `Tz`, then handed to `Intl`
//! as if UTC, so the browser's own zone never shifts a displayed time. Months and
//! instants are accepted typed (from the report) or as text (from a claim).

use js_sys::{Array, Function, Intl, Object, Reflect};
use sla_rules::time::{parse_instant, Instant, Month, Stamp, Tz};
use wasm_bindgen::JsValue;

use crate::i18n::Locale;

/// A month a formatter accepts: the report's [`Month`], or `YYYY-MM` text from a claim.
pub trait MonthText {
    fn month_text(&self) -> String;
}

impl MonthText for Month {
    fn month_text(&self) -> String {
        self.to_string()
    }
}

impl MonthText for str {
    fn month_text(&self) -> String {
        self.to_string()
    }
}

impl MonthText for String {
    fn month_text(&self) -> String {
        self.clone()
    }
}

/// An instant a formatter accepts: the report's [`Stamp`], or RFC 3339 text (a claim's
/// `submitted_at`), shown as itself when it does not parse.
pub trait InstantText {
    fn instant(&self) -> Result<Instant, String>;
}

impl InstantText for Stamp {
    fn instant(&self) -> Result<Instant, String> {
        Ok(self.at)
    }
}

impl InstantText for str {
    fn instant(&self) -> Result<Instant, String> {
        parse_instant(self).map_err(|_| self.to_string())
    }
}

impl InstantText for String {
    fn instant(&self) -> Result<Instant, String> {
        self.as_str().instant()
    }
}

/// Formatters for one locale and one contract timezone, built once per widget.
pub struct Formats {
    pub locale: Locale,
    tz: Tz,
    int: Function,
    decimal2: Function,
    percent: Function,
    month: Function,
    month_short: Function,
    day: Function,
    datetime: Function,
    bytes: Function,
    kilobytes: Function,
    megabytes: Function,
}

impl std::fmt::Debug for Formats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Formats({})", self.locale.tag())
    }
}

fn options(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn number_format(locale: Locale, pairs: &[(&str, JsValue)]) -> Function {
    let locales = Array::of1(&JsValue::from_str(locale.tag()));
    Intl::NumberFormat::new(&locales, &options(pairs)).format()
}

fn date_format(locale: Locale, pairs: &[(&str, JsValue)]) -> Function {
    let locales = Array::of1(&JsValue::from_str(locale.tag()));
    let mut all = vec![("timeZone", JsValue::from_str("UTC"))];
    all.extend(pairs.iter().cloned());
    Intl::DateTimeFormat::new(&locales, &options(&all)).format()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn call(f: &Function, v: &JsValue) -> String {
    f.call1(&JsValue::NULL, v)
        .ok()
        .and_then(|r| r.as_string())
        .unwrap_or_default()
}

impl Formats {
    /// Formatters for `locale`; `timezone` is the contract's (`+08:00`), default the core's `Tz::CST`.
    pub fn new(locale: Locale, timezone: &str) -> Formats {
        let n = |x: u32| JsValue::from_f64(x as f64);
        Formats {
            locale,
            tz: Tz::parse(timezone).unwrap_or(Tz::CST),
            int: number_format(locale, &[("maximumFractionDigits", n(0))]),
            decimal2: number_format(
                locale,
                &[
                    ("minimumFractionDigits", n(0)),
                    ("maximumFractionDigits", n(2)),
                ],
            ),
            percent: number_format(
                locale,
                &[
                    // "unit: percent" takes 99.98 as 99.98 %, no ×100 in floating point.
                    ("style", s("unit")),
                    ("unit", s("percent")),
                    ("minimumFractionDigits", n(2)),
                    ("maximumFractionDigits", n(5)),
                    // Never round a 99.98999 % up to a met-looking 99.99 %.
                    ("roundingMode", s("trunc")),
                ],
            ),
            month: date_format(locale, &[("year", s("numeric")), ("month", s("long"))]),
            month_short: date_format(locale, &[("year", s("2-digit")), ("month", s("short"))]),
            day: date_format(locale, &[("month", s("short")), ("day", s("numeric"))]),
            datetime: date_format(
                locale,
                &[
                    ("year", s("numeric")),
                    ("month", s("2-digit")),
                    ("day", s("2-digit")),
                    ("hour", s("2-digit")),
                    ("minute", s("2-digit")),
                    ("hourCycle", s("h23")),
                ],
            ),
            bytes: number_format(locale, &[("style", s("unit")), ("unit", s("byte"))]),
            kilobytes: number_format(
                locale,
                &[
                    ("style", s("unit")),
                    ("unit", s("kilobyte")),
                    ("maximumFractionDigits", n(0)),
                ],
            ),
            megabytes: number_format(
                locale,
                &[
                    ("style", s("unit")),
                    ("unit", s("megabyte")),
                    ("maximumFractionDigits", n(1)),
                ],
            ),
        }
    }

    /// The contract timezone as a label, `UTC+08:00`.
    pub fn tz_label(&self) -> String {
        format!("UTC{}", self.tz.label())
    }

    pub fn int(&self, n: u64) -> String {
        call(&self.int, &JsValue::from_f64(n as f64))
    }

    /// A decimal string from the report (`"4.46"`), up to 2 decimals.
    pub fn decimal(&self, d: &str) -> String {
        if !is_decimal_text(d) {
            return d.to_string();
        }
        call(&self.decimal2, &JsValue::from_str(d))
    }

    /// A percentage string from the report (`"99.98014"`) with its decimals kept.
    pub fn percent(&self, p: &str) -> String {
        // Intl reads a decimal string exactly (no float in between), so "99.98999"
        // can never be shown as a met-looking 99.99 %.
        if !is_decimal_text(p) {
            return format!("{p} %");
        }
        call(&self.percent, &JsValue::from_str(p))
    }

    /// A chart's own percentage (an axis tick), rounded to 4 decimals like the report's.
    pub fn percent_of(&self, v: f64) -> String {
        call(
            &self.percent,
            &JsValue::from_f64((v * 10_000.0).round() / 10_000.0),
        )
    }

    /// A month as "2026年2月" / "February 2026".
    pub fn month(&self, m: &(impl MonthText + ?Sized)) -> String {
        let m = m.month_text();
        self.date_of(&format!("{m}-01"), &self.month).unwrap_or(m)
    }

    /// A month as a short axis label.
    pub fn month_short(&self, m: &(impl MonthText + ?Sized)) -> String {
        let m = m.month_text();
        self.date_of(&format!("{m}-01"), &self.month_short)
            .unwrap_or(m)
    }

    /// `YYYY-MM-DD` as "3月12日" / "Mar 12".
    pub fn day(&self, d: &str) -> String {
        self.date_of(d, &self.day).unwrap_or_else(|| d.to_string())
    }

    /// An instant as wall-clock time in the contract timezone.
    pub fn datetime(&self, instant: &(impl InstantText + ?Sized)) -> String {
        let t = match instant.instant() {
            Ok(t) => t,
            Err(text) => return text,
        };
        // Intl formats in UTC the instant whose UTC wall clock is the contract's local time.
        let local_ms = (t + i64::from(self.tz.offset_secs)) as f64 * 1000.0;
        call(
            &self.datetime,
            &js_sys::Date::new(&JsValue::from_f64(local_ms)).into(),
        )
    }

    /// A byte count as bytes, kB or MB.
    pub fn bytes(&self, n: u64) -> String {
        if n < 1000 {
            call(&self.bytes, &JsValue::from_f64(n as f64))
        } else if n < 1_000_000 {
            call(&self.kilobytes, &JsValue::from_f64(n as f64 / 1000.0))
        } else {
            call(&self.megabytes, &JsValue::from_f64(n as f64 / 1_000_000.0))
        }
    }

    fn date_of(&self, ymd: &str, f: &Function) -> Option<String> {
        let d = sla_rules::time::parse_date(ymd).ok()?;
        let ms = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis() as f64;
        Some(call(f, &js_sys::Date::new(&JsValue::from_f64(ms)).into()))
    }
}

/// Whether `s` is a plain decimal (`-12`, `99.98014`) that `Intl` reads exactly; anything
/// else is shown as it is. Checked by hand: parsing a float only to validate costs the
/// widget kilobytes of float-parsing code.
fn is_decimal_text(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let all = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all(int) && all(frac)
}

#[cfg(test)]
mod tests {
    use super::is_decimal_text;

    #[test]
    fn only_plain_decimals_go_to_intl() {
        for ok in ["0", "99.98014", "100", "-10", "4.46"] {
            assert!(is_decimal_text(ok), "{ok}");
        }
        for text in [
            "", "-", ".5", "5.", "1e3", "NaN", "Infinity", "99,9", " 1", "1.2.3", "--1",
        ] {
            assert!(!is_decimal_text(text), "{text}");
        }
    }
}
