//! Paying the aid through the API (资金发放): the coverage of the caller's scope (every role), the
//! term's batches (county, auditors, finance), and for the finance officer making the batches of
//! a locked roster and marking one submitted.

use super::{json_refused, term_of, term_or_latest, ApiError, ApiUser, ErrorBody};
use crate::error::WebError;
use crate::pages::payments::{payer, scoped_coverage};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zizhu_domain::access::Duty;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermQuery {
    /// Term, e.g. `2023-autumn` (default: the newest with data).
    term: Option<String>,
}

/// An entitled line not yet paid, with why.
#[derive(Serialize, ToSchema)]
pub struct UnpaidLine {
    township: String,
    school_code: String,
    school_name: String,
    name: String,
    id_masked: String,
    program_name: String,
    amount_fen: i64,
    /// 名单未审批锁定, 无收款账户, 未纳入发放批次, 批次未提交银行, 已提交银行待回盘, or
    /// 银行退回待更正账户后重新发放 (with the bank's reason).
    why: String,
}

/// Unpaid lines by reason.
#[derive(Serialize, ToSchema)]
pub struct GapTotal {
    reason: String,
    lines: i64,
    amount_fen: i64,
}

/// One school's planned and paid.
#[derive(Serialize, ToSchema)]
pub struct SchoolPaid {
    township: String,
    school_code: String,
    school_name: String,
    planned_fen: i64,
    paid_fen: i64,
    failed_fen: i64,
    unpaid_lines: i64,
    unpaid_fen: i64,
}

/// The coverage audit of a term in the caller's scope (一个不落).
#[derive(Serialize, ToSchema)]
pub struct CoverageBody {
    term: String,
    /// The roster is approved and locked (nothing is paid before).
    locked: bool,
    planned_fen: i64,
    paid_fen: i64,
    failed_fen: i64,
    reversed_fen: i64,
    recovered_fen: i64,
    /// Paid beyond an amount lowered after the lock (多发，应清退).
    overpaid_fen: i64,
    /// Roster lines reversed as paid in error, not to be paid again: planned = paid + unpaid +
    /// written off − overpaid.
    written_off_fen: i64,
    gaps: Vec<GapTotal>,
    schools: Vec<SchoolPaid>,
    unpaid: Vec<UnpaidLine>,
    /// Payments to review: paid with no entitlement now, or more than the amount adjusted after
    /// the lock (to reverse, 清退), each with its payment line.
    to_review: Vec<ReviewLine>,
}

/// A payment to review (已发放但名单上没有，或多发).
#[derive(Serialize, ToSchema)]
pub struct ReviewLine {
    #[serde(flatten)]
    line: UnpaidLine,
    /// The payment line to reverse (发放明细编号).
    line_id: Option<i64>,
}

fn unpaid_line(u: &zizhu_app::payments::CoverageLine) -> UnpaidLine {
    UnpaidLine {
        id_masked: zizhu_domain::IdNumber::parse(&u.id_number)
            .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
        township: u.township.clone(),
        school_code: u.school_code.clone(),
        school_name: u.school_name.clone(),
        name: u.name.clone(),
        program_name: u.program_name.clone(),
        amount_fen: u.amount_fen,
        why: u.why.clone(),
    }
}

/// Who is entitled and not yet paid in the caller's scope, and why; totals planned, paid,
/// failed, reversed and recovered. Audited.
#[utoipa::path(get, path = "/api/payments/coverage", params(TermQuery),
    responses((status = 200, description = "成功", body = CoverageBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn coverage(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<TermQuery>,
) -> Result<Json<CoverageBody>, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    let c = scoped_coverage(&state, &user, term).await?;
    state
        .db
        .audit_entry(&user.audit(
            "view_payments",
            &format!("资金发放 {term}"),
            &format!(
                "接口查看发放情况（{}），应发未发 {} 笔",
                user.scope_label,
                c.unpaid.len()
            ),
        ))
        .await?;
    Ok(Json(CoverageBody {
        term: term.to_string(),
        locked: c.locked,
        planned_fen: c.planned_fen,
        paid_fen: c.paid_fen,
        failed_fen: c.failed_fen,
        reversed_fen: c.reversed_fen,
        recovered_fen: c.recovered_fen,
        overpaid_fen: c.overpaid_fen,
        written_off_fen: c.written_off_fen,
        gaps: c
            .by_gap
            .iter()
            .map(|(g, n, f)| GapTotal {
                reason: g.zh().to_string(),
                lines: *n,
                amount_fen: *f,
            })
            .collect(),
        schools: c
            .schools
            .iter()
            .map(|s| SchoolPaid {
                township: s.township.clone(),
                school_code: s.school_code.clone(),
                school_name: s.school_name.clone(),
                planned_fen: s.planned_fen,
                paid_fen: s.paid_fen,
                failed_fen: s.failed_fen,
                unpaid_lines: s.unpaid_n,
                unpaid_fen: s.unpaid_fen,
            })
            .collect(),
        unpaid: c.unpaid.iter().map(unpaid_line).collect(),
        to_review: c
            .without_entitlement
            .iter()
            .map(|u| ReviewLine {
                line: unpaid_line(u),
                line_id: u.line_id,
            })
            .collect(),
    }))
}

/// One school's fee compensation for one program.
#[derive(Serialize, ToSchema)]
pub struct FeeSchoolBody {
    township: String,
    school_code: String,
    school_name: String,
    program_name: String,
    students: i64,
    amount_fen: i64,
}

/// The schools' fee-compensation statement of a term (学校减免补助结算表).
#[derive(Serialize, ToSchema)]
pub struct WaiversBody {
    term: String,
    /// The roster is approved and locked (before, the statement is for checking only).
    locked: bool,
    schools: usize,
    students: usize,
    total_fen: i64,
    per_school: Vec<FeeSchoolBody>,
}

/// The schools' fee-compensation statement (免学杂费/免学费, paid to schools, not families): per
/// school and program, students and 元 (county, auditors and finance; audited). The students
/// behind it are in the workbook (/payments/waivers).
#[utoipa::path(get, path = "/api/payments/waivers", params(TermQuery),
    responses((status = 200, description = "成功", body = WaiversBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn waivers(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<TermQuery>,
) -> Result<Json<WaiversBody>, ApiError> {
    if !crate::pages::payments::sees_batches(&user) {
        return Err(WebError::Forbidden.into());
    }
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    let (f, _) = zizhu_app::payments::fee_statement(&state.db, term, false).await?;
    state
        .db
        .audit_entry(&user.audit(
            "view_fee_statement",
            &format!("资助名单 {term}"),
            &format!(
                "接口查看学校减免补助结算：{} 所学校，{} 人，{} 元",
                f.schools,
                f.students,
                zizhu_domain::Fen(f.total_fen)
            ),
        ))
        .await?;
    Ok(Json(WaiversBody {
        term: term.to_string(),
        locked: f.locked,
        schools: f.schools,
        students: f.students,
        total_fen: f.total_fen,
        per_school: f
            .per_school
            .into_iter()
            .map(|s| FeeSchoolBody {
                township: s.township,
                school_code: s.school_code,
                school_name: s.school_name,
                program_name: s.program_name,
                students: s.students,
                amount_fen: s.amount_fen,
            })
            .collect(),
    }))
}

/// The adjustments of a term after its lock (补发, 追回/停发) in the caller's scope, IDs masked.
#[utoipa::path(get, path = "/api/payments/adjustments", params(TermQuery),
    responses((status = 200, description = "成功", body = Vec<crate::pages::payments::Adjustment>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn adjustments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<TermQuery>,
) -> Result<Json<Vec<crate::pages::payments::Adjustment>>, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    let list = crate::pages::payments::scoped_adjustments(&state, &user, term).await?;
    state
        .db
        .audit_entry(&user.audit(
            "view_payments",
            &format!("名单调整 {term}"),
            &format!(
                "接口查看锁定后的调整（{}），{} 笔",
                user.scope_label,
                list.len()
            ),
        ))
        .await?;
    Ok(Json(list))
}

/// A payment batch (发放批次).
#[derive(Serialize, ToSchema)]
pub struct BatchItem {
    id: i64,
    term: String,
    /// draft, submitted, paid, partly_failed, closed.
    state: String,
    fund_source: String,
    paying_unit: String,
    /// The batch whose failed lines this one pays again.
    reissue_of: Option<i64>,
    /// What it pays: 按锁定名单发放, 锁定后调整补发, 重新发放批次 N 的失败明细 …
    kind: String,
    lines: i64,
    total_fen: i64,
}

fn item(b: zizhu_store::BatchRow) -> BatchItem {
    let kind = zizhu_app::payments::batch_kind(&b);
    BatchItem {
        id: b.id,
        term: b.term,
        state: b.state.key().to_string(),
        fund_source: b.fund_source,
        paying_unit: b.paying_unit,
        reissue_of: b.reissue_of,
        kind,
        lines: b.lines,
        total_fen: b.total_fen,
    }
}

/// The term's payment batches (county, auditors and finance).
#[utoipa::path(get, path = "/api/payments/batches", params(TermQuery),
    responses((status = 200, description = "成功", body = Vec<BatchItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn batches(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<TermQuery>,
) -> Result<Json<Vec<BatchItem>>, ApiError> {
    if !(user.access.may(Duty::Pay) || user.access.may(Duty::ReadAudit)) {
        return Err(ApiError(WebError::Forbidden));
    }
    let term = term_of(q.term.as_deref())?;
    Ok(Json(
        state
            .db
            .batches(term)
            .await?
            .into_iter()
            .map(item)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermBody {
    /// e.g. `2023-autumn`.
    term: String,
}

/// Makes the term's batches from its locked roster (finance officer): one per fund source and
/// paying unit; lines already in a batch, and students without an account, are left out.
#[utoipa::path(post, path = "/api/payments/batches", request_body = TermBody,
    responses((status = 200, description = "成功", body = Vec<BatchItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn make(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<TermBody>, JsonRejection>,
) -> Result<Json<Vec<BatchItem>>, ApiError> {
    let who = payer(&user)?;
    let Json(b) = body.map_err(json_refused)?;
    let term = term_of(Some(&b.term))?
        .ok_or_else(|| ApiError(WebError::BadRequest("请给出学期，如 2023-autumn".into())))?;
    let made = zizhu_app::payments::make_batches(&state.db, &state.policy, term, who).await?;
    Ok(Json(made.into_iter().map(item).collect()))
}

/// Marks a draft batch submitted to the bank (finance officer).
#[utoipa::path(post, path = "/api/payments/batches/{id}/submit", params(("id" = i64, Path, description = "批次号")),
    responses((status = 200, description = "成功", body = BatchItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<BatchItem>, ApiError> {
    let who = payer(&user)?;
    Ok(Json(item(state.db.submit_batch(id, who).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReturnQuery {
    /// The file's name; its extension says how to read it (.xlsx, .xls, .csv).
    file_name: String,
}

/// What a bank return did.
#[derive(Serialize, ToSchema)]
pub struct ReturnResult {
    /// Recorded (no problem in the file); else nothing was recorded.
    recorded: bool,
    paid: usize,
    failed: usize,
    /// Lines of the batch still without a result.
    pending: usize,
    /// The file's problems (row, column, value, reason), at most 1,000.
    problems: Vec<String>,
    batch: Option<BatchItem>,
}

/// Records a submitted batch's bank return (the file as the body), all or nothing (finance).
#[utoipa::path(post, path = "/api/payments/batches/{id}/return", params(("id" = i64, Path, description = "批次号"), ReturnQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "成功", body = ReturnResult), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn bank_return(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ReturnQuery>,
    body: axum::body::Body,
) -> Result<Json<ReturnResult>, ApiError> {
    // The role first: the body is read only for finance.
    let who = payer(&user)?;
    let body = axum::body::to_bytes(body, crate::UPLOAD_LIMIT)
        .await
        .map_err(|_| ApiError(WebError::TooLarge))?;
    if body.is_empty() {
        return Err(ApiError(WebError::BadRequest(
            "请求体应为银行回盘文件".into(),
        )));
    }
    if state.db.batch(id).await?.is_none() {
        return Err(ApiError(WebError::NotFound));
    }
    let dir = crate::pages::payments::private_tempdir()?;
    let path = dir
        .path()
        .join(crate::pages::payments::safe_name(&q.file_name));
    std::fs::write(&path, &body)
        .map_err(|e| WebError::Internal(format!("无法保存上传的文件：{e}")))?;
    let today = crate::pages::cases::today();
    let o = zizhu_app::payments::import_bank_return(&state.db, id, &path, dir.path(), today, who)
        .await
        .map_err(crate::pages::payments::refusal)?;
    Ok(Json(ReturnResult {
        recorded: o.errors.is_empty(),
        paid: o.paid,
        failed: o.failed,
        pending: o.pending,
        problems: o
            .errors
            .iter()
            .take(1_000)
            .map(|e| {
                format!(
                    "第{}行 {}“{}”：{}",
                    e.row,
                    e.column,
                    zizhu_domain::text::printable(&e.value),
                    e.reason
                )
            })
            .collect(),
        batch: o.batch.map(item),
    }))
}

/// A re-issue of a batch's failed lines whose account was corrected (finance): the new batch, if
/// any line was ready.
#[utoipa::path(post, path = "/api/payments/batches/{id}/reissue", params(("id" = i64, Path, description = "批次号")),
    responses((status = 200, description = "成功", body = Option<BatchItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn reissue(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Option<BatchItem>>, ApiError> {
    let who = payer(&user)?;
    let (made, _) = state
        .db
        .reissue(id, crate::pages::cases::today(), who)
        .await?;
    Ok(Json(match made {
        Some(n) => state.db.batch(n).await?.map(item),
        None => None,
    }))
}

/// Closes a batch whose every line is paid or re-issued (finance).
#[utoipa::path(post, path = "/api/payments/batches/{id}/close", params(("id" = i64, Path, description = "批次号")),
    responses((status = 200, description = "成功", body = BatchItem), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<BatchItem>, ApiError> {
    let who = payer(&user)?;
    Ok(Json(item(state.db.close_batch(id, who).await?)))
}

/// What an action did, in Chinese.
#[derive(Serialize, ToSchema)]
pub struct Done {
    pub(crate) message: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseBody {
    /// Why the payment was made in error (清退原因).
    reason: String,
    /// The part paid in error, in fen (分), when an amount was lowered after it was paid; the
    /// whole line when absent.
    amount_fen: Option<i64>,
}

/// Reverses a paid line (清退, finance).
#[utoipa::path(post, path = "/api/payments/lines/{id}/reverse", params(("id" = i64, Path, description = "发放明细编号")), request_body = ReverseBody,
    responses((status = 200, description = "成功", body = Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn reverse(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<ReverseBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    payer(&user)?;
    let Json(b) = body.map_err(json_refused)?;
    let message =
        crate::pages::payments::reverse(&state, &user, id, b.amount_fen, &b.reason).await?;
    Ok(Json(Done { message }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverBody {
    /// Recovered, in fen (分).
    amount_fen: i64,
    note: Option<String>,
}

/// Records money recovered of a reversed line (追回, finance).
#[utoipa::path(post, path = "/api/payments/lines/{id}/recover", params(("id" = i64, Path, description = "发放明细编号")), request_body = RecoverBody,
    responses((status = 200, description = "成功", body = Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn recover(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<RecoverBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    payer(&user)?;
    let Json(b) = body.map_err(json_refused)?;
    let message = crate::pages::payments::recover(
        &state,
        &user,
        id,
        b.amount_fen,
        b.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(Done { message }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleBody {
    term: String,
    /// The draw's seed (the same seed draws the same families); default 2023.
    seed: Option<u64>,
}

/// Draws the term's paid students to call back (回访抽样, finance).
#[utoipa::path(post, path = "/api/payments/sample", request_body = SampleBody,
    responses((status = 200, description = "成功", body = Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn sample(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<SampleBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    payer(&user)?;
    let Json(b) = body.map_err(json_refused)?;
    let term = term_of(Some(&b.term))?
        .ok_or_else(|| ApiError(WebError::BadRequest("请给出学期，如 2023-autumn".into())))?;
    let message = crate::pages::payments::draw(&state, &user, term, b.seed.unwrap_or(2023)).await?;
    Ok(Json(Done { message }))
}

/// The term's verifications in the caller's scope.
#[utoipa::path(get, path = "/api/payments/verifications", params(TermQuery),
    responses((status = 200, description = "成功", body = Vec<crate::pages::payments::Verification>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn verifications(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<TermQuery>,
) -> Result<Json<Vec<crate::pages::payments::Verification>>, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    Ok(Json(
        crate::pages::payments::scoped_verifications(&state, &user, term).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// `confirmed` or `denied`.
    result: String,
    /// What the family said (required for a denial).
    note: Option<String>,
}

/// Records a family's answer (school, township or county in scope).
#[utoipa::path(post, path = "/api/payments/verifications/{id}", params(("id" = i64, Path, description = "回访编号")), request_body = VerifyBody,
    responses((status = 200, description = "成功", body = Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<VerifyBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let Json(b) = body.map_err(json_refused)?;
    let message = crate::pages::payments::record_verification(
        &state,
        &user,
        id,
        &b.result,
        b.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(Done { message }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    note: String,
}

/// Closes a denied verification's follow-up with its finding (township or county in scope).
#[utoipa::path(post, path = "/api/payments/verifications/{id}/close", params(("id" = i64, Path, description = "回访编号")), request_body = NoteBody,
    responses((status = 200, description = "成功", body = Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn close_follow_up(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<NoteBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let Json(b) = body.map_err(json_refused)?;
    let message = crate::pages::payments::close_verification(&state, &user, id, &b.note).await?;
    Ok(Json(Done { message }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustBody {
    /// Term, e.g. `2023-autumn`.
    term: String,
    /// Only show what would be recorded (预览), record nothing.
    dry_run: Option<bool>,
}

/// An adjustment run of a locked term (county): differences recorded as back-payments and
/// recoveries, the locked roster unchanged; with `dry_run` only described.
#[utoipa::path(post, path = "/api/payments/adjust", request_body = AdjustBody,
    responses((status = 200, description = "成功", body = Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn adjust(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<AdjustBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let Json(b) = body.map_err(json_refused)?;
    let term = term_of(Some(&b.term))?
        .ok_or_else(|| ApiError(WebError::BadRequest("请给出学期，如 2023-autumn".into())))?;
    let record = !b.dry_run.unwrap_or(false);
    let message = crate::pages::payments::adjust(&state, &user, term, record).await?;
    Ok(Json(Done { message }))
}
