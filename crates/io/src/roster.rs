//! The roster workbook (`zizhu report roster`): a summary sheet (by program, by township, by school
//! and program: headcount and 元) and one sheet per program with every line. The public (公示)
//! version masks ID numbers and leaves out the hardship category and the payee's account details.
//! Lines are streamed into constant-memory sheets, so a province-sized roster fits in memory.

use crate::cell_text::fit;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A program as it heads its sheet.
#[derive(Debug, Clone)]
pub struct ProgramInfo {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub payee: String,
}

/// One total of the summary (from the store's GROUP BY).
#[derive(Debug, Clone)]
pub struct TotalLine {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub program: String,
    pub headcount: i64,
    pub amount_fen: i64,
}

/// One roster line.
#[derive(Debug, Clone)]
pub struct RosterLine {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub name: String,
    /// Full ID; masked by the writer in the public version.
    pub id_number: String,
    pub masked_id: String,
    pub student_no: String,
    pub program: String,
    pub amount_fen: i64,
    pub payee: String,
    /// Hardship categories with their lists, import batches and rows (never in the public version).
    pub basis: String,
    /// The conditions that held (学段、寄宿、名单…), from the stored facts.
    pub conditions: String,
    /// How the amount was made: standard, halving per term, supplements.
    pub amount_detail: String,
}

/// Roster writing failed.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The file could not be written (no such folder, no permission, disk full…).
    #[error("写入名单文件 {path} 失败：{reason}")]
    File { path: String, reason: String },
    #[error("写入名单文件失败：{0}")]
    Xlsx(#[from] XlsxError),
}

/// Excel shows money as a number with two decimals; the value is converted from integer fen
/// only here, at the file boundary (sums are done in fen before).
fn yuan_cell(fen: i64) -> f64 {
    fen as f64 / 100.0
}

struct Formats {
    title: Format,
    head: Format,
    money: Format,
    text: Format,
    bold_money: Format,
    bold: Format,
}

fn formats() -> Formats {
    let border = FormatBorder::Thin;
    Formats {
        title: Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center),
        head: Format::new()
            .set_bold()
            .set_border(border)
            .set_background_color("#DDEBF7")
            .set_text_wrap(),
        money: Format::new().set_num_format("#,##0.00").set_border(border),
        text: Format::new().set_border(border).set_num_format("@"),
        bold_money: Format::new()
            .set_bold()
            .set_num_format("#,##0.00")
            .set_border(border),
        bold: Format::new().set_bold().set_border(border),
    }
}

/// Writes a roster workbook line by line.
pub struct RosterWriter {
    wb: Workbook,
    sheets: HashMap<String, (usize, u32, ProgramInfo)>,
    /// Per program sheet: (lines, fen) for its total row.
    totals: HashMap<String, (i64, i64)>,
    public: bool,
    f: Formats,
}

fn sheet_name(p: &ProgramInfo) -> String {
    let n: String = p
        .name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if n.is_empty() {
        p.id.chars().take(31).collect()
    } else {
        n
    }
}

impl RosterWriter {
    /// Starts the workbook: the summary sheet, the 说明 sheet, then one empty sheet per program.
    /// `notes` are (label, value) pairs for 说明: policy version and fingerprint, compute run,
    /// reference date — what an auditor needs to reproduce the roster.
    pub fn new(
        title: &str,
        programs: &[ProgramInfo],
        totals: &[TotalLine],
        notes: &[(String, String)],
        public: bool,
    ) -> Result<RosterWriter, RosterError> {
        let mut wb = Workbook::new();
        let f = formats();
        {
            let ws = wb.add_worksheet();
            ws.set_name("汇总")?;
            write_summary(ws, title, programs, totals, &f)?;
        }
        {
            let ws = wb.add_worksheet();
            ws.set_name("说明")?;
            ws.write_string_with_format(0, 0, title, &f.title)?;
            ws.set_column_width(0, 24)?;
            ws.set_column_width(1, 100)?;
            for (i, (k, v)) in notes.iter().enumerate() {
                ws.write_string_with_format(i as u32 + 2, 0, k.as_str(), &f.bold)?;
                ws.write_string_with_format(i as u32 + 2, 1, fit(v), &f.text)?;
            }
        }
        let mut sheets = HashMap::new();
        for p in programs {
            let ws = wb.add_worksheet_with_constant_memory()?;
            ws.set_name(sheet_name(p))?;
            let heads: &[&str] = if public {
                &[
                    "序号",
                    "乡镇",
                    "学校",
                    "姓名",
                    "身份证件号",
                    "资助金额（元）",
                    "资助项目",
                ]
            } else {
                &[
                    "序号",
                    "乡镇",
                    "学校标识码",
                    "学校",
                    "姓名",
                    "身份证件号",
                    "学籍号",
                    "资助金额（元）",
                    "领取人",
                    "条款",
                    "认定依据（名单、导入批次、行号）",
                    "计算依据（基准日成立的条件）",
                    "金额构成",
                ]
            };
            let caption = if public {
                format!("{title} — {}（公示）", p.name)
            } else {
                format!("{title} — {}（{}）", p.name, p.clause)
            };
            ws.write_string_with_format(0, 0, caption, &f.title)?;
            for (c, h) in heads.iter().enumerate() {
                ws.write_string_with_format(1, c as u16, *h, &f.head)?;
            }
            let widths: &[f64] = if public {
                &[6.0, 12.0, 28.0, 10.0, 22.0, 14.0, 30.0]
            } else {
                &[
                    6.0, 12.0, 13.0, 28.0, 10.0, 22.0, 22.0, 14.0, 12.0, 14.0, 60.0, 60.0, 60.0,
                ]
            };
            for (c, w) in widths.iter().enumerate() {
                ws.set_column_width(c as u16, *w)?;
            }
            let idx = sheets.len() + 2;
            sheets.insert(p.id.clone(), (idx, 2u32, p.clone()));
        }
        Ok(RosterWriter {
            wb,
            sheets,
            totals: HashMap::new(),
            public,
            f,
        })
    }

    /// Appends one line to its program's sheet.
    pub fn push(&mut self, l: &RosterLine) -> Result<(), RosterError> {
        let Some((idx, row, info)) = self.sheets.get_mut(&l.program) else {
            return Ok(());
        };
        let r = *row;
        *row += 1;
        let ws = self.wb.worksheet_from_index(*idx)?;
        let (program_name, clause) = (info.name.as_str(), info.clause.as_str());
        let t = self.totals.entry(l.program.clone()).or_default();
        t.0 += 1;
        t.1 += l.amount_fen;
        let f = &self.f;
        let n = f64::from(r - 1);
        ws.write_number_with_format(r, 0, n, &f.text)?;
        if self.public {
            let cells = [&l.township, &l.school_name, &l.name, &l.masked_id];
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r, (c + 1) as u16, fit(v), &f.text)?;
            }
            ws.write_number_with_format(r, 5, yuan_cell(l.amount_fen), &f.money)?;
            ws.write_string_with_format(r, 6, fit(program_name), &f.text)?;
        } else {
            let cells = [
                &l.township,
                &l.school_code,
                &l.school_name,
                &l.name,
                &l.id_number,
                &l.student_no,
            ];
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r, (c + 1) as u16, fit(v), &f.text)?;
            }
            ws.write_number_with_format(r, 7, yuan_cell(l.amount_fen), &f.money)?;
            ws.write_string_with_format(r, 8, fit(&l.payee), &f.text)?;
            ws.write_string_with_format(r, 9, fit(clause), &f.text)?;
            ws.write_string_with_format(r, 10, fit(&l.basis), &f.text)?;
            ws.write_string_with_format(r, 11, fit(&l.conditions), &f.text)?;
            ws.write_string_with_format(r, 12, fit(&l.amount_detail), &f.text)?;
        }
        Ok(())
    }

    /// Writes a 合计 row under each program's lines, then the file.
    pub fn save(mut self, path: &Path) -> Result<(), RosterError> {
        let money_col = if self.public { 5 } else { 7 };
        for (program, (idx, row, _)) in &self.sheets {
            let (n, fen) = self.totals.get(program).copied().unwrap_or_default();
            let ws = self.wb.worksheet_from_index(*idx)?;
            ws.write_string_with_format(*row, 0, "合计", &self.f.bold)?;
            ws.write_string_with_format(*row, 1, format!("{n} 人次"), &self.f.bold)?;
            ws.write_number_with_format(*row, money_col, yuan_cell(fen), &self.f.bold_money)?;
        }
        self.wb.save(path).map_err(|e| match e {
            XlsxError::IoError(io) => RosterError::File {
                path: path.display().to_string(),
                reason: crate::error::io_reason(&io),
            },
            e => RosterError::Xlsx(e),
        })
    }
}

fn write_summary(
    ws: &mut Worksheet,
    title: &str,
    programs: &[ProgramInfo],
    totals: &[TotalLine],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.merge_range(0, 0, 0, 6, title, &f.title)?;
    for (c, w) in [12.0, 13.0, 30.0, 30.0, 16.0, 10.0, 16.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    let mut r = 2u32;
    // By program.
    ws.write_string_with_format(r, 0, "一、按资助项目", &f.bold)?;
    r += 1;
    for (c, h) in ["资助项目", "条款", "领取人", "人数", "金额（元）"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &f.head)?;
    }
    r += 1;
    let mut by_prog: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for t in totals {
        let e = by_prog.entry(t.program.as_str()).or_default();
        e.0 += t.headcount;
        e.1 += t.amount_fen;
    }
    let (mut hc, mut fen) = (0i64, 0i64);
    for p in programs {
        let (n, a) = by_prog.get(p.id.as_str()).copied().unwrap_or_default();
        ws.write_string_with_format(r, 0, p.name.as_str(), &f.text)?;
        ws.write_string_with_format(r, 1, p.clause.as_str(), &f.text)?;
        ws.write_string_with_format(r, 2, p.payee.as_str(), &f.text)?;
        ws.write_number_with_format(r, 3, n as f64, &f.text)?;
        ws.write_number_with_format(r, 4, yuan_cell(a), &f.money)?;
        hc += n;
        fen += a;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计（人次）", &f.bold)?;
    ws.write_number_with_format(r, 3, hc as f64, &f.bold)?;
    ws.write_number_with_format(r, 4, yuan_cell(fen), &f.bold_money)?;
    r += 2;
    // By township.
    ws.write_string_with_format(r, 0, "二、按乡镇", &f.bold)?;
    r += 1;
    for (c, h) in ["乡镇", "人次", "金额（元）"].iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &f.head)?;
    }
    r += 1;
    let mut by_town: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for t in totals {
        let e = by_town.entry(t.township.as_str()).or_default();
        e.0 += t.headcount;
        e.1 += t.amount_fen;
    }
    for (town, (n, a)) in &by_town {
        let town = if town.is_empty() {
            "（学校不在名单中）"
        } else {
            town
        };
        ws.write_string_with_format(r, 0, fit(town), &f.text)?;
        ws.write_number_with_format(r, 1, *n as f64, &f.text)?;
        ws.write_number_with_format(r, 2, yuan_cell(*a), &f.money)?;
        r += 1;
    }
    r += 1;
    // By school and program.
    ws.write_string_with_format(r, 0, "三、按学校和项目", &f.bold)?;
    r += 1;
    for (c, h) in [
        "乡镇",
        "学校标识码",
        "学校",
        "资助项目",
        "人数",
        "金额（元）",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &f.head)?;
    }
    r += 1;
    let name_of = |id: &str| {
        programs
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut rows: Vec<&TotalLine> = totals.iter().collect();
    // Programs in policy order within each school.
    let rank = |id: &str| {
        programs
            .iter()
            .position(|p| p.id == id)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| {
        (&a.township, &a.school_code, rank(&a.program)).cmp(&(
            &b.township,
            &b.school_code,
            rank(&b.program),
        ))
    });
    for t in rows {
        ws.write_string_with_format(r, 0, fit(&t.township), &f.text)?;
        ws.write_string_with_format(r, 1, fit(&t.school_code), &f.text)?;
        ws.write_string_with_format(r, 2, fit(&t.school_name), &f.text)?;
        ws.write_string_with_format(r, 3, name_of(&t.program), &f.text)?;
        ws.write_number_with_format(r, 4, t.headcount as f64, &f.text)?;
        ws.write_number_with_format(r, 5, yuan_cell(t.amount_fen), &f.money)?;
        r += 1;
    }
    Ok(())
}
