//! Zero-fee issues (零收费发放记录, 三(一), migration 0017), as stored: each in-kind provision a
//! school issued to a student in a school year, from the school's imported list or entered on
//! the web. An import replaces the (school, school year) pairs its rows name.

use crate::bulk::{self, Lit, Target};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;
use crate::{Db, PayActor};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use zizhu_domain::zero_fee::{Issue, ZeroFeeItem};

/// An issue as stored, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIssue {
    pub id: i64,
    pub issue: Issue,
    /// The import batch and row, for an issue of an imported list.
    pub source: Option<(i64, i64)>,
    /// Who entered it on the web, and when.
    pub entered: Option<(String, DateTime<Utc>)>,
}

type Raw = (
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    String,
    String,
    String,
    String,
    NaiveDate,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
);

/// The key of a (school, school year) pair in the import's set of pairs already replaced.
fn pair_key(school: &str, year: i32) -> String {
    format!("{school}\u{1f}{year}")
}

/// Writes a batch of an imported 零收费发放记录: the rows of each (school, school year) pair seen
/// for the first time in this import are deleted first (web entries included), then the batch
/// is inserted.
pub(crate) async fn import_issues(
    tx: &mut Tx,
    import_id: i64,
    cleared: &mut HashSet<String>,
    rows: &[(i64, &Issue)],
) -> StoreResult<()> {
    let pairs: BTreeSet<(&str, i32)> = rows
        .iter()
        .map(|(_, i)| (i.school_code.as_str(), i.school_year))
        .filter(|(s, y)| !cleared.contains(&pair_key(s, *y)))
        .collect();
    for (school, year) in pairs {
        tx_run!(&mut *tx, |conn| sqlx::query(
            "DELETE FROM zero_fee_issue WHERE school_code = $1 AND school_year = $2"
        )
        .bind(school)
        .bind(i64::from(year))
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .ctx("删除该校该学年旧版零收费发放记录")?;
        cleared.insert(pair_key(school, year));
    }
    const HEAD: &str = "INSERT INTO zero_fee_issue (import_id, row_no, school_year, school_code, \
        id_number, name, item, issued_on, quantity, insurer, policy_no) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入零收费发放记录",
        lits: &[Lit::Int(import_id)],
        cols: 10,
    };
    bulk::write(tx, &target, rows, |w, (row_no, i)| {
        w.int(*row_no);
        w.int(i64::from(i.school_year));
        w.text(&i.school_code);
        w.text(&i.id_number);
        w.text(&i.name);
        w.text(i.item.key());
        w.date(Some(i.issued_on));
        w.int(i64::from(i.quantity));
        w.opt_text(i.insurer.as_deref());
        w.opt_text(i.policy_no.as_deref());
    })
    .await
}

impl Db {
    /// The school years with issues on record, newest first.
    pub async fn zero_fee_years(&self) -> StoreResult<Vec<i32>> {
        let years: Vec<i64> = db_run!(self, |pool| sqlx::query_scalar(
            "SELECT DISTINCT school_year FROM zero_fee_issue ORDER BY school_year DESC"
        )
        .fetch_all(pool)
        .await)
        .ctx("读取零收费发放记录")?;
        Ok(years
            .into_iter()
            .filter_map(|y| i32::try_from(y).ok())
            .collect())
    }

    /// The newest issue's id (0 when none): any import or entry since makes it larger, so a
    /// checked upload can tell that the issues it would replace changed meanwhile.
    pub async fn zero_fee_latest_id(&self) -> StoreResult<i64> {
        db_run!(self, |pool| sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM zero_fee_issue"
        )
        .fetch_one(pool)
        .await)
        .ctx("读取零收费发放记录")
    }

    /// Rows on record per (school, school year), for what an import would replace.
    pub async fn zero_fee_rows_by_school_year(&self) -> StoreResult<BTreeMap<(String, i32), i64>> {
        let rows: Vec<(String, i64, i64)> = db_run!(self, |pool| sqlx::query_as(
            "SELECT school_code, school_year, CAST(COUNT(*) AS BIGINT) FROM zero_fee_issue \
             GROUP BY school_code, school_year"
        )
        .fetch_all(pool)
        .await)
        .ctx("统计零收费发放记录")?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, y, n)| i32::try_from(y).ok().map(|y| ((s, y), n)))
            .collect())
    }

    /// Every issue of school year `year`, by school, student and item.
    pub async fn zero_fee_issues(&self, year: i32) -> StoreResult<Vec<StoredIssue>> {
        let raw: Vec<Raw> = db_run!(self, |pool| sqlx::query_as(
            "SELECT id, import_id, row_no, school_year, school_code, id_number, name, item, \
             issued_on, quantity, insurer, policy_no, entered_by, entered_at \
             FROM zero_fee_issue WHERE school_year = $1 ORDER BY school_code, id_number, item, id"
        )
        .bind(i64::from(year))
        .fetch_all(pool)
        .await)
        .ctx("读取零收费发放记录")?;
        raw.into_iter()
            .map(|r| {
                let item = ZeroFeeItem::from_key(&r.7)
                    .ok_or_else(|| StoreError::Invalid(format!("未知的零收费项目 {}", r.7)))?;
                Ok(StoredIssue {
                    id: r.0,
                    issue: Issue {
                        school_year: i32::try_from(r.3).unwrap_or_default(),
                        school_code: r.4,
                        id_number: r.5,
                        name: r.6,
                        item,
                        issued_on: r.8,
                        quantity: u32::try_from(r.9).unwrap_or_default(),
                        insurer: r.10,
                        policy_no: r.11,
                    },
                    source: r.1.zip(r.2),
                    entered: r.12.zip(r.13),
                })
            })
            .collect()
    }

    /// Records one issue entered on the web or through the API, with its audit entry, in one
    /// transaction. Refused when the school already has this item of this student and year.
    pub async fn record_zero_fee_issue(&self, i: &Issue, who: PayActor<'_>) -> StoreResult<i64> {
        let mut tx = Tx::begin(self).await?;
        let year = i64::from(i.school_year);
        let existing: Option<i64> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT id FROM zero_fee_issue WHERE school_year = $1 AND school_code = $2 \
             AND id_number = $3 AND item = $4"
        )
        .bind(year)
        .bind(&i.school_code)
        .bind(&i.id_number)
        .bind(i.item.key())
        .fetch_optional(conn)
        .await)
        .ctx("读取零收费发放记录")?;
        if let Some(id) = existing {
            return Err(StoreError::Invalid(format!(
                "该校{}学年已登记该学生的“{}”（记录 {id}），不能重复登记",
                i.school_year,
                i.item.zh()
            )));
        }
        let id: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "INSERT INTO zero_fee_issue (school_year, school_code, id_number, name, item, \
             issued_on, quantity, insurer, policy_no, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        )
        .bind(year)
        .bind(&i.school_code)
        .bind(&i.id_number)
        .bind(&i.name)
        .bind(i.item.key())
        .bind(i.issued_on)
        .bind(i64::from(i.quantity))
        .bind(i.insurer.as_deref())
        .bind(i.policy_no.as_deref())
        .bind(who.name)
        .bind(Utc::now())
        .fetch_one(conn)
        .await)
        .ctx("登记零收费发放")?;
        let masked = zizhu_domain::ids::mask_long_digits(&i.id_number);
        let detail = format!(
            "{}学年 学校 {} 学生 {} {}：{} × {}，{}",
            i.school_year,
            i.school_code,
            i.name,
            masked,
            i.item.zh(),
            i.quantity,
            i.issued_on
        );
        tx.audit_entry(&crate::audit::Entry {
            actor: who.name,
            action: "zero_fee_issue",
            target: &format!("零收费发放记录 {id}"),
            detail: &detail,
            origin: who.origin,
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
