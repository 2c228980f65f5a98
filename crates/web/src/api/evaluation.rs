//! The school evaluation (学校工作考评, 二(二)) in the API.

use super::{term_or_latest, ApiError, ApiUser, ErrorBody};
use crate::pages::evaluation::{as_of_day, evaluation_view, EvaluationView};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvaluationQuery {
    /// Term, e.g. `2023-autumn` (default: the newest with data).
    term: Option<String>,
    /// YYYY-MM-DD: the day dropout cases are counted on (default: the term's last day, or today
    /// while the term runs); not after today.
    as_of: Option<String>,
}

/// Each school of the caller's scope evaluated for a term (roles that read dropout cases;
/// audited): the roster confirmed on time, aid paid, overdue dropout cases, return rate and
/// zero-fee coverage, each with its figures, target and outcome.
#[utoipa::path(get, path = "/api/evaluation", params(EvaluationQuery),
    responses((status = 200, description = "成功", body = EvaluationView), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn evaluation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<EvaluationQuery>,
) -> Result<Json<EvaluationView>, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    let day = as_of_day(term, q.as_of.as_deref())?;
    Ok(Json(evaluation_view(&state, &user, term, day).await?))
}
