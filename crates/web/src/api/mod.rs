//! The JSON API under `/api/` for other systems, described by the OpenAPI document at
//! `/openapi.json`. A request carries `Authorization: Bearer <token>` (a token made by
//! `zizhu user token`); it acts as that token's user, with the same role, the same scope bound in
//! the same store queries, and the same audit entries as the pages. No cookies: no CSRF.
//! Errors are `{"error": "中文说明"}` with the status of the page's error.

pub mod cases;
pub mod complaints;
pub mod evaluation;
pub mod exchange;
pub mod payments;
pub mod reads;
pub mod work;
pub mod zero_fee;

use crate::auth::User;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use zizhu_domain::Term;

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
            // The scheme is case-insensitive (RFC 9110 §11.1).
            .and_then(|v| {
                v.get(..7)
                    .filter(|s| s.eq_ignore_ascii_case("bearer "))
                    .map(|_| &v[7..])
            })
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

/// A request body that is not the JSON the operation takes: 400 in Chinese (the library's own
/// detail goes to the log).
pub(crate) fn json_refused(e: JsonRejection) -> ApiError {
    let text = e.body_text();
    tracing::debug!(error = %text, "json body");
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError(WebError::TooLarge);
    }
    let why = match &e {
        JsonRejection::JsonDataError(_) => json_field_problem(&text),
        JsonRejection::MissingJsonContentType(_) => {
            "缺少请求头 Content-Type: application/json".to_string()
        }
        _ => "请求体不是合法的 JSON".to_string(),
    };
    ApiError(WebError::BadRequest(format!(
        "{why}（字段见 /openapi.json）"
    )))
}

/// The library's account of a JSON body that parsed but does not fit (`missing field `term``,
/// `invalid type: integer `1`, expected a string`), said in Chinese with the field's name.
fn json_field_problem(text: &str) -> String {
    let quoted: Vec<&str> = text.split('`').skip(1).step_by(2).collect();
    if text.contains("missing field") {
        if let Some(f) = quoted.first() {
            return format!("缺少字段 {f}");
        }
    }
    if text.contains("invalid type") || text.contains("invalid value") {
        // "…: body.term: invalid type …" names the field's path before the colon.
        let field = text
            .split(": ")
            .find(|p| !p.contains(' ') && !p.is_empty())
            .unwrap_or("");
        return if field.is_empty() {
            "字段类型不对".to_string()
        } else {
            format!("字段 {field} 的类型不对")
        };
    }
    if text.contains("unknown variant") || text.contains("unknown field") {
        return "有未知的字段或取值".to_string();
    }
    "请求体的字段不符合接口要求".to_string()
}

pub(crate) fn term_of(s: Option<&str>) -> Result<Option<Term>, ApiError> {
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

/// An instant as the API gives it: RFC 3339 in Beijing time (`2026-11-30T08:00:00+08:00`), the
/// time the county reads and the audit search's dates are in.
pub(crate) fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(cst) => t.with_timezone(&cst).to_rfc3339(),
        None => t.to_rfc3339(),
    }
}

/// The term asked for, else the newest with data.
pub(crate) async fn term_or_latest(state: &AppState, s: Option<&str>) -> Result<Term, ApiError> {
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
    paths(reads::students, reads::student, reads::roster, reads::schools, reads::dashboard,
        reads::policy, reads::admission, reads::recheck, reads::recheck_run, reads::recheck_note, evaluation::evaluation, reads::cases, reads::case, cases::move_case, cases::act, cases::assign,
        work::imports, work::upload, work::confirm, work::cancel, work::compute, work::approval,
        work::step, work::lock, work::roster_xlsx, work::audit, payments::coverage,
        payments::batches, payments::make, payments::submit, payments::adjustments,
        payments::bank_return, payments::reissue, payments::close, payments::reverse,
        payments::recover, payments::sample, payments::verifications, payments::verify,
        payments::close_follow_up, payments::adjust, payments::waivers, zero_fee::coverage,
        zero_fee::record, exchange::exchange,
        complaints::list, complaints::create, complaints::show, complaints::move_ticket),
    components(schemas(ErrorBody)),
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

/// The API's routes: JSON in, JSON out, errors included (a malformed path, query or body, an
/// unknown address or method under `/api/` answer `{"error": …}`, never the HTML error page).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/students", get(reads::students))
        .route("/api/students/{key}", get(reads::student))
        .route("/api/roster", get(reads::roster))
        .route("/api/roster.xlsx", get(work::roster_xlsx))
        .route("/api/schools", get(reads::schools))
        .route("/api/dashboard", get(reads::dashboard))
        .route("/api/policy", get(reads::policy))
        .route("/api/admission", get(reads::admission))
        .route("/api/recheck", get(reads::recheck).post(reads::recheck_run))
        .route("/api/recheck/{id}/note", post(reads::recheck_note))
        .route("/api/evaluation", get(evaluation::evaluation))
        .route("/api/cases", get(reads::cases))
        .route("/api/cases/{id}", get(reads::case))
        .route("/api/cases/{id}/moves", post(cases::move_case))
        .route("/api/cases/{id}/actions", post(cases::act))
        .route("/api/cases/{id}/assignments", post(cases::assign))
        .route(
            "/api/imports",
            get(work::imports)
                .post(work::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/api/imports/{token}/confirm", post(work::confirm))
        .route("/api/imports/{token}/cancel", post(work::cancel))
        .route("/api/compute", post(work::compute))
        .route("/api/approval", get(work::approval))
        .route("/api/approval/steps", post(work::step))
        .route("/api/approval/lock", post(work::lock))
        .route("/api/audit", get(work::audit))
        .route("/api/payments/coverage", get(payments::coverage))
        .route("/api/payments/adjustments", get(payments::adjustments))
        .route("/api/payments/waivers", get(payments::waivers))
        .route(
            "/api/payments/batches",
            get(payments::batches).post(payments::make),
        )
        .route("/api/payments/batches/{id}/submit", post(payments::submit))
        .route(
            "/api/payments/batches/{id}/return",
            post(payments::bank_return)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route(
            "/api/payments/batches/{id}/reissue",
            post(payments::reissue),
        )
        .route("/api/payments/batches/{id}/close", post(payments::close))
        .route("/api/payments/lines/{id}/reverse", post(payments::reverse))
        .route("/api/payments/lines/{id}/recover", post(payments::recover))
        .route("/api/payments/sample", post(payments::sample))
        .route("/api/payments/verifications", get(payments::verifications))
        .route("/api/payments/verifications/{id}", post(payments::verify))
        .route(
            "/api/payments/verifications/{id}/close",
            post(payments::close_follow_up),
        )
        .route("/api/payments/adjust", post(payments::adjust))
        .route(
            "/api/zero-fee",
            get(zero_fee::coverage).post(zero_fee::record),
        )
        .route("/api/exchange", get(exchange::exchange))
        .merge(complaints::routes())
        .route("/api", axum::routing::any(no_such_operation))
        .route("/api/", axum::routing::any(no_such_operation))
        .route("/api/{*rest}", axum::routing::any(no_such_operation))
        .layer(axum::middleware::map_response(json_refusals))
}

async fn no_such_operation() -> ApiError {
    ApiError(WebError::NotFound)
}

/// The framework's own refusals under `/api/` (plain text or empty: a bad path parameter or
/// query, a wrong method, a body too large) as JSON in Chinese.
async fn json_refusals(resp: Response) -> Response {
    let status = resp.status();
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let error = match status.as_u16() {
        400 => "请求格式不正确（地址中的编号或查询参数有误），见 /openapi.json",
        401 => "缺少或无效的接口令牌（Authorization: Bearer …）",
        404 => "没有这个接口或记录（或不在您的数据范围内）",
        405 => "该接口不支持这种请求方式，见 /openapi.json",
        413 => "请求体太大",
        415 => "请求体格式不正确，见 /openapi.json",
        422 => "请求参数缺少必填项或格式不正确，见 /openapi.json",
        _ if status.is_server_error() => "服务器内部错误",
        _ => "请求被拒绝",
    };
    (
        status,
        Json(ErrorBody {
            error: error.to_string(),
        }),
    )
        .into_response()
}
