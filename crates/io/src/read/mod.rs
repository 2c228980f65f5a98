//! Reading any county file into sheets of cells: xlsx, real BIFF xls, and delimited text in any of the
//! encodings county offices produce (UTF-8, UTF-16, GBK/GB18030). The format is recognised by content,
//! never by the file extension.

mod excel;
mod text;

/// How large a file's table content is, as far as it can be told before reading it: the
/// unpacked size an xlsx declares for its sheets and shared strings, else the file's size.
pub fn content_size(path: &std::path::Path) -> std::io::Result<u64> {
    let len = std::fs::metadata(path)?.len();
    let mut magic = [0u8; 4];
    let is_zip = {
        use std::io::Read;
        let mut f = std::fs::File::open(path)?;
        f.read(&mut magic)? == 4 && magic == *b"PK\x03\x04"
    };
    if !is_zip || len > 512 << 20 {
        return Ok(len);
    }
    let bytes = std::fs::read(path)?;
    Ok(excel::declared_unpacked(&bytes).unwrap_or(len).max(len))
}

use crate::error::ImportError;
use chrono::NaiveDate;
use std::io::{Read as _, Seek as _};

/// One cell as read from the file, before any validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell (or only an empty string in a text file).
    Empty,
    /// Text exactly as in the file (not trimmed).
    Text(String),
    /// A numeric spreadsheet cell. Digit codes stored as numbers arrive here.
    Number(f64),
    /// A boolean spreadsheet cell (TRUE/FALSE).
    Bool(bool),
    /// A spreadsheet cell formatted as a date (the time of day, if any, is dropped).
    Date(NaiveDate),
}

impl Cell {
    /// True for [`Cell::Empty`] and for text that is only whitespace (including U+3000 and NBSP).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.chars().all(|c| c.is_whitespace() || is_invisible(c)),
            _ => false,
        }
    }

    /// The cell as the user would see it, for error reports (`值` column).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Zero-width characters that count as blank.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Formats a number the way a user would read it: integers without `.0`, everything in the shortest
/// form that reads back to the same float (so a precision-damaged ID shows its trailing zeros).
pub fn format_number(n: f64) -> String {
    n.to_string()
}

/// One row of a sheet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// 1-based row number as the user sees it: the Excel row, or the line in a text file where the
    /// record starts.
    pub number: usize,
    /// Cells from the sheet's first used column on.
    pub cells: Vec<Cell>,
}

/// How the file was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Office Open XML workbook (zip container).
    Xlsx,
    /// Real Excel 97–2003 BIFF workbook (OLE compound file).
    Xls,
    /// Delimited text whose name does not claim to be a spreadsheet.
    Csv,
    /// Delimited text named `.xls`/`.xlsx` (the student-registration system's export).
    FakeXls,
}

impl SourceFormat {
    /// Chinese/technical label shown to the user: `xlsx`, `xls`, `csv`, `伪装成xls的文本`.
    pub fn label(self) -> &'static str {
        match self {
            SourceFormat::Xlsx => "xlsx",
            SourceFormat::Xls => "xls",
            SourceFormat::Csv => "csv",
            SourceFormat::FakeXls => "伪装成xls的文本",
        }
    }
}

/// A sheet: its name, its date system, and its rows, produced one at a time.
pub struct Sheet {
    name: String,
    is_1904: bool,
    rows: RowSource,
}

enum RowSource {
    Grid(excel::GridRows),
    Text(text::TextRows),
}

impl Sheet {
    /// Sheet name (for text files: the file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the workbook counts dates from 1904-01-01 (old Mac Excel); numeric date cells must
    /// then be converted with the 1904 epoch.
    pub fn is_1904(&self) -> bool {
        self.is_1904
    }
}

impl Sheet {
    /// Like [`Iterator::next`], reusing the cells of `spare` (a row already processed) so that a
    /// text file's cells do not each need a new allocation.
    pub fn next_reusing(&mut self, spare: Row) -> Option<Result<Row, ImportError>> {
        match &mut self.rows {
            RowSource::Grid(g) => g.next().map(Ok),
            RowSource::Text(t) => t.next_into(spare),
        }
    }
}

impl Iterator for Sheet {
    type Item = Result<Row, ImportError>;

    /// Next row; text files yield an error only on a broken record (then stop).
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.rows {
            RowSource::Grid(g) => g.next().map(Ok),
            RowSource::Text(t) => t.next(),
        }
    }
}

/// A whole file, opened: what it was recognised as, and its sheets (text files have one).
pub struct Workbook {
    /// What the content turned out to be.
    pub format: SourceFormat,
    /// Text encoding used to decode a text file (`None` for xlsx/xls).
    pub encoding: Option<String>,
    /// The delimiter of a text file (`None` for xlsx/xls).
    pub delimiter: Option<char>,
    /// The worksheets, in workbook order (chart sheets left out).
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    /// Opens a file from its bytes. `file_name` is only used to tell a fake `.xls` from a `.csv`
    /// and to name the sheet of a text file.
    ///
    /// Errors: [`ImportError::Empty`] for no bytes; [`ImportError::Unreadable`] /
    /// [`ImportError::Encrypted`] for broken or protected workbooks; [`ImportError::NoSheets`];
    /// [`ImportError::Encoding`] when text cannot be decoded without loss, naming the first bad line;
    /// [`ImportError::UnsupportedEncoding`] for text that is confidently neither UTF-8/16 nor GBK.
    pub fn open(bytes: Vec<u8>, file_name: &str) -> Result<Workbook, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::Empty);
        }
        if bytes.starts_with(b"PK\x03\x04") {
            let (sheets, is_1904) = excel::read_xlsx(bytes)?;
            return Ok(Workbook::grid(SourceFormat::Xlsx, sheets, is_1904));
        }
        if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            let (sheets, is_1904) = excel::read_xls(bytes)?;
            return Ok(Workbook::grid(SourceFormat::Xls, sheets, is_1904));
        }
        let decoded = text::decode(bytes)?;
        let encoding = decoded.encoding.clone();
        Ok(Workbook::text(
            file_name,
            encoding,
            text::TextRows::new(decoded),
        ))
    }

    /// Opens the file at `path` and returns it with the SHA-256 of its bytes. A UTF-8 text file
    /// (the usual large export) is checked in one pass and then parsed as it is read, so memory
    /// does not grow with the file; any other file is read whole and opened as by
    /// [`Workbook::open`]. `file_name` is the name the user gave (see [`Workbook::open`]).
    ///
    /// Errors: those of [`Workbook::open`]; [`ImportError::Io`] when the file cannot be read.
    pub fn open_path(
        path: &std::path::Path,
        file_name: &str,
    ) -> Result<(Workbook, String), ImportError> {
        let io = |e: std::io::Error| ImportError::Io {
            file: path.display().to_string(),
            detail: crate::error::io_reason(&e),
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if meta.is_dir() {
            return Err(ImportError::Io {
                file: path.display().to_string(),
                detail: "这是一个文件夹，不是文件".into(),
            });
        }
        // A pipe or device cannot be read twice: it is read whole, once.
        let scan = if meta.is_file() {
            text::scan_utf8(&mut file).map_err(io)??
        } else {
            text::Scan::Other
        };
        match scan {
            text::Scan::Utf8 {
                bom,
                len,
                sha256,
                head,
            } => {
                let rows = text::TextRows::streaming(file, bom, len, &sha256, &head).map_err(io)?;
                let encoding = if bom > 0 {
                    "UTF-8（带BOM）"
                } else {
                    "UTF-8"
                };
                Ok((Workbook::text(file_name, encoding.into(), rows), sha256))
            }
            text::Scan::Other => {
                // The handle already open (a pipe must not be opened twice), from the start.
                let mut bytes = Vec::new();
                if meta.is_file() {
                    file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
                }
                file.read_to_end(&mut bytes).map_err(io)?;
                let sha256 = crate::lists::sha256_hex(&bytes);
                Ok((Workbook::open(bytes, file_name)?, sha256))
            }
        }
    }

    fn text(file_name: &str, encoding: String, rows: text::TextRows) -> Workbook {
        let lower = file_name.to_lowercase();
        let format = if lower.ends_with(".xls") || lower.ends_with(".xlsx") {
            SourceFormat::FakeXls
        } else {
            SourceFormat::Csv
        };
        Workbook {
            format,
            encoding: Some(encoding),
            delimiter: Some(rows.delimiter()),
            sheets: vec![Sheet {
                name: file_name.to_string(),
                is_1904: false,
                rows: RowSource::Text(rows),
            }],
        }
    }

    fn grid(format: SourceFormat, sheets: Vec<(String, excel::GridRows)>, is_1904: bool) -> Self {
        Workbook {
            format,
            encoding: None,
            delimiter: None,
            sheets: sheets
                .into_iter()
                .map(|(name, rows)| Sheet {
                    name,
                    is_1904,
                    rows: RowSource::Grid(rows),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_display_has_no_trailing_zero() {
        assert_eq!(format_number(3604.0), "3604");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(360426199101010000.0), "360426199101010000");
    }

    #[test]
    fn blank_cells() {
        assert!(Cell::Empty.is_blank());
        assert!(Cell::Text(" \u{3000}\u{A0}\u{200B}".into()).is_blank());
        assert!(!Cell::Text("x".into()).is_blank());
        assert!(!Cell::Number(0.0).is_blank());
    }

    #[test]
    fn empty_file_is_an_error() {
        assert_eq!(
            Workbook::open(Vec::new(), "a.csv").err(),
            Some(ImportError::Empty)
        );
    }

    #[test]
    fn text_named_xls_is_fake_xls() {
        let wb = Workbook::open(b"a\tb\n1\t2\n".to_vec(), "export.XLS");
        let wb = wb.ok();
        assert_eq!(wb.as_ref().map(|w| w.format), Some(SourceFormat::FakeXls));
        assert_eq!(wb.and_then(|w| w.delimiter), Some('\t'));
    }
}
