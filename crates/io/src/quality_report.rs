//! The data-quality report of a term (数据质量报告): one row per finding, with its code and title.

use crate::cell_text::fit;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

/// One finding as written.
#[derive(Debug, Clone)]
pub struct QualityLine {
    pub code: String,
    pub title: String,
    pub id_number: String,
    pub school_code: String,
    pub source: String,
    pub detail: String,
}

/// Writes the report; `counts` are (code, title, number) for the summary at the top.
pub fn write_quality_report(
    path: &Path,
    title: &str,
    counts: &[(String, String, usize)],
    lines: &[QualityLine],
) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DDEBF7");
    let bold = Format::new().set_bold().set_font_size(14);
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name("数据质量问题")?;
    ws.write_string_with_format(0, 0, title, &bold)?;
    let mut r = 2u32;
    for (c, h) in ["编号", "问题", "数量"].iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &head)?;
    }
    r += 1;
    for (code, t, n) in counts {
        ws.write_string(r, 0, code)?;
        ws.write_string(r, 1, t)?;
        ws.write_number(r, 2, *n as f64)?;
        r += 1;
    }
    r += 1;
    for (c, h) in ["编号", "问题", "身份证件号", "学校标识码", "来源", "说明"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &head)?;
    }
    r += 1;
    for l in lines {
        ws.write_string(r, 0, fit(&l.code))?;
        ws.write_string(r, 1, fit(&l.title))?;
        ws.write_string_with_format(r, 2, fit(&l.id_number), &text)?;
        ws.write_string_with_format(r, 3, fit(&l.school_code), &text)?;
        ws.write_string(r, 4, fit(&l.source))?;
        ws.write_string(r, 5, fit(&l.detail))?;
        r += 1;
    }
    for (c, w) in [10.0, 40.0, 22.0, 13.0, 22.0, 70.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    wb.save(path)
}
