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

/// What a staged upload remembers: `kind term uploader newest-batch` on one line, then the
/// file's name. `newest-batch` is the latest import of the same list when the file was checked:
/// a confirmation after a newer one would silently undo it.
fn write_meta(dir: &Path, s: &Staged, name: &str) -> Result<(), WebError> {
    let term = s.term.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
    std::fs::write(
        dir.join("meta"),
        format!(
            "{} {term} {} {}\n{name}",
            s.kind.key(),
            s.uploader,
            s.newest
        ),
    )
    .map_err(|e| WebError::Internal(format!("无法保存上传的文件：{e}")))
}

struct Staged {
    kind: ListKind,
    term: Option<Term>,
    uploader: String,
    /// The newest import batch of this list (kind and term) when the file was checked; 0: none.
    newest: i64,
    file: PathBuf,
}

/// The newest import batch of `kind` (of `term`, for lists kept per term); 0 when none. For the
/// zero-fee issues, the newest issue: one entered on the web after the check would be replaced
/// by the confirmation without a word (review).
async fn newest_batch(
    state: &AppState,
    kind: ListKind,
    term: Option<Term>,
) -> Result<i64, WebError> {
    if kind == ListKind::ZeroFeeIssues {
        return Ok(state.db.zero_fee_latest_id().await?);
    }
    Ok(state
        .db
        .imports()
        .await?
        .iter()
        .filter(|b| b.kind == kind && (term.is_none() || b.term == term))
        .map(|b| b.id)
        .max()
        .unwrap_or(0))
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
    let newest = it.next()?.parse().ok()?;
    Some(Staged {
        kind,
        term,
        uploader,
        newest,
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
    // No control or text-direction characters (a name shown reversed), no characters Windows
    // refuses, at most 150 bytes (file systems allow 255; a Chinese character takes 3).
    let mut name = String::new();
    for c in last.chars() {
        let plain = zizhu_domain::text::printable(c.encode_utf8(&mut [0u8; 4]))
            .chars()
            .count()
            == 1;
        if !plain || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
            continue;
        }
        if name.len() + c.len_utf8() > 150 {
            break;
        }
        name.push(c);
    }
    let name = name.trim().trim_start_matches('.').to_string();
    if name.is_empty() {
        "upload".into()
    } else {
        name
    }
}

/// An upload checked without writing (a dry run), waiting under `token` for its confirmation.
pub(crate) struct Checked {
    pub token: String,
    pub kind: ListKind,
    pub term: Option<Term>,
    pub outcome: ImportOutcome,
}

/// Stages `bytes` (uploaded as `raw_name`) as a `kind` list (of `term`), checks it without
/// writing, and audits the check. A file that cannot be read as the list at all is
/// `BadRequest` with its Chinese reason; a file with bad rows is checked (`outcome.errors`) and
/// not kept.
pub(crate) async fn check_upload(
    state: &AppState,
    user: &User,
    kind: ListKind,
    term: Option<Term>,
    raw_name: &str,
    bytes: &[u8],
) -> Result<Checked, WebError> {
    user.require(Duty::ManageData)?;
    if bytes.is_empty() {
        return Err(WebError::BadRequest(
            "请选择要导入的文件（文件不能为空）".into(),
        ));
    }
    let name = clean_name(raw_name);
    forget_old_uploads(&state.uploads);
    let token = zizhu_app::accounts::random_token()?;
    let dir = state.uploads.join(&token);
    let io = |e: std::io::Error| WebError::Internal(format!("无法保存上传的文件：{e}"));
    std::fs::create_dir_all(dir.join("file")).map_err(io)?;
    std::fs::write(dir.join("file").join(&name), bytes).map_err(io)?;
    let staged = Staged {
        kind,
        term,
        uploader: user.username.clone(),
        newest: newest_batch(state, kind, term).await?,
        file: dir.join("file").join(&name),
    };
    write_meta(&dir, &staged, &name)?;
    let turn = import_turn().await?;
    let outcome = match run(state, user, &staged, &dir, true).await {
        Ok(o) => o,
        Err(msg) => {
            let _ = std::fs::remove_dir_all(&dir);
            // A file refused as a whole is a check too: it is recorded.
            state
                .db
                .audit_entry(&user.audit(
                    "import_check",
                    &format!("{}:{name}", kind.key()),
                    &format!("{}上传校验：文件无法导入（{msg}）", user.channel()),
                ))
                .await?;
            return Err(WebError::BadRequest(msg));
        }
    };
    drop(turn);
    if !outcome.accepted() {
        // Nothing to confirm: the file is not kept.
        let _ = std::fs::remove_dir_all(&dir);
    }
    let detail = format!(
        "{}上传校验（未写入）：{} 行，{} 处错误，{} 条提示",
        user.channel(),
        outcome.rows,
        outcome.error_count(),
        outcome.warning_count()
    );
    state
        .db
        .audit_entry(&user.audit(
            "import_check",
            &format!("{}:{}", kind.key(), outcome.file_name),
            &detail,
        ))
        .await?;
    Ok(Checked {
        token,
        kind,
        term,
        outcome,
    })
}

/// The list kind and term a form or query names; a bad one is `BadRequest`.
pub(crate) fn kind_and_term(kind: &str, term: &str) -> Result<(ListKind, Option<Term>), WebError> {
    let kind = ListKind::from_key(kind.trim()).ok_or_else(|| {
        let all: Vec<String> = ListKind::ALL
            .iter()
            .map(|k| format!("{}（{}）", k.key(), k.zh()))
            .collect();
        WebError::BadRequest(format!("请选择名单类型：{}", all.join("、")))
    })?;
    let term: Option<Term> = match term.trim() {
        "" => None,
        t => Some(t.parse().map_err(|e: zizhu_domain::term::TermParseError| {
            WebError::BadRequest(e.to_string())
        })?),
    };
    match (kind.per_term(), term) {
        (true, None) => Err(WebError::BadRequest(format!(
            "{}名单按学期导入，请选择学期（如 2023-autumn）",
            kind.zh()
        ))),
        // A term on a list that has none would be recorded on the batch, and the check for a
        // newer import of the list would look at that term only.
        (false, Some(_)) => Err(WebError::BadRequest(format!(
            "{}名单不分学期，请不要选择学期",
            kind.zh()
        ))),
        _ => Ok((kind, term)),
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
                let name = field.file_name().unwrap_or_default().to_string();
                file = Some((name, field.bytes().await.map_err(bad)?));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    let checked = match kind_and_term(&kind, &term) {
        Ok((kind, term)) => check_upload(&state, &user, kind, term, &name, &bytes).await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(c) => Ok(report_page(&user, &c)?.into_response()),
        Err(WebError::BadRequest(msg)) => {
            Ok(list_page(&state, &user, Some(msg)).await?.into_response())
        }
        Err(e) => Err(e),
    }
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
/// One file at a time: a large or crafted workbook costs memory, and imports queue anyway; a
/// confirmation also checks for a newer import of its list inside its turn, so two
/// confirmations at once cannot both pass that check.
async fn import_turn() -> Result<tokio::sync::SemaphorePermit<'static>, WebError> {
    static GATE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    GATE.get_or_init(|| tokio::sync::Semaphore::new(1))
        .acquire()
        .await
        .map_err(|e| WebError::Internal(format!("导入排队失败：{e}")))
}

/// Runs the import of a staged file (dry or not), in the caller's [`import_turn`].
async fn run(
    state: &AppState,
    user: &User,
    staged: &Staged,
    dir: &Path,
    dry_run: bool,
) -> Result<ImportOutcome, String> {
    let req = ImportRequest {
        origin: Some(user.origin.clone()),
        kind: staged.kind,
        file: staged.file.clone(),
        term: staged.term,
        dry_run,
        actor: user.username.clone(),
        report_dir: dir.to_path_buf(),
    };
    match import_file(&state.db, &req, &|_| {}).await {
        Ok(o) => Ok(o),
        // Reading the staged copy failed: no server path in the message.
        Err(zizhu_app::AppError::Import(zizhu_io::ImportError::Io { .. })) => {
            Err("上传的文件已失效或无法读取，请重新上传".into())
        }
        Err(zizhu_app::AppError::Import(e)) => Err(format!("文件无法导入：{e}")),
        Err(zizhu_app::AppError::Other(m)) => Err(m),
        Err(e) => Err(e.to_string()),
    }
}

/// What a checker should know beyond the rows: the same file imported before, or a list of a
/// very different size from the one it replaces.
pub(crate) fn notes(o: &ImportOutcome) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(prev) = o.same_as {
        notes.push(format!(
            "与第{prev}批导入的文件内容完全相同（SHA-256 一致）。"
        ));
    }
    for note in o.year_notes(false) {
        notes.push(format!("{}：{note}。", o.kind.zh()));
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
    notes
}

fn report_page(user: &User, c: &Checked) -> Result<Html<String>, WebError> {
    let o = &c.outcome;
    html(&ReportPage {
        nav: Nav::of(user),
        token: c.token.clone(),
        kind: c.kind.zh(),
        term: c.term.map(|t| t.label_zh()).unwrap_or_default(),
        file: o.file_name.clone(),
        source: o.source.clone(),
        rows: o.rows,
        accepted: o.accepted(),
        errors: problems(&o.errors),
        error_count: o.error_count(),
        warnings: problems(&o.warnings),
        warning_count: o.warning_count(),
        notes: notes(o),
    })
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    csrf: String,
    token: String,
}

/// The uploaded file's (cleaned) name.
fn file_name(staged: &Staged) -> String {
    staged
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Takes the staged upload of `token` for this user: moves its folder aside under a new name,
/// so that of two requests with one token (two confirms, a confirm and a cancel) exactly one gets
/// it; the other finds nothing (404).
fn claim(state: &AppState, user: &User, token: &str) -> Result<(PathBuf, Staged), WebError> {
    // One answer for every miss: whether another user's upload exists is not told.
    let gone = || {
        WebError::Gone(
            "没有这份待确认的上传：已经确认或取消、已超过一天，或不是您上传的。请重新上传校验。"
                .into(),
        )
    };
    let dir = staged_dir(state, token).ok_or_else(gone)?;
    let staged = read_meta(&dir).ok_or_else(gone)?;
    if staged.uploader != user.username {
        return Err(gone());
    }
    let taken = state.uploads.join(format!("{token}.taken"));
    std::fs::rename(&dir, &taken).map_err(|_| gone())?;
    let staged = read_meta(&taken).ok_or_else(gone)?;
    Ok((taken, staged))
}

/// Imports the staged file of `token` for real (all or nothing), then forgets it. Only its
/// uploader may; another user's token or a used one is 404. A newer import of the same list
/// since the check, or a file that no longer passes, is `BadRequest` and writes nothing.
pub(crate) async fn confirm_staged(
    state: &AppState,
    user: &User,
    token: &str,
) -> Result<(Option<Term>, ImportOutcome), WebError> {
    user.require(Duty::ManageData)?;
    let (dir, staged) = claim(state, user, token)?;
    let _turn = import_turn().await?;
    let newest = newest_batch(state, staged.kind, staged.term).await?;
    if newest != staged.newest {
        let _ = std::fs::remove_dir_all(&dir);
        let msg = if staged.kind == ListKind::ZeroFeeIssues {
            "您校验之后，零收费发放记录已有新的登记或导入。为免覆盖它们，请重新上传校验。"
                .to_string()
        } else {
            format!(
                "您校验之后，这份{}名单已有更新的导入（第{newest}批）。为免覆盖它，请重新上传校验。",
                staged.kind.zh()
            )
        };
        state
            .db
            .audit_entry(&user.audit(
                "import_rejected",
                &format!("{}:{}", staged.kind.key(), file_name(&staged)),
                &format!("确认导入被拒绝，未写入：{msg}"),
            ))
            .await?;
        return Err(WebError::BadRequest(msg));
    }
    let outcome = run(state, user, &staged, &dir, false).await;
    let _ = std::fs::remove_dir_all(&dir);
    match outcome {
        Ok(o) if o.accepted() => Ok((staged.term, o)),
        // The file was checked a moment ago; a list changed meanwhile can still refuse it.
        Ok(o) => Err(WebError::BadRequest(format!(
            "{} 处错误，数据库没有任何改动。请重新上传。",
            o.error_count()
        ))),
        Err(m) => Err(WebError::BadRequest(m)),
    }
}

/// Forgets the staged file of `token` (nothing was written), and audits the cancel.
pub(crate) async fn cancel_staged(
    state: &AppState,
    user: &User,
    token: &str,
) -> Result<(), WebError> {
    user.require(Duty::ManageData)?;
    let (dir, staged) = claim(state, user, token)?;
    let _ = std::fs::remove_dir_all(&dir);
    let name = file_name(&staged);
    state
        .db
        .audit_entry(&user.audit("import_cancel", &name, "校验通过后取消导入，未写入"))
        .await?;
    Ok(())
}

/// POST /imports/confirm: imports the staged file for real (all or nothing), then forgets it.
pub async fn confirm(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let message = match confirm_staged(&state, &user, &f.token).await {
        Ok((_, o)) => format!(
            "已导入：{} 行{}名单（第{}批），{} 条提示。",
            o.rows,
            o.kind.zh(),
            o.import_id.unwrap_or_default(),
            o.warning_count()
        ),
        Err(WebError::BadRequest(m)) => format!("未导入：{m}"),
        Err(e) => return Err(e),
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
    cancel_staged(&state, &user, &f.token).await?;
    Ok(Redirect::to("/imports").into_response())
}
