//! Complaints (群众反映问题, 四(三)) through the API: the list of a scope, one ticket with its
//! history, lodging and moving a ticket, with the checks and audit entries of the pages.

use super::{json_refused, ApiError, ApiUser, ErrorBody};
use crate::error::WebError;
use crate::pages::complaints::{
    detail, lodge, scoped_list, transition, ComplaintDetail, ComplaintItem, LodgeInput,
};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::{IntoParams, ToSchema};

#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// received, assigned, in_progress, resolved, closed.
    state: Option<String>,
    /// aid_not_received, wrong_amount, out_of_school, fee_charged_despite_waiver, other.
    category: Option<String>,
    /// Only tickets overdue today (超期未办结).
    overdue: Option<bool>,
}

/// The tickets of the caller's scope (ID numbers masked; the contact masked for auditors).
#[utoipa::path(get, path = "/api/complaints", params(ListQuery),
    responses((status = 200, description = "成功", body = Vec<ComplaintItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权查看", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ComplaintItem>>, ApiError> {
    let filter =
        crate::pages::complaint_pages::filter_of(q.state.as_deref(), q.category.as_deref())?;
    Ok(Json(
        scoped_list(&state, &user, &filter, q.overdue.unwrap_or(false)).await?,
    ))
}

/// A complaint to lodge, received today.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LodgeBody {
    /// The student's ID number (学籍 or dropout case).
    id_number: String,
    /// aid_not_received, wrong_amount, out_of_school, fee_charged_despite_waiver, other.
    category: String,
    /// family, teacher, township, other.
    source: String,
    complainant: String,
    contact: Option<String>,
    summary: String,
    /// The payment line it concerns (must be the student's).
    payment_line_id: Option<i64>,
    /// The dropout case it concerns (must be the student's).
    case_id: Option<i64>,
}

/// Lodges a complaint about a student of the caller's scope (county, township, school).
#[utoipa::path(post, path = "/api/complaints", request_body = LodgeBody,
    responses((status = 200, description = "成功", body = ComplaintItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<LodgeBody>, JsonRejection>,
) -> Result<Json<ComplaintItem>, ApiError> {
    user.require(zizhu_domain::access::Duty::FollowCases)?;
    let Json(b) = body.map_err(json_refused)?;
    let input = LodgeInput {
        id_number: &b.id_number,
        category: &b.category,
        source: &b.source,
        complainant: &b.complainant,
        contact: b.contact.as_deref().unwrap_or(""),
        summary: &b.summary,
        payment_line_id: b.payment_line_id,
        case_id: b.case_id,
    };
    Ok(Json(lodge(&state, &user, &input).await?))
}

/// One ticket of the caller's scope with its history and the moves open to the caller.
#[utoipa::path(get, path = "/api/complaints/{id}", params(("id" = i64, Path, description = "工单编号")),
    responses((status = 200, description = "成功", body = ComplaintDetail), (status = 403, description = "角色无权查看", body = ErrorBody),
        (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ComplaintDetail>, ApiError> {
    Ok(Json(detail(&state, &user, id).await?))
}

/// A move of a ticket, dated today.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// assign, start, resolve, close (county), reopen.
    transition: String,
    /// For assign: a 学校标识码, `township:乡镇名` or `county`.
    owner: Option<String>,
    /// Required for resolve (办理结果) and reopen (不满意的原因).
    note: Option<String>,
}

/// Moves a ticket of the caller's scope, with the checks of the page and `zizhu complaint`.
#[utoipa::path(post, path = "/api/complaints/{id}/transition", params(("id" = i64, Path, description = "工单编号")),
    request_body = TransitionBody,
    responses((status = 200, description = "成功", body = ComplaintItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn move_ticket(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<TransitionBody>, JsonRejection>,
) -> Result<Json<ComplaintItem>, ApiError> {
    user.require(zizhu_domain::access::Duty::FollowCases)?;
    // Out of scope is 404 before the body is read.
    state
        .db
        .complaint_in_scope(zizhu_store::ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(ApiError(WebError::NotFound))?;
    let Json(b) = body.map_err(json_refused)?;
    let note = b.note.as_deref().unwrap_or("");
    Ok(Json(
        transition(&state, &user, id, &b.transition, b.owner.as_deref(), note).await?,
    ))
}

/// The routes of complaints under `/api/`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/complaints", get(list).post(create))
        .route("/api/complaints/{id}", get(show))
        .route("/api/complaints/{id}/transition", post(move_ticket))
}
