//! The append-only audit log (审计日志). Triggers on both backends reject UPDATE and DELETE of
//! its rows; writes that belong to an import or a compute run go through their transaction.

use crate::error::{Ctx, StoreResult};
use crate::rows::AuditRow;
use crate::Db;
use chrono::{DateTime, Utc};

/// Inserts one audit row, returning its id. Binds: at, actor, action, target, detail.
pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id";

#[derive(sqlx::FromRow)]
struct RawAudit {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

impl Db {
    /// Appends an audit entry on its own (outside any import or run); returns its id.
    /// `action` is a short English verb key (`login`, `export`…), `target` what it acted on,
    /// `detail` Chinese free text.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> StoreResult<i64> {
        db_run!(self, |pool| sqlx::query_scalar(INSERT_AUDIT)
            .bind(Utc::now())
            .bind(actor)
            .bind(action)
            .bind(target)
            .bind(detail)
            .fetch_one(pool)
            .await)
        .ctx("写入审计日志")
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_entries(&self, limit: i64) -> StoreResult<Vec<AuditRow>> {
        const SQL: &str =
            "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1";
        let raw: Vec<RawAudit> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .ctx("读取审计日志")?;
        Ok(raw
            .into_iter()
            .map(|r| AuditRow {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                target: r.target,
                detail: r.detail,
            })
            .collect())
    }
}
