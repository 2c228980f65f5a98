//! Adjustments of a locked roster (资助名单调整, migration 0012), as stored: append-only rows, each
//! a back-payment or a recovery of one student, program and term with its reason.

use crate::convert::term_seq;
use crate::error::{Ctx, StoreResult};
use crate::tx::Tx;
use crate::{Db, PayActor, COMPUTE_LOCK};
use chrono::{DateTime, Utc};
use zizhu_domain::Term;

/// An adjustment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAdjustment {
    pub id_number: String,
    pub name: String,
    pub school_code: String,
    pub program: String,
    pub program_name: String,
    pub clause: String,
    /// guardian, student or school.
    pub payee: String,
    /// `back_pay` (补发) or `recovery` (追回/停发).
    pub kind: &'static str,
    /// What changes, in fen (> 0).
    pub amount_fen: i64,
    /// The line's amount before (locked roster plus earlier adjustments) and after.
    pub before_fen: i64,
    pub after_fen: i64,
    pub reason: String,
}

/// A recorded adjustment.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustmentRow {
    pub id: i64,
    pub new: NewAdjustment,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
}

type Raw = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    DateTime<Utc>,
);

impl Db {
    /// The adjustments of `term`, oldest first.
    pub async fn adjustments(&self, term: Term) -> StoreResult<Vec<AdjustmentRow>> {
        let raw: Vec<Raw> = db_run!(self, |pool| {
            sqlx::query_as(
            "SELECT id, id_number, name, school_code, program, program_name, clause, payee, kind, \
             amount_fen, before_fen, after_fen, reason, made_by, made_at FROM roster_adjustment \
             WHERE term_seq = $1 ORDER BY id"
        )
        .bind(term_seq(term))
        .fetch_all(pool)
        .await
        })
        .ctx("读取名单调整")?;
        Ok(raw
            .into_iter()
            .map(|r| AdjustmentRow {
                id: r.0,
                new: NewAdjustment {
                    id_number: r.1,
                    name: r.2,
                    school_code: r.3,
                    program: r.4,
                    program_name: r.5,
                    clause: r.6,
                    payee: r.7,
                    kind: if r.8 == "back_pay" {
                        "back_pay"
                    } else {
                        "recovery"
                    },
                    amount_fen: r.9,
                    before_fen: r.10,
                    after_fen: r.11,
                    reason: r.12,
                },
                made_by: r.13,
                made_at: r.14,
            })
            .collect())
    }

    /// Records an adjustment run's differences against the locked run `run_id`, in one
    /// transaction with its audit entry.
    ///
    /// `seen` is the newest adjustment of the term the caller compared with (0: none): when
    /// another run recorded adjustments since, nothing is recorded (the caller compares again).
    pub async fn record_adjustments(
        &self,
        term: Term,
        run_id: i64,
        rows: &[NewAdjustment],
        seen: i64,
        who: PayActor<'_>,
    ) -> StoreResult<()> {
        let seq = term_seq(term);
        let mut tx = Tx::begin(self).await?;
        // With the payment writes, one at a time (the same order as they take the locks): an
        // adjustment is before or after a bank file is fixed, never during it.
        tx.lock(crate::PAY_LOCK).await?;
        tx.lock(COMPUTE_LOCK + seq).await?;
        let newest: i64 = tx_run!(&mut tx, |conn| {
            sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM roster_adjustment WHERE term_seq = $1"
        )
        .bind(seq)
        .fetch_one(conn)
        .await
        })
        .ctx("读取名单调整")?;
        if newest != seen {
            return Err(crate::StoreError::Invalid(
                "另一次调整刚刚完成，请重新运行调整（以免重复记录）".into(),
            ));
        }
        for a in rows {
            tx_run!(&mut tx, |conn| sqlx::query(
                "INSERT INTO roster_adjustment (term, term_seq, run_id, id_number, name, school_code, \
                 program, program_name, clause, payee, kind, amount_fen, before_fen, after_fen, reason, \
                 made_by, made_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                 $15, $16, $17)"
            )
            .bind(term.to_string())
            .bind(seq)
            .bind(run_id)
            .bind(&a.id_number)
            .bind(&a.name)
            .bind(&a.school_code)
            .bind(&a.program)
            .bind(&a.program_name)
            .bind(&a.clause)
            .bind(&a.payee)
            .bind(a.kind)
            .bind(a.amount_fen)
            .bind(a.before_fen)
            .bind(a.after_fen)
            .bind(&a.reason)
            .bind(who.name)
            .bind(Utc::now())
            .execute(conn)
            .await
            .map(|_| ()))
            .ctx("记录名单调整")?;
        }
        let back: i64 = rows
            .iter()
            .filter(|a| a.kind == "back_pay")
            .map(|a| a.amount_fen)
            .sum();
        let rec: i64 = rows
            .iter()
            .filter(|a| a.kind == "recovery")
            .map(|a| a.amount_fen)
            .sum();
        let detail = format!(
            "{}锁定后的调整：{} 笔，补发 {} 元，追回或停发 {} 元",
            term.label_zh(),
            rows.len(),
            zizhu_domain::Fen(back),
            zizhu_domain::Fen(rec)
        );
        tx.audit_entry(&crate::audit::Entry {
            actor: who.name,
            action: "roster_adjust",
            target: &format!("资助名单 {term}"),
            detail: &detail,
            origin: who.origin,
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await
    }
}
