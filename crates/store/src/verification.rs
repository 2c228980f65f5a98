//! Verification with families (回访, migration 0011): a sample of paid lines per school each term,
//! the family's answer, and the follow-up a denial opens until it is closed.

use crate::convert::term_seq;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::{Db, PayActor, PAY_LOCK};
use chrono::{DateTime, Utc};
use zizhu_domain::Term;

/// A paid line that may be drawn: paid, not reversed, not drawn before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawable {
    pub line_id: i64,
    pub school_code: String,
    pub id_number: String,
}

/// A drawn line and what the family said.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationRow {
    pub id: i64,
    pub line_id: i64,
    pub id_number: String,
    pub school_code: String,
    pub drawn_at: DateTime<Utc>,
    /// `confirmed` or `denied`; `None` while nobody has called.
    pub outcome: Option<String>,
    pub note: String,
    /// `open` after a denial, `closed` once followed up.
    pub follow_up: Option<String>,
    pub follow_up_note: String,
}

type Raw = (
    i64,
    i64,
    String,
    String,
    DateTime<Utc>,
    Option<String>,
    String,
    Option<String>,
    String,
);

async fn audit(
    tx: &mut Tx,
    who: PayActor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> StoreResult<()> {
    tx.audit_entry(&crate::audit::Entry {
        actor: who.name,
        action,
        target,
        detail,
        origin: who.origin,
        ..crate::audit::Entry::default()
    })
    .await
    .map(|_| ())
}

/// The columns of a [`Raw`] row, in order.
macro_rules! verification_cols {
    () => {
        "id, line_id, id_number, school_code, drawn_at, outcome, note, follow_up, follow_up_note"
    };
}

fn row_of(r: Raw) -> VerificationRow {
    VerificationRow {
        id: r.0,
        line_id: r.1,
        id_number: r.2,
        school_code: r.3,
        drawn_at: r.4,
        outcome: r.5,
        note: r.6,
        follow_up: r.7,
        follow_up_note: r.8,
    }
}

impl Db {
    /// The term's paid lines not yet drawn for verification, by school.
    pub async fn drawable(&self, term: Term) -> StoreResult<Vec<Drawable>> {
        let rows: Vec<(i64, String, String)> = db_run!(self, |pool| sqlx::query_as(
            "SELECT l.id, l.school_code, l.id_number FROM payment_line l \
             WHERE l.term_seq = $1 \
             AND EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'paid') \
             AND NOT EXISTS (SELECT 1 FROM payment_ledger g WHERE g.line_id = l.id AND g.kind = 'reversed') \
             AND NOT EXISTS (SELECT 1 FROM payment_verification v WHERE v.line_id = l.id) \
             ORDER BY l.school_code, l.id"
        )
        .bind(term_seq(term))
        .fetch_all(pool)
        .await)
        .ctx("读取已发放明细")?;
        Ok(rows
            .into_iter()
            .map(|(line_id, school_code, id_number)| Drawable {
                line_id,
                school_code,
                id_number,
            })
            .collect())
    }

    /// Records the drawn lines, audited; a line drawn twice is refused.
    pub async fn add_verifications(
        &self,
        term: Term,
        drawn: &[Drawable],
        how: &str,
        who: PayActor<'_>,
    ) -> StoreResult<usize> {
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        for d in drawn {
            let r = tx_run!(&mut tx, |conn| sqlx::query(
                "INSERT INTO payment_verification (term, term_seq, line_id, id_number, school_code, \
                 drawn_by, drawn_at, note, follow_up_note) VALUES ($1, $2, $3, $4, $5, $6, $7, '', '')"
            )
            .bind(term.to_string())
            .bind(term_seq(term))
            .bind(d.line_id)
            .bind(&d.id_number)
            .bind(&d.school_code)
            .bind(who.name)
            .bind(Utc::now())
            .execute(conn)
            .await
            .map(|_| ()))
            .ctx("登记回访抽样");
            r.map_err(|e| {
                if e.is_unique_violation() {
                    StoreError::Invalid(format!("第{}条发放明细已抽取回访", d.line_id))
                } else {
                    e
                }
            })?;
        }
        audit(
            &mut tx,
            who,
            "payment_verify_draw",
            &format!("回访 {term}"),
            &format!("抽取已发放学生 {} 人回访（{how}）", drawn.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(drawn.len())
    }

    /// The term's verifications, by school.
    pub async fn verifications(&self, term: Term) -> StoreResult<Vec<VerificationRow>> {
        let rows: Vec<Raw> = db_run!(self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            verification_cols!(),
            " FROM payment_verification WHERE term_seq = $1 ORDER BY school_code, id"
        ))
        .bind(term_seq(term))
        .fetch_all(pool)
        .await)
        .ctx("读取回访记录")?;
        Ok(rows.into_iter().map(row_of).collect())
    }

    /// One verification by its number.
    pub async fn verification(&self, id: i64) -> StoreResult<Option<VerificationRow>> {
        let row: Option<Raw> = db_run!(self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            verification_cols!(),
            " FROM payment_verification WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)
        .ctx("读取回访记录")?;
        Ok(row.map(row_of))
    }

    /// Records the family's answer once; a denial opens a follow-up (跟进核查).
    pub async fn record_verification(
        &self,
        id: i64,
        confirmed: bool,
        note: &str,
        who: PayActor<'_>,
    ) -> StoreResult<()> {
        zizhu_domain::text::check_typed("回访记录", note, 500).map_err(StoreError::Invalid)?;
        if !confirmed && note.trim().is_empty() {
            return Err(StoreError::Invalid(
                "家庭否认收到资助时须写明回访情况".into(),
            ));
        }
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let n = tx_run!(&mut tx, |conn| sqlx::query(
            "UPDATE payment_verification SET outcome = $1, note = $2, recorded_by = $3, \
             recorded_at = $4, follow_up = $5 WHERE id = $6 AND outcome IS NULL"
        )
        .bind(if confirmed { "confirmed" } else { "denied" })
        .bind(note.trim())
        .bind(who.name)
        .bind(Utc::now())
        .bind(if confirmed { None } else { Some("open") })
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .ctx("登记回访结果")?;
        if n != 1 {
            return Err(StoreError::Invalid(format!(
                "没有编号为 {id} 的待回访记录（或已登记过结果）"
            )));
        }
        let what = if confirmed {
            "家庭确认收到"
        } else {
            "家庭否认收到，转跟进核查"
        };
        audit(
            &mut tx,
            who,
            "payment_verify",
            &format!("回访 {id}"),
            &format!("{what}：{}", note.trim()),
        )
        .await?;
        tx.commit().await
    }

    /// Closes the follow-up of a denied verification, with what was found.
    pub async fn close_follow_up(&self, id: i64, note: &str, who: PayActor<'_>) -> StoreResult<()> {
        zizhu_domain::text::check_typed("跟进结果", note, 500).map_err(StoreError::Invalid)?;
        if note.trim().is_empty() {
            return Err(StoreError::Invalid("结束跟进须写明核查结果".into()));
        }
        let mut tx = Tx::begin(self).await?;
        // Payment writes one at a time (SQLite is so already): a check and its write must not
        // interleave with another's (two recoveries both within what was reversed).
        tx.lock(PAY_LOCK).await?;
        let n = tx_run!(&mut tx, |conn| sqlx::query(
            "UPDATE payment_verification SET follow_up = 'closed', follow_up_note = $1 \
             WHERE id = $2 AND follow_up = 'open'"
        )
        .bind(note.trim())
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .ctx("结束跟进")?;
        if n != 1 {
            return Err(StoreError::Invalid(format!("回访 {id} 没有待跟进的核查")));
        }
        audit(
            &mut tx,
            who,
            "payment_follow_up_close",
            &format!("回访 {id}"),
            note.trim(),
        )
        .await?;
        tx.commit().await
    }
}
