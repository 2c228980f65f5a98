//! Bank files (银行代发文件): the disbursement file of a payment batch, written as XLSX and CSV
//! with the columns the bank asks for (every cell text, so a card number is never turned into a
//! number by Excel), and the bank's return file (回盘) read row by row into outcomes, each bad
//! cell reported with its row, column, value and reason like any list.

use crate::columns::{ColumnSpec, Field};
use crate::error::ImportError;
use crate::header::{locate, HeaderMap, HEADER_SEARCH_ROWS};
use crate::lists::cells::RowCtx;
use crate::lists::RowError;
use crate::read::{Cell, Row, Workbook};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, Workbook as XlsxBook, XlsxError};
use std::path::Path;
use zizhu_domain::payment::LineOutcome;
use zizhu_domain::Fen;

/// Writes a disbursement file: `headers`, then `rows`, all as text, on one sheet.
///
/// Errors: [`XlsxError`] when the file cannot be written.
pub fn write_bank_xlsx(
    path: &Path,
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let mut wb = XlsxBook::new();
    let ws = wb.add_worksheet();
    ws.set_name("代发明细")?;
    let text = Format::new().set_num_format("@");
    let head = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, c, h, &head)?;
        ws.set_column_width(c, 18)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(r, c, crate::cell_text::fit(v).as_ref(), &text)?;
        }
    }
    wb.save(path)
}

/// Writes the same file as CSV, in UTF-8 (with BOM, for Excel) or GBK as the bank reads it.
///
/// Errors: the file cannot be written, or a character has no GBK form (named).
pub fn write_bank_csv(
    path: &Path,
    headers: &[String],
    rows: &[Vec<String>],
    gbk: bool,
) -> Result<(), String> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(headers).map_err(|e| e.to_string())?;
    for r in rows {
        w.write_record(r).map_err(|e| e.to_string())?;
    }
    let text =
        String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let bytes = if gbk {
        let (b, _, bad) = encoding_rs::GBK.encode(&text);
        if bad {
            let c = text
                .chars()
                .find(|c| encoding_rs::GBK.encode(&c.to_string()).2)
                .unwrap_or('?');
            return Err(format!(
                "字符 U+{:04X} 无法用 GBK 编码写入（银行格式要求 GBK），请更正收款账户中的该字符",
                u32::from(c)
            ));
        }
        b.into_owned()
    } else {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(text.as_bytes());
        b
    };
    std::fs::write(path, bytes).map_err(|e| crate::error::io_reason(&e))
}

/// One row of a bank's return: the line it names and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRow {
    /// 1-based row as the user sees it.
    pub row: usize,
    pub line_id: i64,
    pub account_no: String,
    pub amount: Fen,
    pub outcome: LineOutcome,
    pub reason: String,
    pub on: Option<NaiveDate>,
}

const RETURN_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        field: Field::PaymentLine,
        label: "明细编号",
        aliases: &["付款编号", "业务编号", "流水号", "客户流水号"],
        required: true,
    },
    ColumnSpec {
        field: Field::AccountNo,
        label: "账号",
        aliases: &["卡号", "银行卡号", "收款账号", "收款人账号"],
        required: true,
    },
    ColumnSpec {
        field: Field::PayeeName,
        label: "户名",
        aliases: &["收款人", "收款人姓名", "账户名", "姓名"],
        required: false,
    },
    ColumnSpec {
        field: Field::Amount,
        label: "金额（元）",
        aliases: &["金额", "发放金额", "交易金额", "代发金额"],
        required: true,
    },
    ColumnSpec {
        field: Field::Outcome,
        label: "处理结果",
        aliases: &["结果", "状态", "交易状态", "发放结果"],
        required: true,
    },
    ColumnSpec {
        field: Field::FailReason,
        label: "失败原因",
        aliases: &["原因", "错误信息", "备注"],
        required: false,
    },
    ColumnSpec {
        field: Field::PayDay,
        label: "处理日期",
        aliases: &["交易日期", "入账日期", "日期"],
        required: false,
    },
];

/// Reads a bank's return file: every data row as a [`ReturnRow`], or the problems of its cells.
/// A result other than 成功/失败, an amount that is not 元 with at most two decimals, a line
/// number or account that is not digits, and a failure without its reason are errors.
///
/// `lines` is how many lines the batch has: a return names each at most once, so a file whose
/// table content (an xlsx unpacked) is far larger than that many rows can be is refused before
/// it is read (a 7 MB xlsx of 10 million rows took 5 GB).
///
/// Errors: [`ImportError`] when the file cannot be read as a table with these columns, or is too
/// large for the batch.
pub fn read_bank_return(
    path: &Path,
    file_name: &str,
    today: NaiveDate,
    lines: usize,
) -> Result<(Vec<ReturnRow>, Vec<RowError>), ImportError> {
    let size = crate::read::content_size(path).map_err(|e| ImportError::Io {
        file: file_name.to_string(),
        detail: e.to_string(),
    })?;
    let limit = return_size_limit(lines);
    if size > limit {
        return Err(ImportError::TooLarge {
            detail: format!(
                "文件内容约 {} KB，远多于本批次 {lines} 笔明细的回盘应有的大小（至多约 {} KB）；请确认是本批次的回盘文件",
                size >> 10,
                limit >> 10
            ),
        });
    }
    let (wb, _) = Workbook::open_path(path, file_name)?;
    let mut sheet = wb.sheets.into_iter().next().ok_or(ImportError::NoSheets)?;
    let is_1904 = sheet.is_1904();
    let mut head_rows: Vec<Row> = Vec::new();
    for r in sheet.by_ref() {
        head_rows.push(r?);
        if head_rows.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let at = locate(RETURN_COLUMNS, &head_rows).ok_or_else(|| ImportError::NoHeader {
        expected: crate::header::expected_columns(RETURN_COLUMNS),
    })?;
    let header = HeaderMap::build(RETURN_COLUMNS, &head_rows[at])?;
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    let rest = head_rows.into_iter().skip(at + 1).map(Ok).chain(sheet);
    for row in rest {
        let row = row?;
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        let mut c = RowCtx::new(&row, &header, is_1904, today);
        let line = c.code(Field::PaymentLine, true);
        let line_id = line.as_deref().and_then(|s| match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                c.error(
                    Field::PaymentLine,
                    "明细编号应为正整数（代发文件中的“明细编号”）",
                );
                None
            }
        });
        let account_no = c.as_given(Field::AccountNo, true).map(|a| {
            a.chars()
                .filter(|ch| !matches!(ch, ' ' | '-'))
                .collect::<String>()
        });
        let amount = c.text(Field::Amount, true).and_then(|t| {
            let t = t.trim().trim_end_matches('元').replace(',', "");
            match Fen::parse_yuan(&t) {
                Some(f) if f.0 > 0 => Some(f),
                _ => {
                    c.error(Field::Amount, "金额应为大于 0 的元，最多两位小数");
                    None
                }
            }
        });
        let outcome = c.label(Field::Outcome, true, LineOutcome::parse, "成功、失败");
        let mut reason = c.text(Field::FailReason, false).unwrap_or_default();
        if let Err(m) = zizhu_domain::text::check_typed("失败原因", &reason, 200) {
            c.error(Field::FailReason, m);
        } else if outcome == Some(LineOutcome::Failed) && reason.trim().is_empty() {
            c.error(Field::FailReason, "发放失败须有失败原因");
        }
        if outcome == Some(LineOutcome::Paid) {
            // A bank's remark on a payment that went through is no failure reason.
            reason.clear();
        }
        let on = c.date(Field::PayDay, false);
        if let Some(d) = on {
            if d > today || d.year() < 2000 {
                c.error(
                    Field::PayDay,
                    format!("处理日期 {d} 不在合理范围（2000 年至今天）"),
                );
            }
        }
        let clean = c.errors.is_empty();
        // At most 100,000 problems are kept; a return whose every row is wrong says so.
        for e in c.errors.drain(..) {
            if errors.len() < 100_000 {
                errors.push(e);
            }
        }
        if let (true, Some(line_id), Some(account_no), Some(amount), Some(outcome)) =
            (clean, line_id, account_no, amount, outcome)
        {
            out.push(ReturnRow {
                row: row.number,
                line_id,
                account_no,
                amount,
                outcome,
                reason,
                on,
            });
        }
    }
    Ok((out, errors))
}

/// The largest table content a return of `lines` lines may have: 4 KiB a line (a row is a few
/// hundred bytes, in any encoding or as sheet XML) and 4 MiB besides (titles, styles, notes).
pub fn return_size_limit(lines: usize) -> u64 {
    (lines as u64)
        .saturating_mul(4 << 10)
        .saturating_add(4 << 20)
}
