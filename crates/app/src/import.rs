//! Import one list (`zizhu import KIND FILE [--dry-run]`): read and validate every row, then write
//! them in one transaction that replaces the previous version of the list. A file with any bad row
//! changes nothing and gets an error report (xlsx and csv: row, column, value, reason in Chinese).

use crate::AppError;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zizhu_domain::{ListKind, ListRecord, Term};
use zizhu_io::lists::{open_list_path, RowError};
use zizhu_io::write_error_report;
use zizhu_store::{Db, ImportMeta};

/// Rows sent to the database per batch.
const BATCH: usize = 5_000;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub kind: ListKind,
    pub file: PathBuf,
    /// Required for the student registry (学籍 is one term's snapshot).
    pub term: Option<Term>,
    pub dry_run: bool,
    pub actor: String,
    /// Where from (the web client's address), for the audit log; `None` for the command line.
    pub origin: Option<String>,
    /// Where the error report goes (`<dir>/<file stem>-错误报告.xlsx/.csv`).
    pub report_dir: PathBuf,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub kind: ListKind,
    pub file_name: String,
    pub sha256: String,
    /// How the file was read: format, encoding, sheet, header row.
    pub source: String,
    pub rows: usize,
    /// The first [`KEPT`] warnings and errors; the rest are counted in `more_warnings` and
    /// `more_errors` (a file whose every row is bad must not hold millions in memory).
    pub warnings: Vec<RowError>,
    pub errors: Vec<RowError>,
    pub more_warnings: usize,
    pub more_errors: usize,
    /// Set when the import was written (not a dry run, no errors).
    pub import_id: Option<i64>,
    /// Error report files, when there were errors.
    pub report: Option<(PathBuf, PathBuf)>,
    /// An earlier import of exactly the same file, if any.
    pub same_as: Option<i64>,
    /// Rows of the version of this list that the import replaces (for a sanity warning).
    pub previous_rows: Option<i64>,
    /// For lists replaced year by year: each year the file has, with the rows on record for it
    /// (replaced) and the file's.
    pub replaced_years: Vec<(i32, i64, i64)>,
}

/// Errors (and warnings) an import keeps to report; Excel's sheet holds a million rows, and a
/// report of a hundred thousand already says the file is wrong.
pub const KEPT: usize = 100_000;

impl ImportOutcome {
    pub fn accepted(&self) -> bool {
        self.errors.is_empty()
    }

    /// What replacing by year does, in Chinese, for each year that has rows on record: the
    /// year's rows are all replaced by the file's (review: one stray row of another year
    /// replaced that year's 509 applicants without a word). `done` for an import made, else a
    /// check.
    pub fn year_notes(&self, done: bool) -> Vec<String> {
        self.replaced_years
            .iter()
            .filter(|(_, old, _)| *old > 0)
            .map(|(y, old, new)| {
                format!(
                    "{}{y}年原有的 {old} 行（文件中该年 {new} 行）{}",
                    if done { "已替换" } else { "将替换" },
                    if new * 3 < *old {
                        "，相差很大：请确认文件的“年份”列无误"
                    } else {
                        ""
                    }
                )
            })
            .collect()
    }

    /// Errors found, kept or only counted.
    pub fn error_count(&self) -> usize {
        self.errors.len() + self.more_errors
    }

    /// Warnings given, kept or only counted.
    pub fn warning_count(&self) -> usize {
        self.warnings.len() + self.more_warnings
    }
}

/// Appends `new` to `kept` up to [`KEPT`], counting the rest in `more`.
fn keep(kept: &mut Vec<RowError>, more: &mut usize, new: Vec<RowError>) {
    for e in new {
        if kept.len() < KEPT {
            kept.push(e);
        } else {
            *more += 1;
        }
    }
}

/// Progress callback: rows read so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Imports one file. File-level problems (unreadable, wrong encoding, missing columns) are errors;
/// row-level problems come back in [`ImportOutcome::errors`] with nothing written.
pub async fn import_file(
    db: &Db,
    req: &ImportRequest,
    progress: Progress<'_>,
) -> Result<ImportOutcome, AppError> {
    if req.kind.per_term() && req.term.is_none() {
        return Err(AppError::Other(format!(
            "导入{}需要指定学期，例如 --term 2023-autumn",
            req.kind.zh()
        )));
    }
    let file_name = req
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A UTF-8 file is parsed as it is read: memory does not grow with the file.
    let opened = Instant::now();
    let mut rows = open_list_path(req.kind, &req.file, &file_name)?;
    let sha256 = rows.source().sha256.clone();
    let same_as = db.import_by_sha(req.kind, &sha256).await?.map(|b| b.id);
    // Lists replaced in part (college admissions by year, attendance returns by school) have no
    // single previous version to compare the size with.
    let partial = matches!(
        req.kind,
        ListKind::CollegeAdmissions
            | ListKind::Attendance
            | ListKind::PayeeAccounts
            | ListKind::AdmissionLines
            | ListKind::AdmissionApplicants
            | ListKind::ZeroFeeIssues
    );
    let previous_rows = if partial {
        None
    } else {
        db.imports()
            .await?
            .into_iter()
            .find(|b| b.kind == req.kind && (!req.kind.per_term() || b.term == req.term))
            .map(|b| b.rows)
    };
    let year_replaced = matches!(
        req.kind,
        ListKind::CollegeAdmissions | ListKind::AdmissionLines | ListKind::AdmissionApplicants
    );
    let old_years = if year_replaced {
        db.rows_by_year(req.kind).await?
    } else {
        Default::default()
    };
    let mut new_years: std::collections::BTreeMap<i32, i64> = Default::default();
    // An applicant whose category has no control line that year is imported with a warning
    // (the analysis cannot decide them); the lines on record are the reference.
    // Read before the import's transaction begins (one connection may be all SQLite has).
    let mut line_categories: std::collections::HashMap<i32, std::collections::HashSet<String>> =
        Default::default();
    if req.kind == ListKind::AdmissionApplicants {
        for y in db.admission_years().await? {
            let known = db.admission_lines(y).await?.into_iter().map(|l| l.category);
            line_categories.insert(y, known.collect());
        }
    }
    let mut no_line: Vec<RowError> = Vec::new();
    // 零收费发放记录 replace the (school, school year) pairs they name: the rows on record, and
    // per pair of the file its first row and row count, for a note per pair replaced.
    let old_pairs = if req.kind == ListKind::ZeroFeeIssues {
        db.zero_fee_rows_by_school_year().await?
    } else {
        Default::default()
    };
    let mut new_pairs = crate::zero_fee::PairRows::new();
    // 三(三): schools, overlapping assignments and the teacher list (read before the transaction).
    let mut exchange = crate::exchange_import::ExchangeChecks::load(db, req.kind).await?;
    let mut exchange_errors: Vec<RowError> = Vec::new();
    let source = describe_source(rows.source());
    let opened = opened.elapsed();
    let mut tx = if req.dry_run {
        None
    } else {
        let meta = ImportMeta {
            origin: req.origin.clone(),
            kind: req.kind,
            file_name: file_name.clone(),
            sha256: sha256.clone(),
            term: req.term,
            actor: req.actor.clone(),
        };
        Some(db.begin_import(&meta).await?)
    };
    // Parsing runs on a blocking thread and hands batches to this task, which writes them: on two
    // cores reading the file and writing the database overlap.
    let (send, mut recv) = tokio::sync::mpsc::channel::<Vec<(usize, ListRecord)>>(4);
    let parser = tokio::task::spawn_blocking(move || {
        let mut batch: Vec<(usize, ListRecord)> = Vec::with_capacity(BATCH);
        let (mut errors, mut warnings, mut count) = (Vec::new(), Vec::new(), 0usize);
        let (mut more_errors, mut more_warnings) = (0usize, 0usize);
        for outcome in rows.by_ref() {
            count += 1;
            keep(&mut warnings, &mut more_warnings, outcome.warnings);
            match outcome.result {
                Ok(rec) if errors.is_empty() => batch.push((outcome.row, rec)),
                Ok(_) => {}
                Err(e) => keep(&mut errors, &mut more_errors, e),
            }
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if send.blocking_send(full).is_err() {
                    break; // the writer stopped (database error): it reports why
                }
            }
        }
        if errors.is_empty() && !batch.is_empty() {
            let _ = send.blocking_send(batch);
        }
        (errors, warnings, more_errors, more_warnings, count)
    });
    let mut sent = 0u64;
    // Time waiting for the parser and time writing, for `ZIZHU_LOG=zizhu=info` (BENCHMARKS.md).
    let (mut waited, mut wrote) = (Duration::ZERO, Duration::ZERO);
    loop {
        let t = Instant::now();
        let Some(batch) = recv.recv().await else {
            break;
        };
        waited += t.elapsed();
        sent += batch.len() as u64;
        for (row_no, r) in &batch {
            let year = match r {
                ListRecord::Admission(a) => Some(a.year),
                ListRecord::AdmissionLine(l) => Some(l.year),
                ListRecord::Applicant(a) => Some(a.year),
                _ => None,
            };
            if let Some(y) = year {
                *new_years.entry(y).or_default() += 1;
            }
            if let ListRecord::ZeroFeeIssue(i) = r {
                let e = new_pairs
                    .entry((i.school_code.clone(), i.school_year))
                    .or_insert((*row_no, 0));
                e.1 += 1;
            }
            let (bad, warn) = exchange.check(*row_no, r);
            if exchange_errors.len() < KEPT {
                exchange_errors.extend(bad);
            }
            if no_line.len() < KEPT {
                no_line.extend(warn);
            }
            if let ListRecord::Applicant(a) = r {
                let unknown = line_categories
                    .get(&a.year)
                    .is_some_and(|known| !known.contains(&a.category));
                if unknown && no_line.len() < KEPT {
                    no_line.push(RowError {
                        row: *row_no,
                        column: "报考类别".into(),
                        value: a.category.clone(),
                        reason: format!(
                            "{}年的控制线中没有这一类别，录取分析无法判断该考生",
                            a.year
                        ),
                    });
                }
            }
        }
        let t = Instant::now();
        if let Some(tx) = tx.as_mut() {
            tx.insert_batch(&batch).await?;
        }
        wrote += t.elapsed();
        progress(sent);
    }
    tracing::info!(target: "zizhu::timing", ?opened, ?waited, ?wrote, "import: file opened (first pass), rows handed over");
    let (mut errors, mut warnings, mut more_errors, mut more_warnings, count) = parser
        .await
        .map_err(|e| AppError::Other(format!("读取文件时出错：{e}")))?;
    keep(&mut warnings, &mut more_warnings, no_line);
    let replaced = crate::zero_fee::replacement_notes(&old_pairs, &new_pairs);
    keep(&mut warnings, &mut more_warnings, replaced);
    keep(&mut errors, &mut more_errors, exchange_errors);
    errors.sort_by_key(|e| e.row);
    progress(count as u64);
    let mut out = ImportOutcome {
        kind: req.kind,
        file_name: file_name.clone(),
        sha256,
        source,
        rows: count,
        warnings,
        errors,
        more_warnings,
        more_errors,
        import_id: None,
        report: None,
        same_as,
        previous_rows,
        replaced_years: new_years
            .into_iter()
            .map(|(y, n)| (y, old_years.get(&y).copied().unwrap_or(0), n))
            .collect(),
    };
    if !out.errors.is_empty() {
        if let Some(tx) = tx {
            tx.rollback().await?;
            // The rejection itself is recorded (nothing else changed).
            let detail = format!(
                "{}：{} 行中有 {} 处错误，未导入；SHA-256 {}",
                req.kind.zh(),
                count,
                out.error_count(),
                out.sha256
            );
            db.audit_entry(&zizhu_store::AuditEntry {
                actor: &req.actor,
                action: "import_rejected",
                target: &file_name,
                detail: &detail,
                origin: req.origin.as_deref(),
                ..Default::default()
            })
            .await?;
        }
        out.report = Some(error_report(
            &req.report_dir,
            &file_name,
            req.kind,
            &out.errors,
        )?);
        return Ok(out);
    }
    if count == 0 {
        if let Some(tx) = tx {
            tx.rollback().await?;
        }
        return Err(AppError::Other(format!(
            "文件 {file_name} 没有任何数据行，未导入"
        )));
    }
    if let Some(tx) = tx {
        // ImportTx::commit writes the audit entry (kind, file, SHA-256, rows) in the same transaction.
        let t = Instant::now();
        out.import_id = Some(tx.commit(count as i64, out.warning_count() as i64).await?);
        tracing::info!(target: "zizhu::timing", committed = ?t.elapsed(), "import: committed");
    }
    Ok(out)
}

fn error_report(
    dir: &Path,
    file_name: &str,
    kind: ListKind,
    errors: &[RowError],
) -> Result<(PathBuf, PathBuf), AppError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Other(format!("无法创建目录 {}：{e}", dir.display())))?;
    let stem = Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = dir.join(format!("{stem}-错误报告"));
    write_error_report(&base, file_name, kind, errors).map_err(|e| AppError::Other(e.to_string()))
}

/// "xlsx，工作表「Sheet1」，表头在第3行" — how the file was read, for the user.
fn describe_source(src: &zizhu_io::lists::SourceInfo) -> String {
    let mut s = src.format.label().to_string();
    if let Some(e) = &src.encoding {
        s.push_str(&format!("，编码 {e}"));
    }
    if !src.sheet.is_empty() && src.encoding.is_none() {
        s.push_str(&format!("，工作表「{}」", src.sheet));
    }
    s.push_str(&format!("，表头在第{}行", src.header_row));
    s
}
