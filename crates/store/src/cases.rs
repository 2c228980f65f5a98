//! The one-student-one-file ledger (一生一案台账, 控辍保学): cases, their events, and the moves
//! and actions on them. Each change is one transaction: the case row, its event and the audit
//! entry together. A move is checked by the domain ([`zizhu_domain::dropout::check_move`]) and
//! applied only if the case is still in the state it was checked against, so two users moving
//! the same case at once cannot both succeed.

use crate::convert::key;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::Db;
use chrono::{DateTime, NaiveDate, Utc};
use zizhu_domain::dropout::{
    check_move, ActionKind, AttentionGroup, CaseClock, CaseFacts, CaseState, DropoutRules, Move,
    NotDropoutReason, SuspectReason, UserLevel,
};
use zizhu_domain::Sex;

/// Who does something to a case: user name and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub level: UserLevel,
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

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub school_code: Option<String>,
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

/// An event to append to a case.
pub(crate) struct Event<'a> {
    pub case_id: i64,
    pub on: NaiveDate,
    pub actor: &'a Actor,
    pub kind: &'static str,
    pub from: Option<CaseState>,
    pub to: Option<CaseState>,
    pub action: Option<ActionKind>,
    pub note: &'a str,
}

pub(crate) async fn add_event(tx: &mut Tx, e: &Event<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO case_event (case_id, at, on_date, actor, actor_level, kind, \
        from_state, to_state, action, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    tx_run!(tx, |conn| sqlx::query(SQL)
        .bind(e.case_id)
        .bind(Utc::now())
        .bind(e.on)
        .bind(e.actor.name.as_str())
        .bind(e.actor.level.key())
        .bind(e.kind)
        .bind(e.from.map(CaseState::key))
        .bind(e.to.map(CaseState::key))
        .bind(e.action.map(ActionKind::key))
        .bind(e.note)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
    .ctx("写入案件记录")
    .map(|_| ())
}

pub(crate) async fn case_in(tx: &mut Tx, id: i64) -> StoreResult<Option<CaseRow>> {
    let sql = format!("SELECT {CASE_COLS} FROM dropout_case WHERE id = $1");
    let raw: Option<RawCase> = tx_run!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(conn)
        .await)
    .ctx("读取案件")?;
    raw.map(CaseRow::try_from).transpose()
}

/// Ends a change of case `e.case_id`: its event, the audit entry (`action`, `detail`), the case
/// read back, the commit.
async fn finish(mut tx: Tx, e: &Event<'_>, action: &str, detail: &str) -> StoreResult<CaseRow> {
    let id = e.case_id;
    add_event(&mut tx, e).await?;
    tx.audit(&e.actor.name, action, &format!("case:{id}"), detail)
        .await?;
    let now = case_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(now)
}

fn not_found(id: i64) -> StoreError {
    StoreError::Invalid(format!("没有编号为 {id} 的案件"))
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
            "SELECT {CASE_COLS} FROM dropout_case WHERE ($1 IS NULL OR school_code = $1) \
             AND ($2 IS NULL OR township = $2) AND ($3 IS NULL OR state = $3) \
             AND (NOT $4 OR state <> 'closed') ORDER BY id"
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

    /// The latest event of every case, by case id (for the ledger's "latest action" column).
    pub async fn latest_case_events(
        &self,
    ) -> StoreResult<std::collections::HashMap<i64, CaseEventRow>> {
        const SQL: &str = "SELECT id, case_id, at, on_date, actor, actor_level, kind, from_state, \
            to_state, action, note FROM case_event WHERE id IN \
            (SELECT MAX(id) FROM case_event WHERE kind IN ('move', 'action', 'open') GROUP BY case_id)";
        #[derive(sqlx::FromRow)]
        struct Row {
            case_id: i64,
            #[sqlx(flatten)]
            event: RawEvent,
        }
        let raw: Vec<Row> =
            db_run!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await).ctx("读取案件记录")?;
        raw.into_iter()
            .map(|r| Ok((r.case_id, CaseEventRow::try_from(r.event)?)))
            .collect()
    }

    /// Moves case `id` (状态变更) on day `on`, recording `note`; returns the case as it is now.
    ///
    /// Errors: [`StoreError::Invalid`] with the Chinese reason when there is no such case, the
    /// domain refuses the move, or another user changed the case meanwhile.
    pub async fn move_case(
        &self,
        id: i64,
        mv: &Move,
        actor: &Actor,
        on: NaiveDate,
        rules: &DropoutRules,
        note: &str,
    ) -> StoreResult<CaseRow> {
        let mut tx = Tx::begin(self).await?;
        let case = case_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        let to = check_move(case.facts(), mv, actor.level, on, rules)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        // A case's history runs forward: no move dated before its present state began, no
        // return before the case was opened.
        if on < case.state_since {
            return Err(StoreError::Invalid(format!(
                "操作日期 {} 早于案件进入“{}”的日期 {}",
                on.format("%Y-%m-%d"),
                case.state.zh(),
                case.state_since.format("%Y-%m-%d")
            )));
        }
        if let Move::Return { on: back, .. } = mv {
            if *back < case.opened_on {
                return Err(StoreError::Invalid(format!(
                    "复学日期 {} 早于立案日期 {}",
                    back.format("%Y-%m-%d"),
                    case.opened_on.format("%Y-%m-%d")
                )));
            }
        }
        if let Move::Reopen { .. } = mv {
            const OPEN: &str =
                "SELECT MIN(id) FROM dropout_case WHERE id_number = $1 AND state <> 'closed'";
            let other: Option<i64> = tx_run!(&mut tx, |conn| sqlx::query_scalar(OPEN)
                .bind(case.child.id_number.as_str())
                .fetch_one(conn)
                .await)
            .ctx("读取案件")?;
            if let Some(other) = other {
                return Err(StoreError::Invalid(format!(
                    "该儿童已有未销号的案件 {other}，请在该案件中继续跟踪"
                )));
            }
        }
        let (mut nd_reason, mut evidence, mut elsewhere) = (None, None, None);
        let (mut ret_school, mut ret_on, mut plan, mut close) = (None, None, None, None);
        match mv {
            Move::NotDropout {
                reason,
                evidence: ev,
                school,
            } => {
                nd_reason = Some(reason.key());
                evidence = Some(ev.trim().to_string());
                elsewhere = Some(school.clone().unwrap_or_default());
            }
            Move::Return { school, on } => {
                ret_school = Some(school.trim().to_string());
                ret_on = Some(*on);
            }
            Move::HomeTeaching {
                teacher,
                frequency,
                content,
            } => plan = Some((teacher.trim(), frequency.trim(), content.trim())),
            Move::Close { reason } => close = Some(reason.trim().to_string()),
            Move::Reopen { .. } | Move::Verify | Move::Confirm | Move::Persuade => {}
        }
        // Only from the state checked above: a concurrent move makes this update no row.
        // A reopened case starts a new cycle: what the last one recorded (return, verification,
        // plan, closing) stays in its events and is cleared from the case, so that the figures
        // count the current cycle only.
        const SQL: &str = "UPDATE dropout_case SET state = $1, state_since = $2, \
            recheck = CASE WHEN $1 = 'verifying' THEN recheck ELSE FALSE END, \
            not_dropout_reason = CASE WHEN $14 THEN NULL ELSE COALESCE($3, not_dropout_reason) END, \
            evidence = CASE WHEN $14 THEN '' ELSE COALESCE($4, evidence) END, \
            elsewhere_school = CASE WHEN $14 THEN '' ELSE COALESCE($5, elsewhere_school) END, \
            returned_school = CASE WHEN $14 THEN '' ELSE COALESCE($6, returned_school) END, \
            returned_on = CASE WHEN $14 THEN NULL ELSE COALESCE($7, returned_on) END, \
            plan_teacher = CASE WHEN $14 THEN '' ELSE COALESCE($8, plan_teacher) END, \
            plan_frequency = CASE WHEN $14 THEN '' ELSE COALESCE($9, plan_frequency) END, \
            plan_content = CASE WHEN $14 THEN '' ELSE COALESCE($10, plan_content) END, \
            close_reason = CASE WHEN $14 THEN '' ELSE COALESCE($11, close_reason) END, \
            opened_on = CASE WHEN $14 THEN $2 ELSE opened_on END \
            WHERE id = $12 AND state = $13";
        let reopen = matches!(mv, Move::Reopen { .. });
        let n = tx_run!(&mut tx, |conn| sqlx::query(SQL)
            .bind(to.key())
            .bind(on)
            .bind(nd_reason)
            .bind(evidence.as_deref())
            .bind(elsewhere.as_deref())
            .bind(ret_school.as_deref())
            .bind(ret_on)
            .bind(plan.map(|p| p.0))
            .bind(plan.map(|p| p.1))
            .bind(plan.map(|p| p.2))
            .bind(close.as_deref())
            .bind(id)
            .bind(case.state.key())
            .bind(reopen)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("变更案件状态")?;
        if n != 1 {
            return Err(StoreError::Invalid(
                "案件刚被其他用户修改，请重新查看后再操作".into(),
            ));
        }
        let reason = match mv {
            Move::Reopen { reason } | Move::Close { reason } => reason.trim(),
            _ => "",
        };
        let text = [mv.zh(), reason, note.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("：");
        let detail = format!(
            "案件 {id}：{} → {}（{}）",
            case.state.zh(),
            to.zh(),
            mv.zh()
        );
        let event = Event {
            case_id: id,
            on,
            actor,
            kind: "move",
            from: Some(case.state),
            to: Some(to),
            action: None,
            note: &text,
        };
        finish(tx, &event, "case_move", &detail).await
    }

    /// Records an action (帮扶措施) taken on day `on`; returns the case as it is now.
    ///
    /// Errors: [`StoreError::Invalid`] for no such case, a closed case (reopen it first), an
    /// empty note, a day in the future of `today`, or a 送教上门 session outside that state.
    pub async fn record_action(
        &self,
        id: i64,
        action: ActionKind,
        on: NaiveDate,
        today: NaiveDate,
        actor: &Actor,
        note: &str,
    ) -> StoreResult<CaseRow> {
        if note.trim().is_empty() {
            return Err(StoreError::Invalid("请填写措施的情况说明".into()));
        }
        if on > today {
            return Err(StoreError::Invalid(format!(
                "措施日期 {} 晚于今天",
                on.format("%Y-%m-%d")
            )));
        }
        let mut tx = Tx::begin(self).await?;
        let case = case_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        if case.state == CaseState::Closed {
            return Err(StoreError::Invalid(format!(
                "案件 {id} 已销号，不能再登记措施；如需继续跟踪，请县级用户重新核查"
            )));
        }
        let session = action == ActionKind::HomeTeachingSession;
        if session && case.state != CaseState::HomeTeaching {
            return Err(StoreError::Invalid(format!(
                "案件 {id} 当前状态为“{}”，送教上门记录只能登记在“送教上门”状态的案件上",
                case.state.zh()
            )));
        }
        const SQL: &str = "UPDATE dropout_case SET \
            last_action_on = CASE WHEN last_action_on IS NULL OR last_action_on < $1 THEN $1 \
                ELSE last_action_on END, \
            last_session_on = CASE WHEN $2 AND (last_session_on IS NULL OR last_session_on < $1) \
                THEN $1 ELSE last_session_on END \
            WHERE id = $3";
        tx_run!(&mut tx, |conn| sqlx::query(SQL)
            .bind(on)
            .bind(session)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("登记帮扶措施")?;
        let detail = format!("案件 {id}：{}（{}）", action.zh(), on.format("%Y-%m-%d"));
        let event = Event {
            case_id: id,
            on,
            actor,
            kind: "action",
            from: None,
            to: None,
            action: Some(action),
            note: note.trim(),
        };
        finish(tx, &event, "case_action", &detail).await
    }

    /// Names the responsible people (包保责任人) and, when given, the responsible school.
    ///
    /// Errors: [`StoreError::Invalid`] for no such case or nothing to change.
    pub async fn assign_case(
        &self,
        id: i64,
        school_code: Option<&str>,
        teacher: Option<&str>,
        official: Option<&str>,
        on: NaiveDate,
        actor: &Actor,
    ) -> StoreResult<CaseRow> {
        fn clean(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|s| !s.is_empty())
        }
        let (school_code, teacher, official) =
            (clean(school_code), clean(teacher), clean(official));
        if school_code.is_none() && teacher.is_none() && official.is_none() {
            return Err(StoreError::Invalid(
                "请至少填写责任学校、包保教师或包保干部之一".into(),
            ));
        }
        if let Some(code) = school_code {
            if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(StoreError::Invalid(format!(
                    "学校标识码应为10位数字，实为“{code}”"
                )));
            }
        }
        for (what, v) in [("包保教师", teacher), ("包保干部", official)] {
            if v.is_some_and(|v| v.chars().count() > 50) {
                return Err(StoreError::Invalid(format!(
                    "{what}的姓名过长（最多50个字）"
                )));
            }
        }
        let mut tx = Tx::begin(self).await?;
        let case = case_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        if case.state == CaseState::Closed {
            return Err(StoreError::Invalid(format!(
                "案件 {id} 已销号，不能再指定责任人；如需继续跟踪，请县级用户重新核查"
            )));
        }
        const SQL: &str = "UPDATE dropout_case SET school_code = COALESCE($1, school_code), \
            teacher = COALESCE($2, teacher), official = COALESCE($3, official) WHERE id = $4";
        tx_run!(&mut tx, |conn| sqlx::query(SQL)
            .bind(school_code)
            .bind(teacher)
            .bind(official)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("指定包保责任人")?;
        let mut parts = Vec::new();
        if let Some(s) = school_code {
            parts.push(format!("责任学校 {s}"));
        }
        if let Some(t) = teacher {
            parts.push(format!("包保教师 {t}"));
        }
        if let Some(o) = official {
            parts.push(format!("包保干部 {o}"));
        }
        let note = parts.join("，");
        let event = Event {
            case_id: id,
            on,
            actor,
            kind: "assign",
            from: None,
            to: None,
            action: None,
            note: &note,
        };
        finish(tx, &event, "case_assign", &note).await
    }
}
