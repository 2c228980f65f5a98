//! Changes to the ledger (一生一案台账): moves, actions and assignments. Each change is one
//! transaction: the case row, its event and the audit entry together. A move is checked by the
//! domain ([`zizhu_domain::dropout::check_move`]) and applied only if the case is still in the
//! state it was checked against, so two users moving the same case at once cannot both succeed.

use crate::cases::{Actor, CaseRow, RawCase, CASE_COLS};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::Db;
use chrono::{NaiveDate, Utc};
use zizhu_domain::dropout::{check_move, ActionKind, CaseState, DropoutRules, Move};

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
/// Records the event and its audit entry (with what it changed, before and after), and commits.
async fn finish(
    mut tx: Tx,
    e: &Event<'_>,
    action: &str,
    detail: &str,
    change: Option<(&str, &str)>,
) -> StoreResult<CaseRow> {
    let id = e.case_id;
    add_event(&mut tx, e).await?;
    tx.audit_entry(&crate::audit::Entry {
        actor: &e.actor.name,
        action,
        target: &format!("case:{id}"),
        detail,
        origin: e.actor.origin.as_deref(),
        before: change.map(|c| c.0),
        after: change.map(|c| c.1),
    })
    .await?;
    let now = case_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(now)
}

/// Checks that `code` is the 学校标识码 of a school in the school list (学校名单); while no list is
/// imported, any 10-digit code passes. A school's name instead of its code is refused with the
/// code to give.
async fn check_school(tx: &mut Tx, code: &str, what: &str) -> StoreResult<()> {
    const BY_CODE: &str = "SELECT COUNT(*) FROM school WHERE code = $1";
    const BY_NAME: &str = "SELECT MIN(code) FROM school WHERE name = $1";
    const ANY: &str = "SELECT COUNT(*) FROM school";
    let found: i64 = tx_run!(&mut *tx, |conn| sqlx::query_scalar(BY_CODE)
        .bind(code)
        .fetch_one(conn)
        .await)
    .ctx("读取学校名单")?;
    if found > 0 {
        return Ok(());
    }
    let named: Option<String> = tx_run!(&mut *tx, |conn| sqlx::query_scalar(BY_NAME)
        .bind(code)
        .fetch_one(conn)
        .await)
    .ctx("读取学校名单")?;
    if let Some(c) = named {
        return Err(StoreError::Invalid(format!(
            "{what}请填学校标识码：“{code}”的标识码是 {c}"
        )));
    }
    let schools: i64 = tx_run!(&mut *tx, |conn| sqlx::query_scalar(ANY)
        .fetch_one(conn)
        .await)
    .ctx("读取学校名单")?;
    let ten_digits = code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit());
    if schools == 0 && ten_digits {
        return Ok(());
    }
    Err(StoreError::Invalid(if ten_digits {
        format!("{what} {code} 不在学校名单中（县外学校请用“核实为非辍学：在县外就读”）")
    } else {
        format!("{what}应为10位学校标识码，实为“{code}”")
    }))
}

/// Longest free text of a case record (a note, evidence, a plan), in characters.
const MAX_TEXT_CHARS: usize = 2_000;

/// Refuses typed text with control characters or direction overrides, or too long
/// ([`zizhu_domain::text::check_typed`]).
fn plain(what: &str, v: &str) -> StoreResult<()> {
    zizhu_domain::text::check_typed(what, v, MAX_TEXT_CHARS).map_err(StoreError::Invalid)
}

fn not_found(id: i64) -> StoreError {
    StoreError::Invalid(format!("没有编号为 {id} 的案件"))
}

impl Db {
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
        plain("说明", note)?;
        plain("变更内容", &mv.detail())?;
        let mut tx = Tx::begin(self).await?;
        let case = case_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        let to = check_move(case.facts(), mv, actor.level, on, rules)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        // A case's history runs forward: no move dated before its present state began, no
        // return before it either.
        if on < case.state_since {
            return Err(StoreError::Invalid(format!(
                "操作日期 {} 早于案件进入“{}”的日期 {}",
                on.format("%Y-%m-%d"),
                case.state.zh(),
                case.state_since.format("%Y-%m-%d")
            )));
        }
        if let Move::Return { on: back, .. } = mv {
            // Not before the present state began (after a relapse, not before the new
            // persuading: the monitoring period counts from the real return).
            if *back < case.state_since {
                return Err(StoreError::Invalid(format!(
                    "复学日期 {} 早于案件进入“{}”的日期 {}",
                    back.format("%Y-%m-%d"),
                    case.state.zh(),
                    case.state_since.format("%Y-%m-%d")
                )));
            }
        }
        if let Move::Return { school, .. } = mv {
            check_school(&mut tx, school.trim(), "复学学校").await?;
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
        // count the current cycle only. A returned child persuaded again (left school while
        // monitored) has the return and any 送教上门 plan cleared likewise: the child is counted
        // as being persuaded, not as returned or taught at home.
        const SQL: &str = "UPDATE dropout_case SET state = $1, state_since = $2, \
            recheck = CASE WHEN $1 = 'verifying' THEN recheck ELSE FALSE END, \
            not_dropout_reason = CASE WHEN $14 THEN NULL ELSE COALESCE($3, not_dropout_reason) END, \
            evidence = CASE WHEN $14 THEN '' ELSE COALESCE($4, evidence) END, \
            elsewhere_school = CASE WHEN $14 THEN '' ELSE COALESCE($5, elsewhere_school) END, \
            returned_school = CASE WHEN $14 OR $15 THEN '' ELSE COALESCE($6, returned_school) END, \
            returned_on = CASE WHEN $14 OR $15 THEN NULL ELSE COALESCE($7, returned_on) END, \
            plan_teacher = CASE WHEN $14 OR $15 THEN '' ELSE COALESCE($8, plan_teacher) END, \
            plan_frequency = CASE WHEN $14 OR $15 THEN '' ELSE COALESCE($9, plan_frequency) END, \
            plan_content = CASE WHEN $14 OR $15 THEN '' ELSE COALESCE($10, plan_content) END, \
            close_reason = CASE WHEN $14 THEN '' ELSE COALESCE($11, close_reason) END, \
            opened_on = CASE WHEN $14 THEN $2 ELSE opened_on END \
            WHERE id = $12 AND state = $13";
        let reopen = matches!(mv, Move::Reopen { .. });
        let relapse = matches!(mv, Move::Persuade) && case.state == CaseState::Returned;
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
            .bind(relapse)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("变更案件状态")
        .map_err(|e| {
            // Two reopenings of the same child's cases at once: the unique index lets one win.
            if e.is_unique_violation() {
                StoreError::Invalid("该儿童已有未销号的案件，请在该案件中继续跟踪".into())
            } else {
                e
            }
        })?;
        if n != 1 {
            return Err(StoreError::Invalid(
                "案件刚被其他用户修改，请重新查看后再操作".into(),
            ));
        }
        let recorded = mv.detail();
        let text = [mv.zh(), recorded.as_str(), note.trim()]
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
        let before = format!("状态：{}", case.state.zh());
        let after = format!("状态：{}", to.zh());
        finish(tx, &event, "case_move", &detail, Some((&before, &after))).await
    }

    /// Records an action (帮扶措施) taken on day `on`; returns the case as it is now.
    ///
    /// Errors: [`StoreError::Invalid`] for no such case, a closed case (reopen it first), an
    /// empty note, a day in the future of `today` or before the case was opened (reopened), or a
    /// 送教上门 session outside that state or before its plan began.
    pub async fn record_action(
        &self,
        id: i64,
        action: ActionKind,
        on: NaiveDate,
        today: NaiveDate,
        actor: &Actor,
        note: &str,
    ) -> StoreResult<CaseRow> {
        if zizhu_domain::text::is_blank(note) {
            return Err(StoreError::Invalid("请填写措施的情况说明".into()));
        }
        plain("情况说明", note)?;
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
        // An action happens while the case is open (this cycle); a session, under the plan.
        let (since, what) = if session {
            (case.state_since, "送教上门方案开始")
        } else {
            (case.opened_on, "立案（或重新核查）")
        };
        if on < since {
            return Err(StoreError::Invalid(format!(
                "措施日期 {} 早于{}的日期 {}",
                on.format("%Y-%m-%d"),
                what,
                since.format("%Y-%m-%d")
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
        finish(tx, &event, "case_action", &detail, None).await
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
        for (what, v) in [("包保教师", teacher), ("包保干部", official)] {
            plain(what, v.unwrap_or(""))?;
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
        if on < case.opened_on {
            return Err(StoreError::Invalid(format!(
                "指定日期 {} 早于案件立案日期 {}",
                on.format("%Y-%m-%d"),
                case.opened_on.format("%Y-%m-%d")
            )));
        }
        if let Some(code) = school_code {
            check_school(&mut tx, code, "责任学校").await?;
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
        let (mut parts, mut was) = (Vec::new(), Vec::new());
        for (what, old, new) in [
            ("责任学校", &case.child.school_code, school_code),
            ("包保教师", &case.teacher, teacher),
            ("包保干部", &case.official, official),
        ] {
            if let Some(new) = new {
                parts.push(format!("{what} {new}"));
                was.push(format!(
                    "{what} {}",
                    if old.is_empty() { "（无）" } else { old }
                ));
            }
        }
        let note = parts.join("，");
        let before = was.join("，");
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
        finish(tx, &event, "case_assign", &note, Some((&before, &note))).await
    }
}
