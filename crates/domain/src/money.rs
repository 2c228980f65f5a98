//! Money as integer fen (分, 1/100 元). Never a float.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen (分). 1 元 = 100 fen. A junior non-boarder's term subsidy is
/// 31 250 fen = 312.50 元 (二(一)2 ¶2, 625 元 a year paid in two terms).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan to fen.
    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// Parses `"1250"`, `"312.5"`, `"312.50"` (yuan, at most two decimals) into fen.
    pub fn parse_yuan(s: &str) -> Option<Fen> {
        let s = s.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = int.parse().ok()?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        let v = whole.checked_mul(100)?.checked_add(cents)?;
        Some(Fen(if neg { -v } else { v }))
    }

    /// Yuan as a decimal string with two places: `312.50`.
    pub fn yuan_string(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// Addition saturates instead of overflowing: amounts are bounded by the policy check (at most
/// 1,000,000 元 per parameter), so saturation can only show up as an absurd total, never a panic.
impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0.saturating_add(o.0))
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 = self.0.saturating_add(o.0);
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, |a, b| a + b)
    }
}

/// An amount in 元 with thousands grouped, as reports and pages show it: `1,234,567.50`.
pub fn grouped_yuan(fen: i64) -> String {
    let neg = fen < 0;
    let a = fen.unsigned_abs();
    let whole = (a / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}{}.{:02}", if neg { "-" } else { "" }, grouped, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_yuan() {
        assert_eq!(Fen::parse_yuan("312.5"), Some(Fen(31250)));
        assert_eq!(Fen::parse_yuan("1250"), Some(Fen(125000)));
        assert_eq!(Fen::parse_yuan("0.05"), Some(Fen(5)));
        assert_eq!(Fen::parse_yuan("1.234"), None);
        assert_eq!(Fen::parse_yuan("abc"), None);
        assert_eq!(Fen(31250).to_string(), "312.50");
        assert_eq!(Fen(-5).to_string(), "-0.05");
    }
}
