//! Spreadsheet containers (xlsx and BIFF xls) through calamine, held in memory as calamine gives them
//! and handed out row by row as [`Cell`]s. The `<dimension>` a writer (e.g. WPS) put in the file is
//! not trusted: calamine scans the actual cells.

use super::{Cell, Row};
use crate::error::ImportError;
use calamine::{Data, Range, Reader, SheetType, Xls, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use std::io::Cursor;

/// Rows of one worksheet, converted lazily.
pub(crate) struct GridRows {
    range: Range<Data>,
    /// 0-based absolute row of the range's first row.
    first_row: usize,
    next: usize,
}

impl GridRows {
    fn new(range: Range<Data>) -> Self {
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        GridRows {
            range,
            first_row,
            next: 0,
        }
    }
}

impl Iterator for GridRows {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if self.next >= self.range.height() {
            return None;
        }
        let r = self.next;
        self.next += 1;
        let cells = (0..self.range.width())
            .map(|c| self.range.get((r, c)).map_or(Cell::Empty, convert))
            .collect();
        Some(Row {
            number: self.first_row + r + 1,
            cells,
        })
    }
}

/// Converts one calamine value. Date-formatted cells become [`Cell::Date`] (calamine already
/// applied the workbook's 1900/1904 epoch); durations stay numbers; error values (`#N/A`) become
/// their text so validation reports them.
fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => Cell::Number(dt.as_f64()),
        },
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => parse_iso(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// `2015-09-01` or `2015-09-01T08:00:00[.fff]`.
fn parse_iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|t| t.date())
    })
}

/// Reads every worksheet of an xlsx file. Returns the sheets and the workbook's 1904 flag.
pub(crate) fn read_xlsx(bytes: Vec<u8>) -> Result<(Vec<(String, GridRows)>, bool), ImportError> {
    let unreadable = |e: calamine::XlsxError| ImportError::Unreadable {
        format: "xlsx",
        detail: e.to_string(),
    };
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let is_1904 = wb.has_1904_epoch();
    let names = worksheet_names(&wb);
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = wb.worksheet_range(&name).map_err(unreadable)?;
        sheets.push((name, GridRows::new(range)));
    }
    if sheets.is_empty() {
        return Err(ImportError::NoSheets);
    }
    Ok((sheets, is_1904))
}

/// Reads every worksheet of a BIFF (Excel 97–2003) file.
pub(crate) fn read_xls(bytes: Vec<u8>) -> Result<(Vec<(String, GridRows)>, bool), ImportError> {
    // An encrypted xlsx is also an OLE compound file, holding a stream named EncryptedPackage.
    let encrypted_marker: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let is_encrypted_xlsx = bytes
        .windows(encrypted_marker.len())
        .any(|w| w == encrypted_marker.as_slice());
    let mut wb = match Xls::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(calamine::XlsError::Password) => return Err(ImportError::Encrypted),
        Err(_) if is_encrypted_xlsx => return Err(ImportError::Encrypted),
        Err(e) => {
            return Err(ImportError::Unreadable {
                format: "xls",
                detail: e.to_string(),
            })
        }
    };
    let is_1904 = wb.has_1904_epoch();
    let names = worksheet_names(&wb);
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ImportError::Unreadable {
                format: "xls",
                detail: e.to_string(),
            })?;
        sheets.push((name, GridRows::new(range)));
    }
    if sheets.is_empty() {
        return Err(ImportError::NoSheets);
    }
    Ok((sheets, is_1904))
}

fn worksheet_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &R) -> Vec<String> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso("2015-09-01"), NaiveDate::from_ymd_opt(2015, 9, 1));
        assert_eq!(
            parse_iso("2015-09-01T08:30:00"),
            NaiveDate::from_ymd_opt(2015, 9, 1)
        );
        assert_eq!(
            parse_iso("2015-09-01T08:30:00.250"),
            NaiveDate::from_ymd_opt(2015, 9, 1)
        );
        assert_eq!(parse_iso("09-01"), None);
    }

    #[test]
    fn conversion() {
        assert_eq!(convert(&Data::Int(7)), Cell::Number(7.0));
        assert_eq!(convert(&Data::String("a".into())), Cell::Text("a".into()));
        assert_eq!(
            convert(&Data::Error(calamine::CellErrorType::NA)),
            Cell::Text("#N/A".into())
        );
        assert_eq!(
            convert(&Data::DateTimeIso("2015-09-01".into())),
            Cell::Date(NaiveDate::from_ymd_opt(2015, 9, 1).unwrap_or_default())
        );
    }

    #[test]
    fn garbage_zip_is_unreadable() {
        let r = read_xlsx(b"PK\x03\x04not really a zip".to_vec());
        assert!(matches!(
            r,
            Err(ImportError::Unreadable { format: "xlsx", .. })
        ));
    }
}
