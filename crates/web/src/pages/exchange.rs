//! Teacher exchange from urban to rural schools (交流轮岗, 三(三)): a school year's exchange per
//! school and per assignment, as of a day. The county and auditors see every school, a township
//! officer the assignments with a school of the township, a school officer what the school sent
//! and received. Full ID numbers only for roles that may see them; every view audited.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::NaiveDate;
use zizhu_app::exchange::ExchangeReport;
use zizhu_app::exchange_report::{masked_id, school_label};
use zizhu_domain::access::{Duty, Role};

#[derive(serde::Deserialize)]
pub struct Params {
    year: Option<String>,
    as_of: Option<String>,
}

/// One school's year.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExchangeSchoolView {
    pub code: String,
    pub name: String,
    pub township: String,
    /// 城区 / 农村 / 无.
    pub area: String,
    pub sent: usize,
    /// Of those sent, in the direction the policy wants.
    pub sent_urban_to_rural: usize,
    /// `2/3（66.7%）`.
    pub sent_share: String,
    pub received: usize,
    pub received_urban_to_rural: usize,
    pub received_share: String,
    /// Teachers it sent who are due to return (即将期满).
    pub sent_due: usize,
    /// Teachers it sent whose assignment ended (已期满).
    pub sent_ended: usize,
}

/// One assignment.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExchangeAssignmentView {
    pub name: String,
    /// Masked unless the role may see full ID numbers.
    pub id_number: String,
    pub from_school: String,
    pub to_school: String,
    pub start: String,
    pub end: String,
    /// 未开始 / 交流中 / 即将期满 / 已期满（应已返回）.
    pub standing: String,
    pub due_to_return: bool,
    pub ended: bool,
    /// What does not fit the policy (empty when it fits).
    pub findings: Vec<String>,
    pub in_teacher_list: bool,
}

/// A school year's exchange as pages and the API give it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExchangeView {
    pub clause: String,
    pub year: i32,
    pub first_day: String,
    pub last_day: String,
    pub as_of: String,
    pub notice_days: i64,
    /// 城区→农村.
    pub direction: String,
    pub teachers: usize,
    pub teachers_urban_to_rural: usize,
    /// `3/6（50.0%）`.
    pub share: String,
    pub due_to_return: usize,
    pub ended: usize,
    pub off_policy: usize,
    pub unverifiable: usize,
    pub schools: Vec<ExchangeSchoolView>,
    pub assignments: Vec<ExchangeAssignmentView>,
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct Page {
    nav: Nav,
    years: Vec<i32>,
    as_of: String,
    view: Option<ExchangeView>,
    message: String,
}

/// Every role but the finance officer (who pays aid and needs no teacher's record).
pub(crate) fn may_see(user: &User) -> bool {
    user.access.role != Role::FinanceOfficer
}

fn view(r: &ExchangeReport, full_ids: bool) -> ExchangeView {
    use zizhu_domain::exchange::Standing;
    ExchangeView {
        clause: r.clause.clone(),
        year: r.year,
        first_day: r.first_day.to_string(),
        last_day: r.last_day.to_string(),
        as_of: r.as_of.to_string(),
        notice_days: r.notice_days,
        direction: r.direction.clone(),
        teachers: r.share.whole,
        teachers_urban_to_rural: r.share.part,
        share: r.share.display(),
        due_to_return: r.due(),
        ended: r.ended(),
        off_policy: r.off_policy(),
        unverifiable: r.unverifiable(),
        schools: r
            .schools
            .iter()
            .map(|s| ExchangeSchoolView {
                code: s.code.clone(),
                name: s.name.clone(),
                township: s.township.clone(),
                area: s.area.clone(),
                sent: s.sums.sent.whole,
                sent_urban_to_rural: s.sums.sent.part,
                sent_share: s.sums.sent.display(),
                received: s.sums.received.whole,
                received_urban_to_rural: s.sums.received.part,
                received_share: s.sums.received.display(),
                sent_due: s.sums.sent_due,
                sent_ended: s.sums.sent_ended,
            })
            .collect(),
        assignments: r
            .assignments
            .iter()
            .map(|a| {
                let x = &a.checked.assignment;
                ExchangeAssignmentView {
                    name: x.name.clone(),
                    id_number: if full_ids {
                        x.id_number.clone()
                    } else {
                        masked_id(&x.id_number)
                    },
                    from_school: school_label(&a.from_name, &x.from_school),
                    to_school: school_label(&a.to_name, &x.to_school),
                    start: x.start.to_string(),
                    end: x.end.to_string(),
                    standing: a.checked.standing.zh().to_string(),
                    due_to_return: a.checked.standing == Standing::DueToReturn,
                    ended: a.checked.standing == Standing::Ended,
                    findings: a.findings.clone(),
                    in_teacher_list: a.listed,
                }
            })
            .collect(),
    }
}

/// Parses `2024-06-15`; a 400 in Chinese otherwise.
pub(crate) fn parse_day(s: &str) -> Result<NaiveDate, WebError> {
    zizhu_domain::dates::parse_typed_day(s).map_err(WebError::BadRequest)
}

/// The exchange of school year `year` (the one `as_of` falls in when `None`) as of `as_of`
/// (today when `None`), cut to the user's scope and audited; `Ok(None)` when no assignment was
/// imported yet. Errors: the finance officer (403), no `[teacher_exchange]` section (400).
pub(crate) async fn analysis(
    state: &AppState,
    user: &User,
    year: Option<i32>,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<i32>, Option<ExchangeView>), WebError> {
    if !may_see(user) {
        return Err(WebError::Forbidden);
    }
    let section = state.policy.file.teacher_exchange.as_ref().ok_or_else(|| {
        WebError::BadRequest("政策文件没有 [teacher_exchange] 节（三(三) 交流轮岗的参数）".into())
    })?;
    let rules = section.rules().map_err(WebError::BadRequest)?;
    let years = zizhu_app::exchange::years(&state.db, &rules).await?;
    if years.is_empty() {
        return Ok((years, None));
    }
    let as_of = as_of.unwrap_or_else(super::cases::today);
    let year = year
        .unwrap_or_else(|| zizhu_domain::exchange::school_year_of(as_of, rules.year_start_month));
    let all = zizhu_app::exchange::evaluate(&state.db, &rules, year, as_of)
        .await
        .map_err(|e| match e {
            zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
            other => other.into(),
        })?;
    let r = all.scoped(|code, township| user.access.sees_school(code, township));
    let full_ids = user.access.may(Duty::SeeFullId);
    state
        .db
        .audit_entry(&user.audit(
            "view_exchange",
            &format!("交流轮岗 {year}学年"),
            &format!(
                "查看交流轮岗（{}）：交流 {} 人次，身份证件号{}",
                user.access.scope_zh(),
                r.assignments.len(),
                if full_ids { "完整" } else { "已遮蔽" }
            ),
        ))
        .await?;
    Ok((years, Some(view(&r, full_ids))))
}

/// GET /exchange?year=&as_of=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    let year = match p.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => Some(super::zero_fee::parse_year(y)?),
    };
    let as_of = match p.as_of.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(parse_day(d)?),
    };
    let (years, view, message) = match analysis(&state, &user, year, as_of).await {
        Ok((years, view)) => (years, view, String::new()),
        Err(WebError::BadRequest(m)) => (Vec::new(), None, m),
        Err(e) => return Err(e),
    };
    html(&Page {
        nav: Nav::of(&user),
        years,
        as_of: view.as_ref().map(|v| v.as_of.clone()).unwrap_or_default(),
        view,
        message,
    })
}
