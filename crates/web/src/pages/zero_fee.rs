//! Zero fees (零收费, 三(一)) on the web: a school year's coverage of the in-kind provisions —
//! eligible, issued per item, complete, missing — for the county and auditors (all schools), a
//! township (its schools) and a school (its own), IDs masked, every view audited; and the form
//! with which a school's officer (own school) or the county records one issue.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::Form;
use zizhu_app::zero_fee_report::{item_names, masked_id};
use zizhu_domain::access::{Role, Scope};
use zizhu_domain::zero_fee::{total, Issue, ZeroFeeItem};
use zizhu_store::PayActor;

use super::zero_fee_view::figures;
pub use super::zero_fee_view::*;

#[derive(Template)]
#[template(path = "zero_fee.html")]
struct Page {
    nav: Nav,
    years: Vec<i32>,
    year: i32,
    view: Option<ZeroFeeView>,
    /// Schools the user may record for (code, name).
    record_schools: Vec<(String, String)>,
    message: String,
}

/// The coverage of school year `year` in the user's scope, audited. The finance officer, who
/// pays cash and needs no list of registered-poor children, is refused (403).
pub(crate) async fn scoped(
    state: &AppState,
    user: &User,
    year: i32,
) -> Result<ZeroFeeView, WebError> {
    if user.access.role == Role::FinanceOfficer {
        return Err(WebError::Forbidden);
    }
    let r = zizhu_app::zero_fee::evaluate(&state.db, &state.policy, year)
        .await
        .map_err(|e| match e {
            zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
            other => other.into(),
        })?;
    let items: Vec<ZeroFeeItem> = r.items.iter().map(|i| i.item).collect();
    let shown: Vec<_> = r
        .schools
        .into_iter()
        .filter(|s| {
            user.access
                .sees_school(&s.coverage.school_code, &s.township)
        })
        .collect();
    let sum = total(&shown.iter().map(|s| s.coverage.clone()).collect::<Vec<_>>());
    let missing = shown
        .iter()
        .flat_map(|s| {
            s.coverage.missing.iter().map(|m| MissingView {
                school_code: s.coverage.school_code.clone(),
                name: m.name.clone(),
                id_masked: masked_id(&m.id_number),
                items: item_names(&m.items),
            })
        })
        .collect();
    let view = ZeroFeeView {
        year,
        facts_term: r.term.label_zh(),
        reference_date: r.reference_date.to_string(),
        items: r
            .items
            .iter()
            .map(|i| ItemView {
                item: i.item.key().to_string(),
                name: i.name.clone(),
                clause: i.clause.clone(),
                unit_value_yuan: i.unit_value.to_string(),
            })
            .collect(),
        schools: shown
            .iter()
            .map(|s| figures(&s.coverage, &s.name, &s.township, &items))
            .collect(),
        total: figures(&sum, "合计", "", &items),
        missing,
    };
    state
        .db
        .audit_entry(&user.audit(
            "view_zero_fee",
            &format!("零收费 {year}学年"),
            &format!(
                "查看零收费发放情况（{}）：应享受 {} 人，缺发 {} 人",
                user.scope_label,
                sum.eligible,
                sum.missing.len()
            ),
        ))
        .await?;
    Ok(view)
}

/// May `user` record an issue at `school`? The county anywhere, a school's officer at its own.
pub(crate) fn may_record(user: &User, school: &str) -> bool {
    match (&user.access.role, &user.access.scope) {
        (Role::CountyAdmin, _) => true,
        (Role::SchoolOfficer, Scope::School(own)) => own == school,
        _ => false,
    }
}

/// Records one issue for the user (checked and audited by the app layer).
pub(crate) async fn record(
    state: &AppState,
    user: &User,
    issue: &Issue,
) -> Result<String, WebError> {
    if !may_record(user, &issue.school_code) {
        return Err(WebError::Forbidden);
    }
    let who = PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    };
    let id = zizhu_app::zero_fee::record(&state.db, issue, who)
        .await
        .map_err(|e| match e {
            zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
            other => other.into(),
        })?;
    Ok(format!(
        "已登记（记录 {id}）：{} {}学年 {} × {}。",
        issue.name,
        issue.school_year,
        issue.item.zh(),
        issue.quantity
    ))
}

/// The school year shown: asked, else the newest with issues, else that of the newest autumn
/// registry term.
pub(crate) async fn pick_year(
    state: &AppState,
    asked: Option<&str>,
) -> Result<(i32, Vec<i32>), WebError> {
    let mut years = state.db.zero_fee_years().await?;
    for t in state.db.known_terms().await? {
        if t.season == zizhu_domain::Season::Autumn && !years.contains(&t.year) {
            years.push(t.year);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let year = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(y) => parse_year(y)?,
        None => years.first().copied().unwrap_or(2023),
    };
    Ok((year, years))
}

pub(crate) fn parse_year(y: &str) -> Result<i32, WebError> {
    y.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "学年应为 2000 至 2100 之间的四位数字，如 2023，而不是“{}”",
                zizhu_domain::text::printable(y)
            ))
        })
}

async fn render(
    state: &AppState,
    user: &User,
    year: Option<&str>,
    message: String,
) -> Result<Html<String>, WebError> {
    let (year, years) = pick_year(state, year).await?;
    let (view, message) = match scoped(state, user, year).await {
        Ok(v) => (Some(v), message),
        Err(WebError::BadRequest(m)) if message.is_empty() => (None, m),
        Err(WebError::BadRequest(_)) => (None, message),
        Err(e) => return Err(e),
    };
    let record_schools = state
        .db
        .schools()
        .await?
        .into_iter()
        .filter(|s| may_record(user, &s.code))
        .map(|s| (s.code, s.name))
        .collect();
    html(&Page {
        nav: Nav::of(user),
        years,
        year,
        view,
        record_schools,
        message,
    })
}

#[derive(serde::Deserialize)]
pub struct Params {
    year: Option<String>,
}

/// GET /zero-fee?year=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    render(&state, &user, p.year.as_deref(), String::new()).await
}

#[derive(serde::Deserialize)]
pub struct RecordForm {
    csrf: String,
    year: String,
    school_code: String,
    id_number: String,
    name: String,
    item: String,
    issued_on: String,
    quantity: String,
    insurer: Option<String>,
    policy_no: Option<String>,
}

/// Reads an issue from typed fields (the form's and the API's), or says what is wrong.
#[allow(clippy::too_many_arguments)]
pub(crate) fn issue_of(
    year: i32,
    school_code: &str,
    id_number: &str,
    name: &str,
    item: &str,
    issued_on: &str,
    quantity: &str,
    insurer: Option<&str>,
    policy_no: Option<&str>,
) -> Result<Issue, WebError> {
    let bad = |m: &str| WebError::BadRequest(m.to_string());
    let item =
        ZeroFeeItem::parse(item).ok_or_else(|| bad("项目应为教辅材料、校服或学生意外伤害保险"))?;
    let issued_on = zizhu_domain::dates::parse_date(issued_on.trim())
        .map_err(|_| bad("发放日期应写作 2023-09-01"))?;
    let quantity = quantity
        .trim()
        .parse::<u32>()
        .map_err(|_| bad("数量应为正整数"))?;
    let (id, _) = zizhu_domain::IdNumber::parse(id_number.trim())
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let opt = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(Issue {
        school_year: year,
        school_code: school_code.trim().to_string(),
        id_number: id.as_str().to_string(),
        name: name.trim().to_string(),
        item,
        issued_on,
        quantity,
        insurer: opt(insurer),
        policy_no: opt(policy_no),
    })
}

/// POST /zero-fee (a school's officer for its school, or the county).
pub async fn record_form(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<RecordForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&f.csrf)?;
    let year = parse_year(&f.year)?;
    let result = match issue_of(
        year,
        &f.school_code,
        &f.id_number,
        &f.name,
        &f.item,
        &f.issued_on,
        &f.quantity,
        f.insurer.as_deref(),
        f.policy_no.as_deref(),
    ) {
        Ok(issue) => record(&state, &user, &issue).await,
        Err(e) => Err(e),
    };
    let message = match result {
        Ok(m) => m,
        Err(WebError::BadRequest(m)) => format!("未登记：{m}"),
        Err(e) => return Err(e),
    };
    render(&state, &user, Some(&f.year), message).await
}
