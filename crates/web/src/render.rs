//! Rendering: the page templates (askama, checked at compile time, HTML-escaped by default), the
//! stylesheet served by the binary itself (no CDN: county networks are often offline), and the
//! security headers every response carries.

use crate::auth::User;
use crate::error::WebError;
use askama::Template;
use axum::http::header::{self, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

/// Renders a template into a page.
pub fn html(t: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}

/// The signed-in user as the page header shows them, with the session's CSRF token for the
/// logout form.
pub struct Nav {
    pub display_name: String,
    pub role: &'static str,
    pub scope: String,
    pub csrf: String,
    pub reads_audit: bool,
    pub reads_cases: bool,
    pub manages_data: bool,
}

impl Nav {
    pub fn of(u: &User) -> Nav {
        Nav {
            display_name: u.display_name.clone(),
            role: u.access.role.zh(),
            scope: u.scope_label.clone(),
            csrf: u.csrf.clone(),
            reads_audit: u.access.may(zizhu_domain::access::Duty::ReadAudit),
            reads_cases: u.access.may(zizhu_domain::access::Duty::ReadCases),
            manages_data: u.access.may(zizhu_domain::access::Duty::ManageData),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub csrf: &'a str,
    pub message: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    message: &'a str,
}

/// A page saying `message` (the status is the caller's).
pub fn error_page(message: &str) -> Html<String> {
    Html(
        ErrorPage { message }
            .render()
            .unwrap_or_else(|_| "出错了".to_string()),
    )
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}

/// What the framework's own refusals (a malformed path, query or form, English plain text)
/// become: the Chinese error page with the same status.
fn framework_refusal(resp: &Response) -> Option<&'static str> {
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !plain || !resp.status().is_client_error() {
        return None;
    }
    Some(match resp.status().as_u16() {
        405 => "不支持该请求方式",
        413 => "提交的内容太大",
        415 => "表单格式不正确，请从页面上的表单提交",
        422 => "表单缺少必填内容或格式不正确，请返回页面重新填写",
        _ => "请求格式不正确（地址中的编号、页码或参数有误）",
    })
}

/// The vendored Apache ECharts (see `static/vendor/echarts/README.md`), and the dashboard's
/// script that draws with it.
pub async fn echarts() -> Response {
    script(include_str!(
        "../static/vendor/echarts/echarts.common.min.js"
    ))
}

/// The site icon (资), so browsers do not log a missing /favicon.ico on every page.
pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#b3261e\"/><text x=\"16\" y=\"23\" font-size=\"20\" text-anchor=\"middle\" fill=\"#fff\">资</text></svg>",
    )
        .into_response()
}

pub async fn dashboard_js() -> Response {
    script(include_str!("../static/dashboard.js"))
}

fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// Headers on every response: no framing, no inline or foreign scripts or styles, no referrer,
/// and no caching of pages (they carry personal data).
pub async fn security_headers(mut resp: Response) -> Response {
    if let Some(msg) = framework_refusal(&resp) {
        resp = (resp.status(), error_page(msg)).into_response();
    }
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// 元 with thousands grouped.
pub fn yuan(fen: &i64) -> String {
    zizhu_domain::money::grouped_yuan(*fen)
}
