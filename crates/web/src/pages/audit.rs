//! The audit log (审计日志) for the county and the auditors (四(三) 严格监督执纪): newest first,
//! searchable by user, action, text and date, a page at a time.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{NaiveDate, TimeZone, Utc};
use zizhu_domain::access::Duty;
use zizhu_domain::dates::beijing_time;
use zizhu_store::AuditQuery;

const PAGE: i64 = 100;

#[derive(serde::Deserialize, Default)]
pub struct Params {
    actor: Option<String>,
    action: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
}

pub struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub origin: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Page {
    nav: Nav,
    actor: String,
    action: String,
    q: String,
    from: String,
    to: String,
    rows: Vec<Row>,
    next_before: Option<i64>,
}

/// A day typed in the form (北京时间), as the UTC instant it starts.
fn day_start(s: &str, field: &str) -> Result<Option<chrono::DateTime<Utc>>, WebError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| WebError::BadRequest(format!("{field}应写作 YYYY-MM-DD，实为“{s}”")))?;
    let cst =
        chrono::FixedOffset::east_opt(8 * 3600).ok_or_else(|| WebError::Internal("时区".into()))?;
    Ok(d.and_hms_opt(0, 0, 0)
        .and_then(|t| cst.from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&Utc)))
}

fn clip(s: Option<String>) -> String {
    s.unwrap_or_default().trim().chars().take(60).collect()
}

/// GET /audit
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    user.require(Duty::ReadAudit)?;
    let (actor, action, q, from, to) = (
        clip(p.actor),
        clip(p.action),
        clip(p.q),
        clip(p.from),
        clip(p.to),
    );
    let query = AuditQuery {
        actor: Some(actor.clone()),
        action: Some(action.clone()),
        text: Some(q.clone()),
        from: day_start(&from, "起始日期")?,
        // Through the whole of the `to` day.
        to: day_start(&to, "截止日期")?.map(|t| t + chrono::Duration::days(1)),
        before_id: p.before,
    };
    let found = state.db.search_audit(&query, PAGE).await?;
    let next_before = (found.len() as i64 == PAGE)
        .then(|| found.last().map(|r| r.id))
        .flatten();
    let rows = found
        .into_iter()
        .map(|r| Row {
            id: r.id,
            at: beijing_time(r.at),
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: r.detail,
            origin: r.origin.unwrap_or_else(|| "命令行".into()),
            change: match (r.before, r.after) {
                (None, None) => String::new(),
                (b, a) => format!(
                    "原：{}；新：{}",
                    b.unwrap_or_else(|| "—".into()),
                    a.unwrap_or_else(|| "—".into())
                ),
            },
        })
        .collect();
    html(&Page {
        nav: Nav::of(&user),
        actor,
        action,
        q,
        from,
        to,
        rows,
        next_before,
    })
}
