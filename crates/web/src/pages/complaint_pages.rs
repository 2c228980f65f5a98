//! The pages of complaints (群众反映问题, 四(三)): `/complaints` (the list with filters and the
//! lodging form) and `/complaints/{id}` (a ticket, its history and the moves open to the user).
//! The logic is in [`super::complaints`], shared with the API.

use super::complaints::{
    detail, lodge, scoped_list, transition, ComplaintDetail, ComplaintItem, LodgeInput,
};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::Form;
use zizhu_domain::access::Duty;
use zizhu_domain::complaint::{ComplaintCategory, ComplaintSource, ComplaintState, TRANSITIONS};
use zizhu_store::ComplaintFilter;

/// A choice of a selector.
pub struct Choice {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    key: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    picked: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            key: key(*x),
            label: zh(*x),
            selected: picked == Some(*x),
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub struct ListParams {
    state: Option<String>,
    category: Option<String>,
    overdue: Option<String>,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    nav: Nav,
    states: Vec<Choice>,
    categories: Vec<Choice>,
    sources: Vec<Choice>,
    overdue_only: bool,
    rows: Vec<ComplaintItem>,
    overdue_count: usize,
    lodges: bool,
    message: String,
}

async fn render_list(
    state: &AppState,
    user: &User,
    p: &ListParams,
    message: String,
) -> Result<Html<String>, WebError> {
    let filter = filter_of(p.state.as_deref(), p.category.as_deref())?;
    let overdue_only = p.overdue.as_deref() == Some("1");
    let rows = scoped_list(state, user, &filter, overdue_only).await?;
    html(&ListPage {
        nav: Nav::of(user),
        states: choices(
            ComplaintState::ALL,
            ComplaintState::key,
            ComplaintState::zh,
            filter.state,
        ),
        categories: choices(
            ComplaintCategory::ALL,
            ComplaintCategory::key,
            ComplaintCategory::zh,
            filter.category,
        ),
        sources: choices(
            ComplaintSource::ALL,
            ComplaintSource::key,
            ComplaintSource::zh,
            None,
        ),
        overdue_only,
        overdue_count: rows.iter().filter(|r| r.overdue_days.is_some()).count(),
        rows,
        lodges: user.access.may(Duty::FollowCases),
        message,
    })
}

/// GET /complaints?state=&category=&overdue=1
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<ListParams>,
) -> Result<Html<String>, WebError> {
    render_list(&state, &user, &p, String::new()).await
}

#[derive(serde::Deserialize)]
pub struct LodgeForm {
    csrf: String,
    id_number: String,
    category: String,
    source: String,
    complainant: String,
    contact: Option<String>,
    summary: String,
    payment_line_id: Option<String>,
    case_id: Option<String>,
}

fn number(s: Option<&str>, what: &str) -> Result<Option<i64>, WebError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| WebError::BadRequest(format!("{what}应为正整数，实为“{t}”"))),
    }
}

/// POST /complaints (county, township, school): lodges, then shows the ticket.
pub async fn lodge_form(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<LodgeForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&f.csrf)?;
    user.require(Duty::FollowCases)?;
    let made = async {
        let input = LodgeInput {
            id_number: &f.id_number,
            category: &f.category,
            source: &f.source,
            complainant: &f.complainant,
            contact: f.contact.as_deref().unwrap_or(""),
            summary: &f.summary,
            payment_line_id: number(f.payment_line_id.as_deref(), "发放明细编号")?,
            case_id: number(f.case_id.as_deref(), "案件编号")?,
        };
        lodge(&state, &user, &input).await
    }
    .await;
    let params = ListParams {
        state: None,
        category: None,
        overdue: None,
    };
    match made {
        Ok(t) => {
            let msg = format!(
                "已受理工单 {}，办理期限 {}（{}）。",
                t.id, t.due_on, t.clause
            );
            render_detail(&state, &user, t.id, msg).await
        }
        Err(WebError::BadRequest(m)) => {
            render_list(&state, &user, &params, format!("未受理：{m}")).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct DetailPage {
    nav: Nav,
    d: ComplaintDetail,
    moves: Vec<(&'static str, &'static str)>,
    message: String,
}

async fn render_detail(
    state: &AppState,
    user: &User,
    id: i64,
    message: String,
) -> Result<Html<String>, WebError> {
    let d = detail(state, user, id).await?;
    let moves = TRANSITIONS
        .iter()
        .filter(|(k, _)| d.transitions.iter().any(|t| t == k))
        .copied()
        .collect();
    html(&DetailPage {
        nav: Nav::of(user),
        d,
        moves,
        message,
    })
}

/// GET /complaints/{id}
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    render_detail(&state, &user, id, String::new()).await
}

#[derive(serde::Deserialize)]
pub struct MoveForm {
    csrf: String,
    transition: String,
    owner: Option<String>,
    note: Option<String>,
}

/// POST /complaints/{id}/transition (county, township, school of the ticket's scope).
pub async fn move_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&f.csrf)?;
    user.require(Duty::FollowCases)?;
    let note = f.note.as_deref().unwrap_or("");
    let message = match transition(&state, &user, id, &f.transition, f.owner.as_deref(), note).await
    {
        Ok(t) => format!("已{}：工单现为“{}”。", label(&f.transition), t.state_zh),
        Err(WebError::BadRequest(m)) => format!("未执行：{m}"),
        Err(e) => return Err(e),
    };
    render_detail(&state, &user, id, message).await
}

fn label(key: &str) -> &'static str {
    TRANSITIONS
        .iter()
        .find(|(k, _)| *k == key.trim())
        .map_or("变更", |(_, zh)| zh)
}

/// Parses a filter's state and category keys (empty: any).
pub(crate) fn filter_of(
    state: Option<&str>,
    category: Option<&str>,
) -> Result<ComplaintFilter, WebError> {
    let pick = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let st = match pick(state) {
        None => None,
        Some(s) => Some(
            ComplaintState::from_key(&s)
                .ok_or_else(|| WebError::BadRequest(format!("未知的工单状态 {s}")))?,
        ),
    };
    let cat = match pick(category) {
        None => None,
        Some(c) => Some(
            ComplaintCategory::from_key(&c)
                .ok_or_else(|| WebError::BadRequest(format!("未知的问题类别 {c}")))?,
        ),
    };
    Ok(ComplaintFilter {
        state: st,
        category: cat,
        open_only: false,
    })
}
