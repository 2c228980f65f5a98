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
}

impl Nav {
    pub fn of(u: &User) -> Nav {
        Nav {
            display_name: u.display_name.clone(),
            role: u.access.role.zh(),
            scope: u.access.scope_zh(),
            csrf: u.csrf.clone(),
            reads_audit: u.access.may(zizhu_domain::access::Duty::ReadAudit),
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

/// Headers on every response: no framing, no inline or foreign scripts or styles, no referrer,
/// and no caching of pages (they carry personal data).
pub async fn security_headers(mut resp: Response) -> Response {
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
