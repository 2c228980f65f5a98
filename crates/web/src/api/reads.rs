//! Reads of the API: students, a student, the roster, schools, the dashboard's totals, the
//! policy, and dropout cases — each in the caller's scope, each audited where the page is.

use super::{term_or_latest, ApiError, ApiUser, ErrorBody};
use crate::error::WebError;
use crate::pages;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use zizhu_domain::ids::{mask_long_digits, mask_student_no};
use zizhu_domain::IdNumber;
use zizhu_store::ScopeFilter;

pub(crate) fn masked(id: &str) -> String {
    IdNumber::parse(id).map_or_else(|_| "（证件号无效）".to_string(), |(i, _)| i.masked())
}

/// A student as the API lists them; the ID masked.
#[derive(Serialize, ToSchema)]
pub struct StudentItem {
    /// The registry row (the student's address in this term: `/api/students/{key}`).
    key: i64,
    term: String,
    name: String,
    id_masked: String,
    student_no_masked: String,
    school_code: String,
    school_name: String,
    township: String,
    grade: i64,
    class_name: String,
    /// 学籍状态 key: enrolled, suspended, transferred, graduated, dropped_out.
    status: String,
}

impl From<zizhu_store::StudentBrief> for StudentItem {
    fn from(s: zizhu_store::StudentBrief) -> StudentItem {
        StudentItem {
            key: s.key,
            term: s.term,
            id_masked: masked(&s.id_number),
            student_no_masked: mask_student_no(&s.student_no),
            name: s.name,
            school_code: s.school_code,
            school_name: s.school_name,
            township: s.township,
            grade: s.grade,
            class_name: mask_long_digits(&s.class_name),
            status: s.status,
        }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudentQuery {
    /// Term, e.g. `2023-autumn` (default: the newest).
    term: Option<String>,
    /// Part of a name, or the start of a 学籍号 or ID number.
    q: Option<String>,
}

/// Students of a term in the caller's scope (at most 200).
#[utoipa::path(get, path = "/api/students", params(StudentQuery),
    responses((status = 200, description = "成功", body = Vec<StudentItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn students(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<StudentQuery>,
) -> Result<Json<Vec<StudentItem>>, ApiError> {
    let term = term_or_latest(&state, p.term.as_deref()).await?;
    let q: String =
        p.q.unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
    let rows = state
        .db
        .search_students(ScopeFilter::of(&user.access), term, q.trim(), 200)
        .await?;
    let detail = format!("接口查询“{}”，{} 人", mask_long_digits(&q), rows.len());
    state
        .db
        .audit_entry(&user.audit("view_students", &format!("学生名单 {term}"), &detail))
        .await?;
    Ok(Json(rows.into_iter().map(StudentItem::from).collect()))
}

/// One roster line (资助名单).
#[derive(Serialize, ToSchema)]
pub struct RosterLine {
    /// Keyset cursor: pass the last line's key as `after` for the next page.
    key: i64,
    name: String,
    id_masked: String,
    school_code: String,
    school_name: String,
    township: String,
    program: String,
    program_name: String,
    /// The policy clause, e.g. `二(一)2 第一款`.
    clause: String,
    /// Amount of the term in fen (分); 100 fen = 1 元.
    amount_fen: i64,
    /// guardian, student or school.
    payee: String,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    term: Option<String>,
    /// Program id, e.g. `boarding_living_subsidy`.
    program: Option<String>,
    /// Lines after this key (0 or absent: from the start); 100 lines a page.
    after: Option<i64>,
}

/// The roster of a term in the caller's scope, a hundred lines a page.
#[utoipa::path(get, path = "/api/roster", params(RosterQuery),
    responses((status = 200, description = "成功", body = Vec<RosterLine>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn roster(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<RosterQuery>,
) -> Result<Json<Vec<RosterLine>>, ApiError> {
    let term = term_or_latest(&state, p.term.as_deref()).await?;
    let program: Option<String> = p
        .program
        .map(|s| s.chars().filter(|c| !c.is_control()).take(64).collect());
    if let Some(p) = program.as_deref().filter(|s| !s.is_empty()) {
        if !state.policy.file.programs.iter().any(|x| x.id == p) {
            let all: Vec<&str> = state
                .policy
                .file
                .programs
                .iter()
                .map(|x| x.id.as_str())
                .collect();
            return Err(ApiError(WebError::BadRequest(format!(
                "没有资助项目 {p}；现行政策的项目：{}",
                all.join("、")
            ))));
        }
    }
    let after = p.after.unwrap_or(0).max(0);
    let rows = state
        .db
        .roster_page(
            ScopeFilter::of(&user.access),
            term,
            program.as_deref().filter(|s| !s.is_empty()),
            after,
            100,
        )
        .await?;
    let detail = format!(
        "接口读取，项目 {}，第 {after} 行起 {} 行",
        program.as_deref().unwrap_or("全部"),
        rows.len()
    );
    state
        .db
        .audit_entry(&user.audit("view_roster", &format!("资助名单 {term}"), &detail))
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| RosterLine {
                key: r.key,
                id_masked: masked(&r.id_number),
                name: r.name,
                school_code: r.school_code,
                school_name: r.school_name,
                township: r.township,
                program: r.program,
                program_name: r.program_name,
                clause: r.clause,
                amount_fen: r.amount_fen,
                payee: r.payee,
            })
            .collect(),
    ))
}

/// A dropout case (一生一案) as the API lists it.
#[derive(Serialize, ToSchema)]
pub struct CaseItem {
    id: i64,
    name: String,
    id_masked: String,
    township: String,
    school_code: String,
    /// State key: suspected, verifying, not_dropout, confirmed, persuading, returned,
    /// home_teaching, closed.
    state: String,
    /// The day it entered its state (YYYY-MM-DD).
    state_since: String,
    opened_on: String,
    teacher: String,
    official: String,
}

pub(crate) fn case_item(c: zizhu_store::CaseRow) -> CaseItem {
    CaseItem {
        id: c.id,
        id_masked: masked(&c.child.id_number),
        name: c.child.name,
        township: c.child.township,
        school_code: c.child.school_code,
        state: c.state.key().to_string(),
        state_since: c.state_since.to_string(),
        opened_on: c.opened_on.to_string(),
        teacher: mask_long_digits(&c.teacher),
        official: mask_long_digits(&c.official),
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases in this state (suspected, verifying, not_dropout, confirmed, persuading,
    /// returned, home_teaching, closed).
    state: Option<String>,
    /// `true`: only cases not closed (未销号).
    open: Option<bool>,
    /// Only this school's cases (学校标识码), within the scope.
    school: Option<String>,
}

/// The dropout cases in the caller's scope.
#[utoipa::path(get, path = "/api/cases", params(CaseQuery),
    responses((status = 200, description = "成功", body = Vec<CaseItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn cases(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<CaseQuery>,
) -> Result<Json<Vec<CaseItem>>, ApiError> {
    user.require(zizhu_domain::access::Duty::ReadCases)?;
    let wanted = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(
            zizhu_domain::dropout::CaseState::from_key(k)
                .ok_or_else(|| ApiError(WebError::BadRequest(format!("未知的案件状态 {k}"))))?,
        ),
    };
    let mut rows = state
        .db
        .cases(&ScopeFilter::of(&user.access).cases(wanted, q.open.unwrap_or(false)))
        .await?;
    if let Some(school) = q.school.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        rows.retain(|c| c.child.school_code == school);
    }
    state
        .db
        .audit_entry(&user.audit(
            "view_cases",
            "一生一案台账",
            &format!("接口读取 {} 件", rows.len()),
        ))
        .await?;
    Ok(Json(rows.into_iter().map(case_item).collect()))
}

/// One dropout case in the caller's scope (404 outside it).
#[utoipa::path(get, path = "/api/cases/{id}", params(("id" = i64, Path, description = "案件编号")),
    responses((status = 200, description = "成功", body = CaseDetail), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CaseDetail>, ApiError> {
    user.require(zizhu_domain::access::Duty::ReadCases)?;
    let c = state
        .db
        .case_in_scope(ScopeFilter::of(&user.access), id)
        .await?
        .ok_or(ApiError(WebError::NotFound))?;
    state
        .db
        .audit_entry(&user.audit("view_case", &format!("case:{id}"), "接口查看案件"))
        .await?;
    let events = state
        .db
        .case_events(id)
        .await?
        .into_iter()
        .map(|e| CaseEvent {
            on: e.on.to_string(),
            actor: e.actor,
            level: e.actor_level.zh().to_string(),
            kind: e.kind,
            from: e.from_state.map(|s| s.key().to_string()),
            to: e.to_state.map(|s| s.key().to_string()),
            action: e.action.map(|a| a.key().to_string()),
            note: mask_long_digits(&e.note),
        })
        .collect();
    Ok(Json(CaseDetail {
        reasons: c.child.reasons.iter().map(|r| r.zh().to_string()).collect(),
        groups: c.child.groups.iter().map(|g| g.zh().to_string()).collect(),
        case: case_item(c),
        events,
    }))
}

/// An event of a case's history (一生一案 记录), oldest first.
#[derive(Serialize, ToSchema)]
pub struct CaseEvent {
    /// The day it happened (YYYY-MM-DD).
    on: String,
    actor: String,
    /// 县级, 乡镇 or 学校.
    level: String,
    /// open, move, action, assign, scan.
    kind: String,
    /// State keys of a move.
    from: Option<String>,
    to: Option<String>,
    /// Action key: home_visit, phone_call, persuasion, placement, home_teaching_session, note.
    action: Option<String>,
    /// What was recorded (long digit runs masked).
    note: String,
}

/// A dropout case with why it was opened and its whole history.
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    case: CaseItem,
    /// Why the child was found (疑似原因), in Chinese.
    reasons: Vec<String>,
    /// Groups to watch (重点关注群体), in Chinese.
    groups: Vec<String>,
    events: Vec<CaseEvent>,
}

/// One student of a term (学生资助详情): the ID masked, categories with the list rows behind
/// them, roster lines with the clause, the policy's explanation, and the dropout cases.
#[derive(Serialize, ToSchema)]
pub struct StudentDetail {
    student: StudentItem,
    /// The whole ID number: only when asked (`full_id=true`) by a role that may see it (county,
    /// auditor); each such read is audited as a full-ID view.
    id_number: Option<String>,
    boarding: bool,
    categories: Vec<pages::students::Category>,
    entitlements: Vec<pages::students::Line>,
    /// The term's sum of the lines in fen (分).
    total_fen: i64,
    /// Step by step, with the clauses; IDs in it are masked.
    explanation: String,
    cases: Vec<pages::students::Case>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailQuery {
    /// `true`: include the whole ID number (county and auditors only; 403 for others).
    full_id: Option<bool>,
}

/// A student of the caller's scope by registry row (404 outside it); the view is audited.
#[utoipa::path(get, path = "/api/students/{key}", params(("key" = i64, Path, description = "学籍记录编号（/api/students 的 key）"), DetailQuery),
    responses((status = 200, description = "成功", body = StudentDetail), (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn student(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(key): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Json<StudentDetail>, ApiError> {
    let full_id = q.full_id.unwrap_or(false);
    let d = pages::students::detail(&state, &user, key, full_id).await?;
    Ok(Json(StudentDetail {
        id_number: full_id.then(|| d.brief.id_number.clone()),
        boarding: d.brief.boarding,
        student: StudentItem::from(d.brief),
        categories: d.categories,
        entitlements: d.lines,
        total_fen: d.total_fen,
        explanation: d.explanation,
        cases: d.cases,
    }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermQuery {
    /// Term, e.g. `2023-autumn` (default: the newest with data).
    term: Option<String>,
}

/// The schools in the caller's scope for a term: registry, family-difficulty students and
/// those of them not aided (一个不落), students aided, amount, roster approval, open cases.
#[utoipa::path(get, path = "/api/schools", params(TermQuery),
    responses((status = 200, description = "成功", body = Vec<pages::schools::SchoolItem>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn schools(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<TermQuery>,
) -> Result<Json<Vec<pages::schools::SchoolItem>>, ApiError> {
    let term = match super::term_of(p.term.as_deref())? {
        Some(t) => Some(t),
        None => state.db.known_terms().await?.first().copied(),
    };
    Ok(Json(
        pages::schools::school_items(&state, &user, term).await?,
    ))
}

/// A program's or a township's share of the roster.
#[derive(Serialize, ToSchema)]
pub struct Share {
    /// Program id, or township name.
    key: String,
    /// Program name, or township name.
    label: String,
    /// Roster lines (人次).
    headcount: i64,
    amount_fen: i64,
}

/// Dropout cases in one state.
#[derive(Serialize, ToSchema)]
pub struct StateCount {
    /// suspected, verifying, not_dropout, confirmed, persuading, returned, home_teaching, closed.
    state: String,
    count: usize,
}

/// The dashboard of a term in the caller's scope.
#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    term: String,
    /// Students in reading (在读).
    enrolled: i64,
    /// Of them, with a family-difficulty category.
    hardship: i64,
    /// Of those, with no aid this term.
    hardship_unaided: i64,
    /// Students with a roster line.
    aided: i64,
    /// Share of family-difficulty students aided, e.g. `99.5%`; empty when there are none.
    coverage: String,
    programs: Vec<Share>,
    townships: Vec<Share>,
    /// Roster lines and fen in all.
    headcount: i64,
    amount_fen: i64,
    cases: Vec<StateCount>,
}

/// Students aided and yuan per program and township, coverage, and dropout cases by state.
#[utoipa::path(get, path = "/api/dashboard", params(TermQuery),
    responses((status = 200, description = "成功", body = Dashboard), (status = 404, description = "没有该记录，或不在数据范围内", body = ErrorBody), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(p): Query<TermQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let term = term_or_latest(&state, p.term.as_deref()).await?;
    let t = pages::dashboard::totals(&state, &user, term).await?;
    let mut d = Dashboard {
        term: term.to_string(),
        enrolled: 0,
        hardship: 0,
        hardship_unaided: 0,
        aided: 0,
        coverage: String::new(),
        programs: t
            .programs
            .into_iter()
            .map(|((key, label), (headcount, amount_fen))| Share {
                key,
                label,
                headcount,
                amount_fen,
            })
            .collect(),
        townships: t
            .townships
            .into_iter()
            .map(|(town, (headcount, amount_fen))| Share {
                key: town.clone(),
                label: town,
                headcount,
                amount_fen,
            })
            .collect(),
        headcount: t.headcount,
        amount_fen: t.amount_fen,
        cases: Vec::new(),
    };
    let (sum, _, _) = pages::dashboard::coverage_summary(&state, &user, term).await?;
    (d.enrolled, d.hardship, d.hardship_unaided, d.aided) =
        (sum.enrolled, sum.hardship, sum.hardship_unaided, sum.aided);
    d.coverage = pages::schools::coverage(d.hardship, d.hardship_unaided);
    let all = if user.access.may(zizhu_domain::access::Duty::ReadCases) {
        state
            .db
            .cases(&ScopeFilter::of(&user.access).cases(None, false))
            .await?
    } else {
        Vec::new()
    };
    d.cases = zizhu_domain::dropout::CaseState::ALL
        .iter()
        .map(|s| StateCount {
            state: s.key().to_string(),
            count: all.iter().filter(|c| c.state == *s).count(),
        })
        .collect();
    Ok(Json(d))
}

/// The policy in force.
#[derive(Serialize, ToSchema)]
pub struct PolicyBody {
    title: String,
    /// File, version, source, scope, validity, reference days and SHA-256, as [label, value].
    meta: Vec<(String, String)>,
    programs: Vec<pages::policy::Program>,
    params: Vec<pages::policy::Param>,
}

/// The policy the server runs: programs with clause, payee, conditions and amounts, and the
/// dated parameters.
#[utoipa::path(get, path = "/api/policy",
    responses((status = 200, description = "成功", body = PolicyBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn policy(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<PolicyBody>, ApiError> {
    let v = pages::policy::view(&state);
    Ok(Json(PolicyBody {
        title: v.title,
        meta: v.meta,
        programs: v.programs,
        params: v.params,
    }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Year, e.g. `2023` (default: the newest imported).
    year: Option<i32>,
}

/// Normal-school targeted admission (师范“三定向”, 三(二)) of a year: each category's control line,
/// floor and lowered line, and each applicant's result with masked ID (county and auditors;
/// audited). 404 when no admission list was imported.
#[utoipa::path(get, path = "/api/admission", params(YearQuery),
    responses((status = 200, description = "成功", body = pages::admission::AdmissionView), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "尚未导入师范定向名单", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn admission(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<YearQuery>,
) -> Result<Json<pages::admission::AdmissionView>, ApiError> {
    let (_, view) = pages::admission::analysis(&state, &user, q.year).await?;
    Ok(Json(view.ok_or(ApiError(WebError::NotFound))?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecheckQuery {
    /// Term, e.g. `2023-autumn` (default: the newest with data).
    term: Option<String>,
}

/// The post-exit recheck gaps (脱贫成果回查监测, 四(二)) of a term in the caller's scope, open first
/// (roles that read dropout cases; audited).
#[utoipa::path(get, path = "/api/recheck", params(RecheckQuery),
    responses((status = 200, description = "成功", body = Vec<pages::recheck::GapView>), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn recheck(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<RecheckQuery>,
) -> Result<Json<Vec<pages::recheck::GapView>>, ApiError> {
    let term = term_or_latest(&state, q.term.as_deref()).await?;
    Ok(Json(
        pages::recheck::scoped_gaps(&state, &user, term).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckRunBody {
    /// Term, e.g. `2023-autumn`.
    term: String,
}

/// Runs the recheck of a term (county): new gaps recorded, gaps no longer found rectified.
#[utoipa::path(post, path = "/api/recheck", request_body = RecheckRunBody,
    responses((status = 200, description = "成功", body = super::payments::Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn recheck_run(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<RecheckRunBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<super::payments::Done>, ApiError> {
    let Json(b) = body.map_err(super::json_refused)?;
    let term = super::term_of(Some(&b.term))?
        .ok_or_else(|| ApiError(WebError::BadRequest("请给出学期，如 2023-autumn".into())))?;
    let message = pages::recheck::run(&state, &user, term).await?;
    Ok(Json(super::payments::Done { message }))
}

#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckNoteBody {
    /// The gap's term, e.g. `2023-autumn`.
    term: String,
    /// The measure taken (整改措施), at most 500 characters.
    note: String,
}

/// Notes the measure taken on a gap of the caller's scope (school, township, county).
#[utoipa::path(post, path = "/api/recheck/{id}/note", params(("id" = i64, Path, description = "问题编号")), request_body = RecheckNoteBody,
    responses((status = 200, description = "成功", body = super::payments::Done), (status = 400, description = "请求有误（原因见 error）", body = ErrorBody),
        (status = 403, description = "角色无权进行此操作", body = ErrorBody), (status = 404, description = "本范围内没有该问题", body = ErrorBody),
        (status = 401, description = "缺少或无效的接口令牌", body = ErrorBody)),
    security(("token" = [])))]
pub async fn recheck_note(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<RecheckNoteBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<super::payments::Done>, ApiError> {
    let Json(b) = body.map_err(super::json_refused)?;
    let term = super::term_of(Some(&b.term))?
        .ok_or_else(|| ApiError(WebError::BadRequest("请给出学期，如 2023-autumn".into())))?;
    let message = pages::recheck::note(&state, &user, term, id, &b.note).await?;
    Ok(Json(super::payments::Done { message }))
}
