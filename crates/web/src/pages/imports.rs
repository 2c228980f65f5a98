//! Importing a list from the web (导入名单), for the county: upload a file, see the validation
//! report (every bad row with its row number, column, value and reason), then confirm or cancel.
//! The import itself is the command line's (`zizhu import`): all or nothing. Between the two
//! steps the file waits in a staging folder under a random token, with who uploaded it; only they
//! can confirm or cancel it.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::path::{Path, PathBuf};
use zizhu_app::import::{import_file, ImportOutcome, ImportRequest};
use zizhu_domain::access::Duty;
use zizhu_domain::{ListKind, Term};

/// Rows of errors or warnings a report page lists (the rest are counted).
const SHOWN: usize = 200;

pub struct KindOption {
    pub key: &'static str,
    pub label: &'static str,
}

pub struct Batch {
    pub id: i64,
    pub kind: &'static str,
    pub term: String,
    pub file: String,
    pub rows: i64,
    pub warnings: i64,
    pub at: String,
    pub actor: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ListPage {
    nav: Nav,
    kinds: Vec<KindOption>,
    batches: Vec<Batch>,
    message: Option<String>,
}

fn kinds() -> Vec<KindOption> {
    ListKind::ALL
        .iter()
        .map(|k| KindOption {
            key: k.key(),
            label: k.zh(),
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &User,
    message: Option<String>,
) -> Result<Html<String>, WebError> {
    let batches = state
        .db
        .imports()
        .await?
        .into_iter()
        .rev()
        .take(100)
        .map(|b| Batch {
            id: b.id,
            kind: b.kind.zh(),
            term: b.term.map(|t| t.label_zh()).unwrap_or_default(),
            file: b.file_name,
            rows: b.rows,
            warnings: b.warnings,
            at: zizhu_domain::dates::beijing_time(b.imported_at),
            actor: b.actor,
        })
        .collect();
    html(&ListPage {
        nav: Nav::of(user),
        kinds: kinds(),
        batches,
        message,
    })
}

/// GET /imports: the imports so far and the upload form.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Html<String>, WebError> {
    user.require(Duty::ManageData)?;
    list_page(&state, &user, None).await
}

/// A problem row as the report shows it.
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "import_report.html")]
struct ReportPage {
    nav: Nav,
    token: String,
    kind: &'static str,
    term: String,
    file: String,
    source: String,
    rows: usize,
    accepted: bool,
    errors: Vec<Problem>,
    error_count: usize,
    warnings: Vec<Problem>,
    warning_count: usize,
    notes: Vec<String>,
}

fn problems(rows: &[zizhu_io::lists::RowError]) -> Vec<Problem> {
    rows.iter()
        .take(SHOWN)
        .map(|e| Problem {
            row: e.row,
            column: e.column.clone(),
            value: e.value.clone(),
            reason: e.reason.clone(),
        })
        .collect()
}

/// What a staged upload remembers: `kind term uploader` on one line, then the file's name.
fn write_meta(
    dir: &Path,
    kind: ListKind,
    term: Option<Term>,
    user: &str,
    file: &str,
) -> Result<(), WebError> {
    let term = term.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
    std::fs::write(
        dir.join("meta"),
        format!("{} {term} {user}\n{file}", kind.key()),
    )
    .map_err(|e| WebError::Internal(format!("无法保存上传的文件：{e}")))
}

struct Staged {
    kind: ListKind,
    term: Option<Term>,
    uploader: String,
    file: PathBuf,
}

fn read_meta(dir: &Path) -> Option<Staged> {
    let text = std::fs::read_to_string(dir.join("meta")).ok()?;
    let (head, file) = text.split_once('\n')?;
    let mut it = head.split(' ');
    let kind = ListKind::from_key(it.next()?)?;
    let term = match it.next()? {
        "-" => None,
        t => Some(t.parse().ok()?),
    };
    let uploader = it.next()?.to_string();
    Some(Staged {
        kind,
        term,
        uploader,
        file: dir.join("file").join(file),
    })
}

/// The staging folder of `token`, if the token is one we could have made (64 hex digits: no
/// path can be smuggled in).
fn staged_dir(state: &AppState, token: &str) -> Option<PathBuf> {
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| state.uploads.join(token))
}

/// A file name as uploaded, reduced to its last part, printable, at most 100 characters.
fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(100)
        .collect();
    let name = name.trim().trim_start_matches('.').to_string();
    if name.is_empty() {
        "upload".into()
    } else {
        name
    }
}

/// POST /imports (multipart: csrf, kind, term, file): stages the file and validates it without
/// writing (a dry run); shows the report.
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    mut form: Multipart,
) -> Result<Response, WebError> {
    user.require(Duty::ManageData)?;
    let (mut csrf, mut kind, mut term, mut file) =
        (String::new(), String::new(), String::new(), None);
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("上传失败：{}", e.body_text()))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "kind" => kind = field.text().await.map_err(bad)?,
            "term" => term = field.text().await.map_err(bad)?,
            "file" => {
                let name = clean_name(field.file_name().unwrap_or_default());
                file = Some((name, field.bytes().await.map_err(bad)?));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let Some(kind) = ListKind::from_key(kind.trim()) else {
        return Ok(list_page(&state, &user, Some("请选择名单类型".into()))
            .await?
            .into_response());
    };
    let term: Option<Term> = match term.trim() {
        "" => None,
        t => Some(t.parse().map_err(|e: zizhu_domain::term::TermParseError| {
            WebError::BadRequest(e.to_string())
        })?),
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(list_page(
            &state,
            &user,
            Some("请选择要导入的文件（文件不能为空）".into()),
        )
        .await?
        .into_response());
    };
    forget_old_uploads(&state.uploads);
    let token = zizhu_app::accounts::random_token()?;
    let dir = state.uploads.join(&token);
    let io = |e: std::io::Error| WebError::Internal(format!("无法保存上传的文件：{e}"));
    std::fs::create_dir_all(dir.join("file")).map_err(io)?;
    std::fs::write(dir.join("file").join(&name), &bytes).map_err(io)?;
    write_meta(&dir, kind, term, &user.username, &name)?;
    let staged = read_meta(&dir).ok_or_else(|| WebError::Internal("上传记录无法读取".into()))?;
    let outcome = match run(&state, &user, &staged, &dir, true).await {
        Ok(o) => o,
        Err(msg) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Ok(list_page(&state, &user, Some(msg)).await?.into_response());
        }
    };
    if !outcome.accepted() {
        // Nothing to confirm: the file is not kept.
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(report_page(&user, &token, &staged, &outcome)?.into_response())
}

/// Uploads validated but neither confirmed nor cancelled are forgotten after a day.
fn forget_old_uploads(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let day = std::time::Duration::from_secs(24 * 3600);
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Runs the import of a staged file (dry or not); a file that cannot be read as the list at
/// all comes back as its Chinese message.
async fn run(
    state: &AppState,
    user: &User,
    staged: &Staged,
    dir: &Path,
    dry_run: bool,
) -> Result<ImportOutcome, String> {
    let req = ImportRequest {
        kind: staged.kind,
        file: staged.file.clone(),
        term: staged.term,
        dry_run,
        actor: user.username.clone(),
        report_dir: dir.to_path_buf(),
    };
    match import_file(&state.db, &req, &|_| {}).await {
        Ok(o) => Ok(o),
        Err(zizhu_app::AppError::Import(e)) => Err(format!("文件无法导入：{e}")),
        Err(zizhu_app::AppError::Other(m)) => Err(m),
        Err(e) => Err(e.to_string()),
    }
}

fn report_page(
    user: &User,
    token: &str,
    staged: &Staged,
    o: &ImportOutcome,
) -> Result<Html<String>, WebError> {
    let mut notes = Vec::new();
    if let Some(prev) = o.same_as {
        notes.push(format!(
            "与第{prev}批导入的文件内容完全相同（SHA-256 一致）。"
        ));
    }
    if let Some(prev) = o.previous_rows {
        let now = o.rows as i64;
        if prev > 0 && (now * 3 < prev || now > prev * 3) {
            notes.push(format!(
                "这份{}名单有 {now} 行，它将替换的上一版有 {prev} 行，相差很大。请确认文件和名单类型无误。",
                o.kind.zh()
            ));
        }
    }
    html(&ReportPage {
        nav: Nav::of(user),
        token: token.to_string(),
        kind: staged.kind.zh(),
        term: staged.term.map(|t| t.label_zh()).unwrap_or_default(),
        file: o.file_name.clone(),
        source: o.source.clone(),
        rows: o.rows,
        accepted: o.accepted(),
        errors: problems(&o.errors),
        error_count: o.errors.len(),
        warnings: problems(&o.warnings),
        warning_count: o.warnings.len(),
        notes,
    })
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    csrf: String,
    token: String,
}

/// The staged upload of `token`, if this user made it.
fn staged_for(state: &AppState, user: &User, token: &str) -> Result<(PathBuf, Staged), WebError> {
    let dir = staged_dir(state, token).ok_or(WebError::NotFound)?;
    let staged = read_meta(&dir).ok_or(WebError::NotFound)?;
    if staged.uploader != user.username {
        return Err(WebError::NotFound);
    }
    Ok((dir, staged))
}

/// POST /imports/confirm: imports the staged file for real (all or nothing), then forgets it.
pub async fn confirm(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    user.require(Duty::ManageData)?;
    let (dir, staged) = staged_for(&state, &user, &f.token)?;
    let outcome = run(&state, &user, &staged, &dir, false).await;
    let _ = std::fs::remove_dir_all(&dir);
    let message = match outcome {
        Ok(o) if o.accepted() => format!(
            "已导入：{} 行{}名单（第{}批），{} 条提示。",
            o.rows,
            o.kind.zh(),
            o.import_id.unwrap_or_default(),
            o.warnings.len()
        ),
        // The file was checked a moment ago; a list changed meanwhile can still refuse it.
        Ok(o) => format!(
            "未导入：{} 处错误，数据库没有任何改动。请重新上传。",
            o.errors.len()
        ),
        Err(m) => format!("未导入：{m}"),
    };
    Ok(list_page(&state, &user, Some(message))
        .await?
        .into_response())
}

/// POST /imports/cancel: forgets the staged file; nothing was written.
pub async fn cancel(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    user.require(Duty::ManageData)?;
    let (dir, _) = staged_for(&state, &user, &f.token)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Redirect::to("/imports").into_response())
}
