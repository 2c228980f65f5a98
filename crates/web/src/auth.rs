//! Signing in and out, and who is asking. The session cookie (`zizhu_session`) holds a random
//! token; the database keeps only its SHA-256. Cookies are HttpOnly, SameSite=Strict and (by
//! default) Secure. Every form carries its session's CSRF token; the login form, made before
//! there is a session, carries a token that must equal its own cookie (double submit).
//! Logging in always makes a new token, so a session id planted in the browser before login is
//! never adopted (session fixation).

use crate::error::WebError;
use crate::render::{html, LoginPage};
use crate::AppState;
use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use cookie::{Cookie, SameSite};
use std::net::SocketAddr;
use zizhu_app::accounts::{self, Login};
use zizhu_domain::access::{Access, Duty, Scope};
use zizhu_store::AuditEntry;

pub const SESSION_COOKIE: &str = "zizhu_session";
pub const LOGIN_CSRF_COOKIE: &str = "zizhu_login_csrf";

/// The signed-in user of a request, with where the request came from.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub access: Access,
    /// The scope in words: 全县, the township, or the school's name and code.
    pub scope_label: String,
    /// This session's CSRF token, put in every form.
    pub csrf: String,
    /// The client's address, for the audit log.
    pub origin: String,
}

impl User {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Refuses a role without `duty`.
    pub fn require(&self, duty: Duty) -> Result<(), WebError> {
        if self.access.may(duty) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// How the request came, for audit details: 网页 (a signed-in page, with its CSRF token) or
    /// 接口 (a bearer token of the API, which has none).
    pub fn channel(&self) -> &'static str {
        if self.csrf.is_empty() {
            "接口"
        } else {
            "网页"
        }
    }

    /// An audit entry made by this user from where the request came.
    pub fn audit<'a>(
        &'a self,
        action: &'a str,
        target: &'a str,
        detail: &'a str,
    ) -> AuditEntry<'a> {
        AuditEntry {
            actor: &self.username,
            action,
            target,
            detail,
            origin: Some(&self.origin),
            ..AuditEntry::default()
        }
    }
}

/// Equal bytes, compared in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request's headers.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The client's address (from the connection; `-` when unknown, as in tests).
fn origin(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "-".to_string(), |c| c.0.ip().to_string())
}

impl FromRequestParts<AppState> for User {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<User, WebError> {
        let token = cookie_value(&parts.headers, SESSION_COOKIE).ok_or(WebError::Login)?;
        let session = state
            .db
            .session(&accounts::token_sha256(&token), Utc::now())
            .await?
            .ok_or(WebError::Login)?;
        let scope_label = match &session.user.access.scope {
            Scope::School(code) => match state.db.school(code).await? {
                Some(s) => format!("{}（{code}）", s.name),
                None => format!("学校 {code}"),
            },
            _ => session.user.access.scope_zh(),
        };
        Ok(User {
            username: session.user.username,
            display_name: session.user.display_name,
            access: session.user.access,
            scope_label,
            csrf: session.csrf_token,
            origin: origin(parts),
        })
    }
}

/// The client's address for handlers without a user (the login form).
pub struct Origin(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Origin, Self::Rejection> {
        Ok(Origin(origin(parts)))
    }
}

fn set_cookie(state: &AppState, name: &str, value: String, max_age_secs: i64) -> HeaderValue {
    let c = Cookie::build((name.to_string(), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    // A cookie of hex digits and fixed attributes is always a valid header value.
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// GET /login: the form, with a fresh login CSRF token in the form and in its cookie.
pub async fn login_page(State(state): State<AppState>) -> Result<Response, WebError> {
    login_form(&state, None)
}

fn login_form(state: &AppState, message: Option<&str>) -> Result<Response, WebError> {
    let csrf = accounts::random_token()?;
    let page = html(&LoginPage {
        csrf: &csrf,
        message,
    })?;
    let mut resp = page.into_response();
    resp.headers_mut()
        .append(SET_COOKIE, set_cookie(state, LOGIN_CSRF_COOKIE, csrf, 3600));
    Ok(resp)
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

/// POST /login: checks the form's token against its cookie, then the password (throttled); on
/// success a new session cookie and the dashboard.
pub async fn login_submit(
    State(state): State<AppState>,
    Origin(origin): Origin,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let cookie = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !constant_time_eq(cookie.as_bytes(), form.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    let name = form.username.trim();
    match accounts::login(&state.db, name, &form.password, &origin, Utc::now()).await? {
        Login::Ok { token, session } => {
            // Any earlier session of this browser ends here.
            if let Some(old) = cookie_value(&headers, SESSION_COOKIE) {
                state.db.end_session(&accounts::token_sha256(&old)).await?;
            }
            let max_age = (session.expires_at - Utc::now()).num_seconds().max(0);
            let mut resp = Redirect::to("/").into_response();
            let h = resp.headers_mut();
            h.append(
                SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, token, max_age),
            );
            h.append(
                SET_COOKIE,
                set_cookie(&state, LOGIN_CSRF_COOKIE, String::new(), 0),
            );
            Ok(resp)
        }
        Login::Refused => {
            let mut r = login_form(&state, Some("用户名或密码错误"))?;
            *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(r)
        }
        Login::Locked => {
            let msg = format!(
                "连续登录失败 {} 次，该用户名已暂时锁定，请 {} 分钟后再试或联系县级管理员",
                accounts::MAX_FAILURES,
                accounts::LOCK_WINDOW.num_minutes()
            );
            let mut r = login_form(&state, Some(&msg))?;
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(r)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// POST /logout: ends the session (CSRF-checked, so another site cannot log a user out).
pub async fn logout(
    State(state): State<AppState>,
    user: User,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        state
            .db
            .end_session(&accounts::token_sha256(&token))
            .await?;
    }
    state
        .db
        .audit_entry(&user.audit("logout", "登录", "退出登录"))
        .await?;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, String::new(), 0),
    );
    Ok(resp)
}
