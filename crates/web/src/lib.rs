//! The zizhu (资助) web application: server-rendered Chinese pages for the county aid centre,
//! township officers, school aid officers and auditors, on the same store as the command line.
//!
//! Layers: [`auth`] signs users in and out (Argon2id, session cookies, CSRF tokens, throttling)
//! and gives every handler a [`auth::User`]; every read of zizhu data goes through the store's
//! scoped queries with [`zizhu_store::ScopeFilter::of`] the user's access, so a school officer
//! asking for another school's student gets 404, never data. Pages in [`pages`] only render.

pub mod api;
pub mod auth;
pub mod error;
pub(crate) mod pages;
mod render;

use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use zizhu_policy::Policy;
use zizhu_store::Db;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub policy: Arc<Policy>,
    /// What the policy page and explanations name as the policy in force (file and version).
    pub policy_label: Arc<str>,
    /// The SHA-256 of the policy file, recorded with each compute run.
    pub policy_sha256: Arc<str>,
    /// Mark cookies `Secure` (sent over HTTPS only, and over http://localhost). Off only for a
    /// county network without HTTPS (`zizhu serve --insecure-cookies`).
    pub secure_cookies: bool,
    /// Where uploaded lists wait between validation and confirmation.
    pub uploads: Arc<std::path::PathBuf>,
    /// Figures that change only with a compute or an import, kept between requests
    /// ([`pages::schools`]'s per-school registry statistics).
    pub cache: Arc<Cache>,
}

/// Per-school statistics of a term, by (term, compute run, newest import): a dashboard view must
/// not scan the whole registry again (a load test's p99 went from 55 ms to 2 s without it).
/// (term, compute run, newest import): what the statistics were computed from.
type StatsKey = (String, i64, i64);

#[derive(Default)]
pub struct Cache {
    school_stats:
        std::sync::Mutex<std::collections::HashMap<StatsKey, Arc<Vec<zizhu_store::SchoolStat>>>>,
    /// One computation of a coverage audit at a time.
    pub(crate) coverage_turn: tokio::sync::Mutex<()>,
    /// The county's coverage audit per term, with what it was computed from.
    coverage: std::sync::Mutex<
        std::collections::HashMap<String, (CoverageKey, Arc<zizhu_app::payments::Coverage>)>,
    >,
}

/// What a cached coverage audit was computed from: the run, the newest import, and the term's
/// payment version ([`zizhu_store::Db::payment_version`]).
pub(crate) type CoverageKey = (i64, i64, [i64; 5]);

impl Cache {
    pub(crate) fn stats(
        &self,
        key: &(String, i64, i64),
    ) -> Option<Arc<Vec<zizhu_store::SchoolStat>>> {
        self.school_stats.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn coverage(
        &self,
        scope: &str,
        key: &CoverageKey,
    ) -> Option<Arc<zizhu_app::payments::Coverage>> {
        let m = self.coverage.lock().ok()?;
        m.get(scope)
            .filter(|(k, _)| k == key)
            .map(|(_, c)| c.clone())
    }

    pub(crate) fn keep_coverage(
        &self,
        scope: String,
        key: CoverageKey,
        c: Arc<zizhu_app::payments::Coverage>,
    ) {
        if let Ok(mut m) = self.coverage.lock() {
            // One entry per term and scope, replaced when its figures change.
            if m.len() > 256 {
                m.clear();
            }
            m.insert(scope, (key, c));
        }
    }

    pub(crate) fn keep_stats(&self, key: StatsKey, v: Arc<Vec<zizhu_store::SchoolStat>>) {
        if let Ok(mut m) = self.school_stats.lock() {
            // Old runs' figures are never asked for again: a small map, cleared when it grows.
            if m.len() > 64 {
                m.clear();
            }
            m.insert(key, v);
        }
    }
}

/// Largest upload accepted (a county's registry export is a few MB; a city's tens).
pub const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

/// The whole application: pages, static assets and the security headers on every response.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::dashboard::page))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/schools", get(pages::schools::page))
        .route("/students", get(pages::students::search))
        .route("/students/{key}", get(pages::students::show))
        .route(
            "/students/{key}/full-id",
            post(pages::students::show_full_id),
        )
        .route("/roster", get(pages::roster::page))
        .route("/roster/download", get(pages::roster::download))
        .route("/approval", get(pages::approval::show))
        .route("/approval/step", post(pages::approval::step))
        .route("/approval/lock", post(pages::approval::lock))
        .route("/cases", get(pages::cases::list))
        .route("/cases/{id}", get(pages::cases::show))
        .route("/cases/{id}/move", post(pages::cases::move_case))
        .route("/cases/{id}/act", post(pages::cases::act))
        .route("/cases/{id}/assign", post(pages::cases::assign))
        .route(
            "/compute",
            get(pages::compute::form).post(pages::compute::run),
        )
        .route(
            "/imports",
            get(pages::imports::list)
                .post(pages::imports::upload)
                // A registry file is larger than the default limit of 2 MB.
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/imports/confirm", post(pages::imports::confirm))
        .route("/imports/cancel", post(pages::imports::cancel))
        .route("/payments", get(pages::payments::show))
        .route("/payments/batches", post(pages::payments::make))
        .route(
            "/payments/batches/{id}/submit",
            post(pages::payments::submit),
        )
        .route("/payments/batches/{id}/file", get(pages::payments::file))
        .route(
            "/payments/batches/{id}/return",
            post(pages::payments::bank_return)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/payments/batches/{id}/reissue",
            post(pages::payments::reissue),
        )
        .route("/payments/batches/{id}/close", post(pages::payments::close))
        .route("/payments/act/{what}", post(pages::payments::act))
        .route("/payments/waivers", get(pages::payments::waivers))
        .route(
            "/payments/verifications/{id}",
            post(pages::payments::verify),
        )
        .route(
            "/payments/verifications/{id}/close",
            post(pages::payments::close_follow_up),
        )
        .route("/policy", get(pages::policy::page))
        .route("/admission", get(pages::admission::page))
        .route("/recheck", get(pages::recheck::page))
        .route("/recheck/run", post(pages::recheck::run_form))
        .route("/recheck/{id}/note", post(pages::recheck::note_form))
        .route("/evaluation", get(pages::evaluation::page))
        .route("/evaluation/download", get(pages::evaluation::download))
        .route("/audit", get(pages::audit::page))
        .route(
            "/zero-fee",
            get(pages::zero_fee::page).post(pages::zero_fee::record_form),
        )
        .route("/exchange", get(pages::exchange::page))
        .route("/openapi.json", get(api::openapi))
        .route("/static/style.css", get(render::stylesheet))
        .route("/static/echarts.min.js", get(render::echarts))
        .route("/static/dashboard.js", get(render::dashboard_js))
        .route("/favicon.ico", get(render::favicon))
        .route(
            "/complaints",
            get(pages::complaint_pages::list).post(pages::complaint_pages::lodge_form),
        )
        .route("/complaints/{id}", get(pages::complaint_pages::show))
        .route(
            "/complaints/{id}/transition",
            post(pages::complaint_pages::move_form),
        )
        .merge(api::router())
        .fallback(render::not_found)
        .layer(axum::middleware::map_response(render::security_headers))
        .with_state(state)
}

/// Serves the application on `listener` until the process is asked to stop ([`stop_signal`]).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, stop_signal()).await
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM (what a service manager sends), so the caller can
/// clean up (the upload folder). The handlers are installed when this is called, not when it is
/// first polled: call it before telling anyone the server is up, or an early SIGTERM kills the
/// process the default way.
pub fn stop_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            match (term, int) {
                (Some(mut term), Some(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Serves the application on `listener` until `stop` completes (the load test's own server).
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}
