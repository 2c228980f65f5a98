//! A workbook of plain tables (统计表、台账): each sheet a title, a header row and rows of text or
//! numbers. Texts that look like codes (ID numbers, school codes) stay text; cells longer than
//! Excel allows are cut with a note ([`crate::cell_text::fit`]).

use crate::cell_text::fit;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A number shown with one decimal (a rate in per cent).
    Decimal1(f64),
    Empty,
}

/// One sheet: its tab name, a title line, the header and the rows; `widths` per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub title: String,
    pub header: Vec<String>,
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<Cell>>,
}

/// Writes `sheets` to `path`, the header frozen under the title.
///
/// Errors: [`XlsxError`] when the file cannot be written (its message names the cause).
pub fn write_tables(path: &Path, sheets: &[Sheet]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_text_wrap();
    let title = Format::new().set_bold().set_font_size(14);
    let text = Format::new().set_num_format("@");
    let one = Format::new().set_num_format("0.0");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name)?;
        ws.write_string_with_format(0, 0, fit(&s.title), &title)?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &head)?;
        }
        ws.set_freeze_panes(2, 0)?;
        for (i, row) in s.rows.iter().enumerate() {
            let r = i as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => ws.write_string_with_format(r, c, fit(t), &text)?,
                    Cell::Int(n) => ws.write_number(r, c, *n as f64)?,
                    Cell::Decimal1(x) => ws.write_number_with_format(r, c, *x, &one)?,
                    Cell::Empty => ws,
                };
            }
        }
        for (c, w) in s.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
    }
    wb.save(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is written reads back: text stays text (a leading-zero code), numbers are numbers.
    #[test]
    fn tables_round_trip() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("t.xlsx");
        let sheet = Sheet {
            name: "汇总".into(),
            title: "标题".into(),
            header: vec!["学校".into(), "数量".into(), "比例".into()],
            widths: vec![20.0, 8.0, 8.0],
            rows: vec![vec![
                Cell::Text("0136000001".into()),
                Cell::Int(3),
                Cell::Decimal1(66.7),
            ]],
        };
        write_tables(&path, &[sheet]).unwrap_or_else(|e| panic!("{e}"));
        use calamine::{open_workbook_auto, Data, Reader};
        let mut wb = open_workbook_auto(&path).unwrap_or_else(|e| panic!("{e}"));
        let range = wb.worksheet_range("汇总").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(range.get((2, 0)), Some(&Data::String("0136000001".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::Float(3.0)));
        assert_eq!(range.get((1, 2)), Some(&Data::String("比例".into())));
    }
}
