//! Error reports for the user who uploaded a file (导入错误报告): the same table as xlsx and as CSV
//! (UTF-8 with BOM so Excel opens it), columns 行号 | 列 | 值 | 原因.

use crate::cell_text::fit;
use crate::lists::RowError;
use rust_xlsxwriter::{Format, Workbook};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use thiserror::Error;
use zizhu_domain::ListKind;

/// Why a report could not be written.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("写入错误报告失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("生成 xlsx 错误报告失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("生成 CSV 错误报告失败：{0}")]
    Csv(#[from] csv::Error),
}

const HEADERS: [&str; 4] = ["行号", "列", "值", "原因"];

/// `base` + `.ext`, keeping any dots already in the file name.
fn with_suffix(base: &Path, ext: &str) -> PathBuf {
    let mut s = OsString::from(base.as_os_str());
    s.push(ext);
    PathBuf::from(s)
}

/// Makes a value safe and faithful when the CSV is opened in Excel: a leading `=`, `+`, `-`, `@`
/// would be run as a formula (CSV injection), so it gets a `'`; a long digit string (an ID) would be
/// shown as `3.60426E+17`, so it gets a leading tab, which makes Excel keep it as text.
fn excel_safe(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else if value.len() >= 11 && value.bytes().all(|b| b.is_ascii_digit()) {
        format!("\t{value}")
    } else {
        value.to_string()
    }
}

/// Writes `base.xlsx` and `base.csv` listing `errors` (or warnings) of importing `file_name` as a
/// list of `kind`. Returns the two paths (xlsx, csv). Rows keep the given order.
///
/// # Errors
/// [`ReportError`] when a file cannot be created or written.
pub fn write_error_report(
    base: &Path,
    file_name: &str,
    kind: ListKind,
    errors: &[RowError],
) -> Result<(PathBuf, PathBuf), ReportError> {
    let title = format!(
        "《{file_name}》按“{}”导入的问题，共{}条",
        kind.zh(),
        errors.len()
    );
    write_problem_report(base, &title, errors)
}

/// [`write_error_report`] with a title of the caller's (a bank return is no list import).
pub fn write_problem_report(
    base: &Path,
    title: &str,
    errors: &[RowError],
) -> Result<(PathBuf, PathBuf), ReportError> {
    let xlsx_path = with_suffix(base, ".xlsx");
    let csv_path = with_suffix(base, ".csv");

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("导入问题")?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (col, h) in (0u16..).zip(HEADERS) {
        sheet.write_string_with_format(1, col, h, &bold)?;
    }
    for (row, e) in (2u32..).zip(errors) {
        sheet.write_number(row, 0, e.row as f64)?;
        sheet.write_string(row, 1, fit(&e.column))?;
        sheet.write_string(row, 2, fit(&e.value))?;
        sheet.write_string(row, 3, fit(&e.reason))?;
    }
    for (col, width) in [(0u16, 8.0), (1, 16.0), (2, 24.0), (3, 70.0)] {
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save(&xlsx_path)?;

    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(HEADERS)?;
        for e in errors {
            w.write_record([
                e.row.to_string(),
                excel_safe(&e.column),
                excel_safe(&e.value),
                excel_safe(&e.reason),
            ])?;
        }
        w.flush()?;
    }
    std::fs::write(&csv_path, out)?;
    Ok((xlsx_path, csv_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_values() {
        assert_eq!(excel_safe("=1+1"), "'=1+1");
        assert_eq!(excel_safe("360426199101010071"), "\t360426199101010071");
        assert_eq!(excel_safe("张三"), "张三");
        assert_eq!(excel_safe("2023"), "2023");
    }

    #[test]
    fn suffix_keeps_dots() {
        assert_eq!(
            with_suffix(Path::new("/tmp/a.b"), ".csv"),
            PathBuf::from("/tmp/a.b.csv")
        );
    }
}
