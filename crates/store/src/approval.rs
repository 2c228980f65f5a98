//! Roster approval as stored (migration 0008): sign-off steps per school and term, appended and
//! never changed, and the county's lock of a term. Whether a step is allowed is the domain's
//! (`zizhu_domain::approval`); the store records it in one transaction with its audit entry, and
//! refuses a second lock of a term by its unique constraint.

use crate::convert::term_seq;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::{Db, COMPUTE_LOCK};
use chrono::{DateTime, Utc};
use zizhu_domain::approval::SignoffStep;
use zizhu_domain::Term;

/// A school's latest sign-off step of a term.
#[derive(Debug, Clone, PartialEq)]
pub struct SignoffRow {
    pub school_code: String,
    pub step: SignoffStep,
    pub run_id: i64,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A term's lock.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LockRow {
    pub run_id: i64,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

#[derive(sqlx::FromRow)]
struct RawSignoff {
    school_code: String,
    step: String,
    run_id: i64,
    actor: String,
    at: DateTime<Utc>,
    note: String,
}

/// A term's lock, by `term_seq`.
const LOCK_OF: &str = "SELECT run_id, actor, at, note FROM roster_lock WHERE term_seq = $1";

async fn lock_of(tx: &mut Tx, seq: i64) -> StoreResult<Option<LockRow>> {
    tx_run!(tx, |conn| sqlx::query_as(LOCK_OF)
        .bind(seq)
        .fetch_optional(conn)
        .await)
    .ctx("读取审批锁定")
}

/// The id of the term's latest compute run, read inside the transaction.
async fn latest_run_id(tx: &mut Tx, seq: i64) -> StoreResult<Option<i64>> {
    tx_run!(tx, |conn| sqlx::query_scalar(
        "SELECT MAX(id) FROM compute_run WHERE term_seq = $1"
    )
    .bind(seq)
    .fetch_one(conn)
    .await)
    .ctx("读取计算批次")
}

impl Db {
    /// The latest step of each school of `term`, by school code.
    pub async fn signoffs(&self, term: Term) -> StoreResult<Vec<SignoffRow>> {
        const SQL: &str = "SELECT school_code, step, run_id, actor, at, note FROM roster_signoff \
            WHERE id IN (SELECT MAX(id) FROM roster_signoff WHERE term_seq = $1 \
            GROUP BY school_code) ORDER BY school_code";
        let raw: Vec<RawSignoff> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .fetch_all(pool)
            .await)
        .ctx("读取名单审核记录")?;
        raw.into_iter()
            .map(|r| {
                Ok(SignoffRow {
                    step: SignoffStep::from_key(&r.step)
                        .ok_or_else(|| StoreError::Corrupt(format!("审核步骤 {}", r.step)))?,
                    school_code: r.school_code,
                    run_id: r.run_id,
                    actor: r.actor,
                    at: r.at,
                    note: r.note,
                })
            })
            .collect()
    }

    /// When each school of `term` first confirmed its roster (学校确认), by school code: the
    /// school evaluation's "confirmed on time" (学校工作考评). Later returns and confirmations
    /// do not move it.
    pub async fn first_confirmations(
        &self,
        term: Term,
    ) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        const SQL: &str = "SELECT school_code, MIN(at) FROM roster_signoff \
            WHERE term_seq = $1 AND step = 'confirm' GROUP BY school_code ORDER BY school_code";
        db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .fetch_all(pool)
            .await)
        .ctx("读取名单确认时间")
    }

    /// Records `step` on `school_code`'s roster of `term` as taken on run `run_id`, with its
    /// audit entry. `latest` is the step the caller checked against (its id-less identity: step
    /// and run); if another user took a step meanwhile, nothing is written.
    ///
    /// Errors: [`StoreError::Invalid`] when the term is locked, the run is no longer the term's
    /// latest, or the school's latest step changed since the caller read it.
    #[allow(clippy::too_many_arguments)]
    pub async fn signoff(
        &self,
        term: Term,
        school_code: &str,
        step: SignoffStep,
        run_id: i64,
        latest: Option<(SignoffStep, i64)>,
        actor: &str,
        origin: &str,
        note: &str,
    ) -> StoreResult<()> {
        let seq = term_seq(term);
        let mut tx = Tx::begin(self).await?;
        tx.lock(COMPUTE_LOCK + seq).await?;
        if lock_of(&mut tx, seq).await?.is_some() {
            return Err(StoreError::Invalid(
                "本学期资助名单已审批锁定，不能再确认或审核".into(),
            ));
        }
        let current = latest_run_id(&mut tx, seq).await?;
        if current != Some(run_id) {
            return Err(StoreError::Invalid(
                "资助名单刚被重新计算，请刷新页面后再操作".into(),
            ));
        }
        let now: Option<(String, i64)> = tx_run!(&mut tx, |conn| sqlx::query_as(
            "SELECT step, run_id FROM roster_signoff WHERE id = (SELECT MAX(id) \
             FROM roster_signoff WHERE term_seq = $1 AND school_code = $2)"
        )
        .bind(seq)
        .bind(school_code)
        .fetch_optional(conn)
        .await)
        .ctx("读取名单审核记录")?;
        let now = now.and_then(|(s, r)| SignoffStep::from_key(&s).map(|s| (s, r)));
        if now != latest {
            return Err(StoreError::Invalid(
                "该校名单的审核状态刚被他人改变，请刷新页面后再操作".into(),
            ));
        }
        tx_run!(&mut tx, |conn| sqlx::query(
            "INSERT INTO roster_signoff (term, term_seq, school_code, step, run_id, actor, at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(term.to_string())
        .bind(seq)
        .bind(school_code)
        .bind(step.key())
        .bind(run_id)
        .bind(actor)
        .bind(Utc::now())
        .bind(note)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("记录名单审核")?;
        let before = latest.map(|(s, r)| format!("{}（第{r}次计算）", s.zh()));
        let after = format!("{}（第{run_id}次计算）", step.zh());
        tx.audit_entry(&crate::audit::Entry {
            actor,
            action: "roster_signoff",
            target: &format!("资助名单 {term} 学校 {school_code}"),
            detail: note,
            origin: Some(origin),
            before: before.as_deref(),
            after: Some(&after),
        })
        .await?;
        tx.commit().await
    }

    /// The lock of `term`, if it is locked.
    pub async fn term_lock(&self, term: Term) -> StoreResult<Option<LockRow>> {
        db_run!(self, |pool| sqlx::query_as(LOCK_OF)
            .bind(term_seq(term))
            .fetch_optional(pool)
            .await)
        .ctx("读取审批锁定")
    }

    /// Locks `term` on run `run_id` (the county's approval), audited.
    ///
    /// Errors: [`StoreError::Invalid`] when the term is already locked, was recomputed since
    /// the caller checked it, or a school's roster is not (or no longer) reviewed on that run.
    pub async fn lock_term(
        &self,
        term: Term,
        run_id: i64,
        actor: &str,
        origin: &str,
        note: &str,
    ) -> StoreResult<()> {
        let seq = term_seq(term);
        let mut tx = Tx::begin(self).await?;
        tx.lock(COMPUTE_LOCK + seq).await?;
        let current = latest_run_id(&mut tx, seq).await?;
        if current != Some(run_id) {
            return Err(StoreError::Invalid(
                "资助名单刚被重新计算，请刷新页面后再审批".into(),
            ));
        }
        // Counted again under the term's lock: a return or a new step taken while the approver
        // looked at the page must not be locked in (a sent-back roster locked for good).
        let unreviewed: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT DISTINCT school_code FROM entitlement \
             WHERE term_seq = $1) e WHERE NOT EXISTS (SELECT 1 FROM roster_signoff s \
             WHERE s.id = (SELECT MAX(id) FROM roster_signoff \
             WHERE term_seq = $1 AND school_code = e.school_code) \
             AND s.step = 'review' AND s.run_id = $2)"
        )
        .bind(seq)
        .bind(run_id)
        .fetch_one(conn)
        .await)
        .ctx("核对名单审核状态")?;
        if unreviewed > 0 {
            return Err(StoreError::Invalid(format!(
                "还有 {unreviewed} 所学校的名单未经乡镇审核（或刚被退回），不能审批锁定"
            )));
        }
        let r = tx_run!(&mut tx, |conn| sqlx::query(
            "INSERT INTO roster_lock (term, term_seq, run_id, actor, at, note) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(term.to_string())
        .bind(seq)
        .bind(run_id)
        .bind(actor)
        .bind(Utc::now())
        .bind(note)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("审批锁定");
        if let Err(e) = r {
            return Err(if e.is_unique_violation() {
                StoreError::Invalid("本学期资助名单已审批锁定".into())
            } else {
                e
            });
        }
        tx.audit_entry(&crate::audit::Entry {
            actor,
            action: "roster_lock",
            target: &format!("资助名单 {term}"),
            detail: note,
            origin: Some(origin),
            after: Some(&format!("已审批锁定（第{run_id}次计算）")),
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await
    }
}
