//! Paying the aid on the web (资金发放): every role sees the coverage of its scope — its students
//! entitled and not yet paid, with why (一个不落) — and the finance officer makes the term's
//! batches from the locked roster, downloads a batch's bank file (audited) and marks it
//! submitted. Bank returns, re-issues and reversals are `zizhu pay` on the command line.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use zizhu_app::payments::{coverage, Coverage};
use zizhu_domain::access::Duty;
use zizhu_domain::Term;
use zizhu_store::{PayActor, ScopeFilter};

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
}

pub struct BatchLine {
    pub id: i64,
    pub state: &'static str,
    pub draft: bool,
    pub submitted: bool,
    pub returned: bool,
    /// Some lines failed and may be paid again once their accounts are corrected.
    pub partly_failed: bool,
    pub fund_source: String,
    pub paying_unit: String,
    pub lines: i64,
    pub amount: String,
    pub reissue_of: String,
}

pub struct Unpaid {
    /// The payment line, when there is one (to reverse from this page).
    pub line: String,
    pub school: String,
    pub name: String,
    pub id_masked: String,
    pub program: String,
    pub amount: String,
    pub why: String,
}

pub struct SchoolLine {
    pub township: String,
    pub school: String,
    pub planned: String,
    pub paid: String,
    pub unpaid_n: i64,
    pub unpaid: String,
    pub written_off: String,
    pub overpaid: String,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    term_label: String,
    locked: bool,
    pays: bool,
    sees_batches: bool,
    batches: Vec<BatchLine>,
    planned: String,
    paid: String,
    failed: String,
    reversed: String,
    recovered: String,
    overpaid: String,
    written_off: String,
    gaps: Vec<(String, i64, String)>,
    schools: Vec<SchoolLine>,
    unpaid: Vec<Unpaid>,
    unpaid_total: usize,
    /// Paid, but no longer on the roster (county-wide views): to check and reverse.
    orphans: Vec<Unpaid>,
    adjustments: Vec<(Adjustment, String)>,
    verifications: Vec<Verification>,
    /// May record a family's answer (school, township, county), close a follow-up (township,
    /// county), run an adjustment (county).
    verifies: bool,
    closes: bool,
    adjusts: bool,
    message: Option<String>,
    problems: Vec<String>,
}

/// An adjustment after the lock (锁定后调整), as a role of the scope sees it (ID masked).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Adjustment {
    pub school_code: String,
    pub school_name: String,
    pub name: String,
    pub id_masked: String,
    pub program_name: String,
    /// 补发 or 追回/停发.
    pub kind: String,
    pub amount_fen: i64,
    pub before_fen: i64,
    pub after_fen: i64,
    pub reason: String,
    /// RFC 3339 in Beijing time (+08:00).
    pub made_at: String,
    /// The same for the page.
    #[serde(skip)]
    pub made_at_shown: String,
}

/// The adjustments of `term` in the user's scope.
pub(crate) async fn scoped_adjustments(
    state: &AppState,
    user: &User,
    term: Term,
) -> Result<Vec<Adjustment>, WebError> {
    let towns: std::collections::HashMap<String, (String, String)> = state
        .db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, (s.township, s.name)))
        .collect();
    Ok(state
        .db
        .adjustments(term)
        .await?
        .into_iter()
        .filter(|a| {
            let town = towns
                .get(&a.new.school_code)
                .map(|t| t.0.as_str())
                .unwrap_or("");
            user.access.sees_school(&a.new.school_code, town)
        })
        .map(|a| Adjustment {
            school_name: towns
                .get(&a.new.school_code)
                .map(|t| t.1.clone())
                .unwrap_or_default(),
            school_code: a.new.school_code,
            name: a.new.name,
            id_masked: zizhu_domain::IdNumber::parse(&a.new.id_number)
                .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
            program_name: a.new.program_name,
            kind: if a.new.kind == "back_pay" {
                "补发"
            } else {
                "追回/停发"
            }
            .to_string(),
            amount_fen: a.new.amount_fen,
            before_fen: a.new.before_fen,
            after_fen: a.new.after_fen,
            reason: a.new.reason,
            made_at: crate::api::beijing(a.made_at),
            made_at_shown: zizhu_domain::dates::beijing_time(a.made_at),
        })
        .collect())
}

/// Unpaid lines a page lists (the rest are counted; the workbook has all).
const SHOWN: usize = 500;

/// The coverage of `term` in the user's scope: from the cache while no compute, import or
/// payment changed it (the dashboard shows it on every visit).
pub(crate) async fn scoped_coverage(
    state: &AppState,
    user: &User,
    term: Term,
) -> Result<std::sync::Arc<Coverage>, WebError> {
    let scope = ScopeFilter::of(&user.access);
    let (run, newest) = super::schools::data_version(state, term).await?;
    let key = (run, newest, state.db.payment_version(term).await?);
    // The county's audit once per version (one at a time: a hundred first views at once must
    // not each read the whole term), each scope cut from it (load test: p99 12 s per scope).
    let name = term.to_string();
    let county = match state.cache.coverage(&name, &key) {
        Some(hit) => hit,
        None => {
            let _one = state.cache.coverage_turn.lock().await;
            match state.cache.coverage(&name, &key) {
                Some(hit) => hit,
                None => {
                    let all = ScopeFilter {
                        township: None,
                        school: None,
                    };
                    let fresh = std::sync::Arc::new(coverage(&state.db, term, all).await?);
                    state.cache.keep_coverage(name, key, fresh.clone());
                    fresh
                }
            }
        }
    };
    if scope.township.is_none() && scope.school.is_none() {
        return Ok(county);
    }
    let towns: std::collections::HashMap<String, String> = state
        .db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, s.township))
        .collect();
    Ok(std::sync::Arc::new(county.scoped(scope, &towns)))
}

/// Who may see the batches (county-wide money): the county, the auditors and finance.
pub(crate) fn sees_batches(user: &User) -> bool {
    user.access.may(Duty::Pay) || user.access.may(Duty::ReadAudit)
}

async fn page(
    state: &AppState,
    user: &User,
    asked: Option<&str>,
    message: Option<String>,
    problems: Vec<String>,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(state, asked).await?;
    let mut p = Page {
        nav: Nav::of(user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        term_label: term.map(|t| t.label_zh()).unwrap_or_default(),
        locked: false,
        pays: user.access.may(Duty::Pay),
        sees_batches: sees_batches(user),
        batches: Vec::new(),
        planned: String::new(),
        paid: String::new(),
        failed: String::new(),
        reversed: String::new(),
        recovered: String::new(),
        overpaid: String::new(),
        written_off: String::new(),
        gaps: Vec::new(),
        schools: Vec::new(),
        unpaid: Vec::new(),
        unpaid_total: 0,
        orphans: Vec::new(),
        adjustments: Vec::new(),
        verifications: Vec::new(),
        verifies: user.access.may(Duty::FollowCases),
        closes: user.access.may(Duty::FollowCases)
            && user.access.case_level() != Some(zizhu_domain::dropout::UserLevel::School),
        adjusts: user.access.may(Duty::ManageData),
        message,
        problems,
    };
    let Some(term) = term else {
        return html(&p);
    };
    let c = scoped_coverage(state, user, term).await?;
    state
        .db
        .audit_entry(&user.audit(
            "view_payments",
            &format!("资金发放 {term}"),
            &format!(
                "查看发放情况（{}），应发未发 {} 笔",
                user.scope_label,
                c.unpaid.len()
            ),
        ))
        .await?;
    p.locked = c.locked;
    (p.planned, p.paid, p.failed, p.reversed, p.recovered) = (
        yuan(&c.planned_fen),
        yuan(&c.paid_fen),
        yuan(&c.failed_fen),
        yuan(&c.reversed_fen),
        yuan(&c.recovered_fen),
    );
    (p.overpaid, p.written_off) = (yuan(&c.overpaid_fen), yuan(&c.written_off_fen));
    p.gaps = c
        .by_gap
        .iter()
        .map(|(g, n, f)| (g.zh().to_string(), *n, yuan(f)))
        .collect();
    p.schools = c
        .schools
        .iter()
        .map(|s| SchoolLine {
            township: s.township.clone(),
            school: format!("{}（{}）", s.school_name, s.school_code),
            planned: yuan(&s.planned_fen),
            paid: yuan(&s.paid_fen),
            unpaid_n: s.unpaid_n,
            unpaid: yuan(&s.unpaid_fen),
            written_off: yuan(&s.written_off_fen),
            overpaid: yuan(&s.overpaid_fen),
        })
        .collect();
    p.unpaid_total = c.unpaid.len();
    let row = |u: &zizhu_app::payments::CoverageLine| Unpaid {
        line: u.line_id.map(|i| i.to_string()).unwrap_or_default(),
        school: u.school_name.clone(),
        name: u.name.clone(),
        id_masked: zizhu_domain::IdNumber::parse(&u.id_number)
            .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
        program: u.program_name.clone(),
        amount: yuan(&u.amount_fen),
        why: u.why.clone(),
    };
    p.orphans = c.without_entitlement.iter().map(row).collect();
    p.unpaid = c.unpaid.iter().take(SHOWN).map(row).collect();
    p.verifications = scoped_verifications(state, user, term).await?;
    p.adjustments = scoped_adjustments(state, user, term)
        .await?
        .into_iter()
        .map(|a| {
            let amount = yuan(&a.amount_fen);
            (a, amount)
        })
        .collect();
    if p.sees_batches {
        p.batches = state
            .db
            .batches(Some(term))
            .await?
            .into_iter()
            .map(|b| (zizhu_app::payments::batch_kind(&b), b))
            .map(|(kind, b)| BatchLine {
                id: b.id,
                state: b.state.zh(),
                draft: b.state == zizhu_domain::payment::BatchState::Draft,
                submitted: b.state == zizhu_domain::payment::BatchState::Submitted,
                returned: matches!(
                    b.state,
                    zizhu_domain::payment::BatchState::Paid
                        | zizhu_domain::payment::BatchState::PartlyFailed
                ),
                partly_failed: b.state == zizhu_domain::payment::BatchState::PartlyFailed,
                fund_source: b.fund_source,
                paying_unit: b.paying_unit,
                lines: b.lines,
                amount: yuan(&b.total_fen),
                reissue_of: kind,
            })
            .collect();
    }
    html(&p)
}

/// GET /payments?term=
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    page(&state, &user, p.term.as_deref(), None, Vec::new()).await
}

/// The finance officer acting, for the store.
pub(crate) fn payer(user: &User) -> Result<PayActor<'_>, WebError> {
    user.require(Duty::Pay)?;
    Ok(PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    })
}

#[derive(serde::Deserialize)]
pub struct TermForm {
    csrf: String,
    term: String,
}

/// POST /payments/batches: the term's batches from its locked roster (finance only).
pub async fn make(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<TermForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let who = payer(&user)?;
    let term: Term = f
        .term
        .trim()
        .parse()
        .map_err(|e: zizhu_domain::term::TermParseError| WebError::BadRequest(e.to_string()))?;
    let message = match zizhu_app::payments::make_batches(&state.db, &state.policy, term, who).await
    {
        Ok(made) if made.is_empty() => {
            "没有新的发放明细（都已在批次中，或缺收款账户）。".to_string()
        }
        Ok(made) => format!("已生成 {} 个发放批次（草稿）。", made.len()),
        Err(e) => match WebError::from(e) {
            WebError::BadRequest(m) => format!("未生成：{m}"),
            other => return Err(other),
        },
    };
    Ok(page(
        &state,
        &user,
        Some(&term.to_string()),
        Some(message),
        Vec::new(),
    )
    .await?
    .into_response())
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// POST /payments/batches/{id}/submit: the batch's file went to the bank (finance only).
pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let who = payer(&user)?;
    let b = state.db.submit_batch(id, who).await?;
    Ok(Redirect::to(&format!("/payments?term={}", b.term)).into_response())
}

/// GET /payments/batches/{id}/file: the batch's bank file (XLSX, full card numbers; finance
/// only; audited).
pub async fn file(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let who = payer(&user)?;
    let dir = private_tempdir()?;
    let (xlsx, _, _) =
        zizhu_app::payments::write_bank_file(&state.db, &state.policy, id, None, dir.path(), who)
            .await
            .map_err(refusal)?;
    let bytes =
        std::fs::read(&xlsx).map_err(|e| WebError::Internal(format!("无法读取生成的文件：{e}")))?;
    let name = xlsx
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bank.xlsx".into());
    Ok(super::roster::xlsx_download(&name, bytes))
}

/// The page after a finance action: its message and any problems, or the store's refusal.
async fn after(
    state: &AppState,
    user: &User,
    term: &str,
    outcome: Result<String, WebError>,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let message = match outcome {
        Ok(m) => m,
        Err(WebError::BadRequest(m)) => format!("未执行：{m}"),
        Err(e) => return Err(e),
    };
    Ok(page(state, user, Some(term), Some(message), problems)
        .await?
        .into_response())
}

/// The term of batch `id`, or 404.
async fn batch_term(state: &AppState, id: i64) -> Result<String, WebError> {
    Ok(state.db.batch(id).await?.ok_or(WebError::NotFound)?.term)
}

/// POST /payments/batches/{id}/return (multipart: csrf, file): the bank's return, recorded all or
/// nothing (finance only).
pub async fn bank_return(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let who = payer(&user)?;
    let term = batch_term(&state, id).await?;
    let (mut csrf, mut file) = (String::new(), None);
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("上传失败：{}", e.body_text()))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "file" => {
                let name = field.file_name().unwrap_or_default().to_string();
                file = Some((name, field.bytes().await.map_err(bad)?));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return after(
            &state,
            &user,
            &term,
            Err(WebError::BadRequest("请选择银行回盘文件".into())),
            Vec::new(),
        )
        .await;
    };
    let dir = private_tempdir()?;
    // Only the name's last part, and an extension the reader knows.
    let path = dir.path().join(safe_name(&name));
    std::fs::write(&path, &bytes)
        .map_err(|e| WebError::Internal(format!("无法保存上传的文件：{e}")))?;
    let today = crate::pages::cases::today();
    let o =
        zizhu_app::payments::import_bank_return(&state.db, id, &path, dir.path(), today, who).await;
    match o {
        Ok(o) if o.errors.is_empty() => {
            let msg = format!(
                "已登记银行回盘：成功 {} 笔，失败 {} 笔{}。",
                o.paid,
                o.failed,
                if o.pending > 0 {
                    format!("；尚有 {} 笔无结果", o.pending)
                } else {
                    String::new()
                }
            );
            after(&state, &user, &term, Ok(msg), Vec::new()).await
        }
        Ok(o) => {
            let list = o
                .errors
                .iter()
                .take(50)
                .map(|e| {
                    format!(
                        "第{}行 {}“{}”：{}",
                        e.row,
                        e.column,
                        zizhu_domain::text::printable(&e.value),
                        e.reason
                    )
                })
                .collect();
            let msg = format!(
                "回盘文件有 {} 处错误，全部未登记（前 50 处如下）",
                o.errors.len()
            );
            after(&state, &user, &term, Ok(msg), list).await
        }
        Err(e) => after(&state, &user, &term, Err(refusal(e)), Vec::new()).await,
    }
}

/// POST /payments/batches/{id}/reissue: failed lines with a corrected account, in a new batch.
pub async fn reissue(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let who = payer(&user)?;
    let term = batch_term(&state, id).await?;
    let today = crate::pages::cases::today();
    let outcome = match state.db.reissue(id, today, who).await {
        Ok((Some(n), waiting)) => Ok(format!(
            "已生成重新发放批次 {n}；另有 {waiting} 笔失败明细的账户未更正。"
        )),
        Ok((None, waiting)) => Ok(format!(
            "没有可以重新发放的明细（{waiting} 笔失败明细的账户未更正）。"
        )),
        Err(e) => Err(e.into()),
    };
    after(&state, &user, &term, outcome, Vec::new()).await
}

/// POST /payments/batches/{id}/close.
pub async fn close(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let who = payer(&user)?;
    let term = batch_term(&state, id).await?;
    let outcome = state
        .db
        .close_batch(id, who)
        .await
        .map(|_| format!("批次 {id} 已结束。"))
        .map_err(WebError::from);
    after(&state, &user, &term, outcome, Vec::new()).await
}

/// A verification (回访) as a role of the scope sees it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub id: i64,
    pub school_code: String,
    /// The student (to find the family).
    pub name: String,
    pub id_masked: String,
    /// The payment line the family is asked about.
    pub line_id: i64,
    /// 待回访, 确认收到, 否认收到（跟进中）, 否认收到（已核查）.
    pub status: String,
    pub note: String,
    pub follow_up_note: String,
}

/// The verifications of `term` in the user's scope.
pub(crate) async fn scoped_verifications(
    state: &AppState,
    user: &User,
    term: Term,
) -> Result<Vec<Verification>, WebError> {
    let towns = townships(state).await?;
    let names: std::collections::HashMap<i64, String> = state
        .db
        .term_lines(term)
        .await?
        .into_iter()
        .map(|l| (l.id, l.student_name))
        .collect();
    Ok(state
        .db
        .verifications(term)
        .await?
        .into_iter()
        .filter(|v| sees(user, &towns, &v.school_code))
        .map(|v| Verification {
            id: v.id,
            name: names.get(&v.line_id).cloned().unwrap_or_default(),
            id_masked: zizhu_domain::IdNumber::parse(&v.id_number)
                .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked()),
            school_code: v.school_code,
            line_id: v.line_id,
            status: match (v.outcome.as_deref(), v.follow_up.as_deref()) {
                (None, _) => "待回访",
                (Some("confirmed"), _) => "确认收到",
                (Some(_), Some("open")) => "否认收到（跟进中）",
                (Some(_), _) => "否认收到（已核查）",
            }
            .to_string(),
            note: zizhu_domain::ids::mask_long_digits(&v.note),
            follow_up_note: zizhu_domain::ids::mask_long_digits(&v.follow_up_note),
        })
        .collect())
}

async fn townships(
    state: &AppState,
) -> Result<std::collections::HashMap<String, String>, WebError> {
    Ok(state
        .db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, s.township))
        .collect())
}

fn sees(user: &User, towns: &std::collections::HashMap<String, String>, school: &str) -> bool {
    let town = towns.get(school).map(String::as_str).unwrap_or("");
    user.access.sees_school(school, town)
}

/// Who records a family's answer: a school, township or county officer whose scope holds the
/// verification's school (404 outside it); never the auditor or finance.
async fn verifier<'u>(state: &AppState, user: &'u User, id: i64) -> Result<PayActor<'u>, WebError> {
    user.require(Duty::FollowCases)?;
    let v = state.db.verification(id).await?.ok_or(WebError::NotFound)?;
    if !sees(user, &townships(state).await?, &v.school_code) {
        return Err(WebError::NotFound);
    }
    Ok(PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    })
}

/// Records a family's answer (`confirmed` or `denied`).
pub(crate) async fn record_verification(
    state: &AppState,
    user: &User,
    id: i64,
    result: &str,
    note: &str,
) -> Result<String, WebError> {
    let who = verifier(state, user, id).await?;
    let confirmed = match result.trim() {
        "confirmed" => true,
        "denied" => false,
        _ => {
            return Err(WebError::BadRequest(
                "回访结果应为 confirmed（确认收到）或 denied（否认收到）".into(),
            ))
        }
    };
    state
        .db
        .record_verification(id, confirmed, note, who)
        .await?;
    Ok(if confirmed {
        format!("回访 {id}：家庭确认收到。")
    } else {
        format!("回访 {id}：家庭否认收到，已转跟进核查。")
    })
}

/// Closes a denied verification's follow-up with its finding (county or township).
pub(crate) async fn close_verification(
    state: &AppState,
    user: &User,
    id: i64,
    note: &str,
) -> Result<String, WebError> {
    if user.access.case_level() == Some(zizhu_domain::dropout::UserLevel::School) {
        return Err(WebError::NotAllowed("跟进核查由乡镇或县级结束".into()));
    }
    let who = verifier(state, user, id).await?;
    state.db.close_follow_up(id, note, who).await?;
    Ok(format!("回访 {id} 的跟进核查已结束。"))
}

/// Draws the term's families to call back (finance).
pub(crate) async fn draw(
    state: &AppState,
    user: &User,
    term: Term,
    seed: u64,
) -> Result<String, WebError> {
    let who = payer(user)?;
    let per_school = state
        .policy
        .file
        .payment
        .as_ref()
        .map_or(5, |p| p.verification_sample as usize);
    let counts = zizhu_app::payments::draw_sample(&state.db, term, per_school, seed, who).await?;
    Ok(format!(
        "已为 {} 所学校抽取已发放学生 {} 人回访（每校至多 {per_school} 人，随机种子 {seed}）。",
        counts.len(),
        counts.values().sum::<usize>()
    ))
}

/// Reverses a paid line (finance).
pub(crate) async fn reverse(
    state: &AppState,
    user: &User,
    line: i64,
    amount_fen: Option<i64>,
    reason: &str,
) -> Result<String, WebError> {
    let who = payer(user)?;
    state
        .db
        .reverse_payment(line, amount_fen, reason, crate::pages::cases::today(), who)
        .await?;
    Ok(match amount_fen {
        Some(f) => format!(
            "已登记清退：发放明细 {line} 中的 {} 元。",
            zizhu_domain::Fen(f)
        ),
        None => format!("已登记清退：发放明细 {line}（整笔）。"),
    })
}

/// Records money recovered of a reversal (finance).
pub(crate) async fn recover(
    state: &AppState,
    user: &User,
    line: i64,
    amount_fen: i64,
    note: &str,
) -> Result<String, WebError> {
    let who = payer(user)?;
    state
        .db
        .record_recovery(line, amount_fen, crate::pages::cases::today(), note, who)
        .await?;
    Ok(format!(
        "已登记追回 {} 元：发放明细 {line}。",
        zizhu_domain::Fen(amount_fen)
    ))
}

/// An adjustment run of a locked term (county).
pub(crate) async fn adjust(
    state: &AppState,
    user: &User,
    term: Term,
    record: bool,
) -> Result<String, WebError> {
    user.require(Duty::ManageData)?;
    let who = PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    };
    let s = zizhu_app::adjust::adjust_term(
        &state.db,
        &state.policy,
        &state.policy_sha256,
        term,
        record,
        who,
    )
    .await
    .map_err(|e| match e {
        zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
        other => other.into(),
    })?;
    Ok(if s.rows.is_empty() {
        "与已锁定的名单（含以前的调整）没有差别，未记录调整。".to_string()
    } else if !record {
        let mut m = format!(
            "预览（未记录）：将记录调整 {} 笔，补发 {} 元，追回或停发 {} 元。",
            s.rows.len(),
            zizhu_domain::Fen(s.back_fen),
            zizhu_domain::Fen(s.recovery_fen)
        );
        for a in s.rows.iter().take(20) {
            let id = zizhu_domain::IdNumber::parse(&a.id_number)
                .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked());
            m.push_str(&format!(
                " {} {id} {}：{} {} 元（{}）；",
                a.name,
                a.program_name,
                if a.kind == "back_pay" {
                    "补发"
                } else {
                    "追回/停发"
                },
                zizhu_domain::Fen(a.amount_fen),
                a.reason
            ));
        }
        if s.rows.len() > 20 {
            m.push_str(&format!(" ……共 {} 笔。", s.rows.len()));
        }
        m.push_str(
            " 核对无误后再记录调整（网页上的“按现在的名单核算锁定后的调整”，或接口不带 dry_run）。",
        );
        m
    } else {
        format!(
            "已记录调整 {} 笔：补发 {} 元，追回或停发 {} 元（已锁定的名单不变）。",
            s.rows.len(),
            zizhu_domain::Fen(s.back_fen),
            zizhu_domain::Fen(s.recovery_fen)
        )
    })
}

#[derive(serde::Deserialize)]
pub struct ActionForm {
    csrf: String,
    term: String,
    line: Option<String>,
    reason: Option<String>,
    amount: Option<String>,
    note: Option<String>,
    result: Option<String>,
    seed: Option<u64>,
}

/// The term a form names, or a 400 in Chinese.
pub(crate) fn form_term(s: &str) -> Result<Term, WebError> {
    s.trim()
        .parse()
        .map_err(|e: zizhu_domain::term::TermParseError| WebError::BadRequest(e.to_string()))
}

/// POST /payments/act/{what}: reverse, recover, sample, adjust (from the payments page).
pub async fn act(
    State(state): State<AppState>,
    user: User,
    Path(what): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let term = form_term(&f.term)?;
    let line = || match f.line.as_deref().map(str::trim) {
        None | Some("") => Err(WebError::BadRequest("请填写发放明细编号".into())),
        Some(s) => s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            WebError::BadRequest(format!(
                "发放明细编号应为正整数（代发文件中的“明细编号”），而不是“{}”",
                zizhu_domain::text::printable(&s.chars().take(20).collect::<String>())
            ))
        }),
    };
    let outcome = match what.as_str() {
        "reverse" => {
            let fen = match f.amount.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(a) => zizhu_domain::Fen::parse_yuan(a)
                    .filter(|x| x.0 > 0)
                    .map(|x| Some(x.0))
                    .ok_or_else(|| {
                        WebError::BadRequest(
                            "清退金额应为大于 0 的元，最多两位小数；整笔清退不填".into(),
                        )
                    }),
            };
            match (line(), fen) {
                (Ok(l), Ok(fen)) => {
                    reverse(&state, &user, l, fen, f.reason.as_deref().unwrap_or("")).await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        "recover" => {
            let fen = f
                .amount
                .as_deref()
                .and_then(zizhu_domain::Fen::parse_yuan)
                .filter(|x| x.0 > 0)
                .ok_or_else(|| {
                    WebError::BadRequest("追回金额应为大于 0 的元，最多两位小数".into())
                });
            match (line(), fen) {
                (Ok(l), Ok(fen)) => {
                    recover(&state, &user, l, fen.0, f.note.as_deref().unwrap_or("")).await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        "sample" => draw(&state, &user, term, f.seed.unwrap_or(2023)).await,
        "adjust" => adjust(&state, &user, term, true).await,
        "adjust-preview" => adjust(&state, &user, term, false).await,
        _ => Err(WebError::NotFound),
    };
    after(&state, &user, &term.to_string(), outcome, Vec::new()).await
}

/// POST /payments/verifications/{id}: a family's answer; `/close` ends a follow-up.
pub async fn verify(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let outcome = record_verification(
        &state,
        &user,
        id,
        f.result.as_deref().unwrap_or(""),
        f.note.as_deref().unwrap_or(""),
    )
    .await;
    after(&state, &user, &f.term, outcome, Vec::new()).await
}

pub async fn close_follow_up(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&f.csrf)?;
    let outcome = close_verification(&state, &user, id, f.note.as_deref().unwrap_or("")).await;
    after(&state, &user, &f.term, outcome, Vec::new()).await
}

/// GET /payments/waivers?term=: the schools' fee-compensation statement (XLSX; county, auditors
/// and finance; audited).
pub async fn waivers(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    if !sees_batches(&user) {
        return Err(WebError::Forbidden);
    }
    let (term, _) = pick_term(&state, p.term.as_deref()).await?;
    let term = term.ok_or(WebError::NotFound)?;
    let dir = private_tempdir()?;
    let name = format!("{term}-学校减免补助结算表.xlsx");
    let path = dir.path().join("waivers.xlsx");
    let who = PayActor {
        name: &user.username,
        origin: Some(&user.origin),
    };
    zizhu_app::payments::write_fee_statement(&state.db, &state.policy, term, &path, who).await?;
    let bytes =
        std::fs::read(&path).map_err(|e| WebError::Internal(format!("无法读取生成的文件：{e}")))?;
    Ok(super::roster::xlsx_download(&name, bytes))
}

/// A temporary folder only this server's user can read (bank files and returns hold card
/// numbers), removed when dropped.
pub(crate) fn private_tempdir() -> Result<tempfile::TempDir, WebError> {
    let dir =
        tempfile::tempdir().map_err(|e| WebError::Internal(format!("无法建立临时文件：{e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| WebError::Internal(format!("无法设置临时目录的权限：{e}")))?;
    }
    Ok(dir)
}

/// An uploaded file's name reduced to letters, digits, `.`, `-` and `_`, never a directory
/// name; `return.csv` when nothing is left.
pub(crate) fn safe_name(raw: &str) -> String {
    let s: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "return.csv".into()
    } else {
        s
    }
}

/// A use case's refusal as the user's to fix (400), not the server's fault.
pub(crate) fn refusal(e: zizhu_app::AppError) -> WebError {
    match e {
        zizhu_app::AppError::Import(i) => WebError::BadRequest(i.to_string()),
        zizhu_app::AppError::Other(m) => WebError::BadRequest(m),
        other => other.into(),
    }
}
