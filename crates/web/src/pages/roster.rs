//! The roster (资助名单) of a term in the user's scope, one program or all, a page of lines at a
//! time (keyset paged). Each view is audited: a roster is a full list of personal data.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use zizhu_domain::{IdNumber, Term};
use zizhu_store::ScopeFilter;

/// Lines per page.
const PAGE: i64 = 100;

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
    program: Option<String>,
    after: Option<i64>,
}

pub struct ProgramOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

pub struct Line {
    pub name: String,
    pub id_masked: String,
    pub student_no: String,
    pub school: String,
    pub township: String,
    pub program: String,
    pub clause: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    programs: Vec<ProgramOption>,
    program: String,
    lines: Vec<Line>,
    first: i64,
    next_after: Option<i64>,
    unknown_program: bool,
}

/// GET /roster?term=&program=&after=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(&state, p.term.as_deref()).await?;
    // A program key is short ASCII; anything else matches no program and is not echoed whole.
    let program: String = p
        .program
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let after = p.after.unwrap_or(0).max(0);
    let (mut programs, mut lines, mut next_after) = (Vec::new(), Vec::new(), None);
    if let Some(t) = term {
        programs = state
            .db
            .stored_programs(t)
            .await?
            .into_iter()
            .map(|s| ProgramOption {
                selected: s.program == program,
                label: format!("{}（{}）", s.program_name, s.clause),
                key: s.program,
            })
            .collect();
        let wanted = Some(program.as_str()).filter(|p| !p.is_empty());
        let rows = state
            .db
            .roster_page(ScopeFilter::of(&user.access), t, wanted, after, PAGE)
            .await?;
        if rows.len() as i64 == PAGE {
            next_after = rows.last().map(|r| r.key);
        }
        let detail = format!(
            "项目 {}，第 {} 行起 {} 行",
            wanted.unwrap_or("全部"),
            after,
            rows.len()
        );
        state
            .db
            .audit_entry(&user.audit("view_roster", &format!("资助名单 {t}"), &detail))
            .await?;
        lines = rows
            .into_iter()
            .map(|r| Line {
                id_masked: IdNumber::parse(&r.id_number)
                    .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
                name: r.name,
                student_no: zizhu_domain::ids::mask_student_no(&r.student_no),
                school: if r.school_name.is_empty() {
                    r.school_code
                } else {
                    r.school_name
                },
                township: r.township,
                program: r.program_name,
                clause: r.clause,
                amount: yuan(&r.amount_fen),
            })
            .collect();
    }
    // Only a program of the roster goes back into links (nothing a client typed).
    let unknown_program = !program.is_empty() && !programs.iter().any(|p| p.selected);
    let program = if unknown_program {
        String::new()
    } else {
        program
    };
    html(&Page {
        nav: Nav::of(&user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        programs,
        program,
        lines,
        first: after,
        next_after,
        unknown_program,
    })
}

#[derive(serde::Deserialize)]
pub struct DownloadParams {
    term: Option<String>,
    /// `public` for the 公示 version.
    version: Option<String>,
}

/// `filename*=` of a Content-Disposition header (RFC 5987): UTF-8, percent-encoded.
fn attachment(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{encoded}")
}

/// The roster workbook of `term` in the user's scope (`public`: the 公示 version), with its file
/// name; the export is audited. IDs are masked unless the role may see them.
pub(crate) async fn roster_workbook(
    state: &AppState,
    user: &User,
    term: Term,
    public: bool,
) -> Result<(String, Vec<u8>), WebError> {
    if state.db.latest_run(term).await?.is_none() {
        return Err(WebError::BadRequest(format!(
            "{}尚未计算资助名单，没有可下载的名单",
            term.label_zh()
        )));
    }
    let dir =
        tempfile::tempdir().map_err(|e| WebError::Internal(format!("无法建立临时文件：{e}")))?;
    let path = dir.path().join("roster.xlsx");
    let audience = zizhu_app::reports::Audience {
        access: &user.access,
    };
    let report = zizhu_app::reports::roster_for(
        &state.db,
        &state.policy,
        term,
        public,
        &path,
        Some(audience),
    )
    .await?;
    let bytes =
        std::fs::read(&path).map_err(|e| WebError::Internal(format!("无法读取生成的文件：{e}")))?;
    let kind = if public { "公示版" } else { "完整版" };
    let detail = format!(
        "下载{kind}资助名单（{}），{} 行，合计 {} 元",
        user.scope_label,
        report.lines,
        yuan(&report.total_fen)
    );
    // The full version for a role that sees full IDs holds every ID of the scope: a full-ID
    // export, recorded as one.
    let action = if !public && user.access.may(zizhu_domain::access::Duty::SeeFullId) {
        "export_roster_full_id"
    } else {
        "export_roster"
    };
    state
        .db
        .audit_entry(&user.audit(action, &format!("资助名单 {term}"), &detail))
        .await?;
    let name = format!(
        "{term}-资助名单{}-{}.xlsx",
        if public { "公示" } else { "" },
        user.scope_label
    );
    Ok((name, bytes))
}

/// An XLSX file as a download named `name`.
pub(crate) fn xlsx_download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, attachment(name)),
        ],
        bytes,
    )
        .into_response()
}

/// GET /roster/download?term=&version=public: the roster workbook of the user's scope — the
/// full version (IDs masked unless the role may see them) or the 公示 version. Audited.
pub async fn download(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<DownloadParams>,
) -> Result<axum::response::Response, WebError> {
    let (term, _) = pick_term(&state, p.term.as_deref()).await?;
    let term = term.ok_or(WebError::NotFound)?;
    let public = p.version.as_deref() == Some("public");
    let (name, bytes) = roster_workbook(&state, &user, term, public).await?;
    Ok(xlsx_download(&name, bytes))
}
