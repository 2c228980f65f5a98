//! Changes to complaint tickets (四(三)): lodging and moves. Each change is one transaction: the
//! ticket, its history entry and the audit entry together. A move is checked by the domain
//! ([`zizhu_domain::complaint::check_transition`]) and applied only if the ticket is still in the
//! state it was checked against, so two users moving the same ticket at once cannot both
//! succeed. The complainant's contact is never written to the audit log.

use crate::complaints::{ComplaintRow, NewComplaint, Raw, COLS};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::scoped::ScopeFilter;
use crate::tx::Tx;
use crate::Db;
use chrono::{NaiveDate, Utc};
use zizhu_domain::complaint::{
    check_transition, due_on, ComplaintRules, ComplaintState, Handler, Owner, Transition,
};
use zizhu_domain::ids::mask_long_digits;

/// Who changes a ticket: user name, level and unit, and the client's address on the web.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintActor {
    pub name: String,
    pub handler: Handler,
    pub origin: Option<String>,
}

fn plain(what: &str, v: &str, max: usize) -> StoreResult<()> {
    zizhu_domain::text::check_typed(what, v, max).map_err(StoreError::Invalid)
}

fn required(what: &str, v: &str) -> StoreResult<()> {
    if zizhu_domain::text::is_blank(v) {
        Err(StoreError::Invalid(format!("请填写{what}")))
    } else {
        Ok(())
    }
}

async fn ticket_in(tx: &mut Tx, id: i64) -> StoreResult<Option<ComplaintRow>> {
    let sql = format!("SELECT {COLS} FROM complaint WHERE id = $1");
    let raw: Option<Raw> = tx_run!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(conn)
        .await)
    .ctx("读取工单")?;
    raw.map(ComplaintRow::try_from).transpose()
}

/// Where a student is (name, school, township): the latest registry record, else the latest
/// dropout case (a child out of school has no registry record).
async fn student_at(tx: &mut Tx, id_number: &str) -> StoreResult<Option<(String, String, String)>> {
    const REGISTRY: &str = "SELECT st.name, st.school_code, COALESCE(s.township, '') \
        FROM student st LEFT JOIN school s ON s.code = st.school_code \
        WHERE st.id_number = $1 ORDER BY st.term_seq DESC, st.id DESC LIMIT 1";
    const CASE: &str = "SELECT name, school_code, township FROM dropout_case \
        WHERE id_number = $1 ORDER BY id DESC LIMIT 1";
    for sql in [REGISTRY, CASE] {
        let found: Option<(String, String, String)> = tx_run!(&mut *tx, |conn| sqlx::query_as(sql)
            .bind(id_number)
            .fetch_optional(conn)
            .await)
        .ctx("读取学生")?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Checks that row `id` of `table` exists and is the student's.
async fn check_link(
    tx: &mut Tx,
    table: &'static str,
    what: &str,
    id: i64,
    id_number: &str,
) -> StoreResult<()> {
    let sql = format!("SELECT id_number FROM {table} WHERE id = $1");
    let owner: Option<String> = tx_run!(&mut *tx, |conn| sqlx::query_scalar(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
    .ctx("读取关联记录")?;
    match owner {
        None => Err(StoreError::Invalid(format!("没有编号为 {id} 的{what}"))),
        Some(o) if o != id_number => Err(StoreError::Invalid(format!(
            "{what} {id} 不是该学生的，不能关联"
        ))),
        Some(_) => Ok(()),
    }
}

async fn add_event(
    tx: &mut Tx,
    id: i64,
    on: NaiveDate,
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
    /// Lodges a complaint (受理登记) about a student in `scope`; the student's school owns it
    /// (its township, or the county, when the student has no school); the deadline is the
    /// category's. Returns the ticket.
    ///
    /// Errors: [`StoreError::Invalid`] with the Chinese reason: an empty complainant or summary,
    /// text too long or with control characters, a student found in neither the registry nor
    /// the dropout ledger, or outside `scope`, a payment line or case that does not exist or is
    /// another student's.
    pub async fn lodge_complaint(
        &self,
        c: &NewComplaint,
        who: &ComplaintActor,
        scope: ScopeFilter<'_>,
        rules: &ComplaintRules,
    ) -> StoreResult<ComplaintRow> {
        required("反映人", &c.complainant)?;
        required("反映内容", &c.summary)?;
        plain("反映人", &c.complainant, 50)?;
        plain("联系方式", &c.contact, 50)?;
        plain("反映内容", &c.summary, 2_000)?;
        let id_number = c.id_number.trim().to_uppercase();
        let mut tx = Tx::begin(self).await?;
        let Some((name, school, township)) = student_at(&mut tx, &id_number).await? else {
            return Err(StoreError::Invalid(format!(
                "学籍和控辍保学台账中都没有身份证件号为 {} 的学生",
                mask_long_digits(&id_number)
            )));
        };
        let in_scope = scope.township.is_none_or(|t| t == township)
            && scope.school.is_none_or(|s| s == school);
        if !in_scope {
            return Err(StoreError::Invalid("该学生不在您的数据范围内".into()));
        }
        if let Some(line) = c.payment_line_id {
            check_link(&mut tx, "payment_line", "发放明细", line, &id_number).await?;
        }
        if let Some(case) = c.case_id {
            check_link(&mut tx, "dropout_case", "控辍保学案件", case, &id_number).await?;
        }
        let owner = if !school.is_empty() {
            Owner::School {
                code: school.clone(),
                township: township.clone(),
            }
        } else if !township.is_empty() {
            Owner::Township(township.clone())
        } else {
            Owner::County
        };
        let due = due_on(c.lodged_on, c.category, rules);
        const SQL: &str = "INSERT INTO complaint (id_number, student_name, school_code, township, \
            payment_line_id, case_id, category, source, complainant, contact, summary, \
            owner_level, owner_unit, owner_township, state, state_since, lodged_on, due_on, \
            lodged_by, lodged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
            $13, $14, 'received', $15, $15, $16, $17, $18) RETURNING id";
        let id: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(SQL)
            .bind(&id_number)
            .bind(&name)
            .bind(&school)
            .bind(&township)
            .bind(c.payment_line_id)
            .bind(c.case_id)
            .bind(c.category.key())
            .bind(c.source.key())
            .bind(c.complainant.trim())
            .bind(c.contact.trim())
            .bind(c.summary.trim())
            .bind(owner.level().key())
            .bind(owner.unit())
            .bind(owner.township())
            .bind(c.lodged_on)
            .bind(due)
            .bind(who.name.as_str())
            .bind(Utc::now())
            .fetch_one(conn)
            .await)
        .ctx("登记工单")?;
        let note = format!("{}；反映人类别：{}", c.category.zh(), c.source.zh());
        let received = (None, ComplaintState::Received);
        add_event(
            &mut tx,
            id,
            c.lodged_on,
            who,
            "lodge",
            received,
            &owner,
            &note,
        )
        .await?;
        let detail = format!(
            "工单 {id}：{}，学生 {}，承办 {}，办理期限 {due}",
            c.category.zh(),
            mask_long_digits(&id_number),
            owner.zh()
        );
        tx.audit_entry(&crate::audit::Entry {
            actor: &who.name,
            action: "complaint_lodge",
            target: &format!("complaint:{id}"),
            detail: &detail,
            origin: who.origin.as_deref(),
            ..crate::audit::Entry::default()
        })
        .await?;
        let row = ticket_in(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("没有编号为 {id} 的工单")))?;
        tx.commit().await?;
        Ok(row)
    }

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
            } => Transition::Assign {
                owner: Owner::Township(name.trim().to_string()),
            },
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
        // Only from the state checked above: a concurrent move makes this update no row.
        const SQL: &str = "UPDATE complaint SET state = $1, state_since = $2, owner_level = $3, \
            owner_unit = $4, owner_township = $5, \
            resolved_on = CASE WHEN $1 = 'resolved' THEN $2 \
                WHEN $1 = 'in_progress' THEN NULL ELSE resolved_on END, \
            resolution = CASE WHEN $1 = 'resolved' THEN $6 ELSE resolution END \
            WHERE id = $7 AND state = $8";
        let n = tx_run!(&mut tx, |conn| sqlx::query(SQL)
            .bind(to.key())
            .bind(on)
            .bind(owner.level().key())
            .bind(owner.unit())
            .bind(owner.township())
            .bind(note.trim())
            .bind(id)
            .bind(t.state.key())
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
            id,
            on,
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
