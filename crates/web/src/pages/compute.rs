//! Computing a term from the web (计算资助名单), for the county: the same use case as
//! `zizhu compute --term …`, with the policy the server was started with. Staleness warnings say
//! when lists were imported after the last run.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Html;
use zizhu_domain::access::Duty;
use zizhu_domain::Term;

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
}

pub struct Line {
    pub program: String,
    pub headcount: i64,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "compute.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    term_label: String,
    policy_label: String,
    last_run: String,
    warnings: Vec<String>,
    done: Option<String>,
    lines: Vec<Line>,
}

async fn page(
    state: &AppState,
    user: &User,
    term: Option<Term>,
    known: Vec<Term>,
    done: Option<(String, Vec<Line>)>,
) -> Result<Html<String>, WebError> {
    let (mut last_run, mut warnings) = (String::new(), Vec::new());
    if let Some(t) = term {
        if let Some(run) = state.db.latest_run(t).await? {
            last_run = format!(
                "第{}次计算，{}（北京时间）由 {} 完成：学籍 {} 人，资助 {} 人次，合计 {} 元；政策 {} 版本 {}",
                run.id,
                zizhu_domain::dates::beijing_time(run.finished_at),
                run.actor,
                run.students,
                run.entitlements,
                yuan(&run.total_fen),
                run.policy_id,
                run.policy_version
            );
        }
        warnings = zizhu_app::reports::staleness(&state.db, &state.policy_sha256, t).await?;
    }
    let (done, lines) = match done {
        Some((d, l)) => (Some(d), l),
        None => (None, Vec::new()),
    };
    html(&Page {
        nav: Nav::of(user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        term_label: term.map(|t| t.label_zh()).unwrap_or_default(),
        policy_label: state.policy_label.to_string(),
        last_run,
        warnings,
        done,
        lines,
    })
}

/// GET /compute?term=
pub async fn form(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    user.require(Duty::ManageData)?;
    let (term, known) = pick_term(&state, p.term.as_deref()).await?;
    page(&state, &user, term, known, None).await
}

#[derive(serde::Deserialize)]
pub struct ComputeForm {
    csrf: String,
    term: String,
}

/// Computes `term` for `user` (county), as `zizhu compute` does, recording the client's address.
pub(crate) async fn compute(
    state: &AppState,
    user: &User,
    term: Term,
) -> Result<zizhu_app::ComputeSummary, WebError> {
    user.require(Duty::ManageData)?;
    Ok(zizhu_app::compute_term_from(
        &state.db,
        &state.policy,
        &state.policy_sha256,
        term,
        &user.username,
        Some(&user.origin),
        &|_, _| {},
    )
    .await?)
}

/// POST /compute: computes the term (a re-run replaces the term's results, as on the command
/// line) and shows what it made.
pub async fn run(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ComputeForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&f.csrf)?;
    user.require(Duty::ManageData)?;
    let term: Term = f
        .term
        .trim()
        .parse()
        .map_err(|e: zizhu_domain::term::TermParseError| WebError::BadRequest(e.to_string()))?;
    let s = compute(&state, &user, term).await?;
    let done = format!(
        "已计算{}：学籍 {} 人，高考录取 {} 人，资助 {} 人次，合计 {} 元（计算批次 {}），数据质量问题 {} 条。",
        term.label_zh(),
        s.students,
        s.admissions,
        s.entitlements,
        yuan(&s.total.0),
        s.run_id,
        s.quality_issues
    );
    let lines = s
        .by_program
        .iter()
        .filter(|(_, _, n, _)| *n > 0)
        .map(|(_, name, n, fen)| Line {
            program: name.clone(),
            headcount: *n,
            amount: yuan(&fen.0),
        })
        .collect();
    let (_, known) = pick_term(&state, None).await?;
    page(&state, &user, Some(term), known, Some((done, lines))).await
}
