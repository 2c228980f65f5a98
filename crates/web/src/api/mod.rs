//! The JSON API under `/api/` for other systems, described by the OpenAPI document at
//! `/openapi.json`. A request carries `Authorization: Bearer <token>` (a token made by
//! `zizhu user token`); it acts as that token's user, with the same role, the same scope bound in
//! the same store queries, and the same audit entries as the pages. No cookies: no CSRF.
//! Errors are `{"error": "中文说明"}` with the status of the page's error.

use crate::auth::User;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use zizhu_domain::ids::{mask_long_digits, mask_student_no};
use zizhu_domain::{IdNumber, Term};
use zizhu_store::ScopeFilter;

/// A refusal of the API: the page's error, as JSON.
pub struct ApiError(WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in Chinese.
    error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0 {
            WebError::Login => axum::http::StatusCode::UNAUTHORIZED,
            ref e => e.status(),
        };
        let error = match self.0 {
            WebError::Login => "缺少或无效的接口令牌（Authorization: Bearer …）".to_string(),
            e => e.to_string(),
        };
        (status, Json(ErrorBody { error })).into_response()
    }
}

/// The user of an API request, from its bearer token.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiUser, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError(WebError::Login))?;
        let user = state
            .db
            .api_token_user(&zizhu_app::accounts::token_sha256(token))
            .await?
            .ok_or(ApiError(WebError::Login))?;
        let origin = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "-".to_string(), |c| c.0.ip().to_string());
        Ok(ApiUser(User {
            scope_label: user.access.scope_zh(),
            username: user.username,
            display_name: user.display_name,
            access: user.access,
            csrf: String::new(),
            origin,
        }))
    }
}

fn term_of(s: Option<&str>) -> Result<Option<Term>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|e: zizhu_domain::term::TermParseError| {
                ApiError(WebError::BadRequest(e.to_string()))
            }),
    }
}

/// The term asked for, else the newest with data.
async fn term_or_latest(state: &AppState, s: Option<&str>) -> Result<Term, ApiError> {
    match term_of(s)? {
        Some(t) => Ok(t),
        None => state
            .db
            .known_terms()
            .await?
            .first()
            .copied()
            .ok_or(ApiError(WebError::NotFound)),
    }
}

fn masked(id: &str) -> String {
    IdNumber::parse(id).map_or_else(|_| "（证件号无效）".to_string(), |(i, _)| i.masked())
}

/// A student as the API lists them; the ID masked.
#[derive(Serialize, ToSchema)]
pub struct StudentItem {
    /// The registry row (the student's address in this term: `/api/students/{key}`).
    key: i64,
    term: String,
    name: String,
    id_masked: String,
    student_no_masked: String,
    school_code: String,
    school_name: String,
    township: String,
    grade: i64,
    class_name: String,
    /// 学籍状态 key: enrolled, suspended, transferred, graduated, dropped_out.
    status: String,
}

impl From<zizhu_store::StudentBrief> for StudentItem {
    fn from(s: zizhu_store::StudentBrief) -> StudentItem {
        StudentItem {
            key: s.key,
            term: s.term,
            id_masked: masked(&s.id_number),
            student_no_masked: mask_student_no(&s.student_no),
            name: s.name,
            school_code: s.school_code,
            school_name: s.school_name,
            township: s.township,
            grade: s.grade,
            class_name: mask_long_digits(&s.class_name),
            status: s.status,
        }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct StudentQuery {
    /// Term, e.g. `2023-autumn` (default: the newest).
    term: Option<String>,
    /// Part of a name, or the start of a 学籍号 or ID number.
    q: Option<String>,
}

/// Students of a term in the caller's scope (at most 200).
#[utoipa::path(get, path = "/api/students", params(StudentQuery),
    responses((status = 200, body = Vec<StudentItem>), (status = 401, body = ErrorBody)),
    security(("token" = [])))]
pub async fn students(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<StudentQuery>,
) -> Result<Json<Vec<StudentItem>>, ApiError> {
    let term = term_or_latest(&state, p.term.as_deref()).await?;
    let q: String =
        p.q.unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
    let rows = state
        .db
        .search_students(ScopeFilter::of(&user.access), term, q.trim(), 200)
        .await?;
    let detail = format!("接口查询“{}”，{} 人", mask_long_digits(&q), rows.len());
    state
        .db
        .audit_entry(&user.audit("view_students", &format!("学生名单 {term}"), &detail))
        .await?;
    Ok(Json(rows.into_iter().map(StudentItem::from).collect()))
}

/// One roster line (资助名单).
#[derive(Serialize, ToSchema)]
pub struct RosterLine {
    /// Keyset cursor: pass the last line's key as `after` for the next page.
    key: i64,
    name: String,
    id_masked: String,
    school_code: String,
    school_name: String,
    township: String,
    program: String,
    program_name: String,
    /// The policy clause, e.g. `二(一)2 第一款`.
    clause: String,
    /// Amount of the term in fen (分); 100 fen = 1 元.
    amount_fen: i64,
    /// guardian, student or school.
    payee: String,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct RosterQuery {
    term: Option<String>,
    /// Program id, e.g. `boarding_living_subsidy`.
    program: Option<String>,
    /// Lines after this key (0 or absent: from the start); 100 lines a page.
    after: Option<i64>,
}

/// The roster of a term in the caller's scope, a hundred lines a page.
#[utoipa::path(get, path = "/api/roster", params(RosterQuery),
    responses((status = 200, body = Vec<RosterLine>), (status = 401, body = ErrorBody)),
    security(("token" = [])))]
pub async fn roster(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<RosterQuery>,
) -> Result<Json<Vec<RosterLine>>, ApiError> {
    let term = term_or_latest(&state, p.term.as_deref()).await?;
    let program: Option<String> = p
        .program
        .map(|s| s.chars().filter(|c| !c.is_control()).take(64).collect());
    let after = p.after.unwrap_or(0).max(0);
    let rows = state
        .db
        .roster_page(
            ScopeFilter::of(&user.access),
            term,
            program.as_deref().filter(|s| !s.is_empty()),
            after,
            100,
        )
        .await?;
    let detail = format!(
        "接口读取，项目 {}，第 {after} 行起 {} 行",
        program.as_deref().unwrap_or("全部"),
        rows.len()
    );
    state
        .db
        .audit_entry(&user.audit("view_roster", &format!("资助名单 {term}"), &detail))
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| RosterLine {
                key: r.key,
                id_masked: masked(&r.id_number),
                name: r.name,
                school_code: r.school_code,
                school_name: r.school_name,
                township: r.township,
                program: r.program,
                program_name: r.program_name,
                clause: r.clause,
                amount_fen: r.amount_fen,
                payee: r.payee,
            })
            .collect(),
    ))
}

/// A dropout case (一生一案) as the API lists it.
#[derive(Serialize, ToSchema)]
pub struct CaseItem {
    id: i64,
    name: String,
    id_masked: String,
    township: String,
    school_code: String,
    /// State key: suspected, verifying, not_dropout, confirmed, persuading, returned,
    /// home_teaching, closed.
    state: String,
    /// The day it entered its state (YYYY-MM-DD).
    state_since: String,
    opened_on: String,
    teacher: String,
    official: String,
}

fn case_item(c: zizhu_store::CaseRow) -> CaseItem {
    CaseItem {
        id: c.id,
        id_masked: masked(&c.child.id_number),
        name: c.child.name,
        township: c.child.township,
        school_code: c.child.school_code,
        state: c.state.key().to_string(),
        state_since: c.state_since.to_string(),
        opened_on: c.opened_on.to_string(),
        teacher: c.teacher,
        official: c.official,
    }
}

/// The dropout cases in the caller's scope.
#[utoipa::path(get, path = "/api/cases",
    responses((status = 200, body = Vec<CaseItem>), (status = 401, body = ErrorBody)),
    security(("token" = [])))]
pub async fn cases(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<CaseItem>>, ApiError> {
    let rows = state
        .db
        .cases(&ScopeFilter::of(&user.access).cases(None, false))
        .await?;
    state
        .db
        .audit_entry(&user.audit(
            "view_cases",
            "一生一案台账",
            &format!("接口读取 {} 件", rows.len()),
        ))
        .await?;
    Ok(Json(rows.into_iter().map(case_item).collect()))
}

/// One dropout case in the caller's scope (404 outside it).
#[utoipa::path(get, path = "/api/cases/{id}", params(("id" = i64, Path, description = "案件编号")),
    responses((status = 200, body = CaseItem), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("token" = [])))]
pub async fn case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CaseItem>, ApiError> {
    let c = state
        .db
        .case_in_scope(ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(ApiError(WebError::NotFound))?;
    state
        .db
        .audit_entry(&user.audit("view_case", &format!("case:{id}"), "接口查看案件"))
        .await?;
    Ok(Json(case_item(c)))
}

/// The bearer-token scheme of every operation.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "资助（zizhu）接口", description = "县级教育扶贫学生资助与控辍保学系统的 JSON 接口。每个请求带 `Authorization: Bearer <令牌>`（`zizhu user token` 生成），按令牌所属用户的角色和数据范围返回，并记入审计日志。"),
    paths(students, roster, cases, case, move_case, act),
    components(schemas(StudentItem, RosterLine, CaseItem, ErrorBody, MoveBody, ActionBody)),
    modifiers(&TokenScheme)
)]
pub struct ApiDoc;

/// GET /openapi.json
pub async fn openapi() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response(),
        Err(e) => ApiError(WebError::Internal(e.to_string())).into_response(),
    }
}

/// A move of a case (状态变更), as `zizhu case move` and the case page take it.
#[derive(serde::Deserialize, ToSchema)]
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
pub struct ActionBody {
    /// home_visit, phone_call, persuasion, placement, home_teaching_session, note.
    kind: String,
    /// The day (YYYY-MM-DD, default today, never after today).
    on: Option<String>,
    note: String,
}

/// A request body that is not the JSON the operation takes: 400 in Chinese (the library's own
/// detail goes to the log).
fn json_refused(e: JsonRejection) -> ApiError {
    tracing::debug!(error = %e.body_text(), "json body");
    ApiError(WebError::BadRequest(
        "请求体应为 JSON（Content-Type: application/json），字段见 /openapi.json".into(),
    ))
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
    responses((status = 200, body = CaseItem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
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
    responses((status = 200, body = CaseItem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
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
