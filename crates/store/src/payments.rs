//! Paying the aid (资金发放), as stored (migration 0010): payment batches made from a locked
//! roster, their lines with the account each goes to, and the payment ledger (发放台账).
//!
//! The ledger is append-only (triggers refuse UPDATE and DELETE) and a partial unique index
//! refuses a second successful payment of one student, program and term, whatever the code
//! does; each line has at most one outcome, one re-issue and one reversal. Every change here is
//! one transaction with its audit entry.

use crate::convert::term_seq;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::{Db, COMPUTE_LOCK, PAY_LOCK};
use chrono::{DateTime, NaiveDate, Utc};
use zizhu_domain::payment::{BatchState, LedgerKind, LineOutcome};
use zizhu_domain::Term;

/// Programs paid together in one batch: one fund source (资金来源) and paying unit (发放单位).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchGroup {
    pub fund_source: String,
    /// Who pays: the county's aid centre, or — when `per_school` — each school (a batch each).
    pub paying_unit: String,
    pub programs: Vec<String>,
    pub per_school: bool,
}

/// A payment batch with its size.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    pub id: i64,
    pub term: String,
    pub run_id: i64,
    pub fund_source: String,
    pub paying_unit: String,
    /// The batch whose failed lines this one pays again.
    pub reissue_of: Option<i64>,
    pub state: BatchState,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub lines: i64,
    pub total_fen: i64,
    /// Lines made by adjustments after the lock (补发 and 调整补发).
    pub adjusted_lines: i64,
    /// When its bank file was last written (a draft's lines are fixed then).
    pub file_at: Option<DateTime<Utc>>,
}

/// A line of a batch, with the account it goes to (as it was when the batch was made) and its
/// outcome so far.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRow {
    pub id: i64,
    pub batch_id: i64,
    pub id_number: String,
    pub student_name: String,
    pub school_code: String,
    pub program: String,
    pub program_name: String,
    pub clause: String,
    pub amount_fen: i64,
    pub payee_name: String,
    pub relation: String,
    pub account_kind: String,
    pub account_no: String,
    pub bank: String,
    /// The failed line this one pays again.
    pub reissue_of: Option<i64>,
    /// 0 for the first line of its student, program and term; the adjustment's id for a
    /// difference paid after the lock (调整补发). A re-issue keeps its line's part.
    pub part: i64,
    /// The adjustment after the lock that made this line (a back-payment or a difference).
    pub adjustment_id: Option<i64>,
    /// paid or failed (with the bank's reason), once the return is in.
    pub outcome: Option<(LedgerKind, String)>,
}

/// One line's result in a bank's return (银行回盘).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    pub line_id: i64,
    pub outcome: LineOutcome,
    /// The bank's reason of a failure (账户已销户, 户名不符 …); empty for a success.
    pub reason: String,
    /// The day the bank paid or refused it.
    pub on: NaiveDate,
}

/// A ledger entry (发放台账).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub id: i64,
    pub line_id: i64,
    pub kind: LedgerKind,
    pub term_seq: i64,
    pub id_number: String,
    pub program: String,
    pub amount_fen: i64,
    pub on: NaiveDate,
    pub reason: String,
    /// The new line of a re-issue.
    pub new_line: Option<i64>,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Who acts, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct PayActor<'a> {
    pub name: &'a str,
    /// The web client's address; `None` for the command line.
    pub origin: Option<&'a str>,
}

const LINE_COLS: &str = "l.id, l.batch_id, l.term_seq, l.id_number, l.student_name, \
    l.school_code, l.program, l.program_name, l.clause, l.amount_fen, l.payee_name, l.relation, \
    l.account_kind, l.account_no, l.bank, l.reissue_of, l.part, l.adjustment_id, \
    (SELECT g.kind FROM payment_ledger g WHERE g.line_id = l.id AND g.kind IN ('paid', 'failed')) \
    AS outcome_kind, \
    (SELECT g.reason FROM payment_ledger g WHERE g.line_id = l.id AND g.kind IN ('paid', 'failed')) \
    AS outcome_reason";

#[derive(sqlx::FromRow)]
struct RawLine {
    id: i64,
    batch_id: i64,
    term_seq: i64,
    id_number: String,
    student_name: String,
    school_code: String,
    program: String,
    program_name: String,
    clause: String,
    amount_fen: i64,
    payee_name: String,
    relation: String,
    account_kind: String,
    account_no: String,
    bank: String,
    reissue_of: Option<i64>,
    part: i64,
    adjustment_id: Option<i64>,
    outcome_kind: Option<String>,
    outcome_reason: Option<String>,
}

fn line_of(r: RawLine) -> LineRow {
    LineRow {
        id: r.id,
        batch_id: r.batch_id,
        id_number: r.id_number,
        student_name: r.student_name,
        school_code: r.school_code,
        program: r.program,
        program_name: r.program_name,
        clause: r.clause,
        amount_fen: r.amount_fen,
        payee_name: r.payee_name,
        relation: r.relation,
        account_kind: r.account_kind,
        account_no: r.account_no,
        bank: r.bank,
        reissue_of: r.reissue_of,
        part: r.part,
        adjustment_id: r.adjustment_id,
        outcome: r
            .outcome_kind
            .and_then(|k| LedgerKind::from_key(&k))
            .map(|k| (k, r.outcome_reason.unwrap_or_default())),
    }
}

const BATCH_COLS: &str = "b.id, b.term, b.run_id, b.fund_source, b.paying_unit, b.reissue_of, \
    b.state, b.created_by, b.created_at, b.submitted_by, b.submitted_at, \
    (SELECT COUNT(*) FROM payment_line l WHERE l.batch_id = b.id), \
    (SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) FROM payment_line l WHERE l.batch_id = b.id), \
    (SELECT COUNT(*) FROM payment_line l WHERE l.batch_id = b.id AND l.adjustment_id IS NOT NULL), \
    b.file_at";

type RawBatch = (
    i64,
    String,
    i64,
    String,
    String,
    Option<i64>,
    String,
    String,
    DateTime<Utc>,
    Option<String>,
    Option<DateTime<Utc>>,
    i64,
    i64,
    i64,
    Option<DateTime<Utc>>,
);

fn batch_of(r: RawBatch) -> StoreResult<BatchRow> {
    let state = BatchState::from_key(&r.6)
        .ok_or_else(|| StoreError::Invalid(format!("未知的批次状态 {}", r.6)))?;
    Ok(BatchRow {
        id: r.0,
        term: r.1,
        run_id: r.2,
        fund_source: r.3,
        paying_unit: r.4,
        reissue_of: r.5,
        state,
        created_by: r.7,
        created_at: r.8,
        submitted_by: r.9,
        submitted_at: r.10,
        lines: r.11,
        total_fen: r.12,
        adjusted_lines: r.13,
        file_at: r.14,
    })
}

async fn batch_in(tx: &mut Tx, id: i64) -> StoreResult<BatchRow> {
    let sql = format!("SELECT {BATCH_COLS} FROM payment_batch b WHERE b.id = $1");
    let raw: Option<RawBatch> = tx_run!(&mut *tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
    .ctx("读取发放批次")?;
    batch_of(raw.ok_or_else(|| StoreError::Invalid(format!("没有编号为 {id} 的发放批次")))?)
}

async fn set_state(tx: &mut Tx, id: i64, state: BatchState) -> StoreResult<()> {
    tx_run!(&mut *tx, |conn| sqlx::query(
        "UPDATE payment_batch SET state = $1 WHERE id = $2"
    )
    .bind(state.key())
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ()))
    .ctx("更新批次状态")
}

async fn audit(
    tx: &mut Tx,
    who: PayActor<'_>,
    action: &str,
    target: &str,
    detail: &str,
    change: Option<(&str, &str)>,
) -> StoreResult<()> {
    tx.audit_entry(&crate::audit::Entry {
        actor: who.name,
        action,
        target,
        detail,
        origin: who.origin,
        before: change.map(|c| c.0),
        after: change.map(|c| c.1),
    })
    .await
    .map(|_| ())
}

/// A ledger entry; a broken uniqueness rule becomes a refusal in Chinese.
#[allow(clippy::too_many_arguments)]
async fn ledger(
    tx: &mut Tx,
    line: &LineRow,
    term_seq: i64,
    kind: LedgerKind,
    amount_fen: i64,
    on: NaiveDate,
    reason: &str,
    new_line: Option<i64>,
    actor: &str,
) -> StoreResult<()> {
    let r = tx_run!(&mut *tx, |conn| {
        sqlx::query(
            "INSERT INTO payment_ledger (line_id, kind, term_seq, id_number, program, amount_fen, \
         on_day, reason, new_line, actor, at, part) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(line.id)
        .bind(kind.key())
        .bind(term_seq)
        .bind(&line.id_number)
        .bind(&line.program)
        .bind(amount_fen)
        .bind(on)
        .bind(reason)
        .bind(new_line)
        .bind(actor)
        .bind(Utc::now())
        .bind(line.part)
        .execute(conn)
        .await
        .map(|_| ())
    })
    .ctx("写入发放台账");
    r.map_err(|e| {
        if !e.is_unique_violation() {
            return e;
        }
        StoreError::Invalid(match kind {
            LedgerKind::Paid | LedgerKind::Failed => format!(
                "第{}条发放明细已有结果，或该学生本学期的“{}”（{}）已发放成功，不能重复发放",
                line.id,
                line.program_name,
                if line.part == 0 {
                    "首次发放".to_string()
                } else {
                    format!("调整 {} 的差额", line.part)
                }
            ),
            LedgerKind::Reissued => format!("第{}条发放明细已重新发放过", line.id),
            LedgerKind::Reversed => format!("第{}条发放明细已清退过", line.id),
            LedgerKind::Recovered => format!("第{}条发放明细的追回已登记", line.id),
        })
    })
}

async fn line_in(tx: &mut Tx, id: i64) -> StoreResult<(LineRow, i64)> {
    let sql = format!("SELECT {LINE_COLS} FROM payment_line l WHERE l.id = $1");
    let raw: Option<RawLine> = tx_run!(&mut *tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
    .ctx("读取发放明细")?;
    let r = raw.ok_or_else(|| StoreError::Invalid(format!("没有编号为 {id} 的发放明细")))?;
    let seq = r.term_seq;
    Ok((line_of(r), seq))
}

/// The bank's-side reason of a line not sent because an adjustment after the lock lowered or
/// stopped it before its batch was submitted; such a line is never re-issued.
macro_rules! not_sent {
    () => {
        "锁定后调整，未送银行"
    };
}
pub const NOT_SENT: &str = not_sent!();

/// The amount a line (student, program, term) has after the adjustments since the lock: the
/// latest adjustment's, if any (the argument is the outer row's alias).
macro_rules! latest_after {
    ($t:literal) => {
        concat!(
            "(SELECT r.after_fen FROM roster_adjustment r WHERE r.term_seq = ",
            $t,
            ".term_seq AND r.id_number = ",
            $t,
            ".id_number AND r.program = ",
            $t,
            ".program ORDER BY r.id DESC LIMIT 1)"
        )
    };
}

/// What the lines of a student, program and term already come to: each chain of a line and its
/// re-issues counts its live line once — paid, on its way, or failed and waiting to be paid
/// again — while a failed line already re-issued (its re-issue counts instead) and a line not
/// sent count nothing; less what was reversed (清退). The argument is the outer row's alias.
macro_rules! committed {
    ($t:literal) => {
        concat!(
            "((SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM payment_line p \
             WHERE p.term_seq = ",
            $t,
            ".term_seq AND p.id_number = ",
            $t,
            ".id_number AND p.program = ",
            $t,
            ".program AND NOT EXISTS (SELECT 1 FROM payment_ledger g \
             WHERE g.line_id = p.id AND ((g.kind = 'failed' AND g.reason = '",
            not_sent!(),
            "') OR g.kind = 'reissued'))) - (SELECT CAST(COALESCE(SUM(g.amount_fen), 0) AS BIGINT) FROM payment_ledger g \
             WHERE g.term_seq = ",
            $t,
            ".term_seq AND g.id_number = ",
            $t,
            ".id_number AND g.program = ",
            $t,
            ".program AND g.kind = 'reversed'))"
        )
    };
}

/// The roster lines `fill_lines` would take: paid to a guardian or the student, with an account,
/// in no batch yet, and not stopped by the latest adjustment since the lock (whose amount they
/// take when there is one).
const CANDIDATES: &str = concat!(
    "FROM entitlement e JOIN payee_account a ON a.id_number = e.id_number \
    WHERE e.term_seq = $1 AND e.program = $2 AND e.payee IN ('guardian', 'student') \
    AND e.amount_fen > 0 AND ($3 = '' OR e.school_code = $3) \
    AND NOT EXISTS (SELECT 1 FROM payment_line p WHERE p.term_seq = e.term_seq \
    AND p.id_number = e.id_number AND p.program = e.program AND p.reissue_of IS NULL) \
    AND COALESCE(",
    latest_after!("e"),
    ", e.amount_fen) > 0"
);

/// Back-payments (补发) of students not on the locked roster for the program (found eligible
/// after the lock): only each line's latest adjustment, still above zero, with no line yet.
const BACK_PAYS: &str =
    "FROM roster_adjustment r JOIN payee_account a ON a.id_number = r.id_number \
    WHERE r.term_seq = $1 AND r.program = $2 AND r.payee IN ('guardian', 'student') \
    AND ($3 = '' OR r.school_code = $3) AND r.after_fen > 0 \
    AND r.id = (SELECT MAX(x.id) FROM roster_adjustment x WHERE x.term_seq = r.term_seq \
    AND x.id_number = r.id_number AND x.program = r.program) \
    AND NOT EXISTS (SELECT 1 FROM entitlement e WHERE e.term_seq = r.term_seq \
    AND e.id_number = r.id_number AND e.program = r.program) \
    AND NOT EXISTS (SELECT 1 FROM payment_line p WHERE p.term_seq = r.term_seq \
    AND p.id_number = r.id_number AND p.program = r.program AND p.reissue_of IS NULL)";

/// Differences paid after the lock (调整补发): the latest adjustment of a line that already has a
/// line made, when it asks for more than the lines come to; once per adjustment.
const DIFFERENCES: &str = concat!(
    "FROM roster_adjustment r JOIN payee_account a ON a.id_number = r.id_number \
    WHERE r.term_seq = $1 AND r.program = $2 AND r.payee IN ('guardian', 'student') \
    AND ($3 = '' OR r.school_code = $3) \
    AND r.id = (SELECT MAX(x.id) FROM roster_adjustment x WHERE x.term_seq = r.term_seq \
    AND x.id_number = r.id_number AND x.program = r.program) \
    AND EXISTS (SELECT 1 FROM payment_line p WHERE p.term_seq = r.term_seq \
    AND p.id_number = r.id_number AND p.program = r.program AND p.reissue_of IS NULL) \
    AND NOT EXISTS (SELECT 1 FROM payment_line p WHERE p.term_seq = r.term_seq \
    AND p.id_number = r.id_number AND p.program = r.program AND p.part = r.id) \
    AND r.after_fen > ",
    committed!("r")
);

/// Lines of a draft batch, without a result yet, not to send: an adjustment since the lock left
/// their student, program and term owed less than its lines come to (停发, or lowered: what is
/// still owed is then paid as a difference in a later batch). Re-issues too.
const STOPPED: &str = concat!(
    "SELECT l.id FROM payment_line l WHERE l.batch_id = $1 AND NOT EXISTS \
     (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind IN ('paid', 'failed')) \
     AND ",
    latest_after!("l"),
    " < ",
    committed!("l")
);

/// How much more the student, program and term of `line` was paid (not reversed) than it is
/// owed now: the latest adjustment's amount, else the roster's, else nothing.
async fn overpaid(tx: &mut Tx, line: &LineRow, seq: i64) -> StoreResult<i64> {
    let sql = format!(
        "SELECT \
         (SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM payment_line p \
          WHERE p.term_seq = k.term_seq AND p.id_number = k.id_number AND p.program = k.program \
          AND EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = p.id AND g.kind = 'paid')) \
         - (SELECT CAST(COALESCE(SUM(g.amount_fen), 0) AS BIGINT) FROM payment_ledger g \
          WHERE g.term_seq = k.term_seq AND g.id_number = k.id_number AND g.program = k.program \
          AND g.kind = 'reversed') \
         - COALESCE({}, (SELECT e.amount_fen FROM entitlement e WHERE e.term_seq = k.term_seq \
          AND e.id_number = k.id_number AND e.program = k.program), 0) \
         FROM (SELECT CAST($1 AS BIGINT) AS term_seq, CAST($2 AS TEXT) AS id_number, \
         CAST($3 AS TEXT) AS program) k",
        latest_after!("k")
    );
    let v: i64 = tx_run!(&mut *tx, |conn| sqlx::query_scalar(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(seq)
    .bind(&line.id_number)
    .bind(&line.program)
    .fetch_one(conn)
    .await)
    .ctx("读取已发放金额")?;
    Ok(v)
}

async fn count_candidates(
    tx: &mut Tx,
    seq: i64,
    program: &str,
    school: Option<&str>,
) -> StoreResult<i64> {
    let mut n = 0;
    for from in [CANDIDATES, BACK_PAYS, DIFFERENCES] {
        let sql = format!("SELECT COUNT(*) {from}");
        let c: i64 = tx_run!(&mut *tx, |conn| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(seq)
        .bind(program)
        .bind(school.unwrap_or(""))
        .fetch_one(conn)
        .await)
        .ctx("统计待发放明细")?;
        n += c;
    }
    Ok(n)
}

/// Inserts the lines of `program` into batch `batch`: the term's roster lines paid to a
/// guardian or the student, with a payee account, in no batch yet (a re-issue aside), of
/// `school` when given; back-payments of students found eligible after the lock; differences
/// an adjustment asks for. Returns how many.
async fn fill_lines(
    tx: &mut Tx,
    batch: i64,
    seq: i64,
    program: &str,
    school: Option<&str>,
) -> StoreResult<u64> {
    const COLS: &str = "INSERT INTO payment_line (batch_id, term_seq, id_number, student_name, \
         school_code, program, program_name, clause, amount_fen, payee_name, relation, \
         account_kind, account_no, bank, reissue_of, adjustment_id, part) ";
    let roster = format!(
        "{COLS} SELECT $4, e.term_seq, e.id_number, e.name, e.school_code, e.program, \
         e.program_name, e.clause, COALESCE({}, e.amount_fen), a.payee_name, a.relation, \
         a.account_kind, a.account_no, a.bank, NULL, NULL, 0 {CANDIDATES}",
        latest_after!("e")
    );
    let back = format!(
        "{COLS} SELECT $4, r.term_seq, r.id_number, r.name, r.school_code, r.program, \
         r.program_name, r.clause, r.after_fen, a.payee_name, a.relation, a.account_kind, \
         a.account_no, a.bank, NULL, r.id, 0 {BACK_PAYS}"
    );
    let difference = format!(
        "{COLS} SELECT $4, r.term_seq, r.id_number, r.name, r.school_code, r.program, \
         r.program_name, r.clause, r.after_fen - {}, a.payee_name, a.relation, a.account_kind, \
         a.account_no, a.bank, NULL, r.id, r.id {DIFFERENCES}",
        committed!("r")
    );
    let mut n = 0;
    for sql in [roster, back, difference] {
        n += tx_run!(&mut *tx, |conn| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(seq)
        .bind(program)
        .bind(school.unwrap_or(""))
        .bind(batch)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .ctx("生成发放明细")?;
    }
    Ok(n)
}

async fn stopped_in(tx: &mut Tx, batch: i64) -> StoreResult<std::collections::HashSet<i64>> {
    let ids: Vec<i64> = tx_run!(&mut *tx, |conn| sqlx::query_scalar(STOPPED)
        .bind(batch)
        .fetch_all(conn)
        .await)
    .ctx("读取停发明细")?;
    Ok(ids.into_iter().collect())
}

async fn new_batch(
    tx: &mut Tx,
    term: Term,
    run_id: i64,
    fund_source: &str,
    paying_unit: &str,
    reissue_of: Option<i64>,
    actor: &str,
) -> StoreResult<i64> {
    tx_run!(&mut *tx, |conn| sqlx::query_scalar(
        "INSERT INTO payment_batch (term, term_seq, run_id, fund_source, paying_unit, \
         reissue_of, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8) RETURNING id"
    )
    .bind(term.to_string())
    .bind(term_seq(term))
    .bind(run_id)
    .bind(fund_source)
    .bind(paying_unit)
    .bind(reissue_of)
    .bind(actor)
    .bind(Utc::now())
    .fetch_one(conn)
    .await)
    .ctx("建立发放批次")
}

async fn drop_empty(tx: &mut Tx, id: i64) -> StoreResult<()> {
    tx_run!(&mut *tx, |conn| sqlx::query(
        "DELETE FROM payment_batch WHERE id = $1 AND NOT EXISTS \
         (SELECT 1 FROM payment_line WHERE batch_id = $1)"
    )
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ()))
    .ctx("删除空批次")
}

impl Db {
    /// Makes draft batches of `term` from its locked roster, a batch per group (and per school
    /// for a group the schools pay). Lines already in a batch are not taken again; a student
    /// without a payee account waits (the coverage audit lists them). Returns the new batches.
    ///
    /// Errors: [`StoreError::Invalid`] when the term is not locked (approved).
    pub async fn create_batches(
        &self,
        term: Term,
        groups: &[BatchGroup],
        who: PayActor<'_>,
    ) -> StoreResult<Vec<i64>> {
        let seq = term_seq(term);
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        tx.lock(COMPUTE_LOCK + seq).await?;
        let run_id: Option<i64> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT run_id FROM roster_lock WHERE term_seq = $1"
        )
        .bind(seq)
        .fetch_optional(conn)
        .await)
        .ctx("读取审批锁定")?;
        let run_id = run_id.ok_or_else(|| {
            StoreError::Invalid(format!(
                "{}的资助名单尚未审批锁定，不能发放",
                term.label_zh()
            ))
        })?;
        let mut made = Vec::new();
        for g in groups {
            let schools: Vec<Option<String>> = if g.per_school {
                let mut codes: Vec<String> = Vec::new();
                for p in &g.programs {
                    let found: Vec<String> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
                        "SELECT DISTINCT school_code FROM entitlement \
                         WHERE term_seq = $1 AND program = $2 UNION SELECT DISTINCT school_code \
                         FROM roster_adjustment WHERE term_seq = $1 AND program = $2 \
                         AND kind = 'back_pay'"
                    )
                    .bind(seq)
                    .bind(p)
                    .fetch_all(conn)
                    .await)
                    .ctx("读取资助名单")?;
                    codes.extend(found);
                }
                codes.sort();
                codes.dedup();
                codes.into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            for school in schools {
                let mut waiting = 0;
                for p in &g.programs {
                    waiting += count_candidates(&mut tx, seq, p, school.as_deref()).await?;
                }
                if waiting == 0 {
                    continue;
                }
                let unit = match &school {
                    Some(code) => {
                        let name: Option<String> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
                            "SELECT name FROM school WHERE code = $1"
                        )
                        .bind(code)
                        .fetch_optional(conn)
                        .await)
                        .ctx("读取学校名单")?;
                        format!(
                            "{}（{code}）",
                            name.unwrap_or_else(|| g.paying_unit.clone())
                        )
                    }
                    None => g.paying_unit.clone(),
                };
                let id =
                    new_batch(&mut tx, term, run_id, &g.fund_source, &unit, None, who.name).await?;
                let mut n = 0;
                for p in &g.programs {
                    n += fill_lines(&mut tx, id, seq, p, school.as_deref()).await?;
                }
                if n == 0 {
                    drop_empty(&mut tx, id).await?;
                    continue;
                }
                let b = batch_in(&mut tx, id).await?;
                let detail = format!(
                    "{}：{}，{}，{} 条，合计 {} 元",
                    term.label_zh(),
                    g.fund_source,
                    unit,
                    b.lines,
                    zizhu_domain::Fen(b.total_fen)
                );
                audit(
                    &mut tx,
                    who,
                    "payment_batch_create",
                    &format!("发放批次 {id}"),
                    &detail,
                    None,
                )
                .await?;
                made.push(id);
            }
        }
        tx.commit().await?;
        Ok(made)
    }

    /// The batches of `term` (all terms when `None`), newest first.
    pub async fn batches(&self, term: Option<Term>) -> StoreResult<Vec<BatchRow>> {
        let sql = format!(
            "SELECT {BATCH_COLS} FROM payment_batch b WHERE ($1 = 0 OR b.term_seq = $1) \
             ORDER BY b.id DESC"
        );
        let raw: Vec<RawBatch> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(term.map_or(0, term_seq))
        .fetch_all(pool)
        .await)
        .ctx("读取发放批次")?;
        raw.into_iter().map(batch_of).collect()
    }

    /// One batch.
    pub async fn batch(&self, id: i64) -> StoreResult<Option<BatchRow>> {
        Ok(self.batches(None).await?.into_iter().find(|b| b.id == id))
    }

    /// The lines of a batch that an adjustment since the lock stopped (停发): left out of its bank
    /// file, and failed as not sent when the batch is submitted.
    pub async fn stopped_lines(
        &self,
        batch_id: i64,
    ) -> StoreResult<std::collections::HashSet<i64>> {
        let ids: Vec<i64> = db_run!(self, |pool| sqlx::query_scalar(STOPPED)
            .bind(batch_id)
            .fetch_all(pool)
            .await)
        .ctx("读取停发明细")?;
        Ok(ids.into_iter().collect())
    }

    /// The lines of a batch, in order, with their outcomes.
    pub async fn batch_lines(&self, batch_id: i64) -> StoreResult<Vec<LineRow>> {
        let sql =
            format!("SELECT {LINE_COLS} FROM payment_line l WHERE l.batch_id = $1 ORDER BY l.id");
        let raw: Vec<RawLine> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(batch_id)
        .fetch_all(pool)
        .await)
        .ctx("读取发放明细")?;
        Ok(raw.into_iter().map(line_of).collect())
    }

    /// Every line of `term`'s batches, with outcomes (for the coverage audit).
    pub async fn term_lines(&self, term: Term) -> StoreResult<Vec<LineRow>> {
        let sql =
            format!("SELECT {LINE_COLS} FROM payment_line l WHERE l.term_seq = $1 ORDER BY l.id");
        let raw: Vec<RawLine> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(term_seq(term))
        .fetch_all(pool)
        .await)
        .ctx("读取发放明细")?;
        Ok(raw.into_iter().map(line_of).collect())
    }

    /// The ledger of `term`, oldest first.
    pub async fn ledger(&self, term: Term) -> StoreResult<Vec<LedgerRow>> {
        type Raw = (
            i64,
            i64,
            String,
            i64,
            String,
            String,
            i64,
            NaiveDate,
            String,
            Option<i64>,
            String,
            DateTime<Utc>,
        );
        let raw: Vec<Raw> = db_run!(self, |pool| {
            sqlx::query_as(
            "SELECT id, line_id, kind, term_seq, id_number, program, amount_fen, on_day, reason, \
             new_line, actor, at FROM payment_ledger WHERE term_seq = $1 ORDER BY id"
        )
        .bind(term_seq(term))
        .fetch_all(pool)
        .await
        })
        .ctx("读取发放台账")?;
        raw.into_iter()
            .map(|r| {
                Ok(LedgerRow {
                    id: r.0,
                    line_id: r.1,
                    kind: LedgerKind::from_key(&r.2)
                        .ok_or_else(|| StoreError::Invalid(format!("未知的台账条目 {}", r.2)))?,
                    term_seq: r.3,
                    id_number: r.4,
                    program: r.5,
                    amount_fen: r.6,
                    on: r.7,
                    reason: r.8,
                    new_line: r.9,
                    actor: r.10,
                    at: r.11,
                })
            })
            .collect()
    }

    /// What changes the payments of `term` as the coverage audit sees them: the newest ledger
    /// entry, line and adjustment, how many batches left the draft state, and whether the term
    /// is locked. Equal versions mean an equal audit (with the same run and imports).
    pub async fn payment_version(&self, term: Term) -> StoreResult<[i64; 5]> {
        let v: (i64, i64, i64, i64, i64) = db_run!(self, |pool| sqlx::query_as(
            "SELECT \
             (SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM payment_ledger WHERE term_seq = $1), \
             (SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM payment_line WHERE term_seq = $1), \
             (SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM roster_adjustment WHERE term_seq = $1), \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM payment_batch WHERE term_seq = $1 AND state <> 'draft'), \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM roster_lock WHERE term_seq = $1)"
        )
        .bind(term_seq(term))
        .fetch_one(pool)
        .await)
        .ctx("读取发放进度")?;
        Ok([v.0, v.1, v.2, v.3, v.4])
    }

    /// The students who have a payee account on record.
    pub async fn payee_account_ids(&self) -> StoreResult<std::collections::HashSet<String>> {
        let ids: Vec<String> = db_run!(self, |pool| sqlx::query_scalar(
            "SELECT id_number FROM payee_account"
        )
        .fetch_all(pool)
        .await)
        .ctx("读取收款账户")?;
        Ok(ids.into_iter().collect())
    }

    /// Fixes what the bank file of draft batch `id` carries, now, in one transaction: lines an
    /// adjustment since the lock stopped or lowered are recorded not sent (锁定后调整，未送银行 —
    /// what is still owed follows as a difference in a later batch), the file's time is kept
    /// for [`Db::submit_batch`], and the lines to send are returned. When no line is left to
    /// send, the batch is done without a bank (部分失败, to be closed).
    pub async fn prepare_bank_file(
        &self,
        id: i64,
        who: PayActor<'_>,
    ) -> StoreResult<(BatchRow, Vec<LineRow>)> {
        let mut tx = Tx::begin(self).await?;
        tx.lock(PAY_LOCK).await?;
        let b = batch_in(&mut tx, id).await?;
        if b.state != BatchState::Draft {
            return Err(StoreError::Invalid(format!(
                "批次 {id} 状态为“{}”，其代发文件已经确定",
                b.state.zh()
            )));
        }
        for line_id in stopped_in(&mut tx, id).await? {
            let (line, seq) = line_in(&mut tx, line_id).await?;
            ledger(
                &mut tx,
                &line,
                seq,
                LedgerKind::Failed,
                line.amount_fen,
                Utc::now().date_naive(),
                NOT_SENT,
                None,
                who.name,
            )
            .await?;
        }
        // The newest adjustment of the term now: one after it is one the file did not see.
        tx_run!(&mut tx, |conn| sqlx::query(
            "UPDATE payment_batch SET file_at = $1, file_adjustment = (SELECT \
             CAST(COALESCE(MAX(r.id), 0) AS BIGINT) FROM roster_adjustment r \
             WHERE r.term_seq = payment_batch.term_seq) WHERE id = $2"
        )
        .bind(Utc::now())
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("记录代发文件")?;
        let sql =
            format!("SELECT {LINE_COLS} FROM payment_line l WHERE l.batch_id = $1 ORDER BY l.id");
        let raw: Vec<RawLine> = tx_run!(&mut tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(id)
        .fetch_all(conn)
        .await)
        .ctx("读取发放明细")?;
        let send: Vec<LineRow> = raw
            .into_iter()
            .map(line_of)
            .filter(|l| l.outcome.is_none())
            .collect();
        if send.is_empty() {
            set_state(&mut tx, id, BatchState::PartlyFailed).await?;
            audit(
                &mut tx,
                who,
                "payment_batch_submit",
                &format!("发放批次 {id}"),
                "全部明细经锁定后调整停发或减少，未送银行",
                Some((b.state.zh(), BatchState::PartlyFailed.zh())),
            )
            .await?;
        }
        let b = batch_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok((b, send))
    }

    /// Marks a draft batch submitted (its file went to the bank), audited.
    ///
    /// Errors: [`StoreError::Invalid`] when the batch is not a draft, when its bank file was
    /// never written ([`Db::mark_file_written`]), or when an adjustment after the file was
    /// written changed one of its lines (the file must be written again).
    pub async fn submit_batch(&self, id: i64, who: PayActor<'_>) -> StoreResult<BatchRow> {
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let b = batch_in(&mut tx, id).await?;
        let to = b
            .state
            .submit()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let file: (Option<DateTime<Utc>>, Option<i64>) = tx_run!(&mut tx, |conn| sqlx::query_as(
            "SELECT file_at, file_adjustment FROM payment_batch WHERE id = $1"
        )
        .bind(id)
        .fetch_one(conn)
        .await)
        .ctx("读取发放批次")?;
        let (Some(_), seen) = file else {
            return Err(StoreError::Invalid(format!(
                "批次 {id} 还没有生成代发文件：先生成代发文件并送银行，再登记已提交"
            )));
        };
        // Adjustments recorded after the file was written, of lines still to send (numbers, not
        // clocks: two machines' clocks may differ).
        let late: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT COUNT(DISTINCT l.id) FROM payment_line l JOIN roster_adjustment r \
             ON r.term_seq = l.term_seq AND r.id_number = l.id_number AND r.program = l.program \
             WHERE l.batch_id = $1 AND r.id > $2 AND NOT EXISTS (SELECT 1 FROM payment_ledger g \
             WHERE g.line_id = l.id AND g.kind = 'failed')"
        )
        .bind(id)
        .bind(seen.unwrap_or(0))
        .fetch_one(conn)
        .await)
        .ctx("读取名单调整")?;
        if late > 0 {
            return Err(StoreError::Invalid(format!(
                "代发文件生成后，本批次有 {late} 笔明细经锁定后调整改变了金额或停发：请重新生成代发文件，再登记已提交"
            )));
        }
        tx_run!(&mut tx, |conn| sqlx::query(
            "UPDATE payment_batch SET state = $1, submitted_by = $2, submitted_at = $3 \
             WHERE id = $4 AND state = 'draft'"
        )
        .bind(to.key())
        .bind(who.name)
        .bind(Utc::now())
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("提交发放批次")?;
        let sent = {
            let (n, fen): (i64, i64) = tx_run!(&mut tx, |conn| {
                sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) \
                 FROM payment_line l WHERE l.batch_id = $1 AND NOT EXISTS \
                 (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'failed')"
            )
            .bind(id)
            .fetch_one(conn)
            .await
            })
            .ctx("读取发放明细")?;
            format!(
                "提交银行：{n} 条，合计 {} 元（批次 {} 条，其余经锁定后调整未送银行）",
                zizhu_domain::Fen(fen),
                b.lines
            )
        };
        audit(
            &mut tx,
            who,
            "payment_batch_submit",
            &format!("发放批次 {id}"),
            &sent,
            Some((b.state.zh(), to.zh())),
        )
        .await?;
        let now = batch_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(now)
    }

    /// Records a bank's return of a submitted batch, all or nothing: each named line gets its
    /// outcome in the ledger; the batch becomes paid or partly failed once every line has one.
    ///
    /// Errors: [`StoreError::Invalid`] for a batch not submitted, a line not in the batch, a line
    /// named twice or already returned, or a second successful payment of the same student,
    /// program and term (refused by the database's unique index).
    pub async fn record_return(
        &self,
        batch_id: i64,
        lines: &[ReturnLine],
        who: PayActor<'_>,
    ) -> StoreResult<BatchRow> {
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let b = batch_in(&mut tx, batch_id).await?;
        if b.state != BatchState::Submitted {
            return Err(StoreError::Invalid(format!(
                "批次状态为“{}”，不能导入银行回盘",
                b.state.zh()
            )));
        }
        let (mut paid, mut failed) = (0i64, 0i64);
        for r in lines {
            let (line, seq) = line_in(&mut tx, r.line_id).await?;
            if line.batch_id != batch_id {
                return Err(StoreError::Invalid(format!(
                    "第{}条发放明细不属于批次 {batch_id}",
                    r.line_id
                )));
            }
            let kind = match r.outcome {
                LineOutcome::Paid => {
                    paid += line.amount_fen;
                    LedgerKind::Paid
                }
                LineOutcome::Failed => {
                    failed += 1;
                    LedgerKind::Failed
                }
            };
            ledger(
                &mut tx,
                &line,
                seq,
                kind,
                line.amount_fen,
                r.on,
                r.reason.trim(),
                None,
                who.name,
            )
            .await?;
        }
        let (pending, failed_all): (i64, i64) = tx_run!(&mut tx, |conn| sqlx::query_as(
            "SELECT \
             CAST(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id \
                AND g.kind IN ('paid', 'failed')) THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id \
                AND g.kind = 'failed') THEN 1 ELSE 0 END) AS BIGINT) \
             FROM payment_line l WHERE l.batch_id = $1"
        )
        .bind(batch_id)
        .fetch_one(conn)
        .await)
        .ctx("统计回盘结果")?;
        let to = b
            .state
            .after_return(pending, failed_all)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        set_state(&mut tx, batch_id, to).await?;
        audit(
            &mut tx,
            who,
            "payment_return",
            &format!("发放批次 {batch_id}"),
            &format!(
                "银行回盘 {} 条：成功 {} 元，失败 {failed} 条；尚无结果 {pending} 条",
                lines.len(),
                zizhu_domain::Fen(paid)
            ),
            Some((b.state.zh(), to.zh())),
        )
        .await?;
        let now = batch_in(&mut tx, batch_id).await?;
        tx.commit().await?;
        Ok(now)
    }

    /// A re-issue batch (重新发放) of `batch_id`'s failed lines whose student's payee account was
    /// corrected since (a new account on record, not the one that failed): each gets a new line
    /// on the current account, and the ledger a `reissued` entry naming it. Returns the new
    /// batch (none when no line is ready) and how many failed lines still wait for a corrected
    /// account.
    pub async fn reissue(
        &self,
        batch_id: i64,
        on: NaiveDate,
        who: PayActor<'_>,
    ) -> StoreResult<(Option<i64>, i64)> {
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let b = batch_in(&mut tx, batch_id).await?;
        let term: Term = b
            .term
            .parse()
            .map_err(|_| StoreError::Invalid(format!("学期无法识别：{}", b.term)))?;
        // Failed, not yet re-issued; with the current account if it differs from the line's.
        type Ready = (
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Ready> = tx_run!(&mut tx, |conn| sqlx::query_as(
            "SELECT l.id, a.payee_name, a.relation, a.account_kind, a.account_no, a.bank \
             FROM payment_line l LEFT JOIN payee_account a ON a.id_number = l.id_number \
             WHERE l.batch_id = $1 \
             AND EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'failed') \
             AND NOT EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'reissued') \
             ORDER BY l.id"
        )
        .bind(batch_id)
        .fetch_all(conn)
        .await)
        .ctx("读取失败明细")?;
        let mut waiting = 0i64;
        let mut new_batch_id = None;
        for (line_id, payee, relation, kind, no, bank) in rows {
            let (line, seq) = line_in(&mut tx, line_id).await?;
            if matches!(&line.outcome, Some((LedgerKind::Failed, why)) if why == NOT_SENT) {
                // Not sent because of an adjustment: never paid again (what is still owed is
                // paid as a difference).
                continue;
            }
            // An adjustment since may have stopped or lowered what the student is owed: pay
            // again only what is still owed of this line.
            let over_sql = format!(
                "SELECT {} - {} FROM payment_line l WHERE l.id = $1",
                committed!("l"),
                latest_after!("l")
            );
            let over: Option<i64> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
                sqlx::AssertSqlSafe(over_sql.clone())
            )
            .bind(line_id)
            .fetch_one(conn)
            .await)
            .ctx("读取名单调整")?;
            let amount = line.amount_fen - over.unwrap_or(0).max(0);
            if amount <= 0 {
                continue;
            }
            let corrected = no.as_deref().is_some_and(|n| {
                n != line.account_no || payee.as_deref() != Some(&line.payee_name)
            });
            if !corrected {
                waiting += 1;
                continue;
            }
            let nb = match new_batch_id {
                Some(id) => id,
                None => {
                    let id = new_batch(
                        &mut tx,
                        term,
                        b.run_id,
                        &b.fund_source,
                        &b.paying_unit,
                        Some(batch_id),
                        who.name,
                    )
                    .await?;
                    new_batch_id = Some(id);
                    id
                }
            };
            let new_line: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(
                "INSERT INTO payment_line (batch_id, term_seq, id_number, student_name, \
                 school_code, program, program_name, clause, amount_fen, payee_name, relation, \
                 account_kind, account_no, bank, reissue_of, part, adjustment_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17) RETURNING id"
            )
            .bind(nb)
            .bind(seq)
            .bind(&line.id_number)
            .bind(&line.student_name)
            .bind(&line.school_code)
            .bind(&line.program)
            .bind(&line.program_name)
            .bind(&line.clause)
            .bind(amount)
            .bind(payee.clone().unwrap_or_default())
            .bind(relation.clone().unwrap_or_default())
            .bind(kind.clone().unwrap_or_default())
            .bind(no.clone().unwrap_or_default())
            .bind(bank.clone().unwrap_or_default())
            .bind(line.id)
            .bind(line.part)
            .bind(line.adjustment_id)
            .fetch_one(conn)
            .await)
            .ctx("生成重新发放明细")?;
            ledger(
                &mut tx,
                &line,
                seq,
                LedgerKind::Reissued,
                amount,
                on,
                if amount == line.amount_fen {
                    "账户已更正，重新发放"
                } else {
                    "账户已更正，按锁定后调整的金额重新发放"
                },
                Some(new_line),
                who.name,
            )
            .await?;
        }
        if let Some(id) = new_batch_id {
            let nb = batch_in(&mut tx, id).await?;
            audit(
                &mut tx,
                who,
                "payment_batch_create",
                &format!("发放批次 {id}"),
                &format!(
                    "重新发放批次 {batch_id} 的失败明细 {} 条，合计 {} 元；仍待更正账户 {waiting} 条",
                    nb.lines,
                    zizhu_domain::Fen(nb.total_fen)
                ),
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok((new_batch_id, waiting))
    }

    /// Records a payment made in error (清退): the line must have been paid; the reason is
    /// required. `amount_fen` is the part paid in error (an amount lowered after it was paid),
    /// the whole line when `None`; a line is reversed once. The money is then to be recovered
    /// ([`Db::record_recovery`]).
    pub async fn reverse_payment(
        &self,
        line_id: i64,
        amount_fen: Option<i64>,
        reason: &str,
        on: NaiveDate,
        who: PayActor<'_>,
    ) -> StoreResult<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("清退须写明原因".into()));
        }
        zizhu_domain::text::check_typed("清退原因", reason, 500).map_err(StoreError::Invalid)?;
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let (line, seq) = line_in(&mut tx, line_id).await?;
        if !matches!(line.outcome, Some((LedgerKind::Paid, _))) {
            return Err(StoreError::Invalid(format!(
                "第{line_id}条发放明细没有发放成功的记录，不能清退"
            )));
        }
        let reversed: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payment_ledger \
             WHERE line_id = $1 AND kind = 'reversed'"
        )
        .bind(line_id)
        .fetch_one(conn)
        .await)
        .ctx("读取清退记录")?;
        let left = line.amount_fen - reversed;
        if left <= 0 {
            return Err(StoreError::Invalid(format!(
                "第{line_id}条发放明细已全部清退过"
            )));
        }
        // Without an amount: what is left of the line (paid in error, 错发). With one: the whole
        // line, or only what was paid beyond what the student is owed now (an amount lowered
        // after it was paid; lowered twice, reversed twice).
        let amount = amount_fen.unwrap_or(left);
        if amount <= 0 || amount > left {
            return Err(StoreError::Invalid(format!(
                "清退金额应在 0.01 元至 {} 元（本条发放尚未清退的金额）之间",
                zizhu_domain::Fen(left)
            )));
        }
        let whole = reversed == 0 && amount == line.amount_fen;
        if amount_fen.is_some() && !whole {
            let over = overpaid(&mut tx, &line, seq).await?;
            if amount > over {
                return Err(StoreError::Invalid(format!(
                    "部分清退只能清退多发的部分：该生本学期“{}”已发放的比锁定后调整的应发金额多 {} 元；\
                     错发整笔时不填金额",
                    line.program_name,
                    zizhu_domain::Fen(over.max(0))
                )));
            }
        }
        ledger(
            &mut tx,
            &line,
            seq,
            LedgerKind::Reversed,
            amount,
            on,
            reason.trim(),
            None,
            who.name,
        )
        .await?;
        audit(
            &mut tx,
            who,
            "payment_reverse",
            &format!("发放明细 {line_id}"),
            &format!(
                "清退 {} 元（{}）：{}",
                zizhu_domain::Fen(amount),
                line.program_name,
                reason.trim()
            ),
            Some(("发放成功", "清退待追回")),
        )
        .await?;
        tx.commit().await
    }

    /// Records money recovered of a reversed payment (追回), up to what is still owed.
    pub async fn record_recovery(
        &self,
        line_id: i64,
        amount_fen: i64,
        on: NaiveDate,
        note: &str,
        who: PayActor<'_>,
    ) -> StoreResult<()> {
        zizhu_domain::text::check_typed("追回说明", note, 500).map_err(StoreError::Invalid)?;
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let (line, seq) = line_in(&mut tx, line_id).await?;
        let (reversed, recovered): (i64, i64) = tx_run!(&mut tx, |conn| {
            sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'reversed' THEN amount_fen ELSE 0 END), 0) \
             AS BIGINT), CAST(COALESCE(SUM(CASE WHEN kind = 'recovered' THEN amount_fen ELSE 0 \
             END), 0) AS BIGINT) FROM payment_ledger WHERE line_id = $1"
        )
        .bind(line_id)
        .fetch_one(conn)
        .await
        })
        .ctx("读取清退记录")?;
        if reversed == 0 {
            return Err(StoreError::Invalid(format!(
                "第{line_id}条发放明细没有清退记录，不能登记追回"
            )));
        }
        if reversed == recovered {
            return Err(StoreError::Invalid(format!(
                "第{line_id}条发放明细清退的 {} 元已全部追回",
                zizhu_domain::Fen(reversed)
            )));
        }
        if amount_fen <= 0 || amount_fen > reversed - recovered {
            return Err(StoreError::Invalid(format!(
                "追回金额应在 0.01 元至 {} 元之间（尚未追回的部分）",
                zizhu_domain::Fen(reversed - recovered)
            )));
        }
        // One `recovered` entry a line is not enforced: money may come back in parts.
        tx_run!(&mut tx, |conn| sqlx::query(
            "INSERT INTO payment_ledger (line_id, kind, term_seq, id_number, program, amount_fen, \
             on_day, reason, new_line, actor, at, part) VALUES ($1, 'recovered', $2, $3, $4, $5, \
             $6, $7, NULL, $8, $9, $10)"
        )
        .bind(line.id)
        .bind(seq)
        .bind(&line.id_number)
        .bind(&line.program)
        .bind(amount_fen)
        .bind(on)
        .bind(note.trim())
        .bind(who.name)
        .bind(Utc::now())
        .bind(line.part)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("写入发放台账")?;
        audit(
            &mut tx,
            who,
            "payment_recover",
            &format!("发放明细 {line_id}"),
            &format!("追回 {} 元：{}", zizhu_domain::Fen(amount_fen), note.trim()),
            None,
        )
        .await?;
        tx.commit().await
    }

    /// Closes a batch whose return is complete, audited.
    pub async fn close_batch(&self, id: i64, who: PayActor<'_>) -> StoreResult<BatchRow> {
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let b = batch_in(&mut tx, id).await?;
        let to = b
            .state
            .close()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        // Failed lines not yet paid again of which something is still owed (a re-issue pays
        // only that: nothing, when an adjustment since stopped or lowered it enough).
        let waiting_sql = format!(
            "SELECT COUNT(*) FROM payment_line l WHERE l.batch_id = $1 \
             AND EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'failed') \
             AND NOT EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'reissued') \
             AND NOT EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'failed' \
             AND g.reason = $2) \
             AND COALESCE({after}, {committed}) > {committed} - l.amount_fen",
            after = latest_after!("l"),
            committed = committed!("l")
        );
        let waiting: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(sqlx::AssertSqlSafe(
            waiting_sql.clone()
        ))
        .bind(id)
        .bind(NOT_SENT)
        .fetch_one(conn)
        .await)
        .ctx("统计失败明细")?;
        if waiting > 0 {
            return Err(StoreError::Invalid(format!(
                "批次 {id} 还有 {waiting} 笔发放失败的明细未重新发放；更正账户并 zizhu pay reissue {id} 后再结束"
            )));
        }
        tx_run!(&mut tx, |conn| sqlx::query(
            "UPDATE payment_batch SET state = $1, closed_at = $2 WHERE id = $3"
        )
        .bind(to.key())
        .bind(Utc::now())
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("结束发放批次")?;
        audit(
            &mut tx,
            who,
            "payment_batch_close",
            &format!("发放批次 {id}"),
            "结束批次",
            Some((b.state.zh(), to.zh())),
        )
        .await?;
        let now = batch_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(now)
    }
}
