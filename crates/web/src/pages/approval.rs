//! Roster approval (资助名单审核) on the web: a school confirms its roster of a term, its township
//! reviews it or sends it back, and the county approves and locks the term. The rules are the
//! domain's (`zizhu_domain::approval`), the records the store's; each school sees its own line,
//! each township its schools'.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use zizhu_domain::access::Duty;
use zizhu_domain::approval::{check_lock, check_step, SchoolStatus, SignoffStep};
use zizhu_domain::{ListKind, Term};

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub township: String,
    pub headcount: i64,
    pub amount: String,
    pub status: &'static str,
    pub last: String,
    /// The steps this user may take on this school now.
    pub confirm: bool,
    pub review: bool,
    pub send_back: bool,
}

#[derive(Template)]
#[template(path = "approval.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    term_label: String,
    run: String,
    locked: String,
    rows: Vec<Row>,
    unreviewed: usize,
    county: bool,
    message: Option<String>,
    warnings: Vec<String>,
}

/// One school's roster of the term: (name, township, headcount of lines, fen).
type SchoolTotals = BTreeMap<String, (String, String, i64, i64)>;

async fn school_totals(state: &AppState, term: Term) -> Result<SchoolTotals, WebError> {
    let mut out: SchoolTotals = BTreeMap::new();
    for t in state.db.entitlement_totals(term).await? {
        let e = out.entry(t.school_code.clone()).or_insert((
            t.school_name.clone(),
            t.township.clone(),
            0,
            0,
        ));
        e.2 += t.headcount;
        e.3 += t.amount_fen;
    }
    Ok(out)
}

/// Each school's latest step.
async fn latest_steps(
    state: &AppState,
    term: Term,
) -> Result<BTreeMap<String, zizhu_store::SignoffRow>, WebError> {
    Ok(state
        .db
        .signoffs(term)
        .await?
        .into_iter()
        .map(|s| (s.school_code.clone(), s))
        .collect())
}

/// A school's roster of the term in approval.
pub(crate) struct SchoolApproval {
    pub code: String,
    pub name: String,
    pub township: String,
    pub headcount: i64,
    pub amount_fen: i64,
    pub status: SchoolStatus,
    pub latest: Option<zizhu_store::SignoffRow>,
    /// The steps this user may take on this school now.
    pub may: Vec<SignoffStep>,
}

/// Where a term's approval stands, as the user may see it.
pub(crate) struct ApprovalView {
    pub run: Option<zizhu_store::RunRow>,
    pub lock: Option<zizhu_store::LockRow>,
    /// The schools in the user's scope.
    pub schools: Vec<SchoolApproval>,
    /// Schools not yet reviewed: of the whole county for the county (what keeps it from
    /// locking), of the user's scope for others.
    pub unreviewed: usize,
    /// Why the roster may be out of date (lists imported after it was computed, another policy
    /// file), while the term is not locked: approving it would lock an old roster.
    pub warnings: Vec<String>,
}

/// The approval of `term` as `user` sees it.
pub(crate) async fn view(
    state: &AppState,
    user: &User,
    term: Term,
) -> Result<ApprovalView, WebError> {
    let mut v = ApprovalView {
        run: state.db.latest_run(term).await?,
        lock: None,
        schools: Vec::new(),
        unreviewed: 0,
        warnings: Vec::new(),
    };
    let Some(run_id) = v.run.as_ref().map(|r| r.id) else {
        return Ok(v);
    };
    v.lock = state.db.term_lock(term).await?;
    if v.lock.is_none() {
        v.warnings = zizhu_app::reports::staleness(&state.db, &state.policy_sha256, term).await?;
    }
    let county = user.access.may(Duty::ApproveRoster);
    let mut steps = latest_steps(state, term).await?;
    for (code, (name, township, n, fen)) in school_totals(state, term).await? {
        // A note is free text: an ID number typed into it is masked like any.
        let latest = steps.remove(&code).map(|mut s| {
            s.note = zizhu_domain::ids::mask_long_digits(&s.note);
            s
        });
        let status = SchoolStatus::of(latest.as_ref().map(|s| (s.step, s.run_id)), run_id);
        let seen = user.access.sees_school(&code, &township);
        if status != SchoolStatus::Reviewed && (county || seen) {
            v.unreviewed += 1;
        }
        if !seen {
            continue;
        }
        let may = [
            SignoffStep::Confirm,
            SignoffStep::Review,
            SignoffStep::Return,
        ]
        .into_iter()
        .filter(|step| v.lock.is_none() && check_step(&user.access, *step, status, "x").is_ok())
        .collect();
        v.schools.push(SchoolApproval {
            code,
            name,
            township,
            headcount: n,
            amount_fen: fen,
            status,
            latest,
            may,
        });
    }
    Ok(v)
}

async fn page(
    state: &AppState,
    user: &User,
    asked: Option<&str>,
    message: Option<String>,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(state, asked).await?;
    let mut p = Page {
        nav: Nav::of(user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        term_label: term.map(|t| t.label_zh()).unwrap_or_default(),
        run: String::new(),
        locked: String::new(),
        rows: Vec::new(),
        unreviewed: 0,
        county: user.access.may(Duty::ApproveRoster),
        message,
        warnings: Vec::new(),
    };
    let Some(term) = term else {
        return html(&p);
    };
    let v = view(state, user, term).await?;
    let Some(run) = v.run else {
        p.run = "本学期尚未计算资助名单。".into();
        return html(&p);
    };
    p.run = format!(
        "第{}次计算，{}（北京时间）由 {} 完成，资助 {} 人次，合计 {} 元",
        run.id,
        zizhu_domain::dates::beijing_time(run.finished_at),
        run.actor,
        run.entitlements,
        yuan(&run.total_fen)
    );
    if let Some(l) = &v.lock {
        p.locked = format!(
            "已由 {} 于 {}（北京时间）审批锁定（第{}次计算）{}",
            l.actor,
            zizhu_domain::dates::beijing_time(l.at),
            l.run_id,
            if l.note.is_empty() {
                String::new()
            } else {
                format!("：{}", l.note)
            }
        );
    }
    p.unreviewed = v.unreviewed;
    p.warnings = v.warnings;
    for s in v.schools {
        p.rows.push(Row {
            last: s
                .latest
                .map(|s| {
                    format!(
                        "{} {}（{}）{}",
                        s.step.zh(),
                        s.actor,
                        zizhu_domain::dates::beijing_time(s.at),
                        if s.note.is_empty() {
                            String::new()
                        } else {
                            format!("：{}", s.note)
                        }
                    )
                })
                .unwrap_or_default(),
            confirm: s.may.contains(&SignoffStep::Confirm),
            review: s.may.contains(&SignoffStep::Review),
            send_back: s.may.contains(&SignoffStep::Return),
            code: s.code,
            name: s.name,
            township: s.township,
            headcount: s.headcount,
            amount: yuan(&s.amount_fen),
            status: s.status.zh(),
        });
    }
    html(&p)
}

/// GET /approval?term=
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    page(&state, &user, p.term.as_deref(), None).await
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    csrf: String,
    term: String,
    school: String,
    step: String,
    note: Option<String>,
}

fn parse_term(s: &str) -> Result<Term, WebError> {
    s.trim()
        .parse()
        .map_err(|e: zizhu_domain::term::TermParseError| WebError::BadRequest(e.to_string()))
}

/// A refusal of the approval rules: 403 when the role may not take the step, else 400.
fn refusal(e: zizhu_domain::approval::ApprovalError) -> WebError {
    match e {
        zizhu_domain::approval::ApprovalError::Role { .. } => WebError::NotAllowed(e.to_string()),
        e => WebError::BadRequest(e.to_string()),
    }
}

/// A school's confirmation, a township's review or a return, by `user`: the school must be in
/// the user's scope (else 404); a refusal by the rules is `BadRequest` with the reason.
pub(crate) async fn take_step(
    state: &AppState,
    user: &User,
    term: Term,
    school: &str,
    step: SignoffStep,
    note: &str,
) -> Result<(), WebError> {
    let school = school.trim();
    // The school must be in the user's scope: else 404, as for any record.
    let found = state.db.school(school).await?.ok_or(WebError::NotFound)?;
    if !user.access.sees_school(&found.code, &found.township) {
        return Err(WebError::NotFound);
    }
    let run = state
        .db
        .latest_run(term)
        .await?
        .ok_or_else(|| WebError::BadRequest("本学期尚未计算资助名单".into()))?;
    let latest = state
        .db
        .signoffs(term)
        .await?
        .into_iter()
        .find(|s| s.school_code == school)
        .map(|s| (s.step, s.run_id));
    let status = SchoolStatus::of(latest, run.id);
    check_step(&user.access, step, status, note).map_err(refusal)?;
    state
        .db
        .signoff(
            term,
            school,
            step,
            run.id,
            latest,
            &user.username,
            &user.origin,
            note.trim(),
        )
        .await?;
    Ok(())
}

/// The county's approval and lock of `term` by `user`: every school's roster reviewed, and the
/// approver neither computed the run nor imported the term's registry (maker-checker). A refusal
/// is `BadRequest` with the reason.
pub(crate) async fn approve_and_lock(
    state: &AppState,
    user: &User,
    term: Term,
    note: &str,
) -> Result<(), WebError> {
    let run = state
        .db
        .latest_run(term)
        .await?
        .ok_or_else(|| WebError::BadRequest("本学期尚未计算资助名单".into()))?;
    let steps = latest_steps(state, term).await?;
    let unreviewed = school_totals(state, term)
        .await?
        .keys()
        .filter(|code| {
            SchoolStatus::of(steps.get(*code).map(|s| (s.step, s.run_id)), run.id)
                != SchoolStatus::Reviewed
        })
        .count();
    let importers: Vec<String> = state
        .db
        .imports()
        .await?
        .into_iter()
        .filter(|b| b.kind == ListKind::Students && b.term == Some(term))
        .map(|b| b.actor)
        .collect();
    check_lock(
        &user.access,
        &user.username,
        &run.actor,
        &importers,
        unreviewed,
    )
    .map_err(refusal)?;
    zizhu_domain::text::check_typed("审批意见", note, zizhu_domain::approval::MAX_NOTE_CHARS)
        .map_err(WebError::BadRequest)?;
    state
        .db
        .lock_term(term, run.id, &user.username, &user.origin, note.trim())
        .await?;
    Ok(())
}

/// After a step or a lock: back to the page, or the page with the refusal (400).
async fn done(
    state: &AppState,
    user: &User,
    term: Term,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/approval?term={term}")).into_response()),
        Err(WebError::BadRequest(m)) => {
            let p = page(
                state,
                user,
                Some(&term.to_string()),
                Some(format!("未执行：{m}")),
            )
            .await?;
            Ok((axum::http::StatusCode::BAD_REQUEST, p).into_response())
        }
        Err(e) => Err(e),
    }
}

/// POST /approval/step: a school's confirmation, a township's review or a return.
pub async fn step(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let term = parse_term(&f.term)?;
    let step = SignoffStep::from_key(f.step.trim())
        .ok_or(WebError::BadRequest("未知的审核步骤".into()))?;
    let outcome = take_step(
        &state,
        &user,
        term,
        &f.school,
        step,
        f.note.as_deref().unwrap_or_default(),
    )
    .await;
    done(&state, &user, term, outcome).await
}

#[derive(serde::Deserialize)]
pub struct LockForm {
    csrf: String,
    term: String,
    note: Option<String>,
}

/// POST /approval/lock: the county approves and locks the term.
pub async fn lock(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<LockForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let term = parse_term(&f.term)?;
    let outcome =
        approve_and_lock(&state, &user, term, f.note.as_deref().unwrap_or_default()).await;
    done(&state, &user, term, outcome).await
}
