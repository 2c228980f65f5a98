//! Post-exit recheck gaps (脱贫成果回查监测, 四(二), migration 0015), as stored: each gap found for a
//! child of a registered-poor household, open until a later recheck no longer finds it.

use crate::convert::term_seq;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::{Db, PayActor, RECHECK_LOCK};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use zizhu_domain::recheck::GapKind;
use zizhu_domain::Term;

/// A gap a recheck found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGap {
    pub household_no: String,
    pub id_number: String,
    pub name: String,
    pub township: String,
    /// The school responsible (the child's registry school or case school); empty when none.
    pub school_code: String,
    pub kind: GapKind,
    pub detail: String,
}

/// A recorded gap with its dates.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    pub id: i64,
    pub gap: NewGap,
    pub found_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// What was done about it (整改措施), when and by whom.
    pub action: Option<(String, DateTime<Utc>, String)>,
    /// When a recheck no longer found it (已整改).
    pub rectified_at: Option<DateTime<Utc>>,
}

/// What a recheck changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecheckCounts {
    pub new: usize,
    pub still_open: usize,
    pub rectified: usize,
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
    DateTime<Utc>,
    DateTime<Utc>,
    String,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<DateTime<Utc>>,
);

impl Db {
    /// Records a recheck of `term`: gaps found for the first time are added, open gaps found
    /// again are kept (last seen now), and open gaps not found again are rectified now; one
    /// transaction with its audit entry.
    pub async fn record_recheck(
        &self,
        term: Term,
        found: &[NewGap],
        who: PayActor<'_>,
    ) -> StoreResult<RecheckCounts> {
        let seq = term_seq(term);
        let now = Utc::now();
        let mut tx = Tx::begin(self).await?;
        tx.lock(RECHECK_LOCK + seq).await?;
        let open: Vec<(i64, String, String, String)> = tx_run!(&mut tx, |conn| sqlx::query_as(
            "SELECT id, id_number, kind, detail FROM recheck_gap \
             WHERE term_seq = $1 AND rectified_at IS NULL"
        )
        .bind(seq)
        .fetch_all(conn)
        .await)
        .ctx("读取回查问题")?;
        // A gap is the same while its child, kind and program are: the reason of an unpaid line
        // moves on (无收款账户 → 未纳入发放批次 → …) without the gap being rectified.
        let key = |id: &str, kind: &str, detail: &str| {
            let stable = detail.split('（').next().unwrap_or(detail);
            format!("{id}\u{1f}{kind}\u{1f}{stable}")
        };
        let now_found: std::collections::HashMap<String, &NewGap> = found
            .iter()
            .map(|g| (key(&g.id_number, g.kind.key(), &g.detail), g))
            .collect();
        let mut counts = RecheckCounts::default();
        let mut known = HashSet::new();
        for (id, id_number, kind, detail) in &open {
            let k = key(id_number, kind, detail);
            match now_found.get(&k) {
                // Still there: seen now, with its reason, school and township as they are now
                // (a child who moved school moves the gap with it).
                Some(g) => {
                    counts.still_open += 1;
                    tx_run!(&mut tx, |conn| sqlx::query(
                        "UPDATE recheck_gap SET last_seen_at = $1, detail = $2, school_code = $3, \
                         township = $4 WHERE id = $5"
                    )
                    .bind(now)
                    .bind(&g.detail)
                    .bind(&g.school_code)
                    .bind(&g.township)
                    .bind(*id)
                    .execute(conn)
                    .await
                    .map(|_| ()))
                    .ctx("更新回查问题")?;
                }
                None => {
                    counts.rectified += 1;
                    tx_run!(&mut tx, |conn| sqlx::query(
                        "UPDATE recheck_gap SET rectified_at = $1 WHERE id = $2"
                    )
                    .bind(now)
                    .bind(*id)
                    .execute(conn)
                    .await
                    .map(|_| ()))
                    .ctx("更新回查问题")?;
                }
            }
            let _ = detail;
            known.insert(k);
        }
        for g in found {
            if !known.insert(key(&g.id_number, g.kind.key(), &g.detail)) {
                continue;
            }
            counts.new += 1;
            tx_run!(&mut tx, |conn| {
                sqlx::query(
                "INSERT INTO recheck_gap (term, term_seq, household_no, id_number, name, township, \
                 school_code, kind, detail, found_at, found_by, last_seen_at, action_note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, '')"
            )
            .bind(term.to_string())
            .bind(seq)
            .bind(&g.household_no)
            .bind(&g.id_number)
            .bind(&g.name)
            .bind(&g.township)
            .bind(&g.school_code)
            .bind(g.kind.key())
            .bind(&g.detail)
            .bind(now)
            .bind(who.name)
            .execute(conn)
            .await
            .map(|_| ())
            })
            .ctx("记录回查问题")?;
        }
        let detail = format!(
            "{}回查监测：新发现 {} 个问题，仍未整改 {} 个，已整改 {} 个",
            term.label_zh(),
            counts.new,
            counts.still_open,
            counts.rectified
        );
        tx.audit_entry(&crate::audit::Entry {
            actor: who.name,
            action: "household_recheck",
            target: &format!("回查监测 {term}"),
            detail: &detail,
            origin: who.origin,
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// The gaps of `term`, open first, by township, household and child.
    pub async fn recheck_gaps(&self, term: Term) -> StoreResult<Vec<GapRow>> {
        let raw: Vec<Raw> = db_run!(self, |pool| sqlx::query_as(
            "SELECT id, household_no, id_number, name, township, school_code, kind, detail, \
             found_at, last_seen_at, action_note, action_at, action_by, rectified_at \
             FROM recheck_gap WHERE term_seq = $1 \
             ORDER BY CASE WHEN rectified_at IS NULL THEN 0 ELSE 1 END, township, household_no, \
             id_number, id"
        )
        .bind(term_seq(term))
        .fetch_all(pool)
        .await)
        .ctx("读取回查问题")?;
        raw.into_iter()
            .map(|r| {
                let kind = GapKind::from_key(&r.6)
                    .ok_or_else(|| StoreError::Invalid(format!("未知的回查问题类型 {}", r.6)))?;
                Ok(GapRow {
                    id: r.0,
                    gap: NewGap {
                        household_no: r.1,
                        id_number: r.2,
                        name: r.3,
                        township: r.4,
                        school_code: r.5,
                        kind,
                        detail: r.7,
                    },
                    found_at: r.8,
                    last_seen_at: r.9,
                    action: match (r.11, r.12) {
                        (Some(at), Some(by)) if !r.10.is_empty() => Some((r.10, at, by)),
                        _ => None,
                    },
                    rectified_at: r.13,
                })
            })
            .collect()
    }

    /// Notes what was done about open gap `id` (整改措施), audited. The gap stays open until a
    /// recheck no longer finds it.
    pub async fn record_gap_action(
        &self,
        id: i64,
        note: &str,
        who: PayActor<'_>,
    ) -> StoreResult<()> {
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::Invalid("请写明整改措施".into()));
        }
        zizhu_domain::text::check_typed("整改措施", note, 500).map_err(StoreError::Invalid)?;
        let mut tx = Tx::begin(self).await?;
        let n = tx_run!(&mut tx, |conn| sqlx::query(
            "UPDATE recheck_gap SET action_note = $1, action_at = $2, action_by = $3 \
             WHERE id = $4 AND rectified_at IS NULL"
        )
        .bind(note)
        .bind(Utc::now())
        .bind(who.name)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .ctx("记录整改措施")?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("没有编号为 {id} 的未整改问题")));
        }
        tx.audit_entry(&crate::audit::Entry {
            actor: who.name,
            action: "recheck_action",
            target: &format!("回查问题 {id}"),
            detail: note,
            origin: who.origin,
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await
    }
}
