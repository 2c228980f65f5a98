//! Changes to complaint tickets (四(三)): lodging and moves. Each change is one transaction: the
//! ticket, its history entry and the audit entry together. A move is checked by the domain
//! ([`zizhu_domain::complaint::check_transition`]) and applied only if the ticket is still in the
//! state it was checked against, so two users moving the same ticket at once cannot both
//! succeed. The complainant's contact is never written to the audit log.

use crate::complaints::{ComplaintRow, Raw, COLS};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::scoped::ScopeFilter;
use crate::tx::Tx;
use crate::Db;
use chrono::{NaiveDate, Utc};
use zizhu_domain::complaint::{check_transition, ComplaintState, Handler, Owner, Transition};

/// Who changes a ticket: user name, level and unit, and the client's address on the web.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintActor {
    pub name: String,
    pub handler: Handler,
    pub origin: Option<String>,
}

pub(crate) fn plain(what: &str, v: &str, max: usize) -> StoreResult<()> {
    zizhu_domain::text::check_typed(what, v, max).map_err(StoreError::Invalid)
}

pub(crate) fn required(what: &str, v: &str) -> StoreResult<()> {
    if zizhu_domain::text::is_blank(v) {
        Err(StoreError::Invalid(format!("请填写{what}")))
    } else {
        Ok(())
    }
}

pub(crate) async fn ticket_in(tx: &mut Tx, id: i64) -> StoreResult<Option<ComplaintRow>> {
    let sql = format!("SELECT {COLS} FROM complaint WHERE id = $1");
    let raw: Option<Raw> = tx_run!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(conn)
        .await)
    .ctx("读取工单")?;
    raw.map(ComplaintRow::try_from).transpose()
}

/// Appends a history entry of ticket `id`, dated `on`: the kind (`lodge` or a move's key) and
/// its note, the states before and after, the owner after.
pub(crate) async fn add_event(
    tx: &mut Tx,
    (id, on): (i64, NaiveDate),
    who: &ComplaintActor,
    kind: &str,
    (from, to): (Option<ComplaintState>, ComplaintState),
    owner: &Owner,
    note: &str,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO complaint_event (complaint_id, at, on_date, actor, \
        actor_level, kind, from_state, to_state, owner, note) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    tx_run!(tx, |conn| sqlx::query(SQL)
        .bind(id)
        .bind(Utc::now())
        .bind(on)
        .bind(who.name.as_str())
        .bind(who.handler.level.key())
        .bind(kind)
        .bind(from.map(ComplaintState::key))
        .bind(to.key())
        .bind(owner.zh())
        .bind(note.trim())
        .execute(conn)
        .await
        .map(|_| ()))
    .ctx("写入工单记录")
}

impl Db {
    /// Moves ticket `id` (`tr`) on day `on` with `note`, if it is in `scope`; returns the ticket
    /// as it is now. An assignment to a school takes the school's township from the school list.
    ///
    /// Errors: [`StoreError::Invalid`] with the Chinese reason: no such ticket in scope, the
    /// domain refuses the move, a day before the ticket's present state began, a school not on
    /// the school list, or another user moved the ticket meanwhile.
    pub async fn move_complaint(
        &self,
        id: i64,
        tr: &Transition,
        who: &ComplaintActor,
        scope: ScopeFilter<'_>,
        on: NaiveDate,
        note: &str,
    ) -> StoreResult<ComplaintRow> {
        plain("说明", note, 2_000)?;
        let not_found = || StoreError::Invalid(format!("没有编号为 {id} 的工单"));
        let mut tx = Tx::begin(self).await?;
        let t = ticket_in(&mut tx, id).await?.ok_or_else(not_found)?;
        let visible = scope
            .township
            .is_none_or(|s| s == t.township || s == t.owner.township())
            && scope
                .school
                .is_none_or(|s| s == t.school_code || s == t.owner.unit());
        if !visible {
            return Err(not_found());
        }
        let tr = match tr {
            Transition::Assign {
                owner: Owner::School { code, .. },
            } => {
                let code = code.trim();
                let town: Option<String> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
                    "SELECT township FROM school WHERE code = $1"
                )
                .bind(code)
                .fetch_optional(conn)
                .await)
                .ctx("读取学校名单")?;
                let Some(township) = town else {
                    return Err(StoreError::Invalid(format!(
                        "承办学校 {code} 不在学校名单中"
                    )));
                };
                Transition::Assign {
                    owner: Owner::School {
                        code: code.to_string(),
                        township,
                    },
                }
            }
            Transition::Assign {
                owner: Owner::Township(name),
            } => {
                // A township that no school of the list is in cannot take a ticket (review: a
                // typo handed a ticket to nobody but the county).
                let name = name.trim();
                let known: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(
                    "SELECT COUNT(*) FROM school WHERE township = $1"
                )
                .bind(name)
                .fetch_one(conn)
                .await)
                .ctx("读取学校名单")?;
                if known == 0 {
                    return Err(StoreError::Invalid(format!(
                        "承办乡镇“{}”不在学校名单中（乡镇名称应与学校名单的“所在乡镇”一致）",
                        zizhu_domain::text::printable(name)
                    )));
                }
                Transition::Assign {
                    owner: Owner::Township(name.to_string()),
                }
            }
            other => other.clone(),
        };
        let to = check_transition(&t.facts(), &tr, &who.handler, note)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        if on < t.state_since {
            return Err(StoreError::Invalid(format!(
                "操作日期 {on} 早于工单进入“{}”的日期 {}",
                t.state.zh(),
                t.state_since
            )));
        }
        let owner = match &tr {
            Transition::Assign { owner } => owner.clone(),
            _ => t.owner.clone(),
        };
        // Only from the state and owner checked above: a concurrent move (two hand-overs of one
        // assigned ticket included) makes this update no row. A ticket reopened loses the
        // resolution the complainant did not accept (the history keeps it).
        const SQL: &str = "UPDATE complaint SET state = $1, state_since = $2, owner_level = $3, \
            owner_unit = $4, owner_township = $5, \
            resolved_on = CASE WHEN $1 = 'resolved' THEN $2 \
                WHEN $1 = 'in_progress' THEN NULL ELSE resolved_on END, \
            resolution = CASE WHEN $1 = 'resolved' THEN $6 \
                WHEN $1 = 'in_progress' THEN '' ELSE resolution END \
            WHERE id = $7 AND state = $8 AND owner_level = $9 AND owner_unit = $10";
        let n = tx_run!(&mut tx, |conn| sqlx::query(SQL)
            .bind(to.key())
            .bind(on)
            .bind(owner.level().key())
            .bind(owner.unit())
            .bind(owner.township())
            .bind(note.trim())
            .bind(id)
            .bind(t.state.key())
            .bind(t.owner.level().key())
            .bind(t.owner.unit())
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("变更工单状态")?;
        if n != 1 {
            return Err(StoreError::Invalid(
                "工单刚被其他用户修改，请重新查看后再操作".into(),
            ));
        }
        let text = match &tr {
            Transition::Assign { .. } if note.trim().is_empty() => format!("交给{}", owner.zh()),
            Transition::Assign { .. } => format!("交给{}：{}", owner.zh(), note.trim()),
            _ => note.trim().to_string(),
        };
        add_event(
            &mut tx,
            (id, on),
            who,
            tr.key(),
            (Some(t.state), to),
            &owner,
            &text,
        )
        .await?;
        let detail = format!(
            "工单 {id}：{} → {}（{}），承办 {}",
            t.state.zh(),
            to.zh(),
            tr.zh(),
            owner.zh()
        );
        let (before, after) = (
            format!("状态：{}", t.state.zh()),
            format!("状态：{}", to.zh()),
        );
        tx.audit_entry(&crate::audit::Entry {
            actor: &who.name,
            action: "complaint_move",
            target: &format!("complaint:{id}"),
            detail: &detail,
            origin: who.origin.as_deref(),
            before: Some(&before),
            after: Some(&after),
        })
        .await?;
        let row = ticket_in(&mut tx, id).await?.ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(row)
    }
}
