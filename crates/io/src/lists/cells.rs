//! Reading typed values out of one data row (单元格取值): each getter records its own problem as a
//! [`RowError`] (or [`RowWarning`]) on the row and returns `None`, so one row reports every problem.

use super::{RowError, RowWarning};
use crate::columns::Field;
use crate::header::HeaderMap;
use crate::read::{Cell, Row};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use zizhu_domain::dates::{from_excel_serial, parse_date};
use zizhu_domain::text::{clean_cell, clean_cell_cow, normalize_name};
use zizhu_domain::IdNumber;

/// Reason for an empty required cell.
pub(crate) const REQUIRED_EMPTY: &str = "必填项为空";

/// Digit codes in numeric cells: above this many digits Excel has dropped precision.
const MAX_EXACT_DIGITS: f64 = 1e15;

/// One data row being validated.
pub(crate) struct RowCtx<'a> {
    row: &'a Row,
    header: &'a HeaderMap,
    is_1904: bool,
    /// Today's date, read once per file (a birth date after it is an error).
    today: NaiveDate,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowWarning>,
}

impl<'a> RowCtx<'a> {
    pub(crate) fn new(
        row: &'a Row,
        header: &'a HeaderMap,
        is_1904: bool,
        today: NaiveDate,
    ) -> Self {
        RowCtx {
            row,
            header,
            is_1904,
            today,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Today, as the file is read (one day for the whole file).
    pub(crate) fn today(&self) -> NaiveDate {
        self.today
    }

    /// The cell of `field`; `None` when the column is absent. A short row reads as empty cells.
    fn cell(&self, field: Field) -> Option<&'a Cell> {
        let col = self.header.get(field)?;
        Some(self.row.cells.get(col.index).unwrap_or(&Cell::Empty))
    }

    fn problem(&self, field: Field, reason: String) -> RowError {
        let column = self
            .header
            .get(field)
            .map_or_else(String::new, |c| c.header.clone());
        let value = self
            .cell(field)
            .map_or_else(String::new, |c| shown_value(&c.display()));
        RowError {
            row: self.row.number,
            column,
            value,
            reason,
        }
    }

    /// Records an error against the column of `field`.
    pub(crate) fn error(&mut self, field: Field, reason: impl Into<String>) {
        let e = self.problem(field, reason.into());
        self.errors.push(e);
    }

    /// Records a warning against the column of `field`.
    pub(crate) fn warn(&mut self, field: Field, reason: impl Into<String>) {
        let w = self.problem(field, reason.into());
        self.warnings.push(w);
    }

    /// The non-blank cell of `field`; records "必填项为空" when `required` and the cell is blank.
    fn present(&mut self, field: Field, required: bool) -> Option<&'a Cell> {
        match self.cell(field) {
            Some(c) if !c.is_blank() => Some(c),
            Some(_) | None => {
                if required {
                    self.error(field, REQUIRED_EMPTY);
                }
                None
            }
        }
    }

    /// Cleaned text (full-width ASCII folded, trimmed, Excel `'` removed); numbers as typed.
    pub(crate) fn text(&mut self, field: Field, required: bool) -> Option<String> {
        self.text_cow(field, required).map(Cow::into_owned)
    }

    /// [`RowCtx::text`], borrowing from the cell when cleaning changed nothing but the ends.
    fn text_cow(&mut self, field: Field, required: bool) -> Option<Cow<'a, str>> {
        let cell = self.present(field, required)?;
        let s = match cell {
            Cell::Text(t) => clean_cell_cow(t),
            other => Cow::Owned(other.display()),
        };
        if s.is_empty() {
            if required {
                self.error(field, REQUIRED_EMPTY);
            }
            return None;
        }
        self.no_control(field, s)
    }

    /// `s`, or an error when it holds a control character other than tab and line breaks: a NUL
    /// cannot be stored in PostgreSQL at all, and ESC, BEL and the like are never data (they
    /// come from a damaged export) — both backends refuse the same files.
    fn no_control<S: AsRef<str>>(&mut self, field: Field, s: S) -> Option<S> {
        let bad = s
            .as_ref()
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
        match bad {
            Some(c) => {
                self.error(
                    field,
                    format!(
                        "含有不可见的控制字符（U+{:04X}），文件可能已损坏，请删除该字符后再导入",
                        u32::from(c)
                    ),
                );
                None
            }
            None => Some(s),
        }
    }

    /// A value kept as given: trimmed, one leading `'` removed, nothing else changed (学籍号).
    pub(crate) fn as_given(&mut self, field: Field, required: bool) -> Option<String> {
        match self.present(field, required)? {
            Cell::Number(n) => self.number_code(field, *n),
            Cell::Text(t) => {
                let t = t.trim();
                let t = t.strip_prefix(['\'', '’', '‘']).map_or(t, str::trim);
                if t.is_empty() {
                    if required {
                        self.error(field, REQUIRED_EMPTY);
                    }
                    return None;
                }
                self.no_control(field, t.to_string())
            }
            other => Some(other.display()),
        }
    }

    /// A digit code (学校标识码, 考生号, 户编号, 残疾人证号): text cleaned; a numeric cell becomes its
    /// exact integer string, or an error when it has a fraction or more than 15 digits.
    pub(crate) fn code(&mut self, field: Field, required: bool) -> Option<String> {
        match self.present(field, required)? {
            Cell::Number(n) => self.number_code(field, *n),
            _ => self.text(field, required),
        }
    }

    fn number_code(&mut self, field: Field, n: f64) -> Option<String> {
        if !n.is_finite() || n < 0.0 || n.fract() != 0.0 {
            self.error(
                field,
                "应为数字代码，不能是小数或负数，请把该列设为文本后重新导出",
            );
            return None;
        }
        if n >= MAX_EXACT_DIGITS {
            self.error(
                field,
                "代码超过15位且被 Excel 当作数字保存，末几位已丢失，请把该列设为文本后重新导出",
            );
            return None;
        }
        Some(format!("{n:.0}"))
    }

    /// The person's name, normalised ([`normalize_name`]).
    pub(crate) fn name(&mut self, field: Field) -> Option<String> {
        let normalized = match self.present(field, true)? {
            Cell::Text(t) => normalize_name(t),
            other => normalize_name(&other.display()),
        };
        match normalized {
            Ok(n) => Some(n),
            Err(e) => {
                self.error(field, e.to_string());
                None
            }
        }
    }

    /// An ID number: text via [`IdNumber::parse`], numeric cells via [`IdNumber::from_excel_number`].
    /// Parser warnings (15-digit upgrade, unknown county code) become row warnings.
    pub(crate) fn id(&mut self, field: Field) -> Option<IdNumber> {
        let parsed = match self.present(field, true)? {
            Cell::Text(t) => IdNumber::parse(t),
            Cell::Number(n) => IdNumber::from_excel_number(*n),
            _ => {
                self.error(field, "不是身份证件号");
                return None;
            }
        };
        match parsed {
            Ok((id, _)) if id.birth_date().is_some_and(|b| b > self.today) => {
                self.error(field, "身份证件号中的出生日期晚于今天，请核对");
                None
            }
            Ok((id, warnings)) => {
                for w in warnings {
                    self.warn(field, w.to_string());
                }
                Some(id)
            }
            Err(e) => {
                self.error(field, e.to_string());
                None
            }
        }
    }

    /// A date: date cells as they are, numeric cells as Excel serials (respecting the 1904
    /// system), text via [`parse_date`].
    pub(crate) fn date(&mut self, field: Field, required: bool) -> Option<NaiveDate> {
        let result = match self.present(field, required)? {
            // A date cell holding 0, a negative number or NaN shows as 1899 in Excel.
            Cell::Date(d) if (1900..=2100).contains(&d.year()) => Ok(*d),
            Cell::Date(d) => Err(zizhu_domain::dates::DateError::YearOutOfRange(d.year())),
            Cell::Number(n) => from_excel_serial(*n, self.is_1904),
            Cell::Text(t) => parse_date(t),
            Cell::Bool(_) | Cell::Empty => {
                self.error(field, "不是日期");
                return None;
            }
        };
        result.map_err(|e| self.error(field, e.to_string())).ok()
    }

    /// A year (`2023`, `2023年`, `2023年度`, a numeric cell) within `range`.
    pub(crate) fn year(
        &mut self,
        field: Field,
        required: bool,
        range: std::ops::RangeInclusive<i32>,
    ) -> Option<i32> {
        let year = match self.present(field, required)? {
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e6 => Some(*n as i32),
            Cell::Date(d) => Some(d.year()),
            cell => {
                let s = clean_cell(&cell.display());
                let s = s
                    .strip_suffix("年度")
                    .or_else(|| s.strip_suffix('年'))
                    .unwrap_or(&s)
                    .trim()
                    .to_string();
                s.parse::<i32>().ok()
            }
        };
        match year {
            Some(y) if range.contains(&y) => Some(y),
            Some(y) => {
                self.error(
                    field,
                    format!("年份 {y} 超出范围（{}–{}）", range.start(), range.end()),
                );
                None
            }
            None => {
                self.error(field, "不是年份，应为四位数字，如 2023");
                None
            }
        }
    }

    /// A value from a closed set of Chinese labels. `parse` returns `None` for an unrecognised
    /// label; the error then lists `allowed`.
    pub(crate) fn label<T>(
        &mut self,
        field: Field,
        required: bool,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Option<T> {
        let s = self.text_cow(field, required)?;
        let v = parse(&s);
        if v.is_none() {
            self.error(field, format!("无法识别“{s}”，允许的值：{allowed}"));
        }
        v
    }
}

/// Most characters of a cell an error report repeats: enough to recognise the value, never a
/// copy of a huge cell per error.
const SHOWN_CHARS: usize = 200;

/// A cell's text as a report shows it: cut to [`SHOWN_CHARS`] characters with `…`.
fn shown_value(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
