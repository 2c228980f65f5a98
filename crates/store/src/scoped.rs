//! Reads limited to a user's scope (数据范围), for the web application. Every query here takes a
//! [`ScopeFilter`] and binds its township and school in SQL, so a row outside the scope is never
//! read, let alone shown: the one mechanism by which a school sees only its own students.

use crate::cases::{CaseFilter, CaseRow};
use crate::convert::term_seq;
use crate::error::{Ctx, StoreResult};
use crate::results::{
    entitlement_cols, entitlement_joins, entitlement_select, entitlements, RawEntitlement,
};
use crate::rows::EntitlementRow;
use crate::Db;
use zizhu_domain::access::{Access, Scope};
use zizhu_domain::dropout::CaseState;
use zizhu_domain::Term;

/// The SQL side of a scope: rows whose school is in `township`, or is `school`; `None` means no
/// limit on that column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeFilter<'a> {
    pub township: Option<&'a str>,
    pub school: Option<&'a str>,
}

impl<'a> ScopeFilter<'a> {
    /// The filter of a user's access.
    pub fn of(a: &'a Access) -> ScopeFilter<'a> {
        match &a.scope {
            Scope::County => ScopeFilter {
                township: None,
                school: None,
            },
            Scope::Township(t) => ScopeFilter {
                township: Some(t),
                school: None,
            },
            Scope::School(c) => ScopeFilter {
                township: None,
                school: Some(c),
            },
        }
    }
}

impl ScopeFilter<'_> {
    /// The dropout cases (一生一案) in scope, by the case's township (the child's residence) and
    /// responsible school — the same columns `zizhu case list --township/--school` filter on.
    pub fn cases(&self, state: Option<CaseState>, open_only: bool) -> CaseFilter {
        CaseFilter {
            school_code: self.school.map(str::to_string),
            township: self.township.map(str::to_string),
            state,
            open_only,
        }
    }
}

/// One student of a term as lists and search results show it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StudentBrief {
    /// The registry row's id (the page address of the student in this term).
    pub key: i64,
    pub term: String,
    pub id_number: String,
    pub name: String,
    pub student_no: String,
    pub school_code: String,
    /// Empty when the school is not on the school list.
    pub school_name: String,
    pub township: String,
    pub grade: i64,
    pub class_name: String,
    pub status: String,
    pub boarding: bool,
}

/// `student st` joined with its school; binds `$1` township, `$2` school code.
const STUDENT_SCOPED: &str = "SELECT st.id AS key, st.term, st.id_number, st.name, \
    st.student_no, st.school_code, COALESCE(s.name, '') AS school_name, \
    COALESCE(s.township, '') AS township, st.grade, st.class_name, st.status, st.boarding \
    FROM student st LEFT JOIN school s ON s.code = st.school_code \
    WHERE ($1 IS NULL OR s.township = $1) AND ($2 IS NULL OR st.school_code = $2)";

impl Db {
    /// Case `id` if it is in scope; `None` when there is none or it is outside (404 alike).
    pub async fn case_in_scope(
        &self,
        scope: ScopeFilter<'_>,
        id: i64,
    ) -> StoreResult<Option<CaseRow>> {
        let sql = format!(
            "SELECT {} FROM dropout_case WHERE {} AND id = $3",
            crate::cases::CASE_COLS,
            crate::cases::SCOPE_WHERE
        );
        let raw: Option<crate::cases::RawCase> = db_run!(self, |pool| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(scope.school)
        .bind(scope.township)
        .bind(id)
        .fetch_optional(pool)
        .await)
        .ctx("读取案件")?;
        raw.map(CaseRow::try_from).transpose()
    }

    /// The terms that have a registry or a computed roster, newest first.
    pub async fn known_terms(&self) -> StoreResult<Vec<Term>> {
        // From the import batches, not the registry: one row a file, not one a student.
        const SQL: &str = "SELECT term FROM import_batch WHERE kind = 'students' \
            AND term IS NOT NULL UNION SELECT term FROM compute_run";
        let raw: Vec<String> =
            db_run!(self, |pool| sqlx::query_scalar(SQL).fetch_all(pool).await).ctx("读取学期")?;
        let mut terms: Vec<Term> = raw.iter().filter_map(|t| t.parse().ok()).collect();
        terms.sort_unstable_by(|a, b| b.cmp(a));
        terms.dedup();
        Ok(terms)
    }

    /// Students of `term` in scope whose name contains `text`, or whose student number or ID
    /// number starts with it (an empty text lists them all), ordered by school, class and name;
    /// at most `limit`.
    pub async fn search_students(
        &self,
        scope: ScopeFilter<'_>,
        term: Term,
        text: &str,
        limit: i64,
    ) -> StoreResult<Vec<StudentBrief>> {
        let sql = format!(
            "{STUDENT_SCOPED} AND st.term_seq = $3 \
             AND ($4 = '' OR st.name LIKE $5 ESCAPE '\\' OR st.student_no LIKE $6 ESCAPE '\\' \
             OR st.id_number LIKE $7 ESCAPE '\\') \
             ORDER BY st.school_code, st.grade, st.class_name, st.name, st.id LIMIT $8"
        );
        let text = text.trim();
        let pattern = crate::audit::contains_pattern(text);
        // Numbers match from their start (a 学籍号 or ID typed in part); an ID's check
        // character is stored as a capital X.
        let prefix = format!("{}%", crate::audit::escape_like(text));
        let id_prefix = format!("{}%", crate::audit::escape_like(&text.to_uppercase()));
        db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(scope.township)
        .bind(scope.school)
        .bind(term_seq(term))
        .bind(text)
        .bind(&pattern)
        .bind(&prefix)
        .bind(&id_prefix)
        .bind(limit)
        .fetch_all(pool)
        .await)
        .ctx("查询学生")
    }

    /// The registry row `key` if it is in scope; `None` when there is no such row or it belongs
    /// to a school outside the scope (the caller answers 404 alike).
    pub async fn student_in_scope(
        &self,
        scope: ScopeFilter<'_>,
        key: i64,
    ) -> StoreResult<Option<StudentBrief>> {
        let sql = format!("{STUDENT_SCOPED} AND st.id = $3");
        db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(scope.township)
        .bind(scope.school)
        .bind(key)
        .fetch_optional(pool)
        .await)
        .ctx("读取学生")
    }

    /// Up to `limit` roster lines of `term` in scope (of one program when given) with
    /// `key > after_key`, by key.
    pub async fn roster_page(
        &self,
        scope: ScopeFilter<'_>,
        term: Term,
        program: Option<&str>,
        after_key: i64,
        limit: i64,
    ) -> StoreResult<Vec<EntitlementRow>> {
        const SQL: &str = concat!(
            entitlement_select!(),
            " WHERE ($1 IS NULL OR s.township = $1) AND ($2 IS NULL OR e.school_code = $2) \
             AND e.term_seq = $3 AND ($4 IS NULL OR e.program = $4) AND e.id > $5 \
             ORDER BY e.id LIMIT $6"
        );
        let raw: Vec<RawEntitlement> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(scope.township)
            .bind(scope.school)
            .bind(term_seq(term))
            .bind(program)
            .bind(after_key)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .ctx("读取资助名单")?;
        entitlements(raw)
    }
}
