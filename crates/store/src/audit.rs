//! The append-only audit log (审计日志): who, when, what, from where, what a change replaced and
//! what it made. Triggers on both backends reject UPDATE and DELETE of its rows; writes that
//! belong to an import, a compute run or another change go through that change's transaction.

use crate::error::{Ctx, StoreResult};
use crate::rows::AuditRow;
use crate::Db;
use chrono::{DateTime, Utc};

/// Inserts one audit row, returning its id. Binds: at, actor, action, target, detail, origin,
/// before_value, after_value (see [`bind_entry!`]).
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor, action, target, detail, \
    origin, before_value, after_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

/// One audit entry to write. `action` is a short English key (`login`, `export`…), `target`
/// what it acted on, `detail` Chinese free text; `origin` the client's address for web actions
/// (None for the command line); `before`/`after` what a change replaced and made.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub origin: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Longest text of one audit field, in characters; longer text is cut with a note.
const FIELD_CHARS: usize = 2_000;

/// A field as the log keeps it: control and bidi characters shown as `\u{..}` (no line breaks or
/// escape sequences that could forge a second entry in a terminal or an export), at most
/// [`FIELD_CHARS`] characters (a client cannot fill the disk through a long query string).
pub(crate) fn clean(s: &str) -> String {
    let shown = zizhu_domain::text::printable(s);
    if shown.chars().count() <= FIELD_CHARS {
        return shown;
    }
    let mut cut: String = shown.chars().take(FIELD_CHARS).collect();
    cut.push_str("…（已截断）");
    cut
}

/// Binds an [`Entry`] (and the current time) to a query of [`INSERT_AUDIT`], on either backend,
/// every text [`clean`]ed.
macro_rules! bind_entry {
    ($q:expr, $e:expr) => {{
        use $crate::audit::clean;
        let e: &$crate::audit::Entry<'_> = $e;
        $q.bind(chrono::Utc::now())
            .bind(clean(e.actor))
            .bind(clean(e.action))
            .bind(clean(e.target))
            .bind(clean(e.detail))
            .bind(e.origin.map(clean))
            .bind(e.before.map(clean))
            .bind(e.after.map(clean))
    }};
}
pub(crate) use bind_entry;

/// What to look for in the audit log; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Text contained in the user name (操作人).
    pub actor: Option<String>,
    /// Exact action key.
    pub action: Option<String>,
    /// Text contained in the target or the detail.
    pub text: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only entries with an id below this one (the next page, newest first).
    pub before_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RawAudit {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    target: String,
    detail: String,
    origin: Option<String>,
    before_value: Option<String>,
    after_value: Option<String>,
}

impl From<RawAudit> for AuditRow {
    fn from(r: RawAudit) -> AuditRow {
        AuditRow {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: r.detail,
            origin: r.origin,
            before: r.before_value,
            after: r.after_value,
        }
    }
}

/// `text` for a `LIKE … ESCAPE '\'` pattern: `\` escapes `%`, `_` and itself.
pub(crate) fn escape_like(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

/// `LIKE` pattern matching `text` literally anywhere.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", escape_like(text))
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
        self.audit_entry(&Entry {
            actor,
            action,
            target,
            detail,
            ..Entry::default()
        })
        .await
    }

    /// Appends a full audit entry on its own; returns its id.
    pub async fn audit_entry(&self, e: &Entry<'_>) -> StoreResult<i64> {
        db_run!(self, |pool| bind_entry!(
            sqlx::query_scalar(INSERT_AUDIT),
            e
        )
        .fetch_one(pool)
        .await)
        .ctx("写入审计日志")
    }

    /// The newest `limit` audit entries, newest first.
    pub async fn audit_entries(&self, limit: i64) -> StoreResult<Vec<AuditRow>> {
        self.search_audit(&AuditQuery::default(), limit).await
    }

    /// Up to `limit` entries matching `q`, newest first.
    pub async fn search_audit(&self, q: &AuditQuery, limit: i64) -> StoreResult<Vec<AuditRow>> {
        const SQL: &str = "SELECT id, at, actor, action, target, detail, origin, before_value, \
            after_value FROM audit_log \
            WHERE ($1 IS NULL OR actor LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR action = $2) \
            AND ($3 IS NULL OR target LIKE $3 ESCAPE '\\' OR detail LIKE $3 ESCAPE '\\') \
            AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
            AND ($6 IS NULL OR id < $6) \
            ORDER BY id DESC LIMIT $7";
        let text = q
            .text
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(contains_pattern);
        let raw: Vec<RawAudit> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(
                q.actor
                    .as_deref()
                    .filter(|t| !t.is_empty())
                    .map(contains_pattern),
            )
            .bind(q.action.as_deref().filter(|t| !t.is_empty()))
            .bind(text.as_deref())
            .bind(q.from)
            .bind(q.to)
            .bind(q.before_id)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .ctx("读取审计日志")?;
        Ok(raw.into_iter().map(AuditRow::from).collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_kept_printable_and_short() {
        assert_eq!(super::clean("a\nb\u{1b}[31m"), "a\\u{000A}b\\u{001B}[31m");
        let long = super::clean(&"x".repeat(100_000));
        assert!(long.chars().count() < super::FIELD_CHARS + 10 && long.ends_with("（已截断）"));
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(super::contains_pattern("5%_\\x"), "%5\\%\\_\\\\x%");
    }
}
