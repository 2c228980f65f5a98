//! Dates in spreadsheet cells (日期解析): the text forms county clerks type, and Excel serial numbers.

use crate::text::clean_cell;
use chrono::{Days, NaiveDate};
use std::fmt;

/// Earliest accepted year.
pub const MIN_YEAR: i32 = 1900;
/// Latest accepted year.
pub const MAX_YEAR: i32 = 2100;

/// Why a date cell was rejected. `Display` is the Chinese message shown to the user; the text
/// variants carry the cell as cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The cell is empty.
    Empty,
    /// A month and day without a year (`9月1日`, `09-01`).
    NoYear(String),
    /// The form is understood but the date does not exist (`2015-02-31`, month 13).
    NonExistent(String),
    /// The year is outside 1900..=2100.
    YearOutOfRange(i32),
    /// Anything else.
    Unrecognized(String),
    /// An Excel serial that is negative, not a number, or too large.
    InvalidSerial(String),
    /// Excel serial 60 in the 1900 system: Excel's non-existent 1900-02-29.
    ExcelLeapBug,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Empty => write!(f, "日期为空"),
            DateError::NoYear(s) => write!(f, "日期缺少年份：{s}"),
            DateError::NonExistent(s) => write!(f, "日期不存在：{s}"),
            DateError::YearOutOfRange(y) => {
                write!(f, "日期年份 {y} 超出范围（{MIN_YEAR}–{MAX_YEAR}）")
            }
            DateError::Unrecognized(s) => write!(f, "无法识别的日期格式：{s}"),
            DateError::InvalidSerial(s) => write!(f, "无效的 Excel 日期序号：{s}"),
            DateError::ExcelLeapBug => {
                write!(f, "日期不存在：Excel 日期序号 60 表示不存在的 1900-02-29")
            }
        }
    }
}

impl std::error::Error for DateError {}

/// Parses a date typed in a cell. Accepted (after [`clean_cell`], so full-width digits and
/// separators work, e.g. `２０１５．０９．０１`):
/// `2015-09-01`, `2015-9-1`, `2015/9/1`, `2015.09.01`, `2015.9.1`, `20150901`, `2015年9月1日`,
/// `2015 年 9 月 1 日`, `2015年09月01日` (`号` for `日`, or no `日`), each optionally followed by a
/// time (`2015-09-01 00:00:00`, `2015/9/1 0:00`, `2015-09-01T08:30:00.000`), which is dropped.
///
/// # Errors
/// [`DateError::Empty`]; [`DateError::NoYear`] for `9月1日` / `09-01`; [`DateError::NonExistent`]
/// for `2015-02-31`; [`DateError::YearOutOfRange`] outside 1900..=2100; otherwise
/// [`DateError::Unrecognized`] (also for 2-digit years and day-first or month-first orders such as
/// `9/1/2015`, which are ambiguous).
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let cleaned: String = clean_cell(s)
        .chars()
        .map(|c| match c {
            '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' => '-',
            '。' => '.',
            c => c,
        })
        .collect();
    if cleaned.is_empty() {
        return Err(DateError::Empty);
    }
    let unrecognized = || DateError::Unrecognized(cleaned.clone());
    let date_part = strip_time(&cleaned).ok_or_else(unrecognized)?;
    let compact: String = date_part.chars().filter(|c| !c.is_whitespace()).collect();

    let has_cn = compact.contains(['年', '月', '日', '号']);
    let (year, month, day) = if has_cn {
        parse_chinese(&compact, &cleaned)?
    } else if compact.bytes().all(|b| b.is_ascii_digit()) {
        if compact.len() != 8 {
            return Err(unrecognized());
        }
        let y = compact.get(0..4).and_then(num).ok_or_else(unrecognized)?;
        let m = compact.get(4..6).and_then(num).ok_or_else(unrecognized)?;
        let d = compact.get(6..8).and_then(num).ok_or_else(unrecognized)?;
        (y, m, d)
    } else {
        parse_separated(&compact, &cleaned)?
    };
    make_date(year, month, day, &cleaned)
}

/// Parses a run of 1–4 ASCII digits.
fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Builds the date, checking the year range first.
fn make_date(year: u32, month: u32, day: u32, shown: &str) -> Result<NaiveDate, DateError> {
    let y = i32::try_from(year).map_err(|_| DateError::Unrecognized(shown.to_string()))?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(DateError::YearOutOfRange(y));
    }
    NaiveDate::from_ymd_opt(y, month, day).ok_or_else(|| DateError::NonExistent(shown.to_string()))
}

/// Removes a trailing time of day (`H:MM`, `H:MM:SS`, `H:MM:SS.fff`) separated from the date by
/// whitespace or `T`. Returns the date part, or `None` when a `:` is present but the time is
/// malformed.
fn strip_time(s: &str) -> Option<&str> {
    let Some(colon) = s.find(':') else {
        return Some(s);
    };
    let head = s.get(..colon)?;
    let split = head.rfind(|c: char| c.is_whitespace() || c == 'T')?;
    let date = head.get(..split)?.trim_end();
    let sep_len = head.get(split..)?.chars().next()?.len_utf8();
    let time = s.get(split + sep_len..)?.trim();
    if date.is_empty() || !is_time(time) {
        return None;
    }
    Some(date)
}

/// Is `t` `H:MM`, `H:MM:SS` or `H:MM:SS.fff` with H < 24, M < 60, S < 61?
fn is_time(t: &str) -> bool {
    let (main, frac) = match t.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (t, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let parts: Vec<&str> = main.split(':').collect();
    let limits: &[u32] = match parts.len() {
        2 if frac.is_none() => &[24, 60],
        3 => &[24, 60, 61],
        _ => return false,
    };
    parts.iter().zip(limits).enumerate().all(|(i, (p, &lim))| {
        let width_ok = if i == 0 {
            (1..=2).contains(&p.len())
        } else {
            p.len() == 2
        };
        width_ok && num(p).is_some_and(|v| v < lim)
    })
}

/// `2015年9月1日`, `2015年09月01号`, `2015年9月1`; `9月1日` → no year.
fn parse_chinese(c: &str, shown: &str) -> Result<(u32, u32, u32), DateError> {
    let unrecognized = || DateError::Unrecognized(shown.to_string());
    let (year, rest) = match c.split_once('年') {
        Some((y, rest)) if y.len() == 4 => (num(y).ok_or_else(unrecognized)?, rest),
        Some(_) => return Err(unrecognized()),
        None => {
            // No 年: a month and day alone is a date without a year.
            let (m, d) = split_month_day(c).ok_or_else(unrecognized)?;
            return if is_month_day(m, d) {
                Err(DateError::NoYear(shown.to_string()))
            } else {
                Err(unrecognized())
            };
        }
    };
    let (m, d) = split_month_day(rest).ok_or_else(unrecognized)?;
    Ok((year, m, d))
}

/// `9月1日` / `9月1号` / `9月1` → (9, 1), day and month of one or two digits.
fn split_month_day(s: &str) -> Option<(u32, u32)> {
    let (m, rest) = s.split_once('月')?;
    let d = rest
        .strip_suffix('日')
        .or_else(|| rest.strip_suffix('号'))
        .unwrap_or(rest);
    if m.len() > 2 || d.len() > 2 {
        return None;
    }
    Some((num(m)?, num(d)?))
}

fn is_month_day(m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// `2015-9-1`, `2015/09/01`, `2015.9.1` (one separator throughout); `09-01` → no year.
fn parse_separated(c: &str, shown: &str) -> Result<(u32, u32, u32), DateError> {
    let unrecognized = || DateError::Unrecognized(shown.to_string());
    let sep = c
        .chars()
        .find(|ch| !ch.is_ascii_digit())
        .ok_or_else(unrecognized)?;
    if !matches!(sep, '-' | '/' | '.') {
        return Err(unrecognized());
    }
    let parts: Vec<&str> = c.split(sep).collect();
    let short = |p: &&str| (1..=2).contains(&p.len());
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && short(m) && short(d) => {
            let y = num(y).ok_or_else(unrecognized)?;
            let m = num(m).ok_or_else(unrecognized)?;
            let d = num(d).ok_or_else(unrecognized)?;
            Ok((y, m, d))
        }
        [m, d] if short(m) && short(d) => {
            let m = num(m).ok_or_else(unrecognized)?;
            let d = num(d).ok_or_else(unrecognized)?;
            if is_month_day(m, d) {
                Err(DateError::NoYear(shown.to_string()))
            } else {
                Err(unrecognized())
            }
        }
        _ => Err(unrecognized()),
    }
}

/// Converts an Excel serial date number (a numeric cell formatted as a date) to a date.
///
/// - 1900 system (`is_1904 == false`, Windows Excel's default): serials 1–59 are
///   1900-01-01…1900-02-28; 60 is Excel's non-existent 1900-02-29; from 61 on, the serial counts
///   days from 1899-12-30 (61 = 1900-03-01, 42248 = 2015-09-01).
/// - 1904 system (`is_1904 == true`, old Mac workbooks): days from 1904-01-01 (0 = 1904-01-01,
///   42248 = 2019-09-02).
///
/// The fraction (time of day) is truncated.
///
/// # Errors
/// [`DateError::ExcelLeapBug`] for serial 60 in the 1900 system; [`DateError::InvalidSerial`]
/// for NaN, infinities, negative numbers, serial 0 in the 1900 system (Excel's "1900-01-00"), and
/// serials beyond 9999-12-31; [`DateError::YearOutOfRange`] for years after 2100.
pub fn from_excel_serial(serial: f64, is_1904: bool) -> Result<NaiveDate, DateError> {
    // 2958465 = 9999-12-31 in the 1900 system; anything larger is not a date Excel can show.
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return Err(DateError::InvalidSerial(serial.to_string()));
    }
    let days = serial.trunc() as u64; // in 0..2_958_466 by the check above
    let invalid = || DateError::InvalidSerial(serial.to_string());
    let (epoch, offset) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1), days)
    } else {
        match days {
            0 => return Err(invalid()),
            1..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31), days),
            60 => return Err(DateError::ExcelLeapBug),
            _ => (NaiveDate::from_ymd_opt(1899, 12, 30), days),
        }
    };
    let date = epoch
        .and_then(|e| e.checked_add_days(Days::new(offset)))
        .ok_or_else(invalid)?;
    let y = chrono::Datelike::year(&date);
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(DateError::YearOutOfRange(y));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn accepted_formats() {
        let sep1 = d(2015, 9, 1);
        let cases: &[(&str, NaiveDate)] = &[
            ("2015-09-01", sep1),
            ("2015-9-1", sep1),
            ("2015/9/1", sep1),
            ("2015/09/01", sep1),
            ("2015.09.01", sep1),
            ("2015.9.1", sep1),
            ("20150901", sep1),
            ("2015年9月1日", sep1),
            ("2015 年 9 月 1 日", sep1),
            ("2015年09月01日", sep1),
            ("2015年9月1号", sep1),
            ("2015年9月1", sep1),
            ("２０１５．０９．０１", sep1),
            ("２０１５－０９－０１", sep1),
            ("２０１５年９月１日", sep1),
            ("2015−09−01", sep1),
            ("2015-09-01 00:00:00", sep1),
            ("2015/9/1 0:00", sep1),
            ("2015-09-01T08:30:00", sep1),
            ("2015-09-01 08:30:00.000", sep1),
            ("2015年9月1日 0:00", sep1),
            ("  '2015-09-01\u{3000}", sep1),
            ("2016-02-29", d(2016, 2, 29)),
            ("1900-01-01", d(1900, 1, 1)),
            ("2100-12-31", d(2100, 12, 31)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn rejected_formats() {
        let cases: &[(&str, DateError)] = &[
            ("", DateError::Empty),
            ("  ", DateError::Empty),
            ("9月1日", DateError::NoYear("9月1日".into())),
            ("09-01", DateError::NoYear("09-01".into())),
            ("9/1", DateError::NoYear("9/1".into())),
            ("2015-02-31", DateError::NonExistent("2015-02-31".into())),
            ("2015-13-01", DateError::NonExistent("2015-13-01".into())),
            ("2015-02-29", DateError::NonExistent("2015-02-29".into())),
            ("20150231", DateError::NonExistent("20150231".into())),
            (
                "2015年2月30日",
                DateError::NonExistent("2015年2月30日".into()),
            ),
            ("1899-12-31", DateError::YearOutOfRange(1899)),
            ("2101-01-01", DateError::YearOutOfRange(2101)),
            ("abc", DateError::Unrecognized("abc".into())),
            ("2015-09", DateError::Unrecognized("2015-09".into())),
            ("9/1/2015", DateError::Unrecognized("9/1/2015".into())),
            ("15-9-1", DateError::Unrecognized("15-9-1".into())),
            ("2015-9/1", DateError::Unrecognized("2015-9/1".into())),
            (
                "2015-09-01 25:00",
                DateError::Unrecognized("2015-09-01 25:00".into()),
            ),
            (
                "2015-09-01 aa",
                DateError::Unrecognized("2015-09-01 aa".into()),
            ),
            ("42248", DateError::Unrecognized("42248".into())),
            ("2015年9月", DateError::Unrecognized("2015年9月".into())),
            ("13月1日", DateError::Unrecognized("13月1日".into())),
            ("15年9月1日", DateError::Unrecognized("15年9月1日".into())),
            ("0:00", DateError::Unrecognized("0:00".into())),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input).as_ref(), Err(want), "input {input:?}");
        }
    }

    #[test]
    fn messages() {
        assert_eq!(
            DateError::NoYear("9月1日".into()).to_string(),
            "日期缺少年份：9月1日"
        );
        assert!(DateError::NonExistent("x".into())
            .to_string()
            .starts_with("日期不存在"));
        assert!(DateError::Unrecognized("x".into())
            .to_string()
            .starts_with("无法识别的日期格式"));
        assert!(DateError::ExcelLeapBug
            .to_string()
            .starts_with("日期不存在"));
    }

    #[test]
    fn excel_serials() {
        let cases: &[(f64, bool, NaiveDate)] = &[
            (42248.0, false, d(2015, 9, 1)),
            (42248.75, false, d(2015, 9, 1)),
            (42248.0, true, d(2019, 9, 2)),
            (1.0, false, d(1900, 1, 1)),
            (59.0, false, d(1900, 2, 28)),
            (61.0, false, d(1900, 3, 1)),
            (0.0, true, d(1904, 1, 1)),
            (73415.0, false, d(2100, 12, 31)),
        ];
        for (serial, is_1904, want) in cases {
            assert_eq!(
                from_excel_serial(*serial, *is_1904),
                Ok(*want),
                "serial {serial} 1904={is_1904}"
            );
        }
    }

    #[test]
    fn excel_serial_errors() {
        assert_eq!(from_excel_serial(60.0, false), Err(DateError::ExcelLeapBug));
        assert_eq!(from_excel_serial(60.5, false), Err(DateError::ExcelLeapBug));
        assert!(matches!(
            from_excel_serial(0.0, false),
            Err(DateError::InvalidSerial(_))
        ));
        assert!(matches!(
            from_excel_serial(-1.0, false),
            Err(DateError::InvalidSerial(_))
        ));
        assert!(matches!(
            from_excel_serial(f64::NAN, false),
            Err(DateError::InvalidSerial(_))
        ));
        assert!(matches!(
            from_excel_serial(f64::INFINITY, true),
            Err(DateError::InvalidSerial(_))
        ));
        assert!(matches!(
            from_excel_serial(1e300, false),
            Err(DateError::InvalidSerial(_))
        ));
        assert_eq!(
            from_excel_serial(73416.0, false),
            Err(DateError::YearOutOfRange(2101))
        );
    }
}

/// A day a user typed (`YYYY-MM-DD`, a command's `--as-of` or a page's date box), from 2000 to
/// 2100. Errors in Chinese that say what is wrong: the form, a day that does not exist
/// (2023-02-30), or a year out of range.
pub fn parse_typed_day(s: &str) -> Result<chrono::NaiveDate, String> {
    let t = s.trim();
    let shaped = t.len() == 10
        && t.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(format!(
            "日期应写作 YYYY-MM-DD（如 2023-10-15），实为“{}”",
            crate::text::printable(s)
        ));
    }
    let d =
        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| format!("日期 {t} 不存在"))?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&d)) {
        return Err(format!("日期 {t} 不在 2000 至 2100 年之间"));
    }
    Ok(d)
}

#[cfg(test)]
mod typed_day_tests {
    #[test]
    fn form_existence_and_range_are_told_apart() {
        let d = super::parse_typed_day(" 2024-02-29 ").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert!(super::parse_typed_day("2023-02-30")
            .unwrap_err()
            .contains("不存在"));
        assert!(super::parse_typed_day("2023/10/15")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(super::parse_typed_day("0000-01-01")
            .unwrap_err()
            .contains("2000 至 2100"));
        assert!(super::parse_typed_day("昨天").unwrap_err().contains("昨天"));
    }
}

/// A stored instant (UTC) as county staff read it: China Standard Time (北京时间, UTC+8, no
/// daylight saving), `2026-11-30 11:54:02`. Stored values stay in UTC.
pub fn beijing_time(t: chrono::DateTime<chrono::Utc>) -> String {
    const FORMAT: &str = "%Y-%m-%d %H:%M:%S";
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(cst) => t.with_timezone(&cst).format(FORMAT).to_string(),
        // Not reached: eight hours is a valid offset.
        None => t.format(FORMAT).to_string(),
    }
}

#[cfg(test)]
mod beijing_tests {
    #[test]
    fn utc_evening_is_the_next_morning_in_beijing() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-30T20:15:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        assert_eq!(super::beijing_time(t), "2026-12-01 04:15:00");
    }
}
