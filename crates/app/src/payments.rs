//! Paying the aid (资金发放): batches from a locked roster grouped as the policy file says (fund
//! source, paying unit), the bank's disbursement file in the bank's columns, the bank's return
//! checked against the batch and recorded all or nothing, and the coverage audit (一个不落,
//! 二(一); 查遗补漏, 四(二)): every entitled student not yet paid, with why, every payment with
//! no entitlement behind it, and the totals planned, paid, failed and recovered.

use crate::AppError;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use zizhu_domain::payment::{mask, LedgerKind, LineOutcome};
use zizhu_domain::{Fen, Term};
use zizhu_io::lists::RowError;
use zizhu_policy::file::Payee;
use zizhu_policy::payment::{BankField, BankFormat, PayingUnit};
use zizhu_policy::Policy;
use zizhu_store::{BatchGroup, BatchRow, Db, LineRow, PayActor, ReturnLine, ScopeFilter};

/// An audit entry of `who`, with the client's address when there is one.
async fn audit(
    db: &Db,
    who: PayActor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), AppError> {
    db.audit_entry(&zizhu_store::AuditEntry {
        actor: who.name,
        action,
        target,
        detail,
        origin: who.origin,
        ..Default::default()
    })
    .await?;
    Ok(())
}

/// The batches a term is paid in: the programs paid to a guardian or a student, grouped by fund
/// source and paying unit, in the policy file's order.
pub fn batch_groups(policy: &Policy) -> Vec<BatchGroup> {
    let county = policy.file.payment.as_ref().map_or_else(
        || "县学生资助管理中心".to_string(),
        |p| p.county_unit.clone(),
    );
    let mut groups: Vec<BatchGroup> = Vec::new();
    for p in &policy.file.programs {
        if p.payee == Payee::School {
            continue;
        }
        let fund = p
            .fund_source
            .clone()
            .unwrap_or_else(|| "未指定资金来源".into());
        let per_school = p.paying_unit == PayingUnit::School;
        let unit = if per_school {
            "学校".to_string()
        } else {
            county.clone()
        };
        match groups
            .iter_mut()
            .find(|g| g.fund_source == fund && g.per_school == per_school)
        {
            Some(g) => g.programs.push(p.id.clone()),
            None => groups.push(BatchGroup {
                fund_source: fund,
                paying_unit: unit,
                programs: vec![p.id.clone()],
                per_school,
            }),
        }
    }
    groups
}

/// Makes the term's draft batches from its locked roster.
pub async fn make_batches(
    db: &Db,
    policy: &Policy,
    term: Term,
    who: PayActor<'_>,
) -> Result<Vec<BatchRow>, AppError> {
    let ids = db.create_batches(term, &batch_groups(policy), who).await?;
    let mut made: Vec<BatchRow> = db
        .batches(Some(term))
        .await?
        .into_iter()
        .filter(|b| ids.contains(&b.id))
        .collect();
    made.sort_by_key(|b| b.id);
    Ok(made)
}

/// The bank format named `name`, or the policy file's first.
pub fn bank_format<'p>(policy: &'p Policy, name: Option<&str>) -> Result<&'p BankFormat, AppError> {
    let formats = policy
        .file
        .payment
        .as_ref()
        .map(|p| p.bank_formats.as_slice())
        .unwrap_or_default();
    let found = match name {
        Some(n) => formats.iter().find(|f| f.name == n),
        None => formats.first(),
    };
    found.ok_or_else(|| {
        let names: Vec<&str> = formats.iter().map(|f| f.name.as_str()).collect();
        AppError::Other(if names.is_empty() {
            "政策文件没有 [payment] 银行代发格式（[[payment.bank_format]]）".into()
        } else {
            format!(
                "没有名为“{}”的银行代发格式；可用：{}",
                name.unwrap_or(""),
                names.join("、")
            )
        })
    })
}

/// What a batch pays, in Chinese: the locked roster, adjustments after the lock (补发 and
/// differences), or a re-issue of another batch's failures.
pub fn batch_kind(b: &zizhu_store::BatchRow) -> String {
    match (b.reissue_of, b.adjusted_lines) {
        (Some(r), _) => format!("重新发放批次 {r} 的失败明细"),
        (None, 0) => "按锁定名单发放".to_string(),
        (None, n) if n == b.lines => "锁定后调整补发".to_string(),
        (None, n) => format!("按锁定名单发放，含锁定后调整补发 {n} 笔"),
    }
}

fn cell(f: BankField, seq: usize, l: &LineRow, term: &str) -> String {
    match f {
        BankField::Seq => seq.to_string(),
        BankField::LineId => l.id.to_string(),
        BankField::PayeeName => l.payee_name.clone(),
        BankField::AccountNo => l.account_no.clone(),
        BankField::AccountKind => zizhu_domain::payment::AccountKind::from_key(&l.account_kind)
            .map_or_else(|| l.account_kind.clone(), |k| k.zh().to_string()),
        BankField::Bank => l.bank.clone(),
        BankField::AmountYuan => Fen(l.amount_fen).to_string(),
        BankField::AmountFen => l.amount_fen.to_string(),
        BankField::StudentName => l.student_name.clone(),
        BankField::SchoolCode => l.school_code.clone(),
        BankField::ProgramName => l.program_name.clone(),
        BankField::Remark if l.part != 0 => format!("{} {term} 调整补发", l.program_name),
        BankField::Remark => format!("{} {term}", l.program_name),
    }
}

/// Writes batch `batch_id`'s disbursement file as `<dir>/发放批次N-格式.xlsx` and `.csv`, in
/// the bank format's columns (full account numbers: the file goes to the bank). The export is
/// audited. A batch already paid is refused (its file went to the bank once).
pub async fn write_bank_file(
    db: &Db,
    policy: &Policy,
    batch_id: i64,
    format: Option<&str>,
    dir: &Path,
    who: PayActor<'_>,
) -> Result<(PathBuf, PathBuf, Option<String>), AppError> {
    let b = db
        .batch(batch_id)
        .await?
        .ok_or_else(|| AppError::Other(format!("没有编号为 {batch_id} 的发放批次")))?;
    if !matches!(
        b.state,
        zizhu_domain::payment::BatchState::Draft | zizhu_domain::payment::BatchState::Submitted
    ) {
        return Err(AppError::Other(format!(
            "批次 {batch_id} 状态为“{}”，不再生成代发文件",
            b.state.zh()
        )));
    }
    let f = bank_format(policy, format)?;
    let term_label = b
        .term
        .parse::<Term>()
        .map_or_else(|_| b.term.clone(), |t| t.label_zh());
    // A draft's file is fixed now (lines an adjustment stopped or lowered are recorded not
    // sent); a submitted batch's file is written again as it was sent.
    let lines: Vec<LineRow> = if b.state == zizhu_domain::payment::BatchState::Draft {
        let (now, send) = db.prepare_bank_file(batch_id, who).await?;
        if send.is_empty() {
            return Err(AppError::Other(format!(
                "批次 {batch_id} 的明细都已因锁定后调整停发或减少，没有要送银行的内容；批次现为“{}”，可直接结束（应发的差额在下一批次发放）",
                now.state.zh()
            )));
        }
        send
    } else {
        db.batch_lines(batch_id)
            .await?
            .into_iter()
            .filter(|l| {
                !matches!(&l.outcome, Some((LedgerKind::Failed, why)) if why == zizhu_store::NOT_SENT)
            })
            .collect()
    };
    let headers: Vec<String> = f.columns.iter().map(|c| c.header.clone()).collect();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            f.columns
                .iter()
                .map(|c| cell(c.field, i + 1, l, &term_label))
                .collect()
        })
        .collect();
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::Other(format!("无法建立目录：{}", zizhu_io::error::io_reason(&e)))
    })?;
    let stem = format!("发放批次{batch_id}-{}", f.name);
    let xlsx = dir.join(format!("{stem}.xlsx"));
    let csv = dir.join(format!("{stem}.csv"));
    // Written under temporary names and put in place together: a failure leaves no file with
    // card numbers behind.
    let (xlsx_part, csv_part) = (
        dir.join(format!("{stem}.xlsx.part")),
        dir.join(format!("{stem}.csv.part")),
    );
    let written = zizhu_io::bank::write_bank_xlsx(&xlsx_part, &headers, &rows)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            zizhu_io::bank::write_bank_csv(
                &csv_part,
                &headers,
                &rows,
                f.csv_encoding.eq_ignore_ascii_case("gbk"),
            )
        })
        .and_then(|()| {
            // Full card numbers: readable by the owner only.
            #[cfg(unix)]
            for p in [&xlsx_part, &csv_part] {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&xlsx_part);
        let _ = std::fs::remove_file(&csv_part);
        return Err(AppError::Other(format!("写入代发文件失败：{e}")));
    }
    audit(
        db,
        who,
        "payment_file_export",
        &format!("发放批次 {batch_id}"),
        &format!(
            "生成银行代发文件（{}，含完整账号）：{} 条，合计 {} 元",
            f.name,
            lines.len(),
            Fen(lines.iter().map(|l| l.amount_fen).sum())
        ),
    )
    .await?;
    for (from, to) in [(&xlsx_part, &xlsx), (&csv_part, &csv)] {
        std::fs::rename(from, to).map_err(|e| {
            AppError::Other(format!(
                "无法保存代发文件：{}",
                zizhu_io::error::io_reason(&e)
            ))
        })?;
    }
    // A draft's file written again replaces the earlier one: that one must not reach the bank
    // (its lines may since be recorded not sent).
    let notice = match (b.state, b.file_at) {
        (zizhu_domain::payment::BatchState::Draft, Some(at)) => Some(format!(
            "批次 {batch_id} 的代发文件已重新生成：{} 生成的旧文件作废，不得再送银行",
            zizhu_domain::dates::beijing_time(at)
        )),
        _ => None,
    };
    Ok((xlsx, csv, notice))
}

/// What a bank return import did.
#[derive(Debug, Clone)]
pub struct ReturnOutcome {
    pub rows: usize,
    pub errors: Vec<RowError>,
    pub paid: usize,
    pub failed: usize,
    /// The batch after the return (when recorded).
    pub batch: Option<BatchRow>,
    /// Lines of the batch still without a result (a return may come in parts).
    pub pending: usize,
    /// Error report files, when the file was refused.
    pub report: Option<(PathBuf, PathBuf)>,
}

fn problem(row: usize, column: &str, value: &str, reason: String) -> RowError {
    RowError {
        row,
        column: column.into(),
        value: value.into(),
        reason,
    }
}

/// Reads the bank's return of batch `batch_id` and records it, all or nothing: a line not in
/// the batch, named twice, with another account or amount than was sent, or already returned
/// refuses the whole file (its error report written to `report_dir`).
pub async fn import_bank_return(
    db: &Db,
    batch_id: i64,
    file: &Path,
    report_dir: &Path,
    today: chrono::NaiveDate,
    who: PayActor<'_>,
) -> Result<ReturnOutcome, AppError> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lines: HashMap<i64, LineRow> = db
        .batch_lines(batch_id)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let (rows, mut errors) = zizhu_io::bank::read_bank_return(file, &name, today, lines.len())?;
    if rows.is_empty() && errors.is_empty() {
        return Err(AppError::Other(format!("回盘文件《{name}》没有数据行")));
    }
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut out = Vec::new();
    for r in &rows {
        let id = r.line_id.to_string();
        let Some(l) = lines.get(&r.line_id) else {
            errors.push(problem(
                r.row,
                "明细编号",
                &id,
                format!("不是批次 {batch_id} 的发放明细"),
            ));
            continue;
        };
        if let Some(first) = seen.insert(r.line_id, r.row) {
            errors.push(problem(
                r.row,
                "明细编号",
                &id,
                format!("与第{first}行重复：同一笔发放出现两次"),
            ));
            continue;
        }
        if l.outcome.is_some() {
            errors.push(problem(
                r.row,
                "明细编号",
                &id,
                "该笔发放已有银行结果，不能再次登记".into(),
            ));
        }
        if r.account_no != l.account_no {
            errors.push(problem(
                r.row,
                "账号",
                &mask(&r.account_no),
                format!("与代发文件中的账号 {} 不一致", mask(&l.account_no)),
            ));
        }
        if r.amount.0 != l.amount_fen {
            errors.push(problem(
                r.row,
                "金额（元）",
                &r.amount.to_string(),
                format!("与代发金额 {} 元不一致", Fen(l.amount_fen)),
            ));
        }
        out.push(ReturnLine {
            line_id: r.line_id,
            outcome: r.outcome,
            reason: r.reason.clone(),
            on: r.on.unwrap_or(today),
        });
    }
    let mut result = ReturnOutcome {
        rows: rows.len() + errors.iter().map(|e| e.row).collect::<HashSet<_>>().len(),
        errors: Vec::new(),
        paid: out
            .iter()
            .filter(|l| l.outcome == LineOutcome::Paid)
            .count(),
        failed: out
            .iter()
            .filter(|l| l.outcome == LineOutcome::Failed)
            .count(),
        batch: None,
        pending: 0,
        report: None,
    };
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        let stem = report_dir.join(format!(
            "{}-错误报告",
            name.trim_end_matches(".xlsx").trim_end_matches(".csv")
        ));
        let title = format!(
            "银行回盘《{name}》（发放批次 {batch_id}）的问题，共{}条，全部未登记",
            errors.len()
        );
        result.report = zizhu_io::report::write_problem_report(&stem, &title, &errors).ok();
        audit(
            db,
            who,
            "payment_return_rejected",
            &format!("发放批次 {batch_id}"),
            &format!("银行回盘《{name}》有 {} 处错误，未登记", errors.len()),
        )
        .await?;
        result.errors = errors;
        return Ok(result);
    }
    result.batch = Some(db.record_return(batch_id, &out, who).await?);
    result.pending = db
        .batch_lines(batch_id)
        .await?
        .iter()
        .filter(|l| l.outcome.is_none())
        .count();
    Ok(result)
}

/// Why an entitled student is not (yet) paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gap {
    /// 名单未审批锁定: nothing is paid before the county approves the roster.
    NotLocked,
    /// 无收款账户.
    NoAccount,
    /// 未纳入批次: an account exists, no batch carries the line yet.
    NoBatch,
    /// 批次未提交银行.
    BatchNotSubmitted,
    /// 已提交银行，待回盘.
    AwaitingReturn,
    /// 银行退回，待更正账户后重新发放.
    BankFailed,
}

impl Gap {
    pub fn zh(self) -> &'static str {
        match self {
            Gap::NotLocked => "名单未审批锁定",
            Gap::NoAccount => "无收款账户",
            Gap::NoBatch => "未纳入发放批次",
            Gap::BatchNotSubmitted => "批次未提交银行",
            Gap::AwaitingReturn => "已提交银行，待回盘",
            Gap::BankFailed => "银行退回，待更正账户后重新发放",
        }
    }
}

/// An entitled line not paid, or a payment without an entitlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageLine {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub name: String,
    pub id_number: String,
    pub program_name: String,
    pub amount_fen: i64,
    /// Why (in Chinese): the gap, with the bank's reason of a failure.
    pub why: String,
    /// The payment line concerned (to reverse a payment made in error), when there is one.
    pub line_id: Option<i64>,
    /// The reason of an unpaid line.
    pub gap: Option<Gap>,
}

/// One school's sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolSums {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub planned_n: i64,
    pub planned_fen: i64,
    pub paid_n: i64,
    pub paid_fen: i64,
    pub failed_n: i64,
    pub failed_fen: i64,
    pub unpaid_n: i64,
    pub unpaid_fen: i64,
    /// Paid, then reversed (清退).
    pub reversed_n: i64,
    pub reversed_fen: i64,
    /// Paid beyond an amount lowered after the lock, not yet reversed.
    pub overpaid_fen: i64,
    /// Reversed as paid in error while on the roster, not to be paid again.
    pub written_off_fen: i64,
}

/// The coverage audit of a term.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub locked: bool,
    pub unpaid: Vec<CoverageLine>,
    /// Paid lines whose student, program and term is not on the roster (now).
    pub without_entitlement: Vec<CoverageLine>,
    /// Reversed payments (清退) with their reason and what is still to recover.
    pub reversals: Vec<CoverageLine>,
    pub schools: Vec<SchoolSums>,
    /// Roster lines paid to a guardian or student, and their sum.
    pub planned_fen: i64,
    /// Paid and not reversed.
    pub paid_fen: i64,
    /// Failed and not yet paid again.
    pub failed_fen: i64,
    /// Paid beyond an amount lowered after the lock, not yet reversed (多发，应清退).
    pub overpaid_fen: i64,
    /// Roster lines reversed as paid in error and not to be paid again (清退后不再发放): planned
    /// = paid + unpaid + written off − overpaid.
    pub written_off_fen: i64,
    /// Reversed (清退) and recovered (追回).
    pub reversed_fen: i64,
    pub recovered_fen: i64,
    /// Gaps by reason: (reason, lines, fen).
    pub by_gap: Vec<(Gap, i64, i64)>,
    /// Reversed and recovered per school code (from the ledger), for [`Coverage::scoped`].
    pub ledger_by_school: HashMap<String, (i64, i64)>,
}

impl Coverage {
    /// The coverage of a part of the county, from the county's (`towns`: school code →
    /// township): the same figures as [`coverage`] with that scope, without reading again.
    pub fn scoped(&self, scope: ScopeFilter<'_>, towns: &HashMap<String, String>) -> Coverage {
        if scope.township.is_none() && scope.school.is_none() {
            return self.clone();
        }
        let keep = |school: &str, township: &str| match (scope.township, scope.school) {
            (_, Some(s)) => s == school,
            (Some(t), None) => t == township,
            (None, None) => true,
        };
        let lines = |v: &[CoverageLine]| -> Vec<CoverageLine> {
            v.iter()
                .filter(|l| keep(&l.school_code, &l.township))
                .cloned()
                .collect()
        };
        let mut c = Coverage {
            locked: self.locked,
            unpaid: lines(&self.unpaid),
            without_entitlement: lines(&self.without_entitlement),
            reversals: lines(&self.reversals),
            schools: self
                .schools
                .iter()
                .filter(|s| keep(&s.school_code, &s.township))
                .cloned()
                .collect(),
            ..Coverage::default()
        };
        for s in &c.schools {
            c.planned_fen += s.planned_fen;
            c.paid_fen += s.paid_fen;
            c.failed_fen += s.failed_fen;
            c.overpaid_fen += s.overpaid_fen;
            c.written_off_fen += s.written_off_fen;
        }
        for (school, (reversed, recovered)) in &self.ledger_by_school {
            let town = towns.get(school).map(String::as_str).unwrap_or("");
            if keep(school, town) {
                c.reversed_fen += reversed;
                c.recovered_fen += recovered;
            }
        }
        let mut gaps: BTreeMap<Gap, (i64, i64)> = BTreeMap::new();
        for u in &c.unpaid {
            if let Some(g) = u.gap {
                let e = gaps.entry(g).or_default();
                e.0 += 1;
                e.1 += u.amount_fen;
            }
        }
        c.by_gap = gaps.into_iter().map(|(g, (n, f))| (g, n, f)).collect();
        c
    }
}

/// The latest adjustment after the lock of each (student, program) of `term`: it sets the
/// line's amount now.
async fn latest_adjustments(
    db: &Db,
    term: Term,
) -> Result<HashMap<(String, String), zizhu_store::AdjustmentRow>, AppError> {
    let mut adjusted = HashMap::new();
    for a in db.adjustments(term).await? {
        adjusted.insert((a.new.id_number.clone(), a.new.program.clone()), a);
    }
    Ok(adjusted)
}

/// A line an adjustment added after the lock (a student not on the locked roster), as a roster
/// row at its adjusted amount; `places` maps school codes to (township, school name).
fn added_row(
    a: &zizhu_store::AdjustmentRow,
    term: Term,
    places: &HashMap<String, (String, String)>,
) -> zizhu_store::EntitlementRow {
    let (township, school_name) = places.get(&a.new.school_code).cloned().unwrap_or_default();
    zizhu_store::EntitlementRow {
        key: 0,
        run_id: 0,
        term,
        id_number: a.new.id_number.clone(),
        name: a.new.name.clone(),
        student_no: String::new(),
        school_code: a.new.school_code.clone(),
        school_name,
        township,
        program: a.new.program.clone(),
        program_name: a.new.program_name.clone(),
        clause: a.new.clause.clone(),
        amount_fen: a.new.after_fen,
        payee: a.new.payee.clone(),
        facts: String::new(),
    }
}

/// The coverage audit of `term` in `scope`.
pub async fn coverage(db: &Db, term: Term, scope: ScopeFilter<'_>) -> Result<Coverage, AppError> {
    let mut c = Coverage {
        locked: db.term_lock(term).await?.is_some(),
        ..Coverage::default()
    };
    let lines = db.term_lines(term).await?;
    let ledger = db.ledger(term).await?;
    let reversed: HashSet<i64> = ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::Reversed)
        .map(|e| e.line_id)
        .collect();
    // Per reversed line: its reason, and what came back.
    let mut reversal: HashMap<i64, (String, i64, i64)> = HashMap::new();
    for e in &ledger {
        match e.kind {
            LedgerKind::Reversed => {
                let r = reversal.entry(e.line_id).or_default();
                r.0 = e.reason.clone();
                r.1 += e.amount_fen;
            }
            LedgerKind::Recovered => reversal.entry(e.line_id).or_default().2 += e.amount_fen,
            _ => {}
        }
    }
    let reissued: HashSet<i64> = ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::Reissued)
        .map(|e| e.line_id)
        .collect();
    // Reversals and recoveries of the scope's schools only.
    let school_of: HashMap<i64, &str> = lines
        .iter()
        .map(|l| (l.id, l.school_code.as_str()))
        .collect();
    let towns: HashMap<String, String> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, s.township))
        .collect();
    let in_scope = |school: &str| match (scope.township, scope.school) {
        (_, Some(s)) => s == school,
        (Some(t), None) => towns.get(school).is_some_and(|x| x == t),
        (None, None) => true,
    };
    for e in &ledger {
        let Some(school) = school_of.get(&e.line_id) else {
            continue;
        };
        match e.kind {
            LedgerKind::Reversed => {
                c.ledger_by_school.entry(school.to_string()).or_default().0 += e.amount_fen
            }
            LedgerKind::Recovered => {
                c.ledger_by_school.entry(school.to_string()).or_default().1 += e.amount_fen
            }
            _ => {}
        }
        if !in_scope(school) {
            continue;
        }
        match e.kind {
            LedgerKind::Reversed => c.reversed_fen += e.amount_fen,
            LedgerKind::Recovered => c.recovered_fen += e.amount_fen,
            _ => {}
        }
    }
    let states: HashMap<i64, zizhu_domain::payment::BatchState> = db
        .batches(Some(term))
        .await?
        .into_iter()
        .map(|b| (b.id, b.state))
        .collect();
    // Per (student, program): the lines, oldest first.
    let mut by_key: HashMap<(String, String), Vec<&LineRow>> = HashMap::new();
    for l in &lines {
        by_key
            .entry((l.id_number.clone(), l.program.clone()))
            .or_default()
            .push(l);
    }
    let accounts = db.payee_account_ids().await?;
    let mut schools: BTreeMap<(String, String), SchoolSums> = BTreeMap::new();
    let mut on_roster: HashSet<(String, String)> = HashSet::new();
    let mut gaps: BTreeMap<Gap, (i64, i64)> = BTreeMap::new();
    // Adjustments after the lock: the latest per line decides its amount now.
    let adjusted = latest_adjustments(db, term).await?;
    let townships: HashMap<String, (String, String)> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, (s.township, s.name)))
        .collect();
    let mut after = 0;
    let mut pages: Vec<Vec<zizhu_store::EntitlementRow>> = Vec::new();
    loop {
        let page = db.roster_page(scope, term, None, after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        pages.push(page);
    }
    // Back-payments of students not on the locked roster, as lines to pay.
    let mut extra = Vec::new();
    let mut listed: HashSet<(String, String)> = HashSet::new();
    for p in &pages {
        for e in p {
            listed.insert((e.id_number.clone(), e.program.clone()));
        }
    }
    for (k, a) in &adjusted {
        let row = added_row(a, term, &townships);
        let in_scope = match (scope.township, scope.school) {
            (_, Some(s)) => s == a.new.school_code,
            (Some(t), None) => t == row.township,
            (None, None) => true,
        };
        if listed.contains(k) || a.new.after_fen <= 0 || !in_scope {
            continue;
        }
        extra.push(row);
    }
    pages.push(extra);
    for page in pages {
        for mut e in page {
            let key = (e.id_number.clone(), e.program.clone());
            if let Some(a) = adjusted.get(&key) {
                e.amount_fen = a.new.after_fen;
            }
            if !matches!(e.payee.as_str(), "guardian" | "student") || e.amount_fen <= 0 {
                continue;
            }
            let key = (e.id_number.clone(), e.program.clone());
            on_roster.insert(key.clone());
            let s = schools
                .entry((e.township.clone(), e.school_code.clone()))
                .or_insert_with(|| SchoolSums {
                    township: e.township.clone(),
                    school_code: e.school_code.clone(),
                    school_name: e.school_name.clone(),
                    ..SchoolSums::default()
                });
            s.planned_n += 1;
            s.planned_fen += e.amount_fen;
            c.planned_fen += e.amount_fen;
            let mine = by_key.get(&key).map(Vec::as_slice).unwrap_or_default();
            // What reached the family: each paid line, less what of it was reversed.
            let paid_lines: Vec<&&LineRow> = mine
                .iter()
                .filter(|l| matches!(l.outcome, Some((LedgerKind::Paid, _))))
                .collect();
            let back_of = |id: i64| reversal.get(&id).map_or(0, |r| r.1);
            let net: i64 = paid_lines
                .iter()
                .map(|l| l.amount_fen - back_of(l.id))
                .sum();
            let was_reversed = mine.iter().any(|l| reversed.contains(&l.id));
            for l in mine.iter().filter(|l| reversed.contains(&l.id)) {
                let (why, back, got) = reversal.get(&l.id).cloned().unwrap_or_default();
                s.reversed_n += 1;
                s.reversed_fen += back;
                c.reversals.push(CoverageLine {
                    township: e.township.clone(),
                    school_code: e.school_code.clone(),
                    school_name: e.school_name.clone(),
                    name: e.name.clone(),
                    id_number: e.id_number.clone(),
                    program_name: e.program_name.clone(),
                    amount_fen: back,
                    why: format!(
                        "清退：{why}；已追回 {} 元，待追回 {} 元",
                        Fen(got),
                        Fen(back - got)
                    ),
                    line_id: Some(l.id),
                    gap: None,
                });
            }
            if net > e.amount_fen {
                // An amount lowered after it was paid: the difference is to be reversed, from
                // the largest paid line (named with the others when it alone is not enough).
                let over = net - e.amount_fen;
                c.overpaid_fen += over;
                s.overpaid_fen += over;
                let mut by_size: Vec<&&&LineRow> = paid_lines.iter().collect();
                by_size.sort_by_key(|l| std::cmp::Reverse(l.amount_fen - back_of(l.id)));
                let last = by_size.first().map(|l| l.id);
                let which = if by_size
                    .first()
                    .is_some_and(|l| l.amount_fen - back_of(l.id) >= over)
                {
                    String::new()
                } else {
                    format!(
                        "，分别从发放明细 {} 清退",
                        by_size
                            .iter()
                            .map(|l| format!(
                                "{}（{} 元）",
                                l.id,
                                Fen(l.amount_fen - back_of(l.id))
                            ))
                            .collect::<Vec<_>>()
                            .join("、")
                    )
                };
                c.without_entitlement.push(CoverageLine {
                    township: e.township.clone(),
                    school_code: e.school_code.clone(),
                    school_name: e.school_name.clone(),
                    name: e.name.clone(),
                    id_number: e.id_number.clone(),
                    program_name: e.program_name.clone(),
                    amount_fen: net - e.amount_fen,
                    why: format!(
                        "已发放 {} 元，锁定后调整为 {} 元：多发 {} 元，应清退（清退时填写金额{which}）",
                        Fen(net),
                        Fen(e.amount_fen),
                        Fen(net - e.amount_fen)
                    ),
                    line_id: last,
                    gap: None,
                });
            }
            if net > 0 {
                s.paid_n += 1;
                s.paid_fen += net;
                c.paid_fen += net;
            }
            // The lines not (yet) paid, re-issued failures and lines not sent aside.
            let open: Vec<&LineRow> = mine
                .iter()
                .copied()
                .filter(|l| match &l.outcome {
                    None => true,
                    Some((LedgerKind::Failed, why)) => {
                        why != zizhu_store::NOT_SENT && !reissued.contains(&l.id)
                    }
                    Some(_) => false,
                })
                .collect();
            // Paid in full; or paid, then found paid in error with nothing more on its way: the
            // reversal is its record, not a gap.
            if net >= e.amount_fen {
                continue;
            }
            if was_reversed && open.is_empty() {
                // Reversed as paid in error while on the roster: not paid again, not a gap;
                // counted so that planned = paid + unpaid + written off − overpaid.
                s.written_off_fen += e.amount_fen - net;
                c.written_off_fen += e.amount_fen - net;
                continue;
            }
            // Owed: all of it, or the rest of a raised or re-added amount.
            let owed = e.amount_fen - net;
            let not_sent = mine.iter().any(
                |l| matches!(&l.outcome, Some((LedgerKind::Failed, why)) if why == zizhu_store::NOT_SENT),
            );
            let latest = open.last();
            let (gap, reason) = match latest {
                None if !c.locked => (Gap::NotLocked, String::new()),
                None if !accounts.contains(&e.id_number) => (Gap::NoAccount, String::new()),
                None if not_sent || net > 0 => (
                    Gap::NoBatch,
                    "锁定后金额调整，差额待下一批次补发".to_string(),
                ),
                None => (Gap::NoBatch, String::new()),
                Some(l) => match &l.outcome {
                    Some((LedgerKind::Failed, why)) if !reissued.contains(&l.id) => {
                        // What is still owed of it (an amount lowered since is owed less).
                        s.failed_n += 1;
                        s.failed_fen += owed.min(l.amount_fen);
                        c.failed_fen += owed.min(l.amount_fen);
                        (Gap::BankFailed, why.clone())
                    }
                    _ => match states.get(&l.batch_id) {
                        Some(zizhu_domain::payment::BatchState::Draft) => {
                            (Gap::BatchNotSubmitted, String::new())
                        }
                        _ => (Gap::AwaitingReturn, String::new()),
                    },
                },
            };
            s.unpaid_n += 1;
            s.unpaid_fen += owed;
            let g = gaps.entry(gap).or_default();
            g.0 += 1;
            g.1 += owed;
            c.unpaid.push(CoverageLine {
                township: e.township,
                school_code: e.school_code,
                school_name: e.school_name,
                name: e.name,
                id_number: e.id_number,
                program_name: e.program_name,
                amount_fen: owed,
                why: if reason.is_empty() {
                    gap.zh().to_string()
                } else {
                    format!("{}（{reason}）", gap.zh())
                },
                line_id: latest.map(|l| l.id),
                gap: Some(gap),
            });
        }
    }
    let all_scope = scope.township.is_none() && scope.school.is_none();
    for l in &lines {
        let paid = matches!(l.outcome, Some((LedgerKind::Paid, _))) && !reversed.contains(&l.id);
        if paid && all_scope && !on_roster.contains(&(l.id_number.clone(), l.program.clone())) {
            let (town, school) = townships.get(&l.school_code).cloned().unwrap_or_default();
            c.without_entitlement.push(CoverageLine {
                township: town,
                school_code: l.school_code.clone(),
                school_name: school,
                name: l.student_name.clone(),
                id_number: l.id_number.clone(),
                program_name: l.program_name.clone(),
                amount_fen: l.amount_fen,
                why: "已发放，但本学期资助名单上没有这一项（应核查，必要时清退）".into(),
                line_id: Some(l.id),
                gap: None,
            });
        }
    }
    c.schools = schools.into_values().collect();
    c.by_gap = gaps.into_iter().map(|(g, (n, f))| (g, n, f)).collect();
    Ok(c)
}

/// Writes the coverage audit as a workbook: totals, per school, every unpaid line with why, and
/// every payment without an entitlement. IDs are masked (the sheet is for finding and calling
/// families, not for paying).
pub fn write_coverage(path: &Path, title: &str, c: &Coverage) -> Result<(), AppError> {
    use zizhu_io::tables::{write_tables, Cell, Sheet};
    let yuan = |f: i64| Cell::Text(Fen(f).to_string());
    let masked =
        |id: &str| zizhu_domain::IdNumber::parse(id).map_or_else(|_| mask(id), |(i, _)| i.masked());
    let mut totals = vec![
        vec![
            Cell::Text("应发（资助名单，发给监护人或学生）".into()),
            yuan(c.planned_fen),
        ],
        vec![Cell::Text("已发放（不含清退）".into()), yuan(c.paid_fen)],
        vec![
            Cell::Text("其中多发，应清退（锁定后调减）".into()),
            yuan(c.overpaid_fen),
        ],
        vec![
            Cell::Text("清退后不再发放（名单上的错发）".into()),
            yuan(c.written_off_fen),
        ],
        vec![Cell::Text("银行退回待重发".into()), yuan(c.failed_fen)],
        vec![Cell::Text("清退".into()), yuan(c.reversed_fen)],
        vec![Cell::Text("已追回".into()), yuan(c.recovered_fen)],
        vec![
            Cell::Text("待追回".into()),
            yuan(c.reversed_fen - c.recovered_fen),
        ],
        vec![
            Cell::Text(format!("应发未发合计（{} 笔，含银行退回）", c.unpaid.len())),
            yuan(c.unpaid.iter().map(|u| u.amount_fen).sum()),
        ],
    ];
    for (g, n, f) in &c.by_gap {
        totals.push(vec![
            Cell::Text(format!("未发放：{}（{n} 笔）", g.zh())),
            yuan(*f),
        ]);
    }
    let school_rows = c
        .schools
        .iter()
        .map(|s| {
            vec![
                Cell::Text(s.township.clone()),
                Cell::Text(s.school_code.clone()),
                Cell::Text(s.school_name.clone()),
                Cell::Int(s.planned_n),
                yuan(s.planned_fen),
                Cell::Int(s.paid_n),
                yuan(s.paid_fen),
                Cell::Int(s.failed_n),
                yuan(s.failed_fen),
                Cell::Int(s.unpaid_n),
                yuan(s.unpaid_fen),
                Cell::Int(s.reversed_n),
                yuan(s.reversed_fen),
                yuan(s.overpaid_fen),
                yuan(s.written_off_fen),
            ]
        })
        .collect();
    let line_rows = |v: &[CoverageLine]| {
        v.iter()
            .map(|l| {
                vec![
                    Cell::Text(l.township.clone()),
                    Cell::Text(l.school_code.clone()),
                    Cell::Text(l.school_name.clone()),
                    Cell::Text(l.name.clone()),
                    Cell::Text(masked(&l.id_number)),
                    Cell::Text(l.program_name.clone()),
                    yuan(l.amount_fen),
                    Cell::Text(l.why.clone()),
                    Cell::Text(l.line_id.map(|i| i.to_string()).unwrap_or_default()),
                ]
            })
            .collect::<Vec<_>>()
    };
    let line_header: Vec<String> = [
        "乡镇",
        "学校标识码",
        "学校",
        "姓名",
        "身份证件号",
        "项目",
        "金额（元）",
        "原因",
        "发放明细编号",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let widths = vec![10.0, 12.0, 24.0, 10.0, 22.0, 30.0, 12.0, 40.0, 12.0];
    let sheets = [
        Sheet {
            name: "汇总".into(),
            title: format!(
                "{title}（{}）",
                if c.locked {
                    "名单已审批锁定"
                } else {
                    "名单尚未审批锁定"
                }
            ),
            header: vec!["项目".into(), "金额（元）".into()],
            widths: vec![40.0, 16.0],
            rows: totals,
        },
        Sheet {
            name: "各学校".into(),
            title: format!("{title}：各学校应发与实发"),
            header: [
                "乡镇",
                "学校标识码",
                "学校",
                "应发笔数",
                "应发金额",
                "已发笔数",
                "已发金额",
                "退回笔数",
                "退回金额",
                "未发笔数",
                "未发金额",
                "清退笔数",
                "清退金额",
                "多发应清退",
                "清退后不再发放",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            widths: vec![
                10.0, 12.0, 24.0, 9.0, 12.0, 9.0, 12.0, 9.0, 12.0, 9.0, 12.0, 9.0, 12.0, 12.0, 12.0,
            ],
            rows: school_rows,
        },
        Sheet {
            name: "未发放明细".into(),
            title: format!("{title}：应发未发（一个不落）"),
            header: line_header.clone(),
            widths: widths.clone(),
            rows: line_rows(&c.unpaid),
        },
        Sheet {
            name: "清退与追回".into(),
            title: format!("{title}：清退（错发）与追回"),
            header: line_header.clone(),
            widths: widths.clone(),
            rows: line_rows(&c.reversals),
        },
        Sheet {
            name: "应核查的发放".into(),
            title: format!("{title}：应核查的发放（名单上没有，或多于调整后的应发金额）"),
            header: line_header,
            widths,
            rows: line_rows(&c.without_entitlement),
        },
    ];
    write_tables(path, &sheets).map_err(|e| AppError::Other(format!("写入覆盖核查表失败：{e}")))
}

/// A stable pseudo-random rank of a line for a draw (SplitMix64 of the seed and the line): the
/// same seed draws the same families, so a draw can be checked afterwards.
fn rank(seed: u64, line_id: i64) -> u64 {
    let mut z = seed ^ (line_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Draws up to `per_school` paid, not yet drawn lines of each school for verification with the
/// families (回访), by the seeded rank; records and audits the draw. Returns how many per school.
pub async fn draw_sample(
    db: &Db,
    term: Term,
    per_school: usize,
    seed: u64,
    who: PayActor<'_>,
) -> Result<BTreeMap<String, usize>, AppError> {
    let mut by_school: BTreeMap<String, Vec<zizhu_store::Drawable>> = BTreeMap::new();
    for d in db.drawable(term).await? {
        by_school.entry(d.school_code.clone()).or_default().push(d);
    }
    // At most `per_school` a school a term in all: drawing again tops a school up, it does not
    // add as many again (newcomer review: each run added five more).
    let mut before: HashMap<String, usize> = HashMap::new();
    for v in db.verifications(term).await? {
        *before.entry(v.school_code).or_default() += 1;
    }
    let mut drawn = Vec::new();
    let mut counts = BTreeMap::new();
    for (school, mut lines) in by_school {
        let room = per_school.saturating_sub(before.get(&school).copied().unwrap_or(0));
        if room == 0 {
            continue;
        }
        lines.sort_by_key(|d| rank(seed, d.line_id));
        lines.truncate(room);
        counts.insert(school, lines.len());
        drawn.extend(lines);
    }
    if !drawn.is_empty() {
        let how = format!("每校至多 {per_school} 人，随机种子 {seed}");
        db.add_verifications(term, &drawn, &how, who).await?;
    }
    Ok(counts)
}

/// One school's fee compensation for one program (元 in fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeSchool {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub program_name: String,
    pub students: i64,
    pub amount_fen: i64,
}

/// The schools' fee-compensation statement of a term, in sums.
#[derive(Debug, Clone, Default)]
pub struct FeeStatement {
    pub locked: bool,
    pub schools: usize,
    pub students: usize,
    pub total_fen: i64,
    /// Per school and program, by township and school code.
    pub per_school: Vec<FeeSchool>,
}

/// The schools' fee-compensation statement (免学杂费/免学费补助结算表) of `term`: the roster lines
/// paid to a school (fee waivers, 二(一)3 and 二(一)4), per school and program; with
/// `students`, each student's line too (IDs masked).
pub async fn fee_statement(
    db: &Db,
    term: Term,
    students: bool,
) -> Result<(FeeStatement, Vec<Vec<zizhu_io::tables::Cell>>), AppError> {
    use zizhu_io::tables::Cell;
    let mut per: BTreeMap<(String, String, String), (String, i64, i64)> = BTreeMap::new();
    let mut detail = Vec::new();
    let mut out = FeeStatement {
        locked: db.term_lock(term).await?.is_some(),
        ..FeeStatement::default()
    };
    let mut schools = HashSet::new();
    // Adjustments after the lock set a line's amount now (the latest of each line counts); a
    // student added after the lock is compensated too (hostile review: a stopped waiver stayed).
    let adjusted = latest_adjustments(db, term).await?;
    let school_names: HashMap<String, (String, String)> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, (s.township, s.name)))
        .collect();
    let mut pages: Vec<Vec<zizhu_store::EntitlementRow>> = Vec::new();
    let mut listed: HashSet<(String, String)> = HashSet::new();
    let mut after = 0;
    loop {
        let page = db.entitlements(term, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for e in &page {
            listed.insert((e.id_number.clone(), e.program.clone()));
        }
        pages.push(page);
    }
    let added: Vec<zizhu_store::EntitlementRow> = adjusted
        .iter()
        .filter(|(k, a)| !listed.contains(*k) && a.new.payee == "school" && a.new.after_fen > 0)
        .map(|(_, a)| added_row(a, term, &school_names))
        .collect();
    pages.push(added);
    for page in pages {
        for mut e in page {
            if e.payee != "school" {
                continue;
            }
            if let Some(a) = adjusted.get(&(e.id_number.clone(), e.program.clone())) {
                e.amount_fen = a.new.after_fen;
            }
            if e.amount_fen <= 0 {
                continue;
            }
            schools.insert(e.school_code.clone());
            out.students += 1;
            out.total_fen += e.amount_fen;
            let k = (
                e.township.clone(),
                e.school_code.clone(),
                e.program_name.clone(),
            );
            let v = per.entry(k).or_insert((e.school_name.clone(), 0, 0));
            v.1 += 1;
            v.2 += e.amount_fen;
            if !students {
                continue;
            }
            let id = zizhu_domain::IdNumber::parse(&e.id_number)
                .map_or_else(|_| mask(&e.id_number), |(i, _)| i.masked());
            detail.push(vec![
                Cell::Text(e.township),
                Cell::Text(e.school_code),
                Cell::Text(e.school_name),
                Cell::Text(e.name),
                Cell::Text(id),
                Cell::Text(e.program_name),
                Cell::Text(e.clause),
                Cell::Text(Fen(e.amount_fen).to_string()),
            ]);
        }
    }
    out.schools = schools.len();
    out.per_school = per
        .into_iter()
        .map(
            |((township, school_code, program_name), (school_name, n, fen))| FeeSchool {
                township,
                school_code,
                school_name,
                program_name,
                students: n,
                amount_fen: fen,
            },
        )
        .collect();
    Ok((out, detail))
}

/// Writes the schools' fee-compensation statement of `term` ([`fee_statement`] with the
/// students) as a workbook. Audited as the export of a full list.
pub async fn write_fee_statement(
    db: &Db,
    policy: &Policy,
    term: Term,
    path: &Path,
    who: PayActor<'_>,
) -> Result<FeeStatement, AppError> {
    use zizhu_io::tables::{write_tables, Cell, Sheet};
    let (out, detail) = fee_statement(db, term, true).await?;
    let locked = out.locked;
    let county = &policy.file.policy.county_name;
    let title = format!(
        "{county}{}学校学杂费（学费）减免补助结算表{}",
        term.label_zh(),
        if locked {
            ""
        } else {
            "（名单尚未审批锁定，仅供核对）"
        }
    );
    let summary = out
        .per_school
        .iter()
        .map(|f| {
            vec![
                Cell::Text(f.township.clone()),
                Cell::Text(f.school_code.clone()),
                Cell::Text(f.school_name.clone()),
                Cell::Text(f.program_name.clone()),
                Cell::Int(f.students),
                Cell::Text(Fen(f.amount_fen).to_string()),
            ]
        })
        .collect();
    let sheets = [
        Sheet {
            name: "各学校".into(),
            title: title.clone(),
            header: [
                "乡镇",
                "学校标识码",
                "学校",
                "项目",
                "学生人数",
                "补助金额（元）",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            widths: vec![10.0, 12.0, 26.0, 30.0, 10.0, 14.0],
            rows: summary,
        },
        Sheet {
            name: "学生明细".into(),
            title: format!("{title}：学生明细"),
            header: [
                "乡镇",
                "学校标识码",
                "学校",
                "姓名",
                "身份证件号",
                "项目",
                "条款",
                "金额（元）",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            widths: vec![10.0, 12.0, 26.0, 10.0, 22.0, 30.0, 16.0, 12.0],
            rows: detail,
        },
    ];
    write_tables(path, &sheets).map_err(|e| AppError::Other(format!("写入结算表失败：{e}")))?;
    audit(
        db,
        who,
        "fee_statement_export",
        &format!("资助名单 {term}"),
        &format!(
            "导出学校减免补助结算表：{} 所学校，{} 人，{} 元",
            out.schools,
            out.students,
            Fen(out.total_fen)
        ),
    )
    .await?;
    Ok(out)
}
