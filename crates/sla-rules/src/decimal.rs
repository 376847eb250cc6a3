//! Exact decimal strings: policy percentages in, truncated percentages out.
//!
//! A judgement is never made with floats: `"99.99"` becomes 9999/100 and every
//! comparison is a cross-multiplication in `u128`.

/// A non-negative decimal `num / den`, with `den` a power of ten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub num: u128,
    pub den: u128,
}

/// At most this many fraction digits, so that products stay far inside `u128`.
const MAX_FRACTION_DIGITS: usize = 12;

impl Decimal {
    /// Parses `"99.99"`, `"0.90"`, `"100"`. No sign, no exponent.
    ///
    /// # Errors
    ///
    /// A message quoting `s` when it is not digits with at most one point, or has more
    /// than 6 digits before or 12 after the point.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::decimal::Decimal;
    /// assert_eq!(Decimal::parse("99.99"), Ok(Decimal { num: 9999, den: 100 }));
    /// assert!(Decimal::parse("99,99").is_err());
    /// assert!(Decimal::parse("-1").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Decimal, String> {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
        if !digits(int) || (s.contains('.') && !digits(frac)) {
            return Err(format!("\"{s}\" is not a decimal number like \"99.99\""));
        }
        if frac.len() > MAX_FRACTION_DIGITS || int.len() > 6 {
            return Err(format!(
                "\"{s}\" has too many digits (at most 6 before and {MAX_FRACTION_DIGITS} after the point)"
            ));
        }
        let den = 10u128.pow(frac.len() as u32);
        let num = int.parse::<u128>().map_err(|e| e.to_string())? * den
            + if frac.is_empty() {
                0
            } else {
                frac.parse::<u128>().map_err(|e| e.to_string())?
            };
        Ok(Decimal { num, den })
    }

    /// `(num, den)` in lowest terms.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::decimal::Decimal;
    /// // 0.90 = 90/100 = 9/10.
    /// assert_eq!(Decimal::parse("0.90").unwrap().reduced(), (9, 10));
    /// ```
    pub fn reduced(self) -> (u128, u128) {
        let (mut a, mut b) = (self.num, self.den);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let g = a.max(1);
        (self.num / g, self.den / g)
    }

    /// The nearest `f64`, for drawing only (a chart's scale); never for a judgement.
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::decimal::Decimal;
    /// assert_eq!(Decimal::parse("99.99").unwrap().to_f64(), 99.99);
    /// ```
    pub fn to_f64(self) -> f64 {
        // den is a power of ten of at most 10^12 and num < 10^18: both convert exactly
        // enough for a scale, and the quotient is the one decimal parsing would give.
        self.num as f64 / self.den.max(1) as f64
    }

    /// True when `self ≤ 100` (a percentage).
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::decimal::Decimal;
    /// assert!(Decimal::parse("100").unwrap().is_percentage());
    /// assert!(!Decimal::parse("100.01").unwrap().is_percentage());
    /// ```
    pub fn is_percentage(self) -> bool {
        self.num <= 100 * self.den
    }

    /// True when `self ≤ 1` (a ratio).
    ///
    /// # Examples
    ///
    /// ```
    /// use sla_rules::decimal::Decimal;
    /// assert!(Decimal::parse("0.90").unwrap().is_ratio());
    /// assert!(!Decimal::parse("1.5").unwrap().is_ratio());
    /// ```
    pub fn is_ratio(self) -> bool {
        self.num <= self.den
    }
}

/// `part / whole` as a percentage with exactly `decimals` digits, truncated
/// toward zero. `whole == 0` reads as 100 %.
///
/// # Examples
///
/// ```
/// use sla_rules::decimal::percent_truncated;
/// // 40,292 / 40,300 = 99.980148…% → "99.98014" (truncated, not rounded).
/// assert_eq!(percent_truncated(40_292, 40_300, 5), "99.98014");
/// assert_eq!(percent_truncated(0, 0, 5), "100.00000");
/// ```
pub fn percent_truncated(part: u64, whole: u64, decimals: u32) -> String {
    if whole == 0 {
        return fixed(100 * 10u128.pow(decimals), decimals);
    }
    let scaled = part as u128 * 100 * 10u128.pow(decimals) / whole as u128;
    fixed(scaled, decimals)
}

/// `value / 10^decimals` printed with exactly `decimals` digits.
///
/// # Examples
///
/// ```
/// use sla_rules::decimal::fixed;
/// assert_eq!(fixed(446, 2), "4.46");
/// assert_eq!(fixed(5, 3), "0.005");
/// assert_eq!(fixed(7, 0), "7");
/// ```
pub fn fixed(value: u128, decimals: u32) -> String {
    if decimals == 0 {
        return value.to_string();
    }
    let p = 10u128.pow(decimals);
    format!(
        "{}.{:0width$}",
        value / p,
        value % p,
        width = decimals as usize
    )
}

/// Rounds `sum / n` to a whole number by the policy's rule; `n == 0` gives 0.
///
/// # Examples
///
/// ```
/// use sla_rules::decimal::{round_div, Rounding};
/// // 2,201 / 2 = 1,100.5.
/// assert_eq!(round_div(2_201, 2, Rounding::HalfUp), 1_101);
/// assert_eq!(round_div(2_201, 2, Rounding::Floor), 1_100);
/// assert_eq!(round_div(2_201, 2, Rounding::Ceil), 1_101);
/// assert_eq!(round_div(5, 0, Rounding::HalfUp), 0);
/// ```
pub fn round_div(sum: u64, n: u64, rounding: Rounding) -> u64 {
    if n == 0 {
        return 0;
    }
    let (q, r) = (sum / n, sum % n);
    match rounding {
        Rounding::HalfUp => {
            if 2 * r as u128 >= n as u128 {
                q + 1
            } else {
                q
            }
        }
        Rounding::Ceil => q + u64::from(r > 0),
        Rounding::Floor => q,
    }
}

choices! {
    /// How a monthly average becomes a whole number of contracts.
    pub enum Rounding {
        HalfUp = "half_up",
        Ceil = "ceil",
        Floor = "floor",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(
            Decimal::parse("99.99").unwrap(),
            Decimal {
                num: 9999,
                den: 100
            }
        );
        assert_eq!(
            Decimal::parse("0.90").unwrap(),
            Decimal { num: 90, den: 100 }
        );
        assert_eq!(Decimal::parse("100").unwrap(), Decimal { num: 100, den: 1 });
        assert_eq!(
            Decimal::parse("99.99999999").unwrap(),
            Decimal {
                num: 9_999_999_999,
                den: 100_000_000
            }
        );
        for bad in ["", ".5", "5.", "-1", "1e3", "99,99", "0x10", " 1"] {
            assert!(Decimal::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn reduces_to_lowest_terms() {
        assert_eq!(Decimal::parse("0.90").unwrap().reduced(), (9, 10));
        assert_eq!(Decimal::parse("0.0").unwrap().reduced(), (0, 1));
        assert_eq!(Decimal::parse("1").unwrap().reduced(), (1, 1));
    }

    #[test]
    fn percentages_truncate_toward_zero() {
        // 40,292 / 40,300 = 99.980148...% -> "99.98014" (worked example, February).
        assert_eq!(percent_truncated(40_292, 40_300, 5), "99.98014");
        // 44,635 / 44,640 = 99.987999...% -> "99.98879" (not rounded up to .98880).
        assert_eq!(percent_truncated(44_635, 44_640, 5), "99.98879");
        assert_eq!(percent_truncated(0, 0, 5), "100.00000");
        assert_eq!(percent_truncated(0, 7, 5), "0.00000");
    }

    #[test]
    fn averages_round_by_policy() {
        // (1,000 + 1,201) / 2 = 1,100.5: half up 1,101, floor 1,100, ceil 1,101.
        assert_eq!(round_div(2201, 2, Rounding::HalfUp), 1101);
        assert_eq!(round_div(2201, 2, Rounding::Floor), 1100);
        assert_eq!(round_div(2201, 2, Rounding::Ceil), 1101);
        // 10 / 3 = 3.33: half up 3, ceil 4.
        assert_eq!(round_div(10, 3, Rounding::HalfUp), 3);
        assert_eq!(round_div(10, 3, Rounding::Ceil), 4);
    }
}
