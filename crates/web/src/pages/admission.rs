//! Normal-school targeted admission (师范“三定向”, 三(二)): a year's categories with the lowered
//! line, and each applicant's result, for the county and auditors (IDs masked, the hardship
//! category never shown); every view audited.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use zizhu_app::admission::AdmissionReport;
use zizhu_domain::access::{Duty, Scope};

#[derive(serde::Deserialize)]
pub struct Params {
    year: Option<String>,
}

/// One category of the year.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub category: String,
    pub control_line: String,
    pub floor: String,
    /// The line for registered-poor fresh graduates of the county.
    pub lowered_line: String,
    pub floor_binding: bool,
    pub applicants: usize,
    pub eligible: usize,
    pub qualify: usize,
    pub only_by_lowering: usize,
}

/// One applicant's result.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ApplicantView {
    pub category: String,
    pub name: String,
    pub id_masked: String,
    pub score: String,
    /// The line that applies to the applicant (lowered when eligible); empty without a line.
    pub line: String,
    pub qualifies: bool,
    pub only_by_lowering: bool,
    /// 适用降分, or why not (非建档立卡贫困家庭学生, 非应届考生, 户籍不在本县).
    pub lowering: String,
}

/// A year's analysis as pages and the API give it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AdmissionView {
    pub year: i32,
    pub clause: String,
    pub lowering_points: u32,
    pub categories: Vec<CategoryView>,
    pub applicants: Vec<ApplicantView>,
}

#[derive(Template)]
#[template(path = "admission.html")]
struct Page {
    nav: Nav,
    years: Vec<i32>,
    view: Option<AdmissionView>,
    message: String,
}

/// The county and the auditors see the admission analysis (the applicants come from the whole
/// county, not a school's roll).
pub(crate) fn may_see(user: &User) -> bool {
    user.access.scope == Scope::County
        && (user.access.may(Duty::ManageData) || user.access.may(Duty::ReadAudit))
}

fn view(r: AdmissionReport) -> AdmissionView {
    AdmissionView {
        year: r.year,
        clause: r.clause,
        lowering_points: r.lowering_points,
        categories: r
            .categories
            .iter()
            .map(|c| CategoryView {
                category: c.line.category.clone(),
                control_line: c.line.control_line.to_string(),
                floor: c.line.floor.score().to_string(),
                lowered_line: c.lowered.to_string(),
                floor_binding: c.floor_binding,
                applicants: c.applicants,
                eligible: c.eligible,
                qualify: c.qualify,
                only_by_lowering: c.only_by_lowering,
            })
            .collect(),
        applicants: r
            .rows
            .into_iter()
            .map(|row| {
                let a = row.applicant;
                let d = row.decision;
                ApplicantView {
                    id_masked: zizhu_domain::IdNumber::parse(&a.id_number)
                        .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
                    category: a.category,
                    name: a.name,
                    score: a.score.to_string(),
                    line: d
                        .as_ref()
                        .map(|d| d.lowered_line.unwrap_or(d.control_line).to_string())
                        .unwrap_or_default(),
                    qualifies: d.as_ref().is_some_and(|d| d.qualifies),
                    only_by_lowering: d.as_ref().is_some_and(|d| d.only_by_lowering),
                    lowering: match &d {
                        None => "无该类别的控制线".to_string(),
                        Some(d) if d.not_eligible.is_empty() => "适用降分".to_string(),
                        Some(d) => format!(
                            "不适用降分：{}",
                            d.not_eligible
                                .iter()
                                .map(|n| n.zh())
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    },
                }
            })
            .collect(),
    }
}

/// The analysis of `year` (the newest imported when `None`), audited; `Ok(None)` when nothing
/// was imported yet. Errors: not the county or an auditor (403), no `[admission]` section in
/// the policy, a year without lines (400).
pub(crate) async fn analysis(
    state: &AppState,
    user: &User,
    year: Option<i32>,
) -> Result<(Vec<i32>, Option<AdmissionView>), WebError> {
    if !may_see(user) {
        return Err(WebError::Forbidden);
    }
    let years = state.db.admission_years().await?;
    let Some(year) = year.or_else(|| years.first().copied()) else {
        return Ok((years, None));
    };
    let section = state.policy.file.admission.as_ref().ok_or_else(|| {
        WebError::BadRequest("政策文件没有 [admission] 节（三(二) 降分的分数）".into())
    })?;
    let r = zizhu_app::admission::evaluate(&state.db, section, year)
        .await
        .map_err(|e| match e {
            zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
            other => other.into(),
        })?;
    state
        .db
        .audit_entry(&user.audit(
            "view_admission",
            &format!("师范定向 {year}"),
            &format!("查看师范定向录取分析：考生 {} 人", r.rows.len()),
        ))
        .await?;
    Ok((years, Some(view(r))))
}

/// GET /admission?year=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    let year = match p.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => Some(
            y.parse::<i32>()
                .map_err(|_| WebError::BadRequest(format!("年份应为四位数字，而不是“{y}”")))?,
        ),
    };
    let (years, view, message) = match analysis(&state, &user, year).await {
        Ok((years, view)) => (years, view, String::new()),
        Err(WebError::BadRequest(m)) => (
            state.db.admission_years().await?,
            None,
            format!("{m}（也可在“导入”页导入“师范定向控制线”）"),
        ),
        Err(e) => return Err(e),
    };
    html(&Page {
        nav: Nav::of(&user),
        years,
        view,
        message,
    })
}
