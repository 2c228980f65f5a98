//! Post-exit recheck monitoring (脱贫成果回查监测, 四(二)) on the web: each role sees the gaps of
//! its scope (a school its own, a township its households), the county runs a recheck, and the
//! school, township or county notes a measure taken (整改措施). IDs masked; views audited.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::Form;
use zizhu_domain::access::Duty;
use zizhu_domain::Term;
use zizhu_store::PayActor;

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
}

/// A gap as a role of its scope sees it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct GapView {
    pub id: i64,
    pub township: String,
    pub household_no: String,
    pub name: String,
    pub id_masked: String,
    pub school_code: String,
    /// 适龄未在学籍，也不在控辍保学台账 · 在读但本学期没有资助 · 应发未发.
    pub kind: String,
    pub detail: String,
    /// RFC 3339 in Beijing time.
    pub found_at: String,
    /// The measure noted, with who and when.
    pub action: String,
    /// Empty while open; else when a recheck no longer found it.
    pub rectified_at: String,
}

#[derive(Template)]
#[template(path = "recheck.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    term_label: String,
    gaps: Vec<GapView>,
    open: usize,
    runs: bool,
    notes: bool,
    message: String,
}

/// The gaps of `term` in the user's scope, audited as the read of a list.
pub(crate) async fn scoped_gaps(
    state: &AppState,
    user: &User,
    term: Term,
) -> Result<Vec<GapView>, WebError> {
    // Children out of school are as sensitive as dropout cases: the roles that read those.
    user.require(Duty::ReadCases)?;
    let schools: std::collections::HashMap<String, String> = state
        .db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, s.township))
        .collect();
    let gaps: Vec<GapView> = state
        .db
        .recheck_gaps(term)
        .await?
        .into_iter()
        .filter(|g| {
            // A gap belongs to the child's school when there is one, else to the township.
            let town = schools
                .get(&g.gap.school_code)
                .cloned()
                .unwrap_or_else(|| g.gap.township.clone());
            // A township follows its own households' children wherever they study, as it does
            // their dropout cases.
            user.access.sees_school(&g.gap.school_code, &town)
                || matches!(&user.access.scope, zizhu_domain::access::Scope::Township(t) if *t == g.gap.township)
        })
        .map(|g| GapView {
            id: g.id,
            township: g.gap.township,
            household_no: g.gap.household_no,
            name: g.gap.name,
            id_masked: zizhu_domain::IdNumber::parse(&g.gap.id_number)
                .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
            school_code: g.gap.school_code,
            kind: g.gap.kind.zh().to_string(),
            detail: g.gap.detail,
            found_at: crate::api::beijing(g.found_at),
            action: g
                .action
                .map(|(n, at, by)| {
                    format!("{n}（{by}，{}）", zizhu_domain::dates::beijing_time(at))
                })
                .unwrap_or_default(),
            rectified_at: g.rectified_at.map(crate::api::beijing).unwrap_or_default(),
        })
        .collect();
    state
        .db
        .audit_entry(&user.audit(
            "view_recheck",
            &format!("回查监测 {term}"),
            &format!("查看回查问题（{}）：{} 个", user.scope_label, gaps.len()),
        ))
        .await?;
    Ok(gaps)
}

/// Runs a recheck of `term` (county).
pub(crate) async fn run(state: &AppState, user: &User, term: Term) -> Result<String, WebError> {
    user.require(Duty::ManageData)?;
    let who = PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    };
    let r = zizhu_app::recheck::recheck(&state.db, &state.policy, term, who)
        .await
        .map_err(|e| match e {
            zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
            other => other.into(),
        })?;
    Ok(format!(
        "已回查：建档立卡家庭 {} 户的适龄子女 {} 人；新发现问题 {} 个，仍未整改 {} 个，已整改 {} 个。",
        r.households, r.children, r.counts.new, r.counts.still_open, r.counts.rectified
    ))
}

/// Notes a measure on gap `id` of the user's scope (school, township, county).
pub(crate) async fn note(
    state: &AppState,
    user: &User,
    term: Term,
    id: i64,
    text: &str,
) -> Result<String, WebError> {
    user.require(Duty::FollowCases)?;
    if !scoped_gaps(state, user, term)
        .await?
        .iter()
        .any(|g| g.id == id)
    {
        return Err(WebError::NotFound);
    }
    let who = PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    };
    state.db.record_gap_action(id, text, who).await?;
    Ok(format!("已登记问题 {id} 的整改措施。"))
}

async fn render(
    state: &AppState,
    user: &User,
    term: Option<&str>,
    message: String,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(state, term).await?;
    let gaps = match term {
        Some(t) => scoped_gaps(state, user, t).await?,
        None => Vec::new(),
    };
    html(&Page {
        nav: Nav::of(user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        term_label: term.map(|t| t.label_zh()).unwrap_or_default(),
        open: gaps.iter().filter(|g| g.rectified_at.is_empty()).count(),
        gaps,
        runs: user.access.may(Duty::ManageData),
        notes: user.access.may(Duty::FollowCases),
        message,
    })
}

/// GET /recheck?term=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    render(&state, &user, p.term.as_deref(), String::new()).await
}

#[derive(serde::Deserialize)]
pub struct ActForm {
    csrf: String,
    term: String,
    note: Option<String>,
}

/// POST /recheck/run (county).
pub async fn run_form(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ActForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&f.csrf)?;
    let term = super::payments::form_term(&f.term)?;
    let message = match run(&state, &user, term).await {
        Ok(m) => m,
        Err(WebError::BadRequest(m)) => format!("未执行：{m}"),
        Err(e) => return Err(e),
    };
    render(&state, &user, Some(&f.term), message).await
}

/// POST /recheck/{id}/note (school, township, county).
pub async fn note_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&f.csrf)?;
    let term = super::payments::form_term(&f.term)?;
    let message = match note(&state, &user, term, id, f.note.as_deref().unwrap_or("")).await {
        Ok(m) => m,
        Err(WebError::BadRequest(m)) => format!("未执行：{m}"),
        Err(e) => return Err(e),
    };
    render(&state, &user, Some(&f.term), message).await
}
