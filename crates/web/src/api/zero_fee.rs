//! Zero fees (零收费, 三(一)) in the API: a school year's coverage in the caller's scope (IDs
//! masked, audited), and recording one issue (a school's officer for its school, or the county).

use super::{ApiError, ApiUser, ErrorBody};
use crate::pages;
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ZeroFeeQuery {
    /// 学年, e.g. `2023` (autumn 2023 + spring 2024; default: the newest with issues).
    year: Option<String>,
}

/// A school year's zero-fee coverage (三(一)) in the caller's scope: per school eligible,
/// complete and per item issued/owed with the reporting value, and who lacks which item (IDs
/// masked). County and auditors see all schools, a township its own, a school itself; the
/// finance officer is refused. Audited.
#[utoipa::path(get, path = "/api/zero-fee", operation_id = "zero_fee_coverage", params(ZeroFeeQuery),
    responses((status = 200, description = "成功", body = pages::zero_fee::ZeroFeeView), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn coverage(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ZeroFeeQuery>,
) -> Result<Json<pages::zero_fee::ZeroFeeView>, ApiError> {
    let (year, _) = pages::zero_fee::pick_year(&state, q.year.as_deref()).await?;
    Ok(Json(pages::zero_fee::scoped(&state, &user, year).await?))
}

/// One issue to record.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// 学年, e.g. 2023.
    school_year: i32,
    /// 学校标识码 of the issuing school.
    school_code: String,
    id_number: String,
    name: String,
    /// `teaching_materials`, `school_uniform`, `accident_insurance` or the Chinese name.
    item: String,
    /// `YYYY-MM-DD`, within the school year.
    issued_on: String,
    /// 1 to 20.
    quantity: u32,
    /// Insurance only (required for it): 承保单位 and 保单号.
    insurer: Option<String>,
    policy_no: Option<String>,
}

/// Records one issue (三(一)): a school's officer for its own school, or the county; audited.
/// Refused: another school's, a date outside the school year, an insurance without insurer or
/// policy number, the same item of the same student, school and year twice.
#[utoipa::path(post, path = "/api/zero-fee", operation_id = "zero_fee_record", request_body = IssueBody,
    responses((status = 200, description = "成功", body = super::payments::Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<IssueBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<super::payments::Done>, ApiError> {
    let Json(b) = body.map_err(super::json_refused)?;
    let issue = pages::zero_fee::issue_of(
        b.school_year,
        &b.school_code,
        &b.id_number,
        &b.name,
        &b.item,
        &b.issued_on,
        &b.quantity.to_string(),
        b.insurer.as_deref(),
        b.policy_no.as_deref(),
    )?;
    let message = pages::zero_fee::record(&state, &user, &issue).await?;
    Ok(Json(super::payments::Done { message }))
}
