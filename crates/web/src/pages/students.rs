//! Students (学生): search in scope by name, student number or ID number; one student's page
//! with the categories and the lists behind them, the roster lines with clause and facts, the
//! policy's explanation and any dropout case. ID numbers are masked unless the role may see them
//! and asks (each such view is audited).

use super::{pick_term, term_options, TermOption};
use crate::auth::{CsrfForm, User};
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Html;
use zizhu_domain::access::Duty;
use zizhu_domain::ids::mask_long_digits;
use zizhu_domain::IdNumber;
use zizhu_store::{ScopeFilter, StudentBrief};

/// Most rows a search shows.
const SEARCH_LIMIT: i64 = 200;

#[derive(serde::Deserialize)]
pub struct SearchParams {
    term: Option<String>,
    q: Option<String>,
}

/// A student as a list row shows them, the ID masked.
pub struct Row {
    pub key: i64,
    pub name: String,
    pub id_masked: String,
    pub student_no: String,
    pub school: String,
    pub grade: i64,
    pub class_name: String,
    pub status: String,
}

fn masked(id: &str) -> String {
    IdNumber::parse(id).map_or_else(|_| "（证件号无效）".to_string(), |(i, _)| i.masked())
}

fn status_zh(key: &str) -> String {
    zizhu_domain::Status::from_key(key).map_or_else(|| key.to_string(), |s| s.zh().to_string())
}

impl From<&StudentBrief> for Row {
    fn from(s: &StudentBrief) -> Row {
        Row {
            key: s.key,
            name: s.name.clone(),
            id_masked: masked(&s.id_number),
            // A 学籍号 is often G + the ID number: masked like one.
            student_no: zizhu_domain::ids::mask_student_no(&s.student_no),
            school: if s.school_name.is_empty() {
                s.school_code.clone()
            } else {
                s.school_name.clone()
            },
            grade: s.grade,
            class_name: mask_long_digits(&s.class_name),
            status: status_zh(&s.status),
        }
    }
}

#[derive(Template)]
#[template(path = "students.html")]
struct SearchPage {
    nav: Nav,
    terms: Vec<TermOption>,
    term_key: String,
    q: String,
    rows: Vec<Row>,
    limited: bool,
}

/// GET /students?term=&q=
pub async fn search(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<SearchParams>,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(&state, p.term.as_deref()).await?;
    // NUL and other control characters never reach a query (SQLite ends a pattern at NUL).
    let q: String =
        p.q.unwrap_or_default()
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
    let mut rows = Vec::new();
    if let Some(t) = term {
        let found = state
            .db
            .search_students(ScopeFilter::of(&user.access), t, &q, SEARCH_LIMIT)
            .await?;
        rows = found.iter().map(Row::from).collect();
        // What was typed may be an ID number: the log keeps it masked like one.
        let detail = format!("查询“{}”，{} 人", mask_long_digits(&q), rows.len());
        state
            .db
            .audit_entry(&user.audit("view_students", &format!("学生名单 {t}"), &detail))
            .await?;
    }
    html(&SearchPage {
        nav: Nav::of(&user),
        terms: term_options(&known, term),
        term_key: term.map(|t| t.to_string()).unwrap_or_default(),
        limited: rows.len() as i64 >= SEARCH_LIMIT,
        q,
        rows,
    })
}

/// A family-difficulty category (困难类别) with the list row it came from.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Category {
    /// The category in Chinese, e.g. 低保家庭.
    pub name: String,
    /// The list, import batch and row that made it.
    pub source: String,
    /// What the row said (long digit runs masked).
    pub detail: String,
}

/// A roster line of the student (资助项目).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Line {
    /// The program's name.
    pub program: String,
    /// The policy clause that grants it, e.g. `二(一)2 第一款`.
    pub clause: String,
    #[serde(skip)]
    pub amount: String,
    /// The term's amount in fen (分).
    pub amount_fen: i64,
    /// Who receives it (监护人/学生/学校), in Chinese.
    pub payee: String,
}

/// A dropout case (一生一案) of the student, in the user's scope.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    /// The state in Chinese.
    pub state: String,
    /// The state's key, as `/api/cases` gives it (suspected, verifying, …).
    pub state_key: String,
    pub since: String,
    pub opened_on: String,
}

/// A student's page, as the page and the API show it.
pub(crate) struct Detail {
    pub brief: StudentBrief,
    pub term: zizhu_domain::Term,
    pub categories: Vec<Category>,
    pub lines: Vec<Line>,
    pub total_fen: i64,
    /// The policy's explanation of the student's aid, step by step, with the clauses.
    pub explanation: String,
    pub cases: Vec<Case>,
}

#[derive(Template)]
#[template(path = "student.html")]
struct StudentPage {
    nav: Nav,
    s: Row,
    id_shown: String,
    full_id: bool,
    may_see_full_id: bool,
    term_label: String,
    school_code: String,
    township: String,
    boarding: bool,
    categories: Vec<Category>,
    lines: Vec<Line>,
    total: String,
    explanation: String,
    cases: Vec<Case>,
}

/// GET /students/{key}
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(key): Path<i64>,
) -> Result<Html<String>, WebError> {
    student_page(&state, &user, key, false).await
}

/// POST /students/{key}/full-id: the same page with the whole ID number, for roles that may
/// see it; audited.
pub async fn show_full_id(
    State(state): State<AppState>,
    user: User,
    Path(key): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Html<String>, WebError> {
    user.check_csrf(&form.csrf)?;
    user.require(Duty::SeeFullId)?;
    student_page(&state, &user, key, true).await
}

/// The student of registry row `key` in the user's scope (else 404), with categories, roster
/// lines, explanation and cases; the view is audited (as a full-ID view when `full_id`).
pub(crate) async fn detail(
    state: &AppState,
    user: &User,
    key: i64,
    full_id: bool,
) -> Result<Detail, WebError> {
    if full_id {
        user.require(Duty::SeeFullId)?;
    }
    let s = state
        .db
        .student_in_scope(ScopeFilter::of(&user.access), key)
        .await?
        .ok_or(WebError::NotFound)?;
    let term: zizhu_domain::Term = s
        .term
        .parse()
        .map_err(|_| WebError::Internal("学期无法识别".into()))?;
    let (action, detail) = if full_id {
        ("view_full_id", "查看完整身份证件号")
    } else {
        ("view_student", "查看学生资助详情")
    };
    let target = format!("学生 {key}（{}，{}）", masked(&s.id_number), s.name);
    state
        .db
        .audit_entry(&user.audit(action, &target, detail))
        .await?;

    // The person's lines, records and cases at schools outside the scope stay out of sight
    // (a child registered twice, or transferred: the old school does not follow them).
    let entitlements: Vec<_> = state
        .db
        .entitlements_for(term, &s.id_number)
        .await?
        .into_iter()
        .filter(|e| user.access.sees_school(&e.school_code, &e.township))
        .collect();
    let everywhere = state
        .db
        .search_students(
            ScopeFilter {
                township: None,
                school: None,
            },
            term,
            &s.id_number,
            20,
        )
        .await?;
    let elsewhere = everywhere.iter().any(|r| {
        r.id_number == s.id_number && !user.access.sees_school(&r.school_code, &r.township)
    });
    let categories = state
        .db
        .categories_for(term, &s.id_number)
        .await?
        .into_iter()
        // The school's own recognition (学校认定) from another school's registry row is that
        // school's record.
        .filter(|c| !(elsewhere && c.list == zizhu_domain::ListKind::Students))
        .map(|c| Category {
            name: c.category.zh().to_string(),
            source: format!("{}（第{}批导入第{}行）", c.list.zh(), c.import_id, c.row_no),
            detail: mask_long_digits(&c.detail),
        })
        .collect();
    let total_fen: i64 = entitlements.iter().map(|e| e.amount_fen).sum();
    let lines = entitlements
        .into_iter()
        .map(|e| Line {
            program: e.program_name,
            clause: e.clause,
            amount: yuan(&e.amount_fen),
            amount_fen: e.amount_fen,
            payee: zizhu_policy::file::Payee::from_key(&e.payee)
                .map_or(e.payee.clone(), |p| p.zh().to_string()),
        })
        .collect();
    let explanation = if elsewhere {
        "该学生本学期在您的数据范围以外的学校也有学籍记录（重复注册或转学），计算说明涉及那所学校的信息，\
         不在此显示；请联系县学生资助管理中心核查。"
            .to_string()
    } else {
        match state.policy.compile(term) {
            Ok(tp) => zizhu_app::explain::explain_compiled(
                &state.db,
                &state.policy,
                &tp,
                &s.id_number,
                full_id,
            )
            .await
            .unwrap_or_else(|e| format!("无法生成计算说明：{e}")),
            Err(e) => format!("现行政策不适用于{}：{e}", term.label_zh()),
        }
    };
    let scope = ScopeFilter::of(&user.access);
    let mut cases = Vec::new();
    let cases_of = if user.access.may(Duty::ReadCases) {
        state.db.cases_of(&s.id_number).await?
    } else {
        Vec::new()
    };
    for c in cases_of {
        if state.db.case_in_scope(scope, c.id).await?.is_some() {
            cases.push(Case {
                id: c.id,
                state: c.state.zh().to_string(),
                state_key: c.state.key().to_string(),
                since: c.state_since.to_string(),
                opened_on: c.opened_on.to_string(),
            });
        }
    }
    Ok(Detail {
        brief: s,
        term,
        categories,
        lines,
        total_fen,
        explanation,
        cases,
    })
}

async fn student_page(
    state: &AppState,
    user: &User,
    key: i64,
    full_id: bool,
) -> Result<Html<String>, WebError> {
    let d = detail(state, user, key, full_id).await?;
    let s = d.brief;
    let row = Row::from(&s);
    html(&StudentPage {
        nav: Nav::of(user),
        id_shown: if full_id {
            s.id_number.clone()
        } else {
            row.id_masked.clone()
        },
        s: row,
        full_id,
        may_see_full_id: user.access.may(Duty::SeeFullId),
        term_label: d.term.label_zh(),
        school_code: s.school_code,
        township: s.township,
        boarding: s.boarding,
        categories: d.categories,
        lines: d.lines,
        total: yuan(&d.total_fen),
        explanation: d.explanation,
        cases: d.cases,
    })
}
