//! Reading the computed results: the roster (keyset paged, per person, totals), categories,
//! quality issues, the latest run, and the grants of earlier terms.

use crate::convert::{from_row_by_position, key, term as parse_term, term_seq};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::rows::{CategoryRow, EntitlementRow, QualityRow, RunRow, SchoolStat, TotalRow};
use crate::sql::placeholders;
use crate::Db;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use zizhu_domain::{Category, ListKind, Term};

/// The columns of [`RawEntitlement`], in order, from `entitlement e` joined by
/// [`entitlement_joins`]. A line's whole facts: the run's shared policy part
/// (`entitlement_trace`, migration 0004) and its own `sources`, as one JSON object; lines with
/// no trace hold the whole object themselves.
macro_rules! entitlement_cols {
    () => {
        "e.id, e.run_id, e.term, e.id_number, e.name, e.student_no, e.school_code, \
         COALESCE(s.name, ''), COALESCE(s.township, ''), e.program, e.program_name, e.clause, \
         e.amount_fen, e.payee, \
         CASE WHEN t.body IS NULL THEN e.facts \
         ELSE '{' || t.body || ',\"sources\":' || e.facts || '}' END"
    };
}
pub(crate) use entitlement_cols;

/// `entitlement e` with the school and the trace that [`entitlement_cols`] read.
macro_rules! entitlement_joins {
    () => {
        "entitlement e LEFT JOIN school s ON s.code = e.school_code \
         LEFT JOIN entitlement_trace t ON t.run_id = e.run_id AND t.trace_no = e.trace_no"
    };
}
pub(crate) use entitlement_joins;

macro_rules! entitlement_select {
    () => {
        concat!(
            "SELECT ",
            entitlement_cols!(),
            " FROM ",
            entitlement_joins!()
        )
    };
}
pub(crate) use entitlement_select;

/// Read by position ([`entitlement_cols`]); also from a JSON array per row (SQLite bulk path in
/// `person.rs`).
#[derive(serde::Deserialize)]
pub(crate) struct RawEntitlement {
    id: i64,
    run_id: i64,
    term: String,
    id_number: String,
    name: String,
    student_no: String,
    school_code: String,
    school_name: String,
    township: String,
    program: String,
    program_name: String,
    clause: String,
    amount_fen: i64,
    payee: String,
    facts: String,
}
from_row_by_position!(RawEntitlement {
    id,
    run_id,
    term,
    id_number,
    name,
    student_no,
    school_code,
    school_name,
    township,
    program,
    program_name,
    clause,
    amount_fen,
    payee,
    facts,
});

impl TryFrom<RawEntitlement> for EntitlementRow {
    type Error = StoreError;
    fn try_from(r: RawEntitlement) -> StoreResult<Self> {
        Ok(EntitlementRow {
            key: r.id,
            run_id: r.run_id,
            term: parse_term(&r.term)?,
            id_number: r.id_number,
            name: r.name,
            student_no: r.student_no,
            school_code: r.school_code,
            school_name: r.school_name,
            township: r.township,
            program: r.program,
            program_name: r.program_name,
            clause: r.clause,
            amount_fen: r.amount_fen,
            payee: r.payee,
            facts: r.facts,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RawCategory {
    id: i64,
    run_id: i64,
    term: String,
    id_number: String,
    category: String,
    list_kind: String,
    import_id: i64,
    row_no: i64,
    detail: String,
}

#[derive(sqlx::FromRow)]
struct RawQuality {
    id: i64,
    run_id: i64,
    term: String,
    code: String,
    id_number: Option<String>,
    school_code: Option<String>,
    source: String,
    detail: String,
}

#[derive(sqlx::FromRow)]
struct RawRun {
    id: i64,
    term: String,
    policy_id: String,
    policy_version: String,
    policy_sha256: String,
    actor: String,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    student_count: i64,
    entitlement_count: i64,
    total_fen: i64,
}

#[derive(sqlx::FromRow)]
struct RawTotal {
    township: String,
    school_code: String,
    school_name: String,
    program: String,
    program_name: String,
    headcount: i64,
    amount_fen: i64,
}

pub(crate) fn entitlements(raw: Vec<RawEntitlement>) -> StoreResult<Vec<EntitlementRow>> {
    raw.into_iter().map(EntitlementRow::try_from).collect()
}

impl Db {
    /// Up to `limit` roster lines of `term` with `key > after_key`, ordered by key (start with
    /// 0, continue with the last key; an empty page is the end).
    pub async fn entitlements(
        &self,
        term: Term,
        after_key: i64,
        limit: i64,
    ) -> StoreResult<Vec<EntitlementRow>> {
        const SQL: &str = concat!(
            entitlement_select!(),
            " WHERE e.term_seq = $1 AND e.id > $2 ORDER BY e.id LIMIT $3"
        );
        let raw: Vec<RawEntitlement> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .bind(after_key)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .ctx("读取资助名单")?;
        entitlements(raw)
    }

    /// The roster lines of one person in `term`, ordered by key.
    pub async fn entitlements_for(
        &self,
        term: Term,
        id_number: &str,
    ) -> StoreResult<Vec<EntitlementRow>> {
        const SQL: &str = concat!(
            entitlement_select!(),
            " WHERE e.term_seq = $1 AND e.id_number = $2 ORDER BY e.id"
        );
        let raw: Vec<RawEntitlement> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .bind(id_number)
            .fetch_all(pool)
            .await)
        .ctx("读取资助名单")?;
        entitlements(raw)
    }

    /// Roster totals of `term` per township, school and program, summed in SQL; ordered by
    /// township, school code, program (byte order of the text, the same on both backends).
    /// Schools missing from the school list have an empty township and name.
    pub async fn entitlement_totals(&self, term: Term) -> StoreResult<Vec<TotalRow>> {
        const SQL: &str = "SELECT COALESCE(s.township, '') AS township, e.school_code, \
            COALESCE(s.name, '') AS school_name, e.program, e.program_name, \
            COUNT(DISTINCT e.id_number) AS headcount, \
            CAST(SUM(e.amount_fen) AS BIGINT) AS amount_fen \
            FROM entitlement e LEFT JOIN school s ON s.code = e.school_code \
            WHERE e.term_seq = $1 \
            GROUP BY COALESCE(s.township, ''), e.school_code, COALESCE(s.name, ''), e.program, \
            e.program_name";
        let raw: Vec<RawTotal> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .fetch_all(pool)
            .await)
        .ctx("汇总资助名单")?;
        let mut rows: Vec<TotalRow> = raw
            .into_iter()
            .map(|r| TotalRow {
                township: r.township,
                school_code: r.school_code,
                school_name: r.school_name,
                program: r.program,
                program_name: r.program_name,
                headcount: r.headcount,
                amount_fen: r.amount_fen,
            })
            .collect();
        // Sorted here, not in SQL: the two backends collate Chinese text differently.
        rows.sort_by(|a, b| {
            (&a.township, &a.school_code, &a.program).cmp(&(
                &b.township,
                &b.school_code,
                &b.program,
            ))
        });
        Ok(rows)
    }

    /// Per school of `term`: students in reading, those with a family-difficulty category, those
    /// of them with no roster line, and the people with a roster line at the school (college
    /// admittees, no longer in the registry, included); ordered by school code.
    pub async fn school_stats(&self, term: Term) -> StoreResult<Vec<SchoolStat>> {
        const REGISTRY: &str = "SELECT s.school_code, \
            CAST(SUM(CASE WHEN s.status = 'enrolled' THEN 1 ELSE 0 END) AS BIGINT), \
            CAST(SUM(CASE WHEN s.status = 'enrolled' AND EXISTS (SELECT 1 FROM category c \
                WHERE c.term_seq = s.term_seq AND c.id_number = s.id_number) THEN 1 ELSE 0 END) \
                AS BIGINT), \
            CAST(SUM(CASE WHEN s.status = 'enrolled' AND EXISTS (SELECT 1 FROM category c \
                WHERE c.term_seq = s.term_seq AND c.id_number = s.id_number) AND NOT EXISTS \
                (SELECT 1 FROM entitlement e WHERE e.term_seq = s.term_seq \
                AND e.id_number = s.id_number) THEN 1 ELSE 0 END) AS BIGINT) \
            FROM student s WHERE s.term_seq = $1 GROUP BY s.school_code";
        const AIDED: &str = "SELECT school_code, COUNT(DISTINCT id_number) FROM entitlement \
            WHERE term_seq = $1 GROUP BY school_code";
        let seq = term_seq(term);
        let registry: Vec<(String, i64, i64, i64)> = db_run!(self, |pool| sqlx::query_as(REGISTRY)
            .bind(seq)
            .fetch_all(pool)
            .await)
        .ctx("统计学校资助概况")?;
        let aided: Vec<(String, i64)> = db_run!(self, |pool| sqlx::query_as(AIDED)
            .bind(seq)
            .fetch_all(pool)
            .await)
        .ctx("统计学校资助概况")?;
        let mut by_school: std::collections::BTreeMap<String, SchoolStat> = registry
            .into_iter()
            .map(|(school_code, enrolled, hardship, hardship_unaided)| {
                let stat = SchoolStat {
                    school_code: school_code.clone(),
                    enrolled,
                    hardship,
                    hardship_unaided,
                    aided: 0,
                };
                (school_code, stat)
            })
            .collect();
        for (code, n) in aided {
            by_school
                .entry(code.clone())
                .or_insert_with(|| SchoolStat {
                    school_code: code,
                    ..SchoolStat::default()
                })
                .aided = n;
        }
        Ok(by_school.into_values().collect())
    }

    /// The family-difficulty categories of one person in `term`, ordered by key.
    pub async fn categories_for(
        &self,
        term: Term,
        id_number: &str,
    ) -> StoreResult<Vec<CategoryRow>> {
        const SQL: &str = "SELECT id, run_id, term, id_number, category, list_kind, import_id, \
            row_no, detail FROM category WHERE term_seq = $1 AND id_number = $2 ORDER BY id";
        let raw: Vec<RawCategory> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .bind(id_number)
            .fetch_all(pool)
            .await)
        .ctx("读取困难类别")?;
        raw.into_iter()
            .map(|r| {
                Ok(CategoryRow {
                    key: r.id,
                    run_id: r.run_id,
                    term: parse_term(&r.term)?,
                    id_number: r.id_number,
                    category: key(&r.category, Category::from_key, "困难类别")?,
                    list: key(&r.list_kind, ListKind::from_key, "名单类型")?,
                    import_id: r.import_id,
                    row_no: r.row_no,
                    detail: r.detail,
                })
            })
            .collect()
    }

    /// The data-quality issues of `term`, in the order they were written.
    pub async fn quality_issues(&self, term: Term) -> StoreResult<Vec<QualityRow>> {
        const SQL: &str = "SELECT id, run_id, term, code, id_number, school_code, source, detail \
            FROM quality_issue WHERE term_seq = $1 ORDER BY id";
        let raw: Vec<RawQuality> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .fetch_all(pool)
            .await)
        .ctx("读取数据质量问题")?;
        raw.into_iter()
            .map(|r| {
                Ok(QualityRow {
                    key: r.id,
                    run_id: r.run_id,
                    term: parse_term(&r.term)?,
                    code: r.code,
                    id_number: r.id_number,
                    school_code: r.school_code,
                    source: r.source,
                    detail: r.detail,
                })
            })
            .collect()
    }

    /// The newest committed compute run of `term`, if any.
    pub async fn latest_run(&self, term: Term) -> StoreResult<Option<RunRow>> {
        const SQL: &str = "SELECT id, term, policy_id, policy_version, policy_sha256, actor, \
            started_at, finished_at, student_count, entitlement_count, total_fen \
            FROM compute_run WHERE term_seq = $1 ORDER BY id DESC LIMIT 1";
        let raw: Option<RawRun> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .fetch_optional(pool)
            .await)
        .ctx("读取计算批次")?;
        raw.map(|r| {
            Ok(RunRow {
                id: r.id,
                term: parse_term(&r.term)?,
                policy_id: r.policy_id,
                policy_version: r.policy_version,
                policy_sha256: r.policy_sha256,
                actor: r.actor,
                started_at: r.started_at,
                finished_at: r.finished_at,
                students: r.student_count,
                entitlements: r.entitlement_count,
                total_fen: r.total_fen,
            })
        })
        .transpose()
    }

    /// (ID number, program) pairs granted in any term before `before`, for the given programs
    /// (for once-per-person grants such as the college entrance aid). Empty `programs` gives an
    /// empty set.
    pub async fn prior_grants(
        &self,
        programs: &[String],
        before: Term,
    ) -> StoreResult<HashSet<(String, String)>> {
        let mut out = HashSet::new();
        let p = self.params();
        for chunk in programs.chunks(1_000) {
            let sql = format!(
                "SELECT DISTINCT id_number, program FROM entitlement \
                 WHERE term_seq < {} AND program IN {}",
                p.nth(1),
                placeholders(p, 2, chunk.len())
            );
            let pairs: Vec<(String, String)> = db_run!(self, |pool| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(term_seq(before));
                for p in chunk {
                    q = q.bind(p.as_str());
                }
                q.fetch_all(pool).await
            })
            .ctx("读取往期资助")?;
            out.extend(pairs);
        }
        Ok(out)
    }
}

/// A program as it appears in a stored roster: id, name, clause and payee key, as they were when
/// the term was computed (so a report never depends on today's policy file).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredProgram {
    pub program: String,
    pub program_name: String,
    pub clause: String,
    pub payee: String,
}

impl Db {
    /// The programs of `term`'s stored roster, ordered by program id.
    pub async fn stored_programs(&self, term: Term) -> StoreResult<Vec<StoredProgram>> {
        const SQL: &str = "SELECT program, MIN(program_name) AS program_name, MIN(clause) AS clause, \
            MIN(payee) AS payee FROM entitlement WHERE term_seq = $1 GROUP BY program ORDER BY program";
        let rows: Vec<StoredProgram> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .fetch_all(pool)
            .await)
        .ctx("读取资助项目")?;
        Ok(rows)
    }
}

impl Db {
    /// The programs granted to one person in any term before `before` (for `explain`: a
    /// once-per-person program among them is not granted again; the compute step reads them for
    /// everyone at once).
    pub async fn earlier_programs(
        &self,
        id_number: &str,
        before: Term,
    ) -> StoreResult<HashSet<String>> {
        const SQL: &str =
            "SELECT DISTINCT program FROM entitlement WHERE id_number = $1 AND term_seq < $2";
        let rows: Vec<(String,)> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(id_number)
            .bind(term_seq(before))
            .fetch_all(pool)
            .await)
        .ctx("读取往期资助")?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
