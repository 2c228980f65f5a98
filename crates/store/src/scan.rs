//! A dropout scan (控辍保学比对) writing its findings to the ledger: one transaction that opens
//! new cases, updates the ones found again and flags the ones to verify, then records the scan.
//! Two scans never interleave (an advisory lock on PostgreSQL, the single writer on SQLite), and
//! at most one open case per child is a unique index, not only this code.

use crate::case_moves::{add_event, Event};
use crate::cases::{join_keys, Actor, NewCase, RawCase, CASE_COLS};
use crate::error::{Ctx, StoreResult};
use crate::tx::Tx;
use crate::{CaseRow, Db, LISTS_LOCK};
use chrono::{NaiveDate, Utc};
use std::collections::HashMap;
use zizhu_domain::dropout::{AttentionGroup, CaseState, SuspectReason};
use zizhu_domain::Term;

/// Scans of the ledger ("ZD").
const SCAN_LOCK: i64 = 0x5A44_0000_0000;

/// What the ledger already knows of a child: the open case, else the latest closed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCase {
    pub case: CaseRow,
    /// For a closed case: it was closed after being verified as not a dropout (studying
    /// elsewhere, moved…), so finding the child again is expected and opens nothing.
    pub closed_as_not_dropout: bool,
}

/// Totals recorded on the scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Children of compulsory age compared.
    pub population: i64,
    /// Suspects found.
    pub suspects: i64,
    /// New cases opened.
    pub opened: i64,
    /// Suspects that already had an open case (or were closed as not dropouts).
    pub refound: i64,
    /// Open cases flagged for verification: the child is no longer a suspect.
    pub recheck: i64,
}

/// A scan in progress; dropping it without [`ScanTx::commit`] changes nothing.
pub struct ScanTx {
    tx: Tx,
    id: i64,
    as_of: NaiveDate,
    actor: Actor,
}

impl Db {
    /// Opens a scan as of `as_of` for `term`, by `actor`. Open it before reading the lists the
    /// scan compares: until it commits or is dropped, no import can replace one of them, so the
    /// scan sees one version of each (an import under way is waited for).
    pub async fn begin_scan(
        &self,
        as_of: NaiveDate,
        term: Term,
        actor: &Actor,
    ) -> StoreResult<ScanTx> {
        const SQL: &str =
            "INSERT INTO dropout_scan (as_of, term, actor, at) VALUES ($1, $2, $3, $4) \
            RETURNING id";
        let mut tx = Tx::begin(self).await?;
        tx.lock(SCAN_LOCK).await?;
        // The lists are read while this transaction is open: no import replaces one of them
        // meanwhile (on SQLite, BEGIN IMMEDIATE already keeps every other writer out).
        tx.lock_shared(LISTS_LOCK).await?;
        let term = term.to_string();
        let id: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(SQL)
            .bind(as_of)
            .bind(term.as_str())
            .bind(actor.name.as_str())
            .bind(Utc::now())
            .fetch_one(conn)
            .await)
        .ctx("登记比对批次")?;
        Ok(ScanTx {
            tx,
            id,
            as_of,
            actor: actor.clone(),
        })
    }
}

impl ScanTx {
    /// Id of this scan.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The day of the latest earlier scan, if any (scans go forward in time: a case's history
    /// must not get events dated before what it already records).
    pub async fn latest_earlier_scan(&mut self) -> StoreResult<Option<NaiveDate>> {
        const SQL: &str = "SELECT MAX(as_of) FROM dropout_scan WHERE id <> $1";
        let id = self.id;
        tx_run!(&mut self.tx, |conn| sqlx::query_scalar(SQL)
            .bind(id)
            .fetch_one(conn)
            .await)
        .ctx("读取比对记录")
    }

    /// Every child the ledger knows, by ID number.
    pub async fn known_cases(&mut self) -> StoreResult<HashMap<String, KnownCase>> {
        let sql = format!(
            "SELECT {CASE_COLS}, (SELECT e.from_state FROM case_event e WHERE e.case_id = c.id \
             AND e.to_state = 'closed' ORDER BY e.id DESC LIMIT 1) AS closed_from \
             FROM dropout_case c ORDER BY id"
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            case: RawCase,
            closed_from: Option<String>,
        }
        let rows: Vec<Row> = tx_run!(&mut self.tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .fetch_all(conn)
        .await)
        .ctx("读取案件")?;
        let mut out: HashMap<String, KnownCase> = HashMap::new();
        for r in rows {
            let case = CaseRow::try_from(r.case)?;
            let known = KnownCase {
                closed_as_not_dropout: case.state == CaseState::Closed
                    && r.closed_from.as_deref() == Some(CaseState::NotDropout.key()),
                case,
            };
            // Ids ascend: a later case replaces an earlier one, except that an open case stays.
            let keep_old = out
                .get(&known.case.child.id_number)
                .is_some_and(|k| k.case.state != CaseState::Closed);
            if !keep_old {
                out.insert(known.case.child.id_number.clone(), known);
            }
        }
        Ok(out)
    }

    /// Opens a case for a new suspect; returns its id.
    ///
    /// Errors: [`crate::StoreError::UniqueViolation`] when the child already has an open case.
    pub async fn open_case(&mut self, c: &NewCase) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO dropout_case (id_number, name, sex, birth_date, township, \
            village, household_no, guardian, guardian_phone, school_code, reasons, groups, state, \
            state_since, opened_on, opened_scan, last_scan) VALUES ($1, $2, $3, $4, $5, $6, $7, \
            $8, $9, $10, $11, $12, 'suspected', $13, $13, $14, $14) RETURNING id";
        let id: i64 = tx_run!(&mut self.tx, |conn| sqlx::query_scalar(SQL)
            .bind(c.id_number.as_str())
            .bind(c.name.as_str())
            .bind(c.sex.map(|s| s.key()))
            .bind(c.birth_date)
            .bind(c.township.as_str())
            .bind(c.village.as_str())
            .bind(c.household_no.as_str())
            .bind(c.guardian.as_str())
            .bind(c.guardian_phone.as_str())
            .bind(c.school_code.as_str())
            .bind(join_keys(&c.reasons, SuspectReason::key))
            .bind(join_keys(&c.groups, AttentionGroup::key))
            .bind(self.as_of)
            .bind(self.id)
            .fetch_one(conn)
            .await)
        .ctx("建立案件")?;
        let reasons: Vec<&str> = c.reasons.iter().map(|r| r.zh()).collect();
        let note = format!("比对发现：{}", reasons.join("；"));
        self.event(id, "open", None, Some(CaseState::Suspected), &note)
            .await?;
        Ok(id)
    }

    /// A suspect found again: the case keeps its state; reasons and groups are brought up to
    /// date (with an event when they changed) and a pending recheck flag is cleared.
    ///
    /// When the registry now has the child in another school (`registry_school`), that school
    /// becomes the responsible one (以校为主), with an event. A child found again while monitored
    /// after returning to school (复学监测) is flagged 待核实 with an event instead: if the child
    /// has left school again, the case is moved back to persuading. Returns whether it was.
    pub async fn refind(
        &mut self,
        case: &CaseRow,
        reasons: &[SuspectReason],
        groups: &[AttentionGroup],
        registry_school: Option<&str>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE dropout_case SET reasons = $1, groups = $2, last_scan = $3, \
            recheck = $5, school_code = COALESCE($6, school_code) WHERE id = $4";
        let relapse = case.state == CaseState::Returned;
        let moved = registry_school.filter(|s| !s.is_empty() && *s != case.child.school_code);
        tx_run!(&mut self.tx, |conn| sqlx::query(SQL)
            .bind(join_keys(reasons, SuspectReason::key))
            .bind(join_keys(groups, AttentionGroup::key))
            .bind(self.id)
            .bind(case.id)
            .bind(relapse)
            .bind(moved)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("更新案件")?;
        if let Some(school) = moved {
            let old = match case.child.school_code.as_str() {
                "" => "（无）",
                s => s,
            };
            let note = format!("学籍显示该儿童本学期在 {school}，负责学校由 {old} 改为 {school}");
            self.event(case.id, "scan", None, None, &note).await?;
        }
        let zh: Vec<&str> = reasons.iter().map(|r| r.zh()).collect();
        if relapse {
            if !case.recheck || case.child.reasons != reasons {
                let note = format!(
                    "复学监测期内再次比对为疑似：{}。待核实：如已再次辍学，请重新劝返（persuade）",
                    zh.join("；")
                );
                self.event(case.id, "scan", None, None, &note).await?;
            }
        } else if case.child.reasons != reasons || case.recheck {
            let note = format!("再次比对仍为疑似：{}", zh.join("；"));
            self.event(case.id, "scan", None, None, &note).await?;
        }
        Ok(relapse)
    }

    /// An open case whose child this scan did not find a suspect: flagged for verification
    /// (待核实), never dropped. `why` says what the scan saw.
    pub async fn flag_recheck(&mut self, case: &CaseRow, why: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE dropout_case SET recheck = TRUE, last_scan = $1 WHERE id = $2";
        tx_run!(&mut self.tx, |conn| sqlx::query(SQL)
            .bind(self.id)
            .bind(case.id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("更新案件")?;
        if !case.recheck {
            let note = format!("比对结果变化，待核实：{why}");
            self.event(case.id, "scan", None, None, &note).await?;
        }
        Ok(())
    }

    async fn event(
        &mut self,
        case_id: i64,
        kind: &'static str,
        from: Option<CaseState>,
        to: Option<CaseState>,
        note: &str,
    ) -> StoreResult<()> {
        let actor = self.actor.clone();
        add_event(
            &mut self.tx,
            &Event {
                case_id,
                on: self.as_of,
                actor: &actor,
                kind,
                from,
                to,
                action: None,
                note,
            },
        )
        .await
    }

    /// Records the totals, writes the audit entry `dropout_scan` and commits; returns the id.
    pub async fn commit(mut self, s: ScanSummary) -> StoreResult<i64> {
        const SQL: &str = "UPDATE dropout_scan SET population = $1, suspects = $2, opened = $3, \
            refound = $4, recheck = $5 WHERE id = $6";
        let id = self.id;
        tx_run!(&mut self.tx, |conn| sqlx::query(SQL)
            .bind(s.population)
            .bind(s.suspects)
            .bind(s.opened)
            .bind(s.refound)
            .bind(s.recheck)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("登记比对结果")?;
        let detail = format!(
            "控辍保学比对（截至 {}），批次 {id}：适龄 {} 人，疑似 {} 人，新立案 {} 件，再次发现 {} 件，待核实 {} 件",
            self.as_of.format("%Y-%m-%d"),
            s.population,
            s.suspects,
            s.opened,
            s.refound,
            s.recheck
        );
        let actor = self.actor.name.clone();
        self.tx
            .audit(&actor, "dropout_scan", &format!("scan:{id}"), &detail)
            .await?;
        self.tx.commit().await?;
        Ok(id)
    }
}
