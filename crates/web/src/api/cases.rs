//! Writes on dropout cases (一生一案) through the API: a move of state and an action taken,
//! through the same builder and store checks as the case page and `zizhu case`.

use super::reads::{case_item, CaseItem};
use super::{json_refused, ApiError, ApiUser, ErrorBody};
use crate::auth::User;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use utoipa::ToSchema;
use zizhu_store::ScopeFilter;

/// A move of a case (状态变更), as `zizhu case move` and the case page take it.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// verify, not_dropout, confirm, persuade, return, home_teaching, close (county), reopen
    /// (county).
    pub(crate) action: String,
    /// The day (YYYY-MM-DD, default today, never after today).
    pub(crate) on: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) evidence: Option<String>,
    pub(crate) school: Option<String>,
    /// The day of a return (YYYY-MM-DD).
    pub(crate) date: Option<String>,
    pub(crate) teacher: Option<String>,
    pub(crate) frequency: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) note: Option<String>,
}

impl MoveBody {
    /// The move's fields for [`zizhu_app::case_forms::build_move`], with the return day parsed.
    pub(crate) fn fields(
        &self,
        date: Option<chrono::NaiveDate>,
    ) -> zizhu_app::case_forms::MoveFields {
        zizhu_app::case_forms::MoveFields {
            reason: self.reason.clone(),
            evidence: self.evidence.clone(),
            school: self.school.clone(),
            date,
            teacher: self.teacher.clone(),
            frequency: self.frequency.clone(),
            content: self.content.clone(),
            note: self.note.clone(),
        }
    }
}

/// An action taken on a case (帮扶措施).
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// home_visit, phone_call, persuasion, placement, home_teaching_session, note.
    kind: String,
    /// The day (YYYY-MM-DD, default today, never after today).
    on: Option<String>,
    note: String,
}

/// The user as a case actor, the case in scope (404 outside it).
async fn case_actor(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<zizhu_store::Actor, ApiError> {
    if !user.access.may(zizhu_domain::access::Duty::FollowCases) {
        return Err(ApiError(WebError::Forbidden));
    }
    let level = user
        .access
        .case_level()
        .ok_or(ApiError(WebError::Forbidden))?;
    state
        .db
        .case_in_scope(ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(ApiError(WebError::NotFound))?;
    Ok(zizhu_store::Actor {
        name: user.username.clone(),
        level,
        origin: Some(user.origin.clone()),
    })
}

fn day(s: Option<&str>, what: &str) -> Result<chrono::NaiveDate, ApiError> {
    let today = crate::pages::cases::today();
    let d = match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| ApiError(WebError::BadRequest(format!("{what}应写作 YYYY-MM-DD"))))?,
    };
    if d > today {
        return Err(ApiError(WebError::BadRequest(format!(
            "{what} {d} 晚于今天"
        ))));
    }
    Ok(d)
}

/// Moves a case in the caller's scope, with the checks of the command line and the case page.
#[utoipa::path(post, path = "/api/cases/{id}/moves", params(("id" = i64, Path, description = "案件编号")),
    request_body = MoveBody,
    responses((status = 200, description = "成功", body = CaseItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody),
        (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn move_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<MoveBody>, JsonRejection>,
) -> Result<Json<CaseItem>, ApiError> {
    let actor = case_actor(&state, &user, id).await?;
    let Json(b) = body.map_err(json_refused)?;
    let on = day(b.on.as_deref(), "操作日期")?;
    let date = match b.date.as_deref() {
        Some(d) if !d.trim().is_empty() => Some(day(Some(d), "复学日期")?),
        _ => None,
    };
    let fields = b.fields(date);
    let mv = zizhu_app::case_forms::build_move(&b.action, &fields, on, actor.level, &|n| {
        format!("“{n}”字段")
    })
    .map_err(|m| ApiError(WebError::BadRequest(m)))?;
    let note = zizhu_app::case_forms::move_note(&mv, b.note.as_deref());
    let rules = state.policy.dropout_rules()?;
    let c = state
        .db
        .move_case(id, &mv, &actor, on, &rules, &note)
        .await?;
    Ok(Json(case_item(c)))
}

/// Records an action on a case in the caller's scope.
#[utoipa::path(post, path = "/api/cases/{id}/actions", params(("id" = i64, Path, description = "案件编号")),
    request_body = ActionBody,
    responses((status = 200, description = "成功", body = CaseItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody),
        (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<ActionBody>, JsonRejection>,
) -> Result<Json<CaseItem>, ApiError> {
    let actor = case_actor(&state, &user, id).await?;
    let Json(b) = body.map_err(json_refused)?;
    let kind = zizhu_domain::dropout::ActionKind::from_key(b.kind.trim())
        .ok_or(ApiError(WebError::BadRequest("未知的措施类型".into())))?;
    let on = day(b.on.as_deref(), "措施日期")?;
    let c = state
        .db
        .record_action(id, kind, on, crate::pages::cases::today(), &actor, &b.note)
        .await?;
    Ok(Json(case_item(c)))
}

/// The people responsible for a case (包保责任人), and its responsible school.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// 学校标识码 of the new responsible school (township: one of its own; county: any).
    school: Option<String>,
    /// 包保教师.
    teacher: Option<String>,
    /// 包保干部.
    official: Option<String>,
    /// The day (YYYY-MM-DD, default today, never after today).
    on: Option<String>,
}

/// Names a case's responsible school, teacher or official, with the checks of the case page.
#[utoipa::path(post, path = "/api/cases/{id}/assignments", params(("id" = i64, Path, description = "案件编号")),
    request_body = AssignBody,
    responses((status = 200, description = "成功", body = CaseItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<AssignBody>, JsonRejection>,
) -> Result<Json<CaseItem>, ApiError> {
    let actor = case_actor(&state, &user, id).await?;
    let Json(b) = body.map_err(json_refused)?;
    crate::pages::cases::may_assign_school(&state, &user, b.school.as_deref())
        .await?
        .map_err(|m| ApiError(WebError::BadRequest(m)))?;
    let on = day(b.on.as_deref(), "指定日期")?;
    let c = state
        .db
        .assign_case(
            id,
            b.school.as_deref(),
            b.teacher.as_deref(),
            b.official.as_deref(),
            on,
            &actor,
        )
        .await?;
    Ok(Json(case_item(c)))
}
