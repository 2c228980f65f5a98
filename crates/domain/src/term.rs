//! Terms (学期): spring (春季学期) and autumn (秋季学期) of a calendar year. `2023-autumn` is the
//! first term of school year 2023–2024; `2023-spring` the second term of 2022–2023.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Season {
    /// 春季学期
    Spring,
    /// 秋季学期
    Autumn,
}

/// A term, e.g. `2023-autumn`. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub year: i32,
    pub season: Season,
}

impl Term {
    pub fn new(year: i32, season: Season) -> Term {
        Term { year, season }
    }

    /// Chinese label: `2023年秋季学期`.
    pub fn label_zh(&self) -> String {
        match self.season {
            Season::Spring => format!("{}年春季学期", self.year),
            Season::Autumn => format!("{}年秋季学期", self.year),
        }
    }

    /// The term before this one: 2023-autumn → 2023-spring → 2022-autumn.
    pub fn previous(&self) -> Term {
        match self.season {
            Season::Autumn => Term::new(self.year, Season::Spring),
            Season::Spring => Term::new(self.year - 1, Season::Autumn),
        }
    }

    /// The term a day falls in: September to January the autumn term (January of the next
    /// year), February to August the spring term (its summer holiday included).
    pub fn containing(day: chrono::NaiveDate) -> Term {
        use chrono::Datelike;
        match day.month() {
            9..=12 => Term::new(day.year(), Season::Autumn),
            1 => Term::new(day.year() - 1, Season::Autumn),
            _ => Term::new(day.year(), Season::Spring),
        }
    }

    /// Index of the term within its calendar year: spring 0, autumn 1.
    pub fn index_in_year(&self) -> usize {
        match self.season {
            Season::Spring => 0,
            Season::Autumn => 1,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.season {
            Season::Spring => write!(f, "{}-spring", self.year),
            Season::Autumn => write!(f, "{}-autumn", self.year),
        }
    }
}

/// Error for a term string that is not `YYYY-spring` / `YYYY-autumn` (or 春/秋).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("学期格式错误：{0}（应为 2023-spring 或 2023-autumn，也可写 2023春 / 2023秋）")]
pub struct TermParseError(pub String);

impl FromStr for Term {
    type Err = TermParseError;
    fn from_str(s: &str) -> Result<Term, TermParseError> {
        let t = s.trim();
        let err = || TermParseError(s.to_string());
        // The year is the first four characters, which must be ASCII digits (so that a
        // multi-byte character is never split: `２０２３秋` is refused, not a crash).
        let (y, rest) = match t.get(..4) {
            Some(y) if y.bytes().all(|b| b.is_ascii_digit()) => (y, &t[4..]),
            _ => return Err(err()),
        };
        let year: i32 = y.parse().map_err(|_| err())?;
        if !(1990..=2100).contains(&year) {
            return Err(err());
        }
        let rest = rest.trim_start_matches(['-', '_', ' ', '年']);
        let season = match rest {
            "spring" | "春" | "春季" | "春季学期" => Season::Spring,
            "autumn" | "fall" | "秋" | "秋季" | "秋季学期" => Season::Autumn,
            _ => return Err(err()),
        };
        Ok(Term { year, season })
    }
}

impl Serialize for Term {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Term, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms() {
        assert_eq!(
            "2023-autumn".parse::<Term>(),
            Ok(Term::new(2023, Season::Autumn))
        );
        assert_eq!(
            "2023春".parse::<Term>(),
            Ok(Term::new(2023, Season::Spring))
        );
        assert!("2023-winter".parse::<Term>().is_err());
        assert!("autumn".parse::<Term>().is_err());
        // Multi-byte text where the year should be: refused, never a panic.
        for bad in [
            "２０２３秋",
            "秋秋",
            "\u{c0}\u{af}",
            "2",
            "",
            "20é3-autumn",
            "+202-spring",
        ] {
            assert!(bad.parse::<Term>().is_err(), "{bad}");
        }
        assert!(Term::new(2023, Season::Spring) < Term::new(2023, Season::Autumn));
        assert_eq!(Term::new(2023, Season::Autumn).label_zh(), "2023年秋季学期");
    }
}
