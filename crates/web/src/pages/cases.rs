//! The dropout ledger (一生一案台账) in the user's scope: the list with filters, and a case's page
//! with its history and the forms its state allows — moves (状态变更), actions (帮扶措施) and the
//! responsible people (包保责任人). Every check is the domain's and the store's, as on the
//! command line; the page only collects the fields. Auditors read and change nothing.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use zizhu_app::case_forms::build_move;
use zizhu_domain::access::Duty;
use zizhu_domain::dropout::{
    allowed_keys, overdue, ActionKind, CaseState, NotDropoutReason, UserLevel, MOVES,
};
use zizhu_domain::ids::mask_long_digits;
use zizhu_domain::IdNumber;
use zizhu_store::{Actor, CaseRow, ScopeFilter, StoreError};

/// Today in China (北京时间): the default day of a move or action, and of the overdue check.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn masked(id: &str) -> String {
    IdNumber::parse(id).map_or_else(|_| "（证件号无效）".to_string(), |(i, _)| i.masked())
}

#[derive(serde::Deserialize)]
pub struct ListParams {
    state: Option<String>,
    open: Option<String>,
    /// A school code: only that school's cases (within the scope still).
    school: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub id_masked: String,
    pub township: String,
    pub school: String,
    pub state: &'static str,
    pub since: String,
    pub overdue: String,
    pub teacher: String,
}

pub struct Choice {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    nav: Nav,
    states: Vec<Choice>,
    open_only: bool,
    school: String,
    rows: Vec<Row>,
    overdue_count: usize,
}

fn overdue_text(c: &CaseRow, rules: &zizhu_domain::dropout::DropoutRules) -> String {
    overdue(&c.clock(), today(), rules).map_or_else(String::new, |o| {
        format!(
            "{}，应于 {} 前，已超 {} 天",
            o.kind.zh(),
            o.due,
            o.days_late
        )
    })
}

/// GET /cases?state=&open=1
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<ListParams>,
) -> Result<Html<String>, WebError> {
    user.require(Duty::ReadCases)?;
    let wanted = match p.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(k) => Some(
            CaseState::from_key(k).ok_or_else(|| WebError::BadRequest("未知的案件状态".into()))?,
        ),
        None => None,
    };
    let open_only = p.open.as_deref() == Some("1");
    let rules = state.policy.dropout_rules()?;
    let scope = ScopeFilter::of(&user.access);
    let school: String = p
        .school
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect();
    let mut cases = state.db.cases(&scope.cases(wanted, open_only)).await?;
    if !school.is_empty() {
        cases.retain(|c| c.child.school_code == school);
    }
    state
        .db
        .audit_entry(&user.audit("view_cases", "一生一案台账", &format!("{} 件", cases.len())))
        .await?;
    let rows: Vec<Row> = cases
        .iter()
        .map(|c| Row {
            id: c.id,
            name: c.child.name.clone(),
            id_masked: masked(&c.child.id_number),
            township: c.child.township.clone(),
            school: c.child.school_code.clone(),
            state: c.state.zh(),
            since: c.state_since.to_string(),
            overdue: overdue_text(c, &rules),
            teacher: c.teacher.clone(),
        })
        .collect();
    html(&ListPage {
        nav: Nav::of(&user),
        states: CaseState::ALL
            .iter()
            .map(|s| Choice {
                key: s.key(),
                label: s.zh(),
                selected: Some(*s) == wanted,
            })
            .collect(),
        open_only,
        school,
        overdue_count: rows.iter().filter(|r| !r.overdue.is_empty()).count(),
        rows,
    })
}

pub struct Event {
    pub on: String,
    pub actor: String,
    pub level: &'static str,
    pub what: String,
    pub note: String,
}

/// A move this user may make now, with the fields it needs.
pub struct MoveForm {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Nav,
    c: CaseView,
    events: Vec<Event>,
    moves: Vec<MoveForm>,
    actions: Vec<Choice>,
    reasons: Vec<Choice>,
    may_act: bool,
    today: String,
    message: Option<String>,
    ok: bool,
}

pub struct CaseView {
    pub id: i64,
    pub name: String,
    pub id_masked: String,
    pub sex: String,
    pub birth: String,
    pub township: String,
    pub village: String,
    pub guardian: String,
    pub guardian_phone: String,
    pub school: String,
    pub reasons: String,
    pub groups: String,
    pub state: &'static str,
    pub since: String,
    pub opened_on: String,
    pub overdue: String,
    pub teacher: String,
    pub official: String,
    pub detail: String,
}

fn view(c: &CaseRow, rules: &zizhu_domain::dropout::DropoutRules) -> CaseView {
    let mut detail = Vec::new();
    if let Some(r) = c.not_dropout_reason {
        detail.push(format!("非辍学原因：{}；{}", r.zh(), c.evidence));
    }
    if !c.elsewhere_school.is_empty() {
        detail.push(format!("就读学校：{}", c.elsewhere_school));
    }
    if let Some(d) = c.returned_on {
        detail.push(format!("复学：{} 于 {d}", c.returned_school));
    }
    if !c.plan_teacher.is_empty() {
        detail.push(format!(
            "送教上门：{}，{}，{}",
            c.plan_teacher, c.plan_frequency, c.plan_content
        ));
    }
    if !c.close_reason.is_empty() {
        detail.push(format!("销号原因：{}", c.close_reason));
    }
    if c.recheck {
        detail.push("待核实：最近一次比对未再发现".into());
    }
    CaseView {
        id: c.id,
        name: c.child.name.clone(),
        id_masked: masked(&c.child.id_number),
        sex: c.child.sex.map_or("", |s| s.zh()).to_string(),
        birth: c
            .child
            .birth_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        township: c.child.township.clone(),
        village: c.child.village.clone(),
        guardian: c.child.guardian.clone(),
        guardian_phone: c.child.guardian_phone.clone(),
        school: c.child.school_code.clone(),
        reasons: c
            .child
            .reasons
            .iter()
            .map(|r| r.zh())
            .collect::<Vec<_>>()
            .join("；"),
        groups: c
            .child
            .groups
            .iter()
            .map(|g| g.zh())
            .collect::<Vec<_>>()
            .join("、"),
        state: c.state.zh(),
        since: c.state_since.to_string(),
        opened_on: c.opened_on.to_string(),
        overdue: overdue_text(c, rules),
        teacher: c.teacher.clone(),
        official: c.official.clone(),
        detail: mask_long_digits(&detail.join("\n")),
    }
}

/// GET /cases/{id}
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    user.require(Duty::ReadCases)?;
    case_page(&state, &user, id, None).await
}

async fn case_page(
    state: &AppState,
    user: &User,
    id: i64,
    message: Option<(bool, String)>,
) -> Result<Html<String>, WebError> {
    let c = state
        .db
        .case_in_scope(ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(WebError::NotFound)?;
    let rules = state.policy.dropout_rules()?;
    let school_name = match c.child.school_code.as_str() {
        "" => "未指定".to_string(),
        code => match state.db.school(code).await? {
            Some(s) => format!("{}（{code}）", s.name),
            None => code.to_string(),
        },
    };
    if message.is_none() {
        state
            .db
            .audit_entry(&user.audit("view_case", &format!("case:{id}"), "查看案件"))
            .await?;
    }
    let events = state
        .db
        .case_events(id)
        .await?
        .into_iter()
        .map(|e| Event {
            on: e.on.to_string(),
            actor: e.actor,
            level: e.actor_level.zh(),
            what: match (e.from_state, e.to_state, e.action) {
                (_, _, Some(a)) => format!("措施：{}", a.zh()),
                (Some(f), Some(t), _) => format!("{} → {}", f.zh(), t.zh()),
                (None, Some(t), _) => format!("立案：{}", t.zh()),
                _ => match e.kind.as_str() {
                    "assign" => "指定责任人".to_string(),
                    "scan" => "比对再次发现".to_string(),
                    "open" => "立案".to_string(),
                    other => other.to_string(),
                },
            },
            note: mask_long_digits(&e.note),
        })
        .collect();
    let level = user.access.case_level();
    let may_act = user.access.may(Duty::FollowCases);
    let moves = match level {
        Some(l) if may_act => allowed_keys(c.state)
            .into_iter()
            .filter(|k| l == UserLevel::County || !matches!(*k, "close" | "reopen"))
            .map(|k| MoveForm {
                key: k,
                label: MOVES.iter().find(|(m, _)| *m == k).map_or(k, |(_, zh)| zh),
            })
            .collect(),
        _ => Vec::new(),
    };
    let (ok, message) = match message {
        Some((ok, m)) => (ok, Some(m)),
        None => (false, None),
    };
    html(&CasePage {
        nav: Nav::of(user),
        c: CaseView {
            school: school_name,
            ..view(&c, &rules)
        },
        events,
        moves,
        actions: ActionKind::ALL
            .iter()
            .map(|a| Choice {
                key: a.key(),
                label: a.zh(),
                selected: false,
            })
            .collect(),
        reasons: NotDropoutReason::ALL
            .iter()
            .map(|r| Choice {
                key: r.key(),
                label: r.zh(),
                selected: false,
            })
            .collect(),
        may_act: may_act && c.state != CaseState::Closed,
        today: today().to_string(),
        message,
        ok,
    })
}

/// The user as a case actor; refused for a role that follows no case (the auditor).
fn actor(user: &User) -> Result<Actor, WebError> {
    if !user.access.may(Duty::FollowCases) {
        return Err(WebError::Forbidden);
    }
    let level = user.access.case_level().ok_or(WebError::Forbidden)?;
    Ok(Actor {
        name: user.username.clone(),
        level,
        origin: Some(user.origin.clone()),
    })
}

/// The checks before any change of case `id`: the form's token, a role that follows cases, and
/// the case in the user's scope (else 404, before anything is checked or written).
async fn writable(state: &AppState, user: &User, id: i64, csrf: &str) -> Result<Actor, WebError> {
    user.check_csrf(csrf)?;
    let actor = actor(user)?;
    state
        .db
        .case_in_scope(ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(actor)
}

/// A day from a form field; empty means today; never after today.
fn form_day(s: Option<&str>, what: &str) -> Result<NaiveDate, String> {
    let s = s.map(str::trim).unwrap_or("");
    let d = if s.is_empty() {
        today()
    } else {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            format!(
                "{what}应写作 YYYY-MM-DD，实为“{}”",
                zizhu_domain::text::printable(s)
            )
        })?
    };
    if d > today() {
        return Err(format!("{what} {d} 晚于今天"));
    }
    Ok(d)
}

/// The outcome of a change: back to the case page with the message, or the store's refusal shown
/// on the page (400); other errors as errors.
async fn after_change(
    state: &AppState,
    user: &User,
    id: i64,
    result: Result<CaseRow, StoreError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(StoreError::Invalid(msg)) => refused(state, user, id, msg).await,
        Err(e) => Err(e.into()),
    }
}

async fn refused(
    state: &AppState,
    user: &User,
    id: i64,
    msg: String,
) -> Result<Response, WebError> {
    let page = case_page(state, user, id, Some((false, format!("未执行：{msg}")))).await?;
    Ok((axum::http::StatusCode::BAD_REQUEST, page).into_response())
}

/// The move form: the API's move body and the session's token.
#[derive(serde::Deserialize)]
pub struct MoveFormFields {
    csrf: String,
    #[serde(flatten)]
    body: crate::api::cases::MoveBody,
}

/// POST /cases/{id}/move
pub async fn move_case(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<MoveFormFields>,
) -> Result<Response, WebError> {
    let actor = writable(&state, &user, id, &f.csrf).await?;
    let f = f.body;
    let on = match form_day(f.on.as_deref(), "操作日期") {
        Ok(d) => d,
        Err(m) => return refused(&state, &user, id, m).await,
    };
    let date = match f.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match form_day(Some(s), "复学日期") {
            Ok(d) => Some(d),
            Err(m) => return refused(&state, &user, id, m).await,
        },
    };
    let fields = f.fields(date);
    let label = |n: &'static str| format!("“{}”栏", field_zh(n));
    let mv = match build_move(&f.action, &fields, on, actor.level, &label) {
        Ok(m) => m,
        Err(m) => return refused(&state, &user, id, m).await,
    };
    let note = zizhu_app::case_forms::move_note(&mv, f.note.as_deref());
    let rules = state.policy.dropout_rules()?;
    let r = state.db.move_case(id, &mv, &actor, on, &rules, &note).await;
    after_change(&state, &user, id, r).await
}

fn field_zh(name: &str) -> &'static str {
    match name {
        "reason" => "非辍学原因",
        "evidence" => "核查说明和证明材料",
        "school" => "学校",
        "teacher" => "送教教师",
        "frequency" => "送教频次",
        "content" => "送教内容",
        "note" => "原因或说明",
        _ => "相应",
    }
}

#[derive(serde::Deserialize)]
pub struct ActForm {
    csrf: String,
    kind: String,
    on: Option<String>,
    note: String,
}

/// POST /cases/{id}/act
pub async fn act(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response, WebError> {
    let actor = writable(&state, &user, id, &f.csrf).await?;
    let Some(kind) = ActionKind::from_key(f.kind.trim()) else {
        return refused(&state, &user, id, "请选择措施类型".into()).await;
    };
    let on = match form_day(f.on.as_deref(), "措施日期") {
        Ok(d) => d,
        Err(m) => return refused(&state, &user, id, m).await,
    };
    let r = state
        .db
        .record_action(id, kind, on, today(), &actor, &f.note)
        .await;
    after_change(&state, &user, id, r).await
}

#[derive(serde::Deserialize)]
pub struct AssignForm {
    csrf: String,
    school: Option<String>,
    teacher: Option<String>,
    official: Option<String>,
    on: Option<String>,
}

/// POST /cases/{id}/assign
/// May `user` make `school` a case's responsible school? A school officer names people, not
/// another responsible school; a township may give the case to one of its own schools only:
/// either would move the case out of their scope. The refusal is the inner `Err`.
pub(crate) async fn may_assign_school(
    state: &AppState,
    user: &User,
    school: Option<&str>,
) -> Result<Result<(), String>, WebError> {
    let Some(code) = school.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Ok(()));
    };
    if let zizhu_domain::access::Scope::Township(t) = &user.access.scope {
        let in_township = state
            .db
            .school(code)
            .await?
            .is_some_and(|s| &s.township == t);
        if !in_township {
            return Ok(Err(format!(
                "责任学校只能改为本乡镇（{t}）的学校；跨乡镇请联系县级"
            )));
        }
    }
    if user.access.case_level() == Some(UserLevel::School) {
        return Ok(Err("学校用户不能更改责任学校，请联系乡镇或县级".into()));
    }
    Ok(Ok(()))
}

pub async fn assign(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, WebError> {
    let actor = writable(&state, &user, id, &f.csrf).await?;
    if let Err(m) = may_assign_school(&state, &user, f.school.as_deref()).await? {
        return refused(&state, &user, id, m).await;
    }
    let on = match form_day(f.on.as_deref(), "指定日期") {
        Ok(d) => d,
        Err(m) => return refused(&state, &user, id, m).await,
    };
    let r = state
        .db
        .assign_case(
            id,
            f.school.as_deref(),
            f.teacher.as_deref(),
            f.official.as_deref(),
            on,
            &actor,
        )
        .await;
    after_change(&state, &user, id, r).await
}
