//! GET /api/exchange (交流轮岗, 三(三)): the page's view as JSON, cut to the token's scope.

use super::{ApiError, ApiUser, ErrorBody};
use crate::error::WebError;
use crate::pages;
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExchangeQuery {
    /// School year, e.g. `2023` (2023-09-01 – 2024-08-31; default: the one `as_of` falls in).
    year: Option<String>,
    /// The day, e.g. `2024-06-15` (default: today).
    as_of: Option<String>,
}

/// Teacher exchange from urban to rural schools (三(三)) of a school year as of a day: per school
/// the teachers sent and received and of them urban→rural, per assignment the checks against the
/// schools' type and whether the teacher is due to return (county and auditors all, a township
/// its schools, a school what it sent and received; IDs masked for roles that may not see them;
/// audited). 404 when no exchange list was imported.
#[utoipa::path(get, path = "/api/exchange", params(ExchangeQuery),
    responses((status = 200, description = "成功", body = pages::exchange::ExchangeView), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "尚未导入交流轮岗名单", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn exchange(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ExchangeQuery>,
) -> Result<Json<pages::exchange::ExchangeView>, ApiError> {
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(pages::exchange::parse_day(d)?),
    };
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => Some(pages::zero_fee::parse_year(y)?),
    };
    let (_, view) = pages::exchange::analysis(&state, &user, year, as_of).await?;
    Ok(Json(view.ok_or(ApiError(WebError::NotFound))?))
}
