//! The import API (名单导入): open any county file as one of the eight lists and iterate its data rows
//! as validated [`ListRecord`]s or per-row errors, with the source described for the audit trail.

pub(crate) mod cells;
mod records;
mod teachers;
mod zero_fee;

use crate::columns;
use crate::error::ImportError;
use crate::header::{self, HeaderMap, HEADER_SEARCH_ROWS};
use crate::read::{Cell, Row, Sheet, SourceFormat, Workbook};
use cells::RowCtx;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::collections::hash_map::Entry;
use std::collections::VecDeque;
use zizhu_domain::text::clean_cell_cow;
use zizhu_domain::{ListKind, ListRecord};

pub use crate::report::{write_error_report, ReportError};

/// One problem in one cell (行级错误). Also used for warnings ([`RowWarning`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based row number as the user sees it: the Excel row, or the line in a CSV file.
    pub row: usize,
    /// Header text of the column as in the file (empty for a problem with the whole row).
    pub column: String,
    /// The cell as the user sees it.
    pub value: String,
    /// What is wrong, in Chinese.
    pub reason: String,
}

/// A warning: the row is imported, but something should be checked (e.g. a 15-digit ID upgraded).
pub type RowWarning = RowError;

/// The outcome of one data row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowOutcome {
    /// 1-based row number as the user sees it.
    pub row: usize,
    /// The record, or every problem found in the row.
    pub result: Result<ListRecord, Vec<RowError>>,
    /// Warnings, for accepted and rejected rows alike.
    pub warnings: Vec<RowWarning>,
}

/// What was read, for the import log and the user (数据来源).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// The uploaded file's name, as given to [`open_list`].
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// What the content was recognised as.
    pub format: SourceFormat,
    /// Encoding of a text file (`UTF-8`, `UTF-8（带BOM）`, `UTF-16LE`, `GBK/GB18030`).
    pub encoding: Option<String>,
    /// Delimiter of a text file.
    pub delimiter: Option<char>,
    /// Name of the sheet the list was read from.
    pub sheet: String,
    /// 1-based row of the header.
    pub header_row: usize,
    /// Recognised columns: header text as in the file (line breaks and outer spaces dropped),
    /// and its canonical name.
    pub columns: Vec<(String, &'static str)>,
}

/// The data rows of an opened list, validated one at a time (streaming: a text file is parsed as
/// it is iterated). Blank rows and footer rows (合计, 制表人 …) are skipped and counted.
pub struct ListRows {
    kind: ListKind,
    sheet: Sheet,
    pending: VecDeque<Row>,
    header: HeaderMap,
    source: SourceInfo,
    /// Duplicate keys seen so far (as [`key_digest`]s: 16 bytes each, whatever the key's length,
    /// so ten million rows stay well under a gigabyte) and the row where each first appeared.
    seen: FxHashMap<u128, usize>,
    skipped: usize,
    /// Today's date, read once (birth dates after it are errors).
    today: chrono::NaiveDate,
    /// The last row processed, whose cells the next text record reuses.
    spare: Row,
    done: bool,
}

/// First-cell prefixes of footer rows under the data (totals, signatures, notes).
const FOOTER_PREFIXES: &[&str] = &[
    "合计",
    "总计",
    "制表",
    "填表",
    "审核",
    "负责人",
    "备注",
    "说明",
    "注：",
    "注:",
];

/// Opens `bytes` as a list of `kind`. The format is recognised by content; `file_name` is kept for
/// the source description and to tell a fake `.xls` from a `.csv`.
///
/// # Errors
/// File-level [`ImportError`]s: empty or unreadable file, encoding problems, no header row in the
/// first 30 rows of any sheet, duplicate or missing required columns.
pub fn open_list(kind: ListKind, bytes: Vec<u8>, file_name: &str) -> Result<ListRows, ImportError> {
    let sha256 = sha256_hex(&bytes);
    let workbook = Workbook::open(bytes, file_name)?;
    list_of(kind, workbook, sha256, file_name)
}

/// Opens the file at `path` as a list of `kind`, like [`open_list`]; a UTF-8 text file is parsed
/// as it is read instead of being held in memory ([`Workbook::open_path`]). `file_name` is the
/// name shown to the user.
///
/// # Errors
/// Those of [`open_list`], and [`ImportError::Io`] when the file cannot be read.
pub fn open_list_path(
    kind: ListKind,
    path: &std::path::Path,
    file_name: &str,
) -> Result<ListRows, ImportError> {
    let (workbook, sha256) = Workbook::open_path(path, file_name)?;
    list_of(kind, workbook, sha256, file_name)
}

fn list_of(
    kind: ListKind,
    workbook: Workbook,
    sha256: String,
    file_name: &str,
) -> Result<ListRows, ImportError> {
    let specs = columns::specs(kind);
    let mut saw_data = false;
    let mut found: Option<(Sheet, Vec<Row>, usize)> = None;
    let mut others: Vec<String> = Vec::new();
    for mut sheet in workbook.sheets {
        let mut head = Vec::new();
        while head.len() < HEADER_SEARCH_ROWS {
            match sheet.next() {
                Some(Ok(row)) => head.push(row),
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        saw_data |= head.iter().any(|r| r.cells.iter().any(|c| !c.is_blank()));
        let Some(at) = header::locate(specs, &head) else {
            continue;
        };
        if found.is_some() {
            // A second sheet that also looks like this list: importing only one of them would
            // silently drop the other's people when the list is replaced.
            others.push(sheet.name().to_string());
        } else {
            found = Some((sheet, head, at));
        }
    }
    if let Some((sheet, head, at)) = found {
        if !others.is_empty() {
            let mut sheets = vec![sheet.name().to_string()];
            sheets.extend(others);
            return Err(ImportError::MultipleSheets { sheets });
        }
        let mut rest = head.into_iter().skip(at);
        if let Some(header_row) = rest.next() {
            let header = HeaderMap::build(specs, &header_row)?;
            let source = SourceInfo {
                file_name: file_name.to_string(),
                sha256,
                format: workbook.format,
                encoding: workbook.encoding.clone(),
                delimiter: workbook.delimiter,
                sheet: sheet.name().to_string(),
                header_row: header.row,
                columns: header
                    .columns
                    .iter()
                    .map(|c| (c.header.clone(), c.label))
                    .collect(),
            };
            return Ok(ListRows {
                kind,
                sheet,
                pending: rest.collect(),
                header,
                source,
                seen: FxHashMap::default(),
                skipped: 0,
                // The county's day (北京时间), whatever the machine's zone.
                today: (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive(),
                spare: Row::default(),
                done: false,
            });
        }
    }
    if saw_data {
        Err(ImportError::NoHeader {
            expected: header::expected_columns(specs),
        })
    } else {
        Err(ImportError::Empty)
    }
}

impl ListRows {
    /// Where the rows come from: format, encoding, sheet, header row.
    pub fn source(&self) -> &SourceInfo {
        &self.source
    }

    /// The list kind being read.
    pub fn kind(&self) -> ListKind {
        self.kind
    }

    /// Rows skipped so far: blank in every recognised column, or footer rows.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    fn is_skipped(&self, row: &Row) -> bool {
        match row.cells.iter().find(|c| !c.is_blank()) {
            None => return true,
            Some(Cell::Text(t)) => {
                let t = clean_cell_cow(t);
                if FOOTER_PREFIXES.iter().any(|p| t.starts_with(p)) {
                    return true;
                }
            }
            Some(_) => {}
        }
        self.header
            .columns
            .iter()
            .all(|c| row.cells.get(c.index).is_none_or(Cell::is_blank))
    }

    fn process(&mut self, row: &Row) -> RowOutcome {
        let mut ctx = RowCtx::new(row, &self.header, self.sheet.is_1904(), self.today);
        let built = records::build(self.kind, &mut ctx);
        if let Some((key, field, what)) = built.dup_key {
            match self.seen.entry(key_digest(&key)) {
                Entry::Occupied(first) => {
                    ctx.error(field, format!("{what}与第{}行重复", first.get()))
                }
                Entry::Vacant(slot) => {
                    slot.insert(row.number);
                }
            }
        }
        let result = match (built.record, ctx.errors.is_empty()) {
            (Some(record), true) => Ok(record),
            (_, false) => Err(std::mem::take(&mut ctx.errors)),
            // Every getter that yields nothing for a required field records an error; this is a
            // safety net, never expected.
            (None, true) => Err(vec![RowError {
                row: row.number,
                column: String::new(),
                value: String::new(),
                reason: "该行无法读取".into(),
            }]),
        };
        RowOutcome {
            row: row.number,
            result,
            warnings: ctx.warnings,
        }
    }
}

impl Iterator for ListRows {
    type Item = RowOutcome;

    fn next(&mut self) -> Option<RowOutcome> {
        loop {
            if self.done {
                return None;
            }
            let row = match self.pending.pop_front() {
                Some(r) => r,
                None => match self.sheet.next_reusing(std::mem::take(&mut self.spare)) {
                    Some(Ok(r)) => r,
                    None => {
                        self.done = true;
                        return None;
                    }
                    Some(Err(e)) => {
                        self.done = true;
                        let line = match &e {
                            ImportError::Read { line, .. } => *line,
                            _ => 0,
                        };
                        let error = RowError {
                            row: line,
                            column: String::new(),
                            value: String::new(),
                            reason: e.to_string(),
                        };
                        return Some(RowOutcome {
                            row: line,
                            result: Err(vec![error]),
                            warnings: Vec::new(),
                        });
                    }
                },
            };
            if self.is_skipped(&row) {
                self.skipped += 1;
                self.spare = row;
                continue;
            }
            let out = self.process(&row);
            self.spare = row;
            return Some(out);
        }
    }
}

/// A 128-bit digest of a duplicate key: two independent 64-bit hashes (FxHash, and the
/// standard library's SipHash with its fixed default keys). Two different keys of one file share
/// a digest with probability about n²/2¹²⁹ — for ten million rows, less than one in 10²⁴ — so a
/// reported duplicate is a real one.
fn key_digest(key: &str) -> u128 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let sip =
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(key);
    let fx = rustc_hash::FxBuildHasher.hash_one(key);
    (u128::from(sip) << 64) | u128::from(fx)
}

/// SHA-256 of `bytes` as 64 lower-case hex digits (recorded with every import).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
