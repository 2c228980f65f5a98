//! School evaluation (学校工作考评, 二(二)) on the web: each school of the user's scope with its
//! indicators for a term against the policy's targets, and the workbook the county uses in its
//! assessment. The dropout figures are children's records: the roles that read cases see it.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use chrono::NaiveDate;
use zizhu_app::evaluation::{default_as_of, report_sheets, EvaluationReport};
use zizhu_domain::access::Duty;
use zizhu_domain::evaluation::{IndicatorKind, Outcome};
use zizhu_domain::Term;

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
    as_of: Option<String>,
}

/// One indicator of a school.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorView {
    /// roster_on_time, aid_coverage, overdue_cases, return_rate, zero_fee.
    pub key: String,
    pub name: String,
    /// The clause it checks: 二(一), 二(二), 三(一).
    pub clause: String,
    pub numerator: i64,
    pub denominator: i64,
    /// The value in words, e.g. `95.0%（已发 1900.00 元 / 应发 2000.00 元）`.
    pub value: String,
    pub target: String,
    /// met, not_met, not_applicable.
    pub outcome: String,
    pub outcome_zh: String,
}

/// One school's evaluation.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SchoolEvaluationView {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub indicators: Vec<IndicatorView>,
    /// Indicators met, and those that apply.
    pub met: usize,
    pub applicable: usize,
}

/// A term's evaluation of the schools in the user's scope.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub term: String,
    /// YYYY-MM-DD: the day the dropout figures are counted on.
    pub as_of: String,
    /// YYYY-MM-DD: the last day a roster confirmation is on time.
    pub confirm_deadline: String,
    pub clause: String,
    pub schools: Vec<SchoolEvaluationView>,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    headers: Vec<&'static str>,
    view: Option<EvaluationView>,
    message: String,
}

fn outcome_key(o: Outcome) -> &'static str {
    match o {
        Outcome::Met => "met",
        Outcome::NotMet => "not_met",
        Outcome::NotApplicable => "not_applicable",
    }
}

fn view(r: EvaluationReport) -> EvaluationView {
    EvaluationView {
        term: r.term.to_string(),
        as_of: r.as_of.format("%Y-%m-%d").to_string(),
        confirm_deadline: r.deadline.format("%Y-%m-%d").to_string(),
        clause: r.clause,
        schools: r
            .schools
            .into_iter()
            .map(|s| {
                let (met, applicable) = s.tally();
                SchoolEvaluationView {
                    township: s.township,
                    school_code: s.school_code,
                    school_name: s.school_name,
                    indicators: s
                        .indicators
                        .into_iter()
                        .map(|i| IndicatorView {
                            key: i.kind.key().to_string(),
                            name: i.kind.zh().to_string(),
                            clause: i.kind.clause().to_string(),
                            numerator: i.numerator,
                            denominator: i.denominator,
                            value: i.value,
                            target: i.target,
                            outcome: outcome_key(i.outcome).to_string(),
                            outcome_zh: i.outcome.zh().to_string(),
                        })
                        .collect(),
                    met,
                    applicable,
                }
            })
            .collect(),
    }
}

/// `YYYY-MM-DD`, or the term's default day; a day after today is refused.
pub(crate) fn as_of_day(term: Term, asked: Option<&str>) -> Result<NaiveDate, WebError> {
    let today = super::cases::today();
    let day = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            let day = default_as_of(term, today);
            zizhu_app::evaluation::check_as_of(term, day).map_err(WebError::BadRequest)?;
            return Ok(day);
        }
        Some(s) => zizhu_domain::dates::parse_typed_day(s).map_err(WebError::BadRequest)?,
    };
    if day > today {
        return Err(WebError::BadRequest(format!(
            "日期 {} 晚于今天",
            day.format("%Y-%m-%d")
        )));
    }
    zizhu_app::evaluation::check_as_of(term, day).map_err(WebError::BadRequest)?;
    Ok(day)
}

/// The evaluation of `term` for the schools in the user's scope, audited. Errors: a role that
/// does not read dropout cases (403); no `[evaluation]` section in the policy (400).
pub(crate) async fn scoped_report(
    state: &AppState,
    user: &User,
    term: Term,
    as_of: NaiveDate,
) -> Result<EvaluationReport, WebError> {
    user.require(Duty::ReadCases)?;
    let coverage = super::payments::scoped_coverage(state, user, term).await?;
    let mut r = zizhu_app::evaluation::evaluate(&state.db, &state.policy, term, as_of, &coverage)
        .await
        .map_err(|e| match e {
            zizhu_app::AppError::Policy(p) => WebError::BadRequest(p.to_string()),
            other => other.into(),
        })?;
    r.schools
        .retain(|s| user.access.sees_school(&s.school_code, &s.township));
    state
        .db
        .audit_entry(&user.audit(
            "view_evaluation",
            &format!("学校工作考评 {term}"),
            &format!(
                "查看学校工作考评（{}）：{} 所学校",
                user.scope_label,
                r.schools.len()
            ),
        ))
        .await?;
    Ok(r)
}

/// The evaluation as the API gives it.
pub(crate) async fn evaluation_view(
    state: &AppState,
    user: &User,
    term: Term,
    as_of: NaiveDate,
) -> Result<EvaluationView, WebError> {
    Ok(view(scoped_report(state, user, term, as_of).await?))
}

/// GET /evaluation?term=&as_of=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    user.require(Duty::ReadCases)?;
    let (term, known) = pick_term(&state, p.term.as_deref()).await?;
    let (view, message) = match term {
        None => (None, String::new()),
        Some(t) => {
            let shown = match as_of_day(t, p.as_of.as_deref()) {
                Ok(day) => scoped_report(&state, &user, t, day).await.map(view),
                Err(e) => Err(e),
            };
            match shown {
                Ok(v) => (Some(v), String::new()),
                Err(WebError::BadRequest(m)) => (None, m),
                Err(e) => return Err(e),
            }
        }
    };
    html(&Page {
        nav: Nav::of(&user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        headers: IndicatorKind::ALL.iter().map(|k| k.zh()).collect(),
        view,
        message,
    })
}

/// GET /evaluation/download?term=&as_of=: the workbook of the user's scope.
pub async fn download(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let (term, _) = pick_term(&state, p.term.as_deref()).await?;
    let term = term.ok_or(WebError::NotFound)?;
    let day = as_of_day(term, p.as_of.as_deref())?;
    let r = scoped_report(&state, &user, term, day).await?;
    let title = format!(
        "{}{}学校工作考评（{}，控辍保学截至 {}）",
        user.scope_label,
        term.label_zh(),
        r.clause,
        day.format("%Y-%m-%d")
    );
    let dir =
        tempfile::tempdir().map_err(|e| WebError::Internal(format!("无法建立临时文件：{e}")))?;
    let path = dir.path().join("evaluation.xlsx");
    zizhu_io::tables::write_tables(&path, &report_sheets(&r, &title))
        .map_err(|e| WebError::Internal(format!("无法生成考评表：{e}")))?;
    let bytes =
        std::fs::read(&path).map_err(|e| WebError::Internal(format!("无法读取生成的文件：{e}")))?;
    let name = format!("{term}-学校工作考评-{}.xlsx", user.scope_label);
    Ok(super::roster::xlsx_download(&name, bytes))
}
