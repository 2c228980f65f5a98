//! The county's and the schools' work through the API: imports (check, confirm, cancel),
//! computing a term, roster approval, roster downloads and the audit log — each through the same
//! functions as the pages, so the same duties, scope, checks and audit entries apply.

use super::{beijing, json_refused, term_of, term_or_latest, ApiError, ApiUser, ErrorBody};
use crate::error::WebError;
use crate::pages;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zizhu_domain::access::Duty;
use zizhu_domain::approval::SignoffStep;
use zizhu_domain::Term;

/// Rows of errors or warnings an import report lists (the rest are counted).
const SHOWN: usize = 1_000;

/// A bad row (or a warning) of a file: where, what and why, in Chinese.
#[derive(Serialize, ToSchema)]
pub struct RowProblem {
    /// Row number as a spreadsheet shows it.
    row: usize,
    column: String,
    value: String,
    reason: String,
}

fn problems(rows: &[zizhu_io::lists::RowError]) -> Vec<RowProblem> {
    rows.iter()
        .take(SHOWN)
        .map(|e| RowProblem {
            row: e.row,
            column: e.column.clone(),
            value: e.value.clone(),
            reason: e.reason.clone(),
        })
        .collect()
}

/// What an import check (or an import) found.
#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Pass it to `/api/imports/{token}/confirm` or `/cancel`; present only when the file passed
    /// the check.
    token: Option<String>,
    /// List kind, e.g. `students`.
    kind: String,
    term: Option<String>,
    file: String,
    /// How the file was read (format, sheet, header row).
    source: String,
    rows: usize,
    /// No bad rows: the file can be imported as it is (all or nothing).
    accepted: bool,
    /// The import batch, once imported.
    import_id: Option<i64>,
    error_count: usize,
    /// The first 1,000 bad rows.
    errors: Vec<RowProblem>,
    warning_count: usize,
    warnings: Vec<RowProblem>,
    /// Same file as an earlier import; a very different size from the list it replaces.
    notes: Vec<String>,
}

fn report(
    token: Option<String>,
    term: Option<Term>,
    o: &zizhu_app::import::ImportOutcome,
) -> ImportReport {
    ImportReport {
        token,
        kind: o.kind.key().to_string(),
        term: term.map(|t| t.to_string()),
        file: o.file_name.clone(),
        source: o.source.clone(),
        rows: o.rows,
        accepted: o.accepted(),
        import_id: o.import_id,
        error_count: o.error_count(),
        errors: problems(&o.errors),
        warning_count: o.warning_count(),
        warnings: problems(&o.warnings),
        notes: pages::imports::notes(o),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// List kind: schools, students, poor_households, dibao, tekun, disabled, urban_hardship,
    /// college_admissions, residents, attendance, payee_accounts.
    kind: String,
    /// Term of a list kept per term (students, attendance), e.g. `2023-autumn`.
    term: Option<String>,
    /// The file's name; its extension says how to read it (.xlsx, .xls, .csv).
    file_name: String,
}

/// Checks a file (the request body, as sent) as a list without writing anything; when it
/// passes, it waits under the returned token for a confirmation by the same user (a day at most).
#[utoipa::path(post, path = "/api/imports", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "成功", body = ImportReport), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<UploadQuery>,
    body: axum::body::Body,
) -> Result<Json<ImportReport>, ApiError> {
    // The role first: the body is read only for the county.
    user.require(Duty::ManageData)?;
    let body = axum::body::to_bytes(body, crate::UPLOAD_LIMIT)
        .await
        .map_err(|_| ApiError(WebError::TooLarge))?;
    let (kind, term) = pages::imports::kind_and_term(&q.kind, q.term.as_deref().unwrap_or(""))?;
    let c = pages::imports::check_upload(&state, &user, kind, term, &q.file_name, &body).await?;
    let token = c.outcome.accepted().then_some(c.token);
    Ok(Json(report(token, c.term, &c.outcome)))
}

/// Imports a checked file for real, all or nothing. Another user's token, or one used or
/// cancelled, is 404; a newer import of the same list since the check is 400.
#[utoipa::path(post, path = "/api/imports/{token}/confirm", params(("token" = String, Path, description = "校验时返回的 token")),
    responses((status = 200, description = "成功", body = ImportReport), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(token): Path<String>,
) -> Result<Json<ImportReport>, ApiError> {
    let (term, o) = pages::imports::confirm_staged(&state, &user, &token).await?;
    Ok(Json(report(None, term, &o)))
}

/// Forgets a checked file; nothing was written.
#[utoipa::path(post, path = "/api/imports/{token}/cancel", params(("token" = String, Path, description = "校验时返回的 token")),
    responses((status = 204, description = "已完成"), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(token): Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    pages::imports::cancel_staged(&state, &user, &token).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// An import batch (导入批次).
#[derive(Serialize, ToSchema)]
pub struct Batch {
    id: i64,
    kind: String,
    term: Option<String>,
    file: String,
    rows: i64,
    warnings: i64,
    /// RFC 3339 in Beijing time (+08:00).
    at: String,
    actor: String,
}

/// The import batches, newest first (at most 500).
#[utoipa::path(get, path = "/api/imports",
    responses((status = 200, description = "成功", body = Vec<Batch>), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn imports(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<Batch>>, ApiError> {
    user.require(Duty::ManageData)?;
    let mut all = state.db.imports().await?;
    all.sort_by_key(|b| std::cmp::Reverse(b.id));
    Ok(Json(
        all.into_iter()
            .take(500)
            .map(|b| Batch {
                id: b.id,
                kind: b.kind.key().to_string(),
                term: b.term.map(|t| t.to_string()),
                file: b.file_name,
                rows: b.rows,
                warnings: b.warnings,
                at: beijing(b.imported_at),
                actor: b.actor,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermBody {
    /// e.g. `2023-autumn`.
    term: String,
}

/// A program's part of a compute run.
#[derive(Serialize, ToSchema)]
pub struct ProgramTotal {
    program: String,
    program_name: String,
    headcount: i64,
    amount_fen: i64,
}

/// What a compute run made.
#[derive(Serialize, ToSchema)]
pub struct ComputeResult {
    run_id: i64,
    term: String,
    /// Registry rows read.
    students: i64,
    /// College admissions read.
    admissions: i64,
    /// Roster lines made.
    entitlements: i64,
    total_fen: i64,
    programs: Vec<ProgramTotal>,
    /// Data-quality findings (数据质量问题).
    quality_issues: i64,
}

fn parse_term(s: &str) -> Result<Term, ApiError> {
    term_of(Some(s))?
        .ok_or_else(|| ApiError(WebError::BadRequest("请给出学期，如 2023-autumn".into())))
}

/// Computes a term (county): a re-run replaces the term's results, as `zizhu compute` does; a
/// locked term is refused.
#[utoipa::path(post, path = "/api/compute", request_body = TermBody,
    responses((status = 200, description = "成功", body = ComputeResult), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn compute(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<TermBody>, JsonRejection>,
) -> Result<Json<ComputeResult>, ApiError> {
    user.require(Duty::ManageData)?;
    let Json(b) = body.map_err(json_refused)?;
    let term = parse_term(&b.term)?;
    let s = pages::compute::compute(&state, &user, term).await?;
    Ok(Json(ComputeResult {
        run_id: s.run_id,
        term: term.to_string(),
        students: s.students,
        admissions: s.admissions,
        entitlements: s.entitlements,
        total_fen: s.total.0,
        programs: s
            .by_program
            .into_iter()
            .map(|(program, program_name, headcount, fen)| ProgramTotal {
                program,
                program_name,
                headcount,
                amount_fen: fen.0,
            })
            .collect(),
        quality_issues: s.quality_issues,
    }))
}

/// A school's roster of a term in approval.
#[derive(Serialize, ToSchema)]
pub struct SchoolApproval {
    code: String,
    name: String,
    township: String,
    headcount: i64,
    amount_fen: i64,
    /// pending, confirmed, reviewed, returned.
    status: String,
    /// The latest step: confirm, review or return, by whom, when (Beijing time), with its note.
    last_step: Option<String>,
    last_actor: Option<String>,
    last_at: Option<String>,
    last_note: Option<String>,
    /// The steps the caller may take now: confirm, review, return.
    may: Vec<String>,
}

/// Where a term's roster approval stands.
#[derive(Serialize, ToSchema)]
pub struct Approval {
    term: String,
    /// The current compute run; absent before the first.
    run_id: Option<i64>,
    /// Who locked the term and when (Beijing time); absent while open.
    locked_by: Option<String>,
    locked_at: Option<String>,
    /// Schools not yet reviewed: of the county for the county, of the caller's scope for others.
    unreviewed: usize,
    /// Why the roster may be out of date (lists imported after the compute, another policy
    /// file); empty when current or locked.
    warnings: Vec<String>,
    schools: Vec<SchoolApproval>,
}

async fn approval_of(
    state: &AppState,
    user: &crate::auth::User,
    term: Term,
) -> Result<Approval, ApiError> {
    let v = pages::approval::view(state, user, term).await?;
    Ok(Approval {
        term: term.to_string(),
        run_id: v.run.map(|r| r.id),
        locked_by: v.lock.as_ref().map(|l| l.actor.clone()),
        locked_at: v.lock.as_ref().map(|l| beijing(l.at)),
        unreviewed: v.unreviewed,
        warnings: v.warnings,
        schools: v
            .schools
            .into_iter()
            .map(|s| SchoolApproval {
                last_step: s.latest.as_ref().map(|l| l.step.key().to_string()),
                last_actor: s.latest.as_ref().map(|l| l.actor.clone()),
                last_at: s.latest.as_ref().map(|l| beijing(l.at)),
                last_note: s.latest.as_ref().map(|l| l.note.clone()),
                may: s.may.iter().map(|m| m.key().to_string()).collect(),
                code: s.code,
                name: s.name,
                township: s.township,
                headcount: s.headcount,
                amount_fen: s.amount_fen,
                status: s.status.key().to_string(),
            })
            .collect(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermQuery {
    /// Term, e.g. `2023-autumn` (default: the newest with data).
    term: Option<String>,
}

/// The roster approval of a term: each school in the caller's scope, its status and the steps
/// the caller may take.
#[utoipa::path(get, path = "/api/approval", params(TermQuery),
    responses((status = 200, description = "成功", body = Approval), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn approval(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<TermQuery>,
) -> Result<Json<Approval>, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    Ok(Json(approval_of(&state, &user, term).await?))
}

/// A step on a school's roster.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    term: String,
    /// 学校标识码.
    school: String,
    /// confirm (the school), review (its township), return (township or county; needs a note).
    step: String,
    note: Option<String>,
}

/// A school's confirmation, a township's review, or a return with its reason. A school outside
/// the caller's scope is 404; a step the role or the state does not allow is 400.
#[utoipa::path(post, path = "/api/approval/steps", request_body = StepBody,
    responses((status = 200, description = "成功", body = Approval), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Result<Json<Approval>, ApiError> {
    let Json(b) = body.map_err(json_refused)?;
    let term = parse_term(&b.term)?;
    let step = SignoffStep::from_key(b.step.trim()).ok_or_else(|| {
        ApiError(WebError::BadRequest(
            "未知的审核步骤（confirm、review、return）".into(),
        ))
    })?;
    pages::approval::take_step(
        &state,
        &user,
        term,
        &b.school,
        step,
        b.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(approval_of(&state, &user, term).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    term: String,
    /// The approver's remark.
    note: Option<String>,
}

/// The county's approval and lock of a term: every school reviewed, and the approver neither
/// computed the run nor imported the term's registry (maker-checker); else 400 with the reason.
#[utoipa::path(post, path = "/api/approval/lock", request_body = LockBody,
    responses((status = 200, description = "成功", body = Approval), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn lock(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<LockBody>, JsonRejection>,
) -> Result<Json<Approval>, ApiError> {
    let Json(b) = body.map_err(json_refused)?;
    let term = parse_term(&b.term)?;
    pages::approval::approve_and_lock(&state, &user, term, b.note.as_deref().unwrap_or("")).await?;
    Ok(Json(approval_of(&state, &user, term).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// Term, e.g. `2023-autumn` (default: the newest with data).
    term: Option<String>,
    /// `full` (default; IDs masked unless the role may see them) or `public` (公示: no IDs,
    /// no categories).
    version: Option<String>,
}

/// The roster workbook (XLSX) of a term in the caller's scope; the export is audited.
#[utoipa::path(get, path = "/api/roster.xlsx", params(DownloadQuery),
    responses((status = 200, description = "成功", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn roster_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    let public = match q.version.as_deref().map(str::trim) {
        None | Some("") | Some("full") => false,
        Some("public") => true,
        Some(_) => {
            return Err(ApiError(WebError::BadRequest(
                "version 只能是 full 或 public".into(),
            )))
        }
    };
    let (name, bytes) = pages::roster::roster_workbook(&state, &user, term, public).await?;
    Ok(pages::roster::xlsx_download(&name, bytes))
}

/// An audit-log entry (审计日志).
#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    id: i64,
    /// RFC 3339 in Beijing time (+08:00).
    at: String,
    actor: String,
    /// Action key, e.g. `export_roster`.
    action: String,
    /// The action in Chinese.
    action_zh: String,
    target: String,
    detail: String,
    /// The client address; absent for the command line.
    origin: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

/// A page of the audit log, newest first (100 entries; pass the last id as `before` for the
/// next), for the county and auditors; the search is itself logged.
#[utoipa::path(get, path = "/api/audit", params(pages::audit::Params),
    responses((status = 200, description = "成功", body = Vec<AuditItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<pages::audit::Params>,
) -> Result<Json<Vec<AuditItem>>, ApiError> {
    let (rows, _) = pages::audit::search(&state, &user, &p.into()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditItem {
                id: r.id,
                at: beijing(r.at),
                action_zh: pages::audit::action_zh(&r.action),
                actor: r.actor,
                action: r.action,
                target: r.target,
                detail: r.detail,
                origin: r.origin,
                before: r.before,
                after: r.after,
            })
            .collect(),
    ))
}
