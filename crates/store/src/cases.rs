//! The one-student-one-file ledger (一生一案台账, 控辍保学): cases and their events as stored,
//! and the reads of them. Changes are in `case_moves.rs`, scans in `scan.rs`.

use crate::convert::key;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::Db;
use chrono::{DateTime, NaiveDate, Utc};
use zizhu_domain::dropout::{
    ActionKind, AttentionGroup, CaseClock, CaseFacts, CaseState, NotDropoutReason, SuspectReason,
    UserLevel,
};
use zizhu_domain::Sex;

/// Who does something to a case: user name and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub level: UserLevel,
    /// The client's address of a web user (for the audit log); None on the command line.
    pub origin: Option<String>,
}

/// A child as a new case: who, where, the responsible school, why and which groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub id_number: String,
    pub name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub township: String,
    pub village: String,
    pub household_no: String,
    pub guardian: String,
    pub guardian_phone: String,
    /// Responsible school (学校标识码): the school whose registry has the child this term, else
    /// the attendance-zone school (划片学校), else the child's last school; empty when none is
    /// known (the township then assigns one).
    pub school_code: String,
    pub reasons: Vec<SuspectReason>,
    pub groups: Vec<AttentionGroup>,
}

/// A case as stored (案件).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: i64,
    pub child: NewCase,
    /// Responsible people (包保责任人): a teacher of the school and a township official.
    pub teacher: String,
    pub official: String,
    pub state: CaseState,
    pub state_since: NaiveDate,
    pub opened_on: NaiveDate,
    pub last_action_on: Option<NaiveDate>,
    pub last_session_on: Option<NaiveDate>,
    /// A later scan found the child enrolled or no longer in the population: to verify (待核实).
    pub recheck: bool,
    pub not_dropout_reason: Option<NotDropoutReason>,
    pub evidence: String,
    pub elsewhere_school: String,
    pub returned_school: String,
    pub returned_on: Option<NaiveDate>,
    pub plan_teacher: String,
    pub plan_frequency: String,
    pub plan_content: String,
    pub close_reason: String,
}

impl CaseRow {
    /// What a move is checked against.
    pub fn facts(&self) -> CaseFacts {
        CaseFacts {
            state: self.state,
            returned_on: self.returned_on,
        }
    }

    /// What its deadlines count from.
    pub fn clock(&self) -> CaseClock {
        CaseClock {
            state: self.state,
            opened_on: self.opened_on,
            state_since: self.state_since,
            last_action_on: self.last_action_on,
            last_session_on: self.last_session_on,
            returned_on: self.returned_on,
        }
    }
}

/// One event of a case (案件记录), oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The day it happened (an action may be recorded days later).
    pub on: NaiveDate,
    pub actor: String,
    pub actor_level: UserLevel,
    /// `open`, `move`, `action`, `assign`, `scan`.
    pub kind: String,
    pub from_state: Option<CaseState>,
    pub to_state: Option<CaseState>,
    pub action: Option<ActionKind>,
    pub note: String,
}

/// The [`CaseFilter`] school (`$1`) and township (`$2`): a township's cases are its residents'
/// and those of its schools (a child living in one township may be the responsibility of a
/// school in another).
pub(crate) const SCOPE_WHERE: &str = "($1 IS NULL OR school_code = $1) AND ($2 IS NULL \
    OR township = $2 OR school_code IN (SELECT code FROM school WHERE township = $2))";

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// The responsible school (学校标识码).
    pub school_code: Option<String>,
    /// A township (乡镇): the children resident there and the cases of its schools.
    pub township: Option<String>,
    pub state: Option<CaseState>,
    /// Leave out closed cases.
    pub open_only: bool,
}

pub(crate) const CASE_COLS: &str = "id, id_number, name, sex, birth_date, township, village, \
    household_no, guardian, guardian_phone, school_code, reasons, groups, teacher, official, \
    state, state_since, opened_on, last_action_on, last_session_on, recheck, not_dropout_reason, \
    evidence, elsewhere_school, returned_school, returned_on, plan_teacher, plan_frequency, \
    plan_content, close_reason";

#[derive(sqlx::FromRow)]
pub(crate) struct RawCase {
    id: i64,
    id_number: String,
    name: String,
    sex: Option<String>,
    birth_date: Option<NaiveDate>,
    township: String,
    village: String,
    household_no: String,
    guardian: String,
    guardian_phone: String,
    school_code: String,
    reasons: String,
    groups: String,
    teacher: String,
    official: String,
    state: String,
    state_since: NaiveDate,
    opened_on: NaiveDate,
    last_action_on: Option<NaiveDate>,
    last_session_on: Option<NaiveDate>,
    recheck: bool,
    not_dropout_reason: Option<String>,
    evidence: String,
    elsewhere_school: String,
    returned_school: String,
    returned_on: Option<NaiveDate>,
    plan_teacher: String,
    plan_frequency: String,
    plan_content: String,
    close_reason: String,
}

/// Keys joined with commas, as stored in `reasons` and `groups`.
pub(crate) fn join_keys<T: Copy>(v: &[T], k: fn(T) -> &'static str) -> String {
    v.iter().map(|&x| k(x)).collect::<Vec<_>>().join(",")
}

fn split_keys<T>(s: &str, from_key: fn(&str) -> Option<T>, what: &str) -> StoreResult<Vec<T>> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| key(p, from_key, what))
        .collect()
}

impl TryFrom<RawCase> for CaseRow {
    type Error = StoreError;
    fn try_from(r: RawCase) -> StoreResult<CaseRow> {
        Ok(CaseRow {
            id: r.id,
            child: NewCase {
                id_number: r.id_number,
                name: r.name,
                sex: r
                    .sex
                    .as_deref()
                    .map(|s| key(s, Sex::from_key, "未知的性别"))
                    .transpose()?,
                birth_date: r.birth_date,
                township: r.township,
                village: r.village,
                household_no: r.household_no,
                guardian: r.guardian,
                guardian_phone: r.guardian_phone,
                school_code: r.school_code,
                reasons: split_keys(&r.reasons, SuspectReason::from_key, "未知的疑似原因")?,
                groups: split_keys(&r.groups, AttentionGroup::from_key, "未知的关注群体")?,
            },
            teacher: r.teacher,
            official: r.official,
            state: key(&r.state, CaseState::from_key, "未知的案件状态")?,
            state_since: r.state_since,
            opened_on: r.opened_on,
            last_action_on: r.last_action_on,
            last_session_on: r.last_session_on,
            recheck: r.recheck,
            not_dropout_reason: r
                .not_dropout_reason
                .as_deref()
                .map(|s| key(s, NotDropoutReason::from_key, "未知的非辍学原因"))
                .transpose()?,
            evidence: r.evidence,
            elsewhere_school: r.elsewhere_school,
            returned_school: r.returned_school,
            returned_on: r.returned_on,
            plan_teacher: r.plan_teacher,
            plan_frequency: r.plan_frequency,
            plan_content: r.plan_content,
            close_reason: r.close_reason,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RawEvent {
    id: i64,
    at: DateTime<Utc>,
    on_date: NaiveDate,
    actor: String,
    actor_level: String,
    kind: String,
    from_state: Option<String>,
    to_state: Option<String>,
    action: Option<String>,
    note: String,
}

impl TryFrom<RawEvent> for CaseEventRow {
    type Error = StoreError;
    fn try_from(r: RawEvent) -> StoreResult<CaseEventRow> {
        let state = |s: Option<String>| {
            s.as_deref()
                .map(|s| key(s, CaseState::from_key, "未知的案件状态"))
                .transpose()
        };
        Ok(CaseEventRow {
            id: r.id,
            at: r.at,
            on: r.on_date,
            actor: r.actor,
            actor_level: key(&r.actor_level, UserLevel::from_key, "未知的用户层级")?,
            kind: r.kind,
            from_state: state(r.from_state)?,
            to_state: state(r.to_state)?,
            action: r
                .action
                .as_deref()
                .map(|s| key(s, ActionKind::from_key, "未知的帮扶措施"))
                .transpose()?,
            note: r.note,
        })
    }
}

impl Db {
    /// One case, or `None`.
    pub async fn case(&self, id: i64) -> StoreResult<Option<CaseRow>> {
        let sql = format!("SELECT {CASE_COLS} FROM dropout_case WHERE id = $1");
        let raw: Option<RawCase> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)
        .ctx("读取案件")?;
        raw.map(CaseRow::try_from).transpose()
    }

    /// The cases of a child, oldest first.
    pub async fn cases_of(&self, id_number: &str) -> StoreResult<Vec<CaseRow>> {
        let sql = format!("SELECT {CASE_COLS} FROM dropout_case WHERE id_number = $1 ORDER BY id");
        let raw: Vec<RawCase> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(id_number)
        .fetch_all(pool)
        .await)
        .ctx("读取案件")?;
        raw.into_iter().map(CaseRow::try_from).collect()
    }

    /// The cases `filter` selects, by case number.
    pub async fn cases(&self, filter: &CaseFilter) -> StoreResult<Vec<CaseRow>> {
        let sql = format!(
            "SELECT {CASE_COLS} FROM dropout_case WHERE {SCOPE_WHERE} \
             AND ($3 IS NULL OR state = $3) AND (NOT $4 OR state <> 'closed') ORDER BY id"
        );
        let raw: Vec<RawCase> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(filter.school_code.as_deref())
        .bind(filter.township.as_deref())
        .bind(filter.state.map(CaseState::key))
        .bind(filter.open_only)
        .fetch_all(pool)
        .await)
        .ctx("读取案件")?;
        raw.into_iter().map(CaseRow::try_from).collect()
    }

    /// The events of a case, oldest first.
    pub async fn case_events(&self, id: i64) -> StoreResult<Vec<CaseEventRow>> {
        const SQL: &str = "SELECT id, at, on_date, actor, actor_level, kind, from_state, \
            to_state, action, note FROM case_event WHERE case_id = $1 ORDER BY id";
        let raw: Vec<RawEvent> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(id)
            .fetch_all(pool)
            .await)
        .ctx("读取案件记录")?;
        raw.into_iter().map(CaseEventRow::try_from).collect()
    }

    /// Every event of every case, by case id, oldest first (to see the ledger as it stood on a
    /// past day).
    pub async fn case_histories(
        &self,
    ) -> StoreResult<std::collections::HashMap<i64, Vec<CaseEventRow>>> {
        const SQL: &str = "SELECT id, case_id, at, on_date, actor, actor_level, kind, from_state, \
            to_state, action, note FROM case_event ORDER BY case_id, id";
        #[derive(sqlx::FromRow)]
        struct Row {
            case_id: i64,
            #[sqlx(flatten)]
            event: RawEvent,
        }
        let raw: Vec<Row> =
            db_run!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await).ctx("读取案件记录")?;
        let mut out: std::collections::HashMap<i64, Vec<CaseEventRow>> = Default::default();
        for r in raw {
            out.entry(r.case_id)
                .or_default()
                .push(CaseEventRow::try_from(r.event)?);
        }
        Ok(out)
    }
}
