//! Imports (导入): one transaction per file, in which the new version of a list replaces the old
//! one. Nothing is visible to other connections until [`ImportTx::commit`]; dropping the
//! transaction, an error or a killed process leaves the database exactly as before.

use crate::convert::{all, term_seq, RawImport};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::import_rows;
use crate::rows::ImportBatchRow;
use crate::tx::Tx;
use crate::{Db, IMPORT_LOCK, LISTS_LOCK};
use chrono::Utc;
use std::collections::HashSet;
use zizhu_domain::{ListKind, ListRecord, Term};

/// What is being imported, recorded on the `import_batch` row (导入批次).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportMeta {
    pub kind: ListKind,
    /// File name as the user gave it (no folder needed).
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex; lets [`Db::import_by_sha`] spot a re-import.
    pub sha256: String,
    /// The term a 学籍 list belongs to (required for [`ListKind::Students`]); recorded for
    /// other kinds when given.
    pub term: Option<Term>,
    /// Who imports (user name), for the audit log.
    pub actor: String,
    /// Where from (the web client's address); `None` for the command line.
    pub origin: Option<String>,
}

/// An import in progress. Create with [`Db::begin_import`], add rows with
/// [`ImportTx::insert_batch`], finish with [`ImportTx::commit`] or [`ImportTx::rollback`].
/// Dropping it without commit rolls back.
pub struct ImportTx {
    tx: Tx,
    id: i64,
    meta: ImportMeta,
    /// 高考录取: years whose previous rows were already deleted in this import.
    years_cleared: HashSet<i32>,
    /// (table, year) pairs whose old rows this import already replaced (三(二) lists).
    years_replaced: HashSet<(&'static str, i32)>,
    /// 在校学生: schools whose previous rows of the term were already deleted in this import.
    schools_cleared: HashSet<String>,
    inserted: i64,
}

const INSERT_BATCH: &str = "INSERT INTO import_batch \
    (kind, file_name, sha256, term, actor, imported_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

impl Db {
    /// Opens the import transaction: records the `import_batch` row and deletes the previous
    /// version of the list in the same transaction —
    /// - 学籍 (students): the rows of the same term;
    /// - 高考录取 (college admissions): each year the file contains, when its first row arrives;
    /// - 在校学生 (attendance returns): the term's rows of each school the file contains, when
    ///   its first row arrives;
    /// - every other list: all its rows (低保, 特困供养 and 城镇困难家庭 each only their own kind).
    ///
    /// On SQLite this takes the database's write lock until commit or rollback.
    ///
    /// Errors: [`StoreError::Invalid`] for a 学籍 import without `term`; [`StoreError::Db`].
    pub async fn begin_import(&self, meta: &ImportMeta) -> StoreResult<ImportTx> {
        let term = match (meta.kind, meta.term) {
            (ListKind::Students | ListKind::Attendance, None) => {
                return Err(StoreError::Invalid(format!(
                    "导入{}必须指定学期（如 2023-autumn）",
                    meta.kind.zh()
                )))
            }
            (_, t) => t,
        };
        let mut tx = Tx::begin_bulk(self).await?;
        // No compute reads the lists while one of them is replaced.
        tx.lock(LISTS_LOCK).await?;
        // Two imports of the same list (and term) at once would each delete the old version
        // without seeing the other's new rows, and both sets would stay: they queue instead.
        let kind_no = ListKind::ALL
            .iter()
            .position(|k| *k == meta.kind)
            .unwrap_or(0) as i64;
        tx.lock(IMPORT_LOCK + kind_no * 100_000 + term.map_or(0, term_seq))
            .await?;
        let term_text = term.map(|t| t.to_string());
        let id: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(INSERT_BATCH)
            .bind(meta.kind.key())
            .bind(meta.file_name.as_str())
            .bind(meta.sha256.as_str())
            .bind(term_text.as_deref())
            .bind(meta.actor.as_str())
            .bind(Utc::now())
            .fetch_one(conn)
            .await)
        .ctx("登记导入批次")?;

        import_rows::delete_previous(&mut tx, meta.kind, term).await?;
        Ok(ImportTx {
            tx,
            id,
            meta: meta.clone(),
            years_cleared: HashSet::new(),
            years_replaced: HashSet::new(),
            schools_cleared: HashSet::new(),
            inserted: 0,
        })
    }

    /// Every import batch, newest first.
    pub async fn imports(&self) -> StoreResult<Vec<ImportBatchRow>> {
        const SQL: &str = "SELECT id, kind, file_name, sha256, term, actor, imported_at, \
            row_count, warning_count FROM import_batch ORDER BY id DESC";
        let raw: Vec<RawImport> =
            db_run!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await).ctx("读取导入记录")?;
        all(raw)
    }

    /// The newest committed import of `kind` whose file had this SHA-256, if any.
    pub async fn import_by_sha(
        &self,
        kind: ListKind,
        sha256: &str,
    ) -> StoreResult<Option<ImportBatchRow>> {
        const SQL: &str = "SELECT id, kind, file_name, sha256, term, actor, imported_at, \
            row_count, warning_count FROM import_batch WHERE kind = $1 AND sha256 = $2 \
            ORDER BY id DESC LIMIT 1";
        let raw: Option<RawImport> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(kind.key())
            .bind(sha256)
            .fetch_optional(pool)
            .await)
        .ctx("读取导入记录")?;
        raw.map(ImportBatchRow::try_from).transpose()
    }
}

impl ImportTx {
    /// Id of this import's `import_batch` row; every stored row carries it.
    pub fn import_id(&self) -> i64 {
        self.id
    }

    /// Rows stored so far by [`ImportTx::insert_batch`].
    pub fn inserted(&self) -> i64 {
        self.inserted
    }

    /// Stores `rows`: (row number in the source file, record), as a bulk write (`bulk.rs`: a
    /// prepared INSERT per row on SQLite's handle, `COPY` on PostgreSQL). Every
    /// record must be of this import's kind (a [`ListRecord::Assistance`] for 低保, 特困供养 and
    /// 城镇困难家庭).
    ///
    /// Errors: [`StoreError::Invalid`] for a record of another kind (nothing of the batch is
    /// stored); [`StoreError::UniqueViolation`] for a school code twice; [`StoreError::Db`].
    /// After an error, roll back: the transaction may be unusable (PostgreSQL).
    pub async fn insert_batch(&mut self, rows: &[(usize, ListRecord)]) -> StoreResult<()> {
        let kind = self.meta.kind;
        let mut numbered = Vec::with_capacity(rows.len());
        for (row_no, record) in rows {
            let row_no = i64::try_from(*row_no)
                .map_err(|_| StoreError::Invalid(format!("行号超出范围：{row_no}")))?;
            numbered.push((row_no, record));
        }
        let wrong = |row_no: i64| {
            StoreError::Invalid(format!(
                "{}名单中出现了其他类型的记录（第 {row_no} 行）",
                kind.zh()
            ))
        };
        macro_rules! only {
            ($variant:ident) => {{
                let mut out = Vec::with_capacity(numbered.len());
                for (row_no, record) in &numbered {
                    match record {
                        ListRecord::$variant(r) => out.push((*row_no, r)),
                        _ => return Err(wrong(*row_no)),
                    }
                }
                out
            }};
        }
        let tx = &mut self.tx;
        match kind {
            ListKind::Schools => import_rows::schools(tx, self.id, &only!(School)).await?,
            ListKind::Students => {
                let students = only!(Student);
                let term = self.meta.term.ok_or_else(|| {
                    StoreError::Invalid("导入学籍名单必须指定学期（如 2023-autumn）".to_string())
                })?;
                import_rows::students(tx, self.id, term, &students).await?
            }
            ListKind::PoorHouseholds => {
                import_rows::poor_members(tx, self.id, &only!(PoorMember)).await?
            }
            ListKind::Dibao | ListKind::Tekun | ListKind::UrbanHardship => {
                import_rows::assistance(tx, self.id, kind, &only!(Assistance)).await?
            }
            ListKind::Disabled => import_rows::disabled(tx, self.id, &only!(Disabled)).await?,
            ListKind::CollegeAdmissions => {
                let admissions = only!(Admission);
                import_rows::admissions(tx, self.id, &mut self.years_cleared, &admissions).await?
            }
            ListKind::Residents => import_rows::residents(tx, self.id, &only!(Resident)).await?,
            ListKind::PayeeAccounts => {
                import_rows::payee_accounts(tx, self.id, &only!(PayeeAccount)).await?
            }
            ListKind::AdmissionLines => {
                let lines = only!(AdmissionLine);
                import_rows::admission_lines(tx, self.id, &mut self.years_replaced, &lines).await?
            }
            ListKind::AdmissionApplicants => {
                let people = only!(Applicant);
                import_rows::admission_applicants(tx, self.id, &mut self.years_replaced, &people)
                    .await?
            }
            ListKind::ZeroFeeIssues => {
                // One kind per import: the (school, school year) pairs replaced share this set.
                let issues = only!(ZeroFeeIssue);
                crate::zero_fee::import_issues(tx, self.id, &mut self.schools_cleared, &issues)
                    .await?
            }
            ListKind::Teachers => import_rows::teachers(tx, self.id, &only!(Teacher)).await?,
            ListKind::TeacherExchanges => {
                import_rows::teacher_exchanges(tx, self.id, &only!(TeacherExchange)).await?
            }
            ListKind::Attendance => {
                let entries = only!(Attendance);
                let term = self.meta.term.ok_or_else(|| {
                    StoreError::Invalid(
                        "导入在校学生名单必须指定学期（如 2023-autumn）".to_string(),
                    )
                })?;
                import_rows::attendance(tx, self.id, term, &mut self.schools_cleared, &entries)
                    .await?
            }
        }
        self.inserted = self
            .inserted
            .saturating_add(i64::try_from(rows.len()).unwrap_or(i64::MAX));
        Ok(())
    }

    /// Appends an audit-log row inside this import's transaction (kept only if it commits).
    pub async fn audit(&mut self, action: &str, target: &str, detail: &str) -> StoreResult<i64> {
        let actor = self.meta.actor.clone();
        self.tx.audit(&actor, action, target, detail).await
    }

    /// Records `rows` (rows stored) and `warnings` (rows the importer warned about) on the
    /// import batch, writes the audit entry `import` (target `KIND:FILE`) and commits.
    /// Returns the import id.
    pub async fn commit(mut self, rows: i64, warnings: i64) -> StoreResult<i64> {
        const SQL: &str =
            "UPDATE import_batch SET row_count = $1, warning_count = $2 WHERE id = $3";
        let id = self.id;
        tx_run!(&mut self.tx, |conn| sqlx::query(SQL)
            .bind(rows)
            .bind(warnings)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("登记导入结果")?;
        let target = format!("{}:{}", self.meta.kind.key(), self.meta.file_name);
        let term = self
            .meta
            .term
            .map(|t| format!("，{}", t.label_zh()))
            .unwrap_or_default();
        let detail = format!(
            "导入{}名单{term}，批次 {id}，{rows} 行，{warnings} 条警告，SHA-256 {}",
            self.meta.kind.zh(),
            self.meta.sha256
        );
        let (actor, origin) = (self.meta.actor.clone(), self.meta.origin.clone());
        self.tx
            .audit_entry(&crate::audit::Entry {
                actor: &actor,
                action: "import",
                target: &target,
                detail: &detail,
                origin: origin.as_deref(),
                ..crate::audit::Entry::default()
            })
            .await?;
        self.tx
            .analyze(&[import_rows::table_of(self.meta.kind)])
            .await?;
        self.tx.commit().await?;
        Ok(id)
    }

    /// Abandons the import: the database is left as before [`Db::begin_import`].
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await
    }
}
