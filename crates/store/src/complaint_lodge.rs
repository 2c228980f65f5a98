//! Lodging a complaint (受理登记, 四(三)): the student found in the registry or the dropout
//! ledger and in the user's scope, the links checked to be the student's, the deadline of the
//! category; the ticket, its first history entry and the audit entry in one transaction.

use crate::complaint_moves::{add_event, plain, required, ticket_in, ComplaintActor};
use crate::complaints::{ComplaintRow, NewComplaint};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::scoped::ScopeFilter;
use crate::tx::Tx;
use crate::Db;
use chrono::Utc;
use zizhu_domain::complaint::{due_on, ComplaintRules, ComplaintState, Owner};
use zizhu_domain::ids::mask_long_digits;

/// Where a student is (name, school, township): the latest term's registry record (the first
/// of a student registered twice, as ruling 5 counts it), else the latest dropout case (a child
/// out of school has no registry record) — the township being the responsible school's when the
/// school is on the list, as the case's own scope is (review: a case's household township put
/// the ticket where no township officer could see it).
async fn student_at(tx: &mut Tx, id_number: &str) -> StoreResult<Option<(String, String, String)>> {
    const REGISTRY: &str = "SELECT st.name, st.school_code, COALESCE(s.township, '') \
        FROM student st LEFT JOIN school s ON s.code = st.school_code \
        WHERE st.id_number = $1 ORDER BY st.term_seq DESC, st.id ASC LIMIT 1";
    const CASE: &str = "SELECT c.name, c.school_code, COALESCE(s.township, c.township) \
        FROM dropout_case c LEFT JOIN school s ON s.code = c.school_code \
        WHERE c.id_number = $1 ORDER BY c.id DESC LIMIT 1";
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
        zizhu_domain::text::check_typed_lines("反映内容", &c.summary, 2_000)
            .map_err(StoreError::Invalid)?;
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
            .bind(c.summary.trim().replace("\r\n", "\n"))
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
            (id, c.lodged_on),
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
}
