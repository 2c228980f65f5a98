//! Spreadsheet containers (xlsx and BIFF xls) through calamine, held in memory as calamine gives them
//! and handed out row by row as [`Cell`]s. The `<dimension>` a writer (e.g. WPS) put in the file is
//! not trusted: calamine scans the actual cells.

use super::{Cell, Row};
use crate::error::ImportError;
use calamine::{Data, Range, Reader, SheetType, SheetVisible, Xls, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use std::io::Cursor;

/// Columns beyond this are ignored: no county list has that many, and a stray cell far to the
/// right (WPS leaves them) must not make every row that wide.
pub(crate) const MAX_COLUMNS: usize = 256;

/// Longest cell text read: Excel's own limit, 32,767 characters.
const MAX_CELL_CHARS: usize = 32_767;

/// Rows of one worksheet: only rows that have at least one non-blank cell, in order, each as wide
/// as its last non-blank cell. Kept sparse so one cell at `XFD1048576` costs one row, not a grid.
pub(crate) struct GridRows {
    rows: std::vec::IntoIter<Row>,
}

impl GridRows {
    fn from_cells(cells: impl IntoIterator<Item = ((usize, usize), Cell)>) -> Self {
        let mut map: std::collections::BTreeMap<usize, Vec<Cell>> =
            std::collections::BTreeMap::new();
        for ((r, c), cell) in cells {
            if c >= MAX_COLUMNS || cell.is_blank() {
                continue;
            }
            let row = map.entry(r).or_default();
            if row.len() <= c {
                row.resize(c + 1, Cell::Empty);
            }
            if let Some(slot) = row.get_mut(c) {
                *slot = cell;
            }
        }
        let rows: Vec<Row> = map
            .into_iter()
            .map(|(r, cells)| Row {
                number: r + 1,
                cells,
            })
            .collect();
        GridRows {
            rows: rows.into_iter(),
        }
    }

    fn from_range(range: &Range<Data>) -> Self {
        let (r0, c0) = range
            .start()
            .map_or((0, 0), |(r, c)| (r as usize, c as usize));
        GridRows::from_cells(
            range
                .used_cells()
                .map(|(r, c, d)| ((r0 + r, c0 + c), convert(d))),
        )
    }
}

impl Iterator for GridRows {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        self.rows.next()
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

/// What the spreadsheet library's (English) message means for the user, in Chinese; the library's
/// words stay out of what a county officer reads.
fn structure_zh(library: &str) -> String {
    let l = library.to_ascii_lowercase();
    if l.contains("zip") || l.contains("eocd") || l.contains("cfb") || l.contains("ole") {
        "文件不是有效的 Excel 文件（可能已损坏，或实际是其他格式的文件改了扩展名）".into()
    } else if l.contains("not found") || l.contains("missing") {
        "文件缺少 Excel 工作簿必需的部分（可能已损坏或不完整）".into()
    } else {
        "文件结构异常（可能已损坏）".into()
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

/// Reads every visible worksheet of an xlsx file, cell by cell (never as a dense grid). Returns
/// the sheets and the workbook's 1904 flag. A panic inside the xlsx library (seen on malformed
/// cell references such as `C99999999999`) is turned into an "unreadable file" error.
pub(crate) fn read_xlsx(bytes: Vec<u8>) -> Result<(Vec<(String, GridRows)>, bool), ImportError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xlsx_inner(bytes))) {
        Ok(r) => r,
        Err(_) => Err(ImportError::Unreadable {
            format: "xlsx",
            detail: "单元格地址或内容格式异常".into(),
        }),
    }
}

/// Most text the cells of an xlsx file may expand to: 200 times the file's size, at least
/// 64 MiB. A real list's text is a few times its compressed file; a file whose cells all point
/// to one long shared string would otherwise copy it into every cell (a 77 KB file asked for
/// 3.6 GB).
fn text_budget(file_len: usize) -> usize {
    file_len.saturating_mul(200).max(64 << 20)
}

/// Refuses an xlsx whose sheets and shared strings would unpack to far more than any real list:
/// 300 times the file, at least 256 MiB, as the archive declares them. Checked before the
/// spreadsheet library reads anything (it holds the whole shared-string table: a 2 MB file with
/// one 2 GB string took 6 GB before the text budget saw a cell).
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ImportError> {
    check_unpacked(bytes, 256 << 20)
}

/// The size an xlsx archive declares for all its parts, unpacked; `None` when it is no readable
/// zip archive. Every part counts: a sheet may sit under any name the workbook's relations give
/// it, in any case (hostile review: a sheet at `xl/data/s1.xml` escaped a count of
/// `xl/worksheets/` only).
pub(crate) fn declared_unpacked(bytes: &[u8]) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).ok()?;
        total = total.saturating_add(f.size());
    }
    Some(total)
}

fn check_unpacked(bytes: &[u8], floor: u64) -> Result<(), ImportError> {
    let limit = (bytes.len() as u64).saturating_mul(300).max(floor);
    let total = declared_unpacked(bytes).ok_or_else(|| ImportError::Unreadable {
        format: "xlsx",
        detail: "文件不是有效的 Excel 文件（可能已损坏，或实际是其他格式的文件改了扩展名）".into(),
    })?;
    if total > limit {
        return Err(ImportError::Unreadable {
            format: "xlsx",
            detail: format!(
                "文件解压后的表格内容约 {} MB，远超文件本身的大小，不像是正常的名单文件",
                total >> 20
            ),
        });
    }
    Ok(())
}

fn read_xlsx_inner(bytes: Vec<u8>) -> Result<(Vec<(String, GridRows)>, bool), ImportError> {
    check_unpacked_size(&bytes)?;
    let mut budget = text_budget(bytes.len());
    let unreadable = |e: calamine::XlsxError| ImportError::Unreadable {
        format: "xlsx",
        detail: structure_zh(&e.to_string()),
    };
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let is_1904 = wb.has_1904_epoch();
    let names = worksheet_names(&wb);
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let mut reader = wb.worksheet_cells_reader(&name).map_err(unreadable)?;
        let mut cells = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            if c as usize >= MAX_COLUMNS {
                continue;
            }
            // Excel itself holds at most 32,767 characters a cell: a longer text is a crafted file
            // (one huge shared string referenced by thousands of cells would be copied into
            // each), refused before anything is copied.
            let too_long =
                |t: &str| t.len() > MAX_CELL_CHARS && t.chars().nth(MAX_CELL_CHARS).is_some();
            let (long, text_len) = match cell.get_value() {
                calamine::DataRef::SharedString(t) => (too_long(t), t.len()),
                calamine::DataRef::String(t) => (too_long(t), t.len()),
                _ => (false, 0),
            };
            budget = match budget.checked_sub(text_len) {
                Some(left) => left,
                None => {
                    return Err(ImportError::Unreadable {
                        format: "xlsx",
                        detail: "单元格文字总量远超文件大小，不像是正常的名单文件".into(),
                    })
                }
            };
            if long {
                return Err(ImportError::Unreadable {
                    format: "xlsx",
                    detail: format!(
                        "第{}行第{}列的内容超过 Excel 单元格的上限（32767 个字符）",
                        r + 1,
                        c + 1
                    ),
                });
            }
            let value: Data = cell.get_value().clone().into();
            cells.push(((r as usize, c as usize), convert(&value)));
        }
        sheets.push((name, GridRows::from_cells(cells)));
    }
    if sheets.is_empty() {
        return Err(ImportError::NoSheets);
    }
    Ok((sheets, is_1904))
}

/// Reads every visible worksheet of a BIFF (Excel 97–2003) file; a panic inside the library
/// becomes an "unreadable file" error.
pub(crate) fn read_xls(bytes: Vec<u8>) -> Result<(Vec<(String, GridRows)>, bool), ImportError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xls_inner(bytes))) {
        Ok(r) => r,
        Err(_) => Err(ImportError::Unreadable {
            format: "xls",
            detail: "文件结构异常".into(),
        }),
    }
}

fn read_xls_inner(bytes: Vec<u8>) -> Result<(Vec<(String, GridRows)>, bool), ImportError> {
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
                detail: structure_zh(&e.to_string()),
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
                detail: structure_zh(&e.to_string()),
            })?;
        sheets.push((name, GridRows::from_range(&range)));
    }
    if sheets.is_empty() {
        return Err(ImportError::NoSheets);
    }
    Ok((sheets, is_1904))
}

fn worksheet_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &R) -> Vec<String> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
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

#[cfg(test)]
mod unpacked_tests {
    use super::*;
    use std::io::Write;

    /// A zip holding `xl/sharedStrings.xml` of `n` bytes of one letter (it packs to almost
    /// nothing).
    fn packed(n: usize) -> Vec<u8> {
        packed_at("xl/sharedStrings.xml", n)
    }

    fn packed_at(name: &str, n: usize) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(name, opts).unwrap_or_default();
        w.write_all(&vec![b'a'; n]).unwrap_or_default();
        w.finish().map(Cursor::into_inner).unwrap_or_default()
    }

    #[test]
    fn an_archive_that_unpacks_to_300_times_its_size_is_refused_before_reading() {
        // Hostile review: a 2 MB xlsx with one 2 GB shared string took 6 GB. The check reads
        // only the archive's directory; here with no floor, 4 MB of one letter packs to a few KB.
        let bomb = packed(4 << 20);
        assert!(bomb.len() * 300 < 4 << 20, "{}", bomb.len());
        let e = check_unpacked(&bomb, 0);
        assert!(
            matches!(&e, Err(ImportError::Unreadable { detail, .. }) if detail.contains("解压后")),
            "{e:?}"
        );
        // Within the ratio: accepted.
        assert!(check_unpacked(&packed(1_000), 0).is_ok());
        // The real floor lets any real list through.
        assert!(check_unpacked_size(&bomb).is_ok());
    }

    /// A sheet may be under any name, in any case (hostile review: `XL/DATA/S1.XML` escaped).
    #[test]
    fn every_part_counts_whatever_its_name() {
        for name in ["XL/WORKSHEETS/SHEET1.XML", "xl/data/s1.xml"] {
            assert_eq!(
                declared_unpacked(&packed_at(name, 1 << 20)),
                Some(1 << 20),
                "{name}"
            );
        }
    }
}
