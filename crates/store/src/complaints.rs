//! Complaint tickets (群众反映问题, 四(三), migration 0019) as stored, and the reads of them: one
//! ticket, the tickets of a scope, a ticket's history, and the per-school counts the schools'
//! evaluation uses. Changes are in `complaint_moves.rs`.

use crate::error::{Ctx, StoreError, StoreResult};
use crate::scoped::ScopeFilter;
use crate::Db;
use chrono::{DateTime, NaiveDate, Utc};
use zizhu_domain::complaint::{
    ComplaintCategory, ComplaintSource, ComplaintState, Owner, TicketClock, TicketFacts,
};

/// A complaint to lodge (受理登记): about which student, what, who reported it and how to reach
/// them, and what it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub id_number: String,
    pub category: ComplaintCategory,
    pub source: ComplaintSource,
    /// 反映人 (a name, or 匿名).
    pub complainant: String,
    /// 联系方式 (personal information; may be empty).
    pub contact: String,
    /// 反映内容.
    pub summary: String,
    /// The payment line (发放明细) it concerns, checked to be the student's.
    pub payment_line_id: Option<i64>,
    /// The dropout case (控辍保学案件) it concerns, checked to be the student's.
    pub case_id: Option<i64>,
    /// The day it was received (受理日期): the deadline counts from it.
    pub lodged_on: NaiveDate,
}

/// A ticket as stored (投诉工单).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub id: i64,
    pub id_number: String,
    pub student_name: String,
    /// The student's school and its township when the ticket was lodged.
    pub school_code: String,
    pub township: String,
    pub payment_line_id: Option<i64>,
    pub case_id: Option<i64>,
    pub category: ComplaintCategory,
    pub source: ComplaintSource,
    pub complainant: String,
    pub contact: String,
    pub summary: String,
    pub owner: Owner,
    pub state: ComplaintState,
    pub state_since: NaiveDate,
    pub lodged_on: NaiveDate,
    pub due_on: NaiveDate,
    pub resolved_on: Option<NaiveDate>,
    /// What the owner said it did (办理结果), the latest resolution.
    pub resolution: String,
    pub lodged_by: String,
    pub lodged_at: DateTime<Utc>,
}

impl ComplaintRow {
    /// What a move is checked against.
    pub fn facts(&self) -> TicketFacts {
        TicketFacts {
            state: self.state,
            school_code: self.school_code.clone(),
            township: self.township.clone(),
            owner: self.owner.clone(),
        }
    }

    /// The dates its lateness is judged by.
    pub fn clock(&self) -> TicketClock {
        TicketClock {
            state: self.state,
            due_on: self.due_on,
            resolved_on: self.resolved_on,
        }
    }
}

/// One entry of a ticket's history (工单记录).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintEventRow {
    pub at: DateTime<Utc>,
    pub on_date: NaiveDate,
    pub actor: String,
    pub actor_level: String,
    /// `lodge`, or a transition key.
    pub kind: String,
    pub from_state: Option<ComplaintState>,
    pub to_state: ComplaintState,
    /// The owner after the entry, in words.
    pub owner: String,
    pub note: String,
}

/// Which tickets of a scope to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    pub state: Option<ComplaintState>,
    pub category: Option<ComplaintCategory>,
    /// Only tickets not yet resolved (received, assigned, in progress).
    pub open_only: bool,
}

/// A school's tickets of a period, for the schools' evaluation (纳入学校工作考评).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchoolComplaintCount {
    /// Tickets about its students lodged in the period.
    pub lodged: usize,
    /// Of those, not resolved by their deadline as of the period's last day (逾期).
    pub overdue: usize,
}

#[derive(sqlx::FromRow)]
pub(crate) struct Raw {
    id: i64,
    id_number: String,
    student_name: String,
    school_code: String,
    township: String,
    payment_line_id: Option<i64>,
    case_id: Option<i64>,
    category: String,
    source: String,
    complainant: String,
    contact: String,
    summary: String,
    owner_level: String,
    owner_unit: String,
    owner_township: String,
    state: String,
    state_since: NaiveDate,
    lodged_on: NaiveDate,
    due_on: NaiveDate,
    resolved_on: Option<NaiveDate>,
    resolution: String,
    lodged_by: String,
    lodged_at: DateTime<Utc>,
}

pub(crate) const COLS: &str = "id, id_number, student_name, school_code, township, \
    payment_line_id, case_id, category, source, complainant, contact, summary, owner_level, \
    owner_unit, owner_township, state, state_since, lodged_on, due_on, resolved_on, resolution, \
    lodged_by, lodged_at";

/// Tickets in scope: about a student of the scope, or owned by its unit. Binds `$1` township,
/// `$2` school code.
pub(crate) const SCOPE_WHERE: &str = "($1 IS NULL OR township = $1 OR owner_township = $1) \
    AND ($2 IS NULL OR school_code = $2 OR (owner_level = 'school' AND owner_unit = $2))";

pub(crate) fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Invalid(format!("工单的{what}无法识别：{v}"))
}

/// The owner as stored.
pub(crate) fn owner_of(level: &str, unit: &str, township: &str) -> StoreResult<Owner> {
    Ok(match level {
        "county" => Owner::County,
        "township" => Owner::Township(unit.to_string()),
        "school" => Owner::School {
            code: unit.to_string(),
            township: township.to_string(),
        },
        other => return Err(bad("承办单位", other)),
    })
}

impl TryFrom<Raw> for ComplaintRow {
    type Error = StoreError;
    fn try_from(r: Raw) -> StoreResult<ComplaintRow> {
        Ok(ComplaintRow {
            id: r.id,
            category: ComplaintCategory::from_key(&r.category)
                .ok_or_else(|| bad("类别", &r.category))?,
            source: ComplaintSource::from_key(&r.source).ok_or_else(|| bad("来源", &r.source))?,
            state: ComplaintState::from_key(&r.state).ok_or_else(|| bad("状态", &r.state))?,
            owner: owner_of(&r.owner_level, &r.owner_unit, &r.owner_township)?,
            id_number: r.id_number,
            student_name: r.student_name,
            school_code: r.school_code,
            township: r.township,
            payment_line_id: r.payment_line_id,
            case_id: r.case_id,
            complainant: r.complainant,
            contact: r.contact,
            summary: r.summary,
            state_since: r.state_since,
            lodged_on: r.lodged_on,
            due_on: r.due_on,
            resolved_on: r.resolved_on,
            resolution: r.resolution,
            lodged_by: r.lodged_by,
            lodged_at: r.lodged_at,
        })
    }
}

type RawEvent = (
    DateTime<Utc>,
    NaiveDate,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

impl Db {
    /// Ticket `id` if it is in scope; `None` when there is none or it is outside (404 alike).
    pub async fn complaint_in_scope(
        &self,
        scope: ScopeFilter<'_>,
        id: i64,
    ) -> StoreResult<Option<ComplaintRow>> {
        let sql = format!("SELECT {COLS} FROM complaint WHERE {SCOPE_WHERE} AND id = $3");
        let raw: Option<Raw> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(scope.township)
        .bind(scope.school)
        .bind(id)
        .fetch_optional(pool)
        .await)
        .ctx("读取工单")?;
        raw.map(ComplaintRow::try_from).transpose()
    }

    /// The tickets of a scope that pass `filter`, earliest deadline first.
    pub async fn complaints(
        &self,
        scope: ScopeFilter<'_>,
        filter: &ComplaintFilter,
    ) -> StoreResult<Vec<ComplaintRow>> {
        let sql = format!(
            "SELECT {COLS} FROM complaint WHERE {SCOPE_WHERE} \
             AND ($3 IS NULL OR state = $3) AND ($4 IS NULL OR category = $4) \
             AND (NOT $5 OR state IN ('received', 'assigned', 'in_progress')) \
             ORDER BY due_on, id"
        );
        let raw: Vec<Raw> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(scope.township)
        .bind(scope.school)
        .bind(filter.state.map(ComplaintState::key))
        .bind(filter.category.map(ComplaintCategory::key))
        .bind(filter.open_only)
        .fetch_all(pool)
        .await)
        .ctx("读取工单")?;
        raw.into_iter().map(ComplaintRow::try_from).collect()
    }

    /// The history of ticket `id`, oldest first.
    pub async fn complaint_events(&self, id: i64) -> StoreResult<Vec<ComplaintEventRow>> {
        let raw: Vec<RawEvent> = db_run!(self, |pool| sqlx::query_as(
            "SELECT at, on_date, actor, actor_level, kind, from_state, to_state, owner, note \
             FROM complaint_event WHERE complaint_id = $1 ORDER BY id"
        )
        .bind(id)
        .fetch_all(pool)
        .await)
        .ctx("读取工单记录")?;
        raw.into_iter()
            .map(|r| {
                let state = |s: &str| ComplaintState::from_key(s).ok_or_else(|| bad("状态", s));
                Ok(ComplaintEventRow {
                    at: r.0,
                    on_date: r.1,
                    actor: r.2,
                    actor_level: r.3,
                    kind: r.4,
                    from_state: r.5.as_deref().map(state).transpose()?,
                    to_state: state(&r.6)?,
                    owner: r.7,
                    note: r.8,
                })
            })
            .collect()
    }
}
