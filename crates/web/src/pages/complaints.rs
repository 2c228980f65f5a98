//! Complaints (群众反映问题, 四(三)) on the web, shared by the pages and the API: the tickets of a
//! user's scope, one ticket with its history, lodging and moving a ticket. Readers are the
//! roles that read dropout cases (county, townships, schools, auditors; not finance); the
//! county, townships and schools lodge and move tickets of their scope; auditors change
//! nothing. The complainant's contact is shown in full to those who handle tickets and masked
//! for auditors; ID numbers are always masked. Every view and change is audited.

use crate::auth::User;
use crate::error::WebError;
use crate::AppState;
use zizhu_domain::access::{Duty, Scope};
use zizhu_domain::complaint::{
    allowed_keys, check_transition, mask_contact, overdue, ComplaintCategory, ComplaintSource,
    Handler, Owner, Transition,
};
use zizhu_domain::IdNumber;
use zizhu_store::{ComplaintActor, ComplaintFilter, ComplaintRow, NewComplaint, ScopeFilter};

/// A ticket as a role of its scope sees it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ComplaintItem {
    pub id: i64,
    pub student_name: String,
    pub id_masked: String,
    pub school_code: String,
    pub township: String,
    /// aid_not_received, wrong_amount, out_of_school, fee_charged_despite_waiver, other.
    pub category: String,
    pub category_zh: String,
    pub source_zh: String,
    pub complainant: String,
    /// In full for the county, townships and schools; masked for auditors.
    pub contact: String,
    pub summary: String,
    pub payment_line_id: Option<i64>,
    pub case_id: Option<i64>,
    /// 承办单位 in words.
    pub owner: String,
    /// received, assigned, in_progress, resolved, closed.
    pub state: String,
    pub state_zh: String,
    pub lodged_on: String,
    pub due_on: String,
    /// Empty unless resolved.
    pub resolved_on: String,
    pub resolution: String,
    /// Days past the deadline while not resolved (超期未办结), today.
    pub overdue_days: Option<i64>,
    /// The clause the deadline comes from (四(三)).
    pub clause: String,
}

/// One entry of a ticket's history.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ComplaintEventItem {
    pub on_date: String,
    /// RFC 3339 in Beijing time.
    pub at: String,
    pub actor: String,
    /// lodge, assign, start, resolve, close, reopen.
    pub kind: String,
    /// 受理登记, 交办, 开始办理, 办结, 结案, 重新办理.
    pub kind_zh: String,
    pub from_state_zh: String,
    pub to_state_zh: String,
    pub owner: String,
    pub note: String,
}

/// A ticket with its history and the moves this user may make now.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ComplaintDetail {
    pub ticket: ComplaintItem,
    pub history: Vec<ComplaintEventItem>,
    /// Keys of the moves open to this user (assign, start, resolve, close, reopen).
    pub transitions: Vec<String>,
}

/// What a lodging form or API body gives.
pub struct LodgeInput<'a> {
    pub id_number: &'a str,
    pub category: &'a str,
    pub source: &'a str,
    pub complainant: &'a str,
    pub contact: &'a str,
    pub summary: &'a str,
    pub payment_line_id: Option<i64>,
    pub case_id: Option<i64>,
}

fn masked(id: &str) -> String {
    IdNumber::parse(id).map_or_else(|_| "（证件号无效）".to_string(), |(i, _)| i.masked())
}

/// The user as a handler of tickets: level and unit; `None` for auditors and finance.
fn handler(user: &User) -> Option<Handler> {
    if !user.access.may(Duty::FollowCases) {
        return None;
    }
    let level = user.access.case_level()?;
    let unit = match &user.access.scope {
        Scope::County => String::new(),
        Scope::Township(t) => t.clone(),
        Scope::School(c) => c.clone(),
    };
    Some(Handler { level, unit })
}

fn actor(user: &User) -> Result<ComplaintActor, WebError> {
    Ok(ComplaintActor {
        name: user.username.clone(),
        handler: handler(user).ok_or(WebError::Forbidden)?,
        origin: Some(user.origin.clone()),
    })
}

pub(crate) fn item(state: &AppState, user: &User, t: &ComplaintRow) -> ComplaintItem {
    let today = super::cases::today();
    ComplaintItem {
        id: t.id,
        student_name: t.student_name.clone(),
        id_masked: masked(&t.id_number),
        school_code: t.school_code.clone(),
        township: t.township.clone(),
        category: t.category.key().to_string(),
        category_zh: t.category.zh().to_string(),
        source_zh: t.source.zh().to_string(),
        complainant: t.complainant.clone(),
        contact: if handler(user).is_some() {
            t.contact.clone()
        } else {
            mask_contact(&t.contact)
        },
        summary: t.summary.clone(),
        payment_line_id: t.payment_line_id,
        case_id: t.case_id,
        owner: t.owner.zh(),
        state: t.state.key().to_string(),
        state_zh: t.state.zh().to_string(),
        lodged_on: t.lodged_on.to_string(),
        due_on: t.due_on.to_string(),
        resolved_on: t.resolved_on.map(|d| d.to_string()).unwrap_or_default(),
        resolution: t.resolution.clone(),
        overdue_days: overdue(&t.clock(), today).map(|o| o.days_late),
        clause: state.policy.complaint_clause().to_string(),
    }
}

/// The tickets of the user's scope passing `filter` (only overdue ones when asked), audited as
/// the read of a list.
pub(crate) async fn scoped_list(
    state: &AppState,
    user: &User,
    filter: &ComplaintFilter,
    overdue_only: bool,
) -> Result<Vec<ComplaintItem>, WebError> {
    user.require(Duty::ReadCases)?;
    let rows = state
        .db
        .complaints(ScopeFilter::of(&user.access), filter)
        .await?;
    let items: Vec<ComplaintItem> = rows
        .iter()
        .map(|t| item(state, user, t))
        .filter(|i| !overdue_only || i.overdue_days.is_some())
        .collect();
    state
        .db
        .audit_entry(&user.audit(
            "view_complaints",
            "complaint",
            &format!("查看工单清单（{}）：{} 件", user.scope_label, items.len()),
        ))
        .await?;
    Ok(items)
}

/// Ticket `id` of the user's scope with its history (404 outside it), audited.
pub(crate) async fn detail(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<ComplaintDetail, WebError> {
    user.require(Duty::ReadCases)?;
    let t = state
        .db
        .complaint_in_scope(ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(WebError::NotFound)?;
    let history = state
        .db
        .complaint_events(id)
        .await?
        .into_iter()
        .map(|e| ComplaintEventItem {
            on_date: e.on_date.to_string(),
            at: crate::api::beijing(e.at),
            actor: e.actor,
            kind_zh: zizhu_domain::complaint::entry_zh(&e.kind).to_string(),
            kind: e.kind,
            from_state_zh: e.from_state.map(|s| s.zh().to_string()).unwrap_or_default(),
            to_state_zh: e.to_state.zh().to_string(),
            owner: e.owner,
            note: e.note,
        })
        .collect();
    let transitions = match handler(user) {
        None => Vec::new(),
        Some(h) => allowed_keys(t.state)
            .into_iter()
            .filter(|k| {
                let own = match &user.access.scope {
                    Scope::Township(name) => Owner::Township(name.clone()),
                    _ => Owner::County,
                };
                build(k, Some(own))
                    .is_ok_and(|tr| check_transition(&t.facts(), &tr, &h, "-").is_ok())
            })
            .map(str::to_string)
            .collect(),
    };
    state
        .db
        .audit_entry(&user.audit("view_complaint", &format!("complaint:{id}"), "查看工单"))
        .await?;
    Ok(ComplaintDetail {
        ticket: item(state, user, &t),
        history,
        transitions,
    })
}

fn build(key: &str, owner: Option<Owner>) -> Result<Transition, WebError> {
    Ok(match key.trim() {
        "assign" => Transition::Assign {
            owner: owner.ok_or_else(|| WebError::BadRequest("请填写承办单位".into()))?,
        },
        "start" => Transition::Start,
        "resolve" => Transition::Resolve,
        "close" => Transition::Close,
        "reopen" => Transition::Reopen,
        other => {
            return Err(WebError::BadRequest(format!(
                "未知的操作 {other}；可用：assign start resolve close reopen"
            )))
        }
    })
}

/// Lodges a complaint about a student of the user's scope, received today.
pub(crate) async fn lodge(
    state: &AppState,
    user: &User,
    f: &LodgeInput<'_>,
) -> Result<ComplaintItem, WebError> {
    let who = actor(user)?;
    let category = ComplaintCategory::from_key(f.category.trim())
        .ok_or_else(|| WebError::BadRequest("请选择问题类别".into()))?;
    let source = ComplaintSource::from_key(f.source.trim())
        .ok_or_else(|| WebError::BadRequest("请选择反映人类别".into()))?;
    let rules = state.policy.complaint_rules()?;
    let c = NewComplaint {
        id_number: f.id_number.to_string(),
        category,
        source,
        complainant: f.complainant.to_string(),
        contact: f.contact.to_string(),
        summary: f.summary.to_string(),
        payment_line_id: f.payment_line_id,
        case_id: f.case_id,
        lodged_on: super::cases::today(),
    };
    let t = state
        .db
        .lodge_complaint(&c, &who, ScopeFilter::of(&user.access), &rules)
        .await?;
    Ok(item(state, user, &t))
}

/// Moves ticket `id` of the user's scope today (`owner` for an assignment).
pub(crate) async fn transition(
    state: &AppState,
    user: &User,
    id: i64,
    key: &str,
    owner: Option<&str>,
    note: &str,
) -> Result<ComplaintItem, WebError> {
    let who = actor(user)?;
    let owner = match owner.map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => Some(Owner::parse_typed(o).map_err(WebError::BadRequest)?),
        None => None,
    };
    let tr = build(key, owner)?;
    let t = state
        .db
        .move_complaint(
            id,
            &tr,
            &who,
            ScopeFilter::of(&user.access),
            super::cases::today(),
            note,
        )
        .await?;
    Ok(item(state, user, &t))
}
