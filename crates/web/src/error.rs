//! What a request can end in besides a page: each becomes a Chinese error page with the right
//! status. Nothing here shows a database detail; the detail goes to the log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The outcome of a handler that did not render its page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not signed in (or the session expired): to the login page.
    #[error("请先登录")]
    Login,
    /// No such thing — or a thing outside the user's scope: both answer the same 404, so a
    /// school cannot learn that another school's student exists.
    #[error("没有找到该页面或记录（或不在您的数据范围内）")]
    NotFound,
    /// The role may not do this.
    #[error("您的角色无权进行此操作")]
    Forbidden,
    /// The role may not do this, and the message says what (403).
    #[error("{0}")]
    NotAllowed(String),
    /// A form without its session's CSRF token: a page of another site posting in the user's
    /// name, or a form left open across a new login.
    #[error("表单已失效（安全校验未通过），请返回刷新页面后重试")]
    Csrf,
    /// Bad input: the message says what.
    #[error("{0}")]
    BadRequest(String),
    /// A request body over the limit (413).
    #[error("提交的内容太大")]
    TooLarge,
    /// Not found, with what is missing said (404): a used or expired token, say.
    #[error("{0}")]
    Gone(String),
    /// Anything else: the message is safe to show (the stores' messages are), the cause logged.
    #[error("{0}")]
    Internal(String),
}

impl From<zizhu_store::StoreError> for WebError {
    fn from(e: zizhu_store::StoreError) -> WebError {
        // A refusal the store explains (a locked term, a bad value) is the user's to fix.
        if let zizhu_store::StoreError::Invalid(m) = e {
            return WebError::BadRequest(m);
        }
        tracing::error!(error = ?e, "store");
        WebError::Internal(e.to_string())
    }
}

impl From<zizhu_app::AppError> for WebError {
    fn from(e: zizhu_app::AppError) -> WebError {
        match e {
            zizhu_app::AppError::Store(s) => s.into(),
            zizhu_app::AppError::Policy(p) => p.into(),
            other => {
                tracing::error!(error = ?other, "app");
                WebError::Internal(other.to_string())
            }
        }
    }
}

impl From<zizhu_policy::PolicyError> for WebError {
    fn from(e: zizhu_policy::PolicyError) -> WebError {
        // E.g. a term the policy does not cover: the user's choice, not a server fault.
        WebError::BadRequest(format!("政策文件错误：{e}"))
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        tracing::error!(error = %e, "template");
        WebError::Internal("页面生成失败".into())
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Login => StatusCode::SEE_OTHER,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::NotAllowed(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Gone(_) => StatusCode::NOT_FOUND,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Login = self {
            return Redirect::to("/login").into_response();
        }
        (self.status(), crate::render::error_page(&self.to_string())).into_response()
    }
}
