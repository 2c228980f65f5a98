//! Writing a computed roster: one transaction per run, in which the term's categories,
//! entitlements and quality issues are replaced. A re-run of a term therefore replaces it.

use crate::bind;
use crate::bulk::{self, Lit, RowSink, Target};
use crate::convert::term_seq;
use crate::error::{Ctx, StoreError, StoreResult};
use crate::stage;
use crate::tx::Tx;
use crate::{Db, COMPUTE_LOCK, LISTS_LOCK};
use chrono::Utc;
use zizhu_domain::{Category, Fen, ListKind, Term};

/// What a compute run (计算批次) ran with, recorded on its `compute_run` row.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMeta {
    pub term: Term,
    /// Policy file identity: its id, version and the SHA-256 of its text.
    pub policy_id: String,
    pub policy_version: String,
    pub policy_sha256: String,
    /// Who ran it, for the audit log.
    pub actor: String,
    /// Where from (the web client's address); `None` for the command line.
    pub origin: Option<String>,
}

/// A family-difficulty category of a student (家庭经济困难类别) and the list row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCategory {
    pub id_number: String,
    pub category: Category,
    /// The list that gave it.
    pub list: ListKind,
    /// The import batch and source row of that list.
    pub import_id: i64,
    pub row_no: i64,
    /// Free text for `explain`, e.g. the list's validity period.
    pub detail: String,
}

/// One roster line (资助名单): one program for one student in the run's term.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntitlement {
    pub id_number: String,
    pub name: String,
    pub student_no: String,
    pub school_code: String,
    /// Program id from the policy file (e.g. `boarding_living_subsidy`) and its Chinese name.
    pub program: String,
    pub program_name: String,
    /// Policy clause, e.g. `二(一)2`.
    pub clause: String,
    /// Amount for the term, in fen.
    pub amount_fen: i64,
    /// Who is paid (student, guardian, school), as text.
    pub payee: String,
    /// The facts the decision used, as JSON text: the whole object when `trace` is `None`;
    /// otherwise only the line's own part, the value of the object's `sources` key, the rest
    /// being the run's trace numbered `trace` ([`ComputeTx::insert_traces`]).
    pub facts: String,
    /// Number of the run's trace (shared policy part of the facts) this line uses.
    pub trace: Option<u32>,
}

/// The part of roster lines' facts that many lines of a run share (term, reference date,
/// clause, conditions, amount rule), stored once: JSON object members without the braces.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTrace {
    /// Its number within the run, as lines give it in [`NewEntitlement::trace`].
    pub trace_no: u32,
    pub body: String,
}

/// A data-quality issue (数据质量问题) found while computing.
#[derive(Debug, Clone, PartialEq)]
pub struct NewQualityIssue {
    /// Stable code, e.g. `E-DUP-001`.
    pub code: String,
    pub id_number: Option<String>,
    pub school_code: Option<String>,
    /// Where: list and row, as text.
    pub source: String,
    pub detail: String,
}

/// Totals recorded on the run when it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunSummary {
    /// Students considered.
    pub students: i64,
    /// Roster lines written.
    pub entitlements: i64,
    /// Sum of the roster, in fen.
    pub total_fen: i64,
}

/// A compute run in progress. Create with [`Db::begin_compute`]; dropping it without
/// [`ComputeTx::commit`] rolls back and leaves the term's previous results in place.
pub struct ComputeTx {
    tx: Tx,
    run_id: i64,
    meta: RunMeta,
}

impl Db {
    /// Opens the run's transaction: inserts the `compute_run` row and deletes the term's
    /// categories, entitlements and quality issues (from earlier runs) in the same transaction.
    /// Call it before reading the lists the run uses: from here to the commit no import can
    /// replace one (SQLite admits one writer; PostgreSQL imports wait on an advisory lock).
    pub async fn begin_compute(&self, meta: &RunMeta) -> StoreResult<ComputeTx> {
        const INSERT: &str = "INSERT INTO compute_run (term, term_seq, policy_id, policy_version, \
            policy_sha256, actor, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
            RETURNING id";
        // The run's own tables; the term's lines and categories are replaced too, on PostgreSQL
        // at commit (`stage.rs`), on SQLite here.
        const DELETES: [&str; 2] = [
            "DELETE FROM entitlement_trace WHERE run_id IN \
             (SELECT id FROM compute_run WHERE term_seq = $1)",
            "DELETE FROM quality_issue WHERE term_seq = $1",
        ];
        const SQLITE_DELETES: [&str; 2] = [
            "DELETE FROM category WHERE term_seq = $1",
            "DELETE FROM entitlement WHERE term_seq = $1",
        ];
        let mut tx = Tx::begin(self).await?;
        let seq = term_seq(meta.term);
        // No import replaces a list from here to the commit: begin the run before reading them.
        tx.lock_shared(LISTS_LOCK).await?;
        // Two computes of one term at once queue: the later replaces the earlier entirely.
        tx.lock(COMPUTE_LOCK + seq).await?;
        // A roster the county approved is never recomputed (issue 5: a change after the lock is
        // a recorded adjustment, not a silent new roster).
        const LOCKED: &str = "SELECT COUNT(*) FROM roster_lock WHERE term_seq = $1";
        let locked: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(LOCKED)
            .bind(seq)
            .fetch_one(conn)
            .await)
        .ctx("读取审批锁定")?;
        if locked > 0 {
            return Err(StoreError::Invalid(format!(
                "{}的资助名单已由县级审批锁定，不能重新计算；锁定后的变更用 zizhu adjust --term {} 记为调整（补发或追回）",
                meta.term.label_zh(),
                meta.term
            )));
        }
        let term = meta.term.to_string();
        let run_id: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(INSERT)
            .bind(term.as_str())
            .bind(seq)
            .bind(meta.policy_id.as_str())
            .bind(meta.policy_version.as_str())
            .bind(meta.policy_sha256.as_str())
            .bind(meta.actor.as_str())
            .bind(Utc::now())
            .fetch_one(conn)
            .await)
        .ctx("登记计算批次")?;
        let sqlite: &[&str] = match tx {
            Tx::Sqlite(_) => &SQLITE_DELETES,
            Tx::Postgres(_) => &[],
        };
        for sql in DELETES.iter().chain(sqlite) {
            tx_run!(&mut tx, |conn| sqlx::query(*sql)
                .bind(seq)
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))
            .ctx("删除本学期旧的计算结果")?;
        }
        for parent in [&stage::ENTITLEMENT, &stage::CATEGORY] {
            stage::create(&mut tx, parent, run_id, seq).await?;
        }
        Ok(ComputeTx {
            tx,
            run_id,
            meta: meta.clone(),
        })
    }
}

impl ComputeTx {
    /// Id of this run's `compute_run` row; every row written carries it.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Where rows of the partitioned `parent` go: on PostgreSQL the run's stage table.
    fn table(&self, parent: &stage::Parent) -> String {
        match self.tx {
            Tx::Postgres(_) => stage::stage_name(parent, self.run_id),
            Tx::Sqlite(_) => parent.table.to_string(),
        }
    }

    /// Writes `rows` into the table of `head`, whose first columns are run id, term, term_seq.
    async fn write<T: Sync>(
        &mut self,
        head: &str,
        op: &'static str,
        cols: usize,
        rows: &[T],
        fill: impl Fn(&mut dyn RowSink, &T) + Sync,
    ) -> StoreResult<()> {
        let term = self.meta.term.to_string();
        let target = Target {
            head,
            op,
            lits: &[
                Lit::Int(self.run_id),
                Lit::Key(&term),
                Lit::Int(term_seq(self.meta.term)),
            ],
            cols,
        };
        bulk::write(&mut self.tx, &target, rows, fill).await
    }

    /// Stores family-difficulty categories of the run's term.
    pub async fn insert_categories(&mut self, rows: &[NewCategory]) -> StoreResult<()> {
        let head = format!(
            "INSERT INTO {} (run_id, term, term_seq, id_number, category, list_kind, import_id, \
             row_no, detail) VALUES ",
            self.table(&stage::CATEGORY)
        );
        self.write(&head, "写入困难类别", 6, rows, |w, c| {
            w.text(&c.id_number);
            w.key(bind::category(c.category));
            w.key(bind::list_kind(c.list));
            w.int(c.import_id);
            w.int(c.row_no);
            w.text(&c.detail);
        })
        .await
    }

    /// Stores roster lines of the run's term.
    ///
    /// Errors: [`crate::StoreError::UniqueViolation`] when a (term, ID number, program) is
    /// already stored in this run or repeated in `rows`; roll back afterwards.
    pub async fn insert_entitlements(&mut self, rows: &[NewEntitlement]) -> StoreResult<()> {
        let head = format!(
            "INSERT INTO {} (run_id, term, term_seq, id_number, name, student_no, school_code, \
             program, program_name, clause, amount_fen, payee, facts, trace_no) VALUES ",
            self.table(&stage::ENTITLEMENT)
        );
        self.write(&head, "写入资助名单", 11, rows, |w, e| {
            w.text(&e.id_number);
            w.text(&e.name);
            w.text(&e.student_no);
            w.text(&e.school_code);
            w.text(&e.program);
            w.text(&e.program_name);
            w.text(&e.clause);
            w.int(e.amount_fen);
            w.text(&e.payee);
            w.text(&e.facts);
            w.opt_int(e.trace.map(i64::from));
        })
        .await
    }

    /// Stores the run's traces: the shared parts of its lines' facts
    /// ([`NewEntitlement::trace`]). Write each number once per run.
    ///
    /// Errors: [`crate::StoreError::UniqueViolation`] when a number is repeated.
    pub async fn insert_traces(&mut self, rows: &[NewTrace]) -> StoreResult<()> {
        const SQL: &str =
            "INSERT INTO entitlement_trace (run_id, trace_no, body) VALUES ($1, $2, $3)";
        let run_id = self.run_id;
        for t in rows {
            tx_run!(&mut self.tx, |conn| sqlx::query(SQL)
                .bind(run_id)
                .bind(i64::from(t.trace_no))
                .bind(t.body.as_str())
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))
            .ctx("写入资助依据")?;
        }
        Ok(())
    }

    /// Stores data-quality issues of the run's term.
    pub async fn insert_quality(&mut self, rows: &[NewQualityIssue]) -> StoreResult<()> {
        const HEAD: &str = "INSERT INTO quality_issue (run_id, term, term_seq, code, id_number, \
            school_code, source, detail) VALUES ";
        self.write(HEAD, "写入数据质量问题", 5, rows, |w, i| {
            w.text(&i.code);
            w.opt_text(i.id_number.as_deref());
            w.opt_text(i.school_code.as_deref());
            w.text(&i.source);
            w.text(&i.detail);
        })
        .await
    }

    /// Appends an audit-log row inside this run's transaction (kept only if it commits).
    pub async fn audit(&mut self, action: &str, target: &str, detail: &str) -> StoreResult<i64> {
        let actor = self.meta.actor.clone();
        self.tx.audit(&actor, action, target, detail).await
    }

    /// Records the summary and finish time on the run, writes the audit entry `compute`
    /// (target: the term) and commits. Returns the run id.
    pub async fn commit(mut self, summary: RunSummary) -> StoreResult<i64> {
        const SQL: &str = "UPDATE compute_run SET finished_at = $1, student_count = $2, \
            entitlement_count = $3, total_fen = $4 WHERE id = $5";
        let run_id = self.run_id;
        tx_run!(&mut self.tx, |conn| sqlx::query(SQL)
            .bind(Utc::now())
            .bind(summary.students)
            .bind(summary.entitlements)
            .bind(summary.total_fen)
            .bind(run_id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("登记计算结果")?;
        let detail = format!(
            "计算{}资助名单，批次 {run_id}，政策 {} {}（SHA-256 {}），{} 名学生，{} 条资助，合计 {} 元",
            self.meta.term.label_zh(),
            self.meta.policy_id,
            self.meta.policy_version,
            self.meta.policy_sha256,
            summary.students,
            summary.entitlements,
            Fen(summary.total_fen)
        );
        let target = self.meta.term.to_string();
        let (actor, origin) = (self.meta.actor.clone(), self.meta.origin.clone());
        self.tx
            .audit_entry(&crate::audit::Entry {
                actor: &actor,
                action: "compute",
                target: &target,
                detail: &detail,
                origin: origin.as_deref(),
                ..crate::audit::Entry::default()
            })
            .await?;
        // The stage tables become the term's partitions (analysed there); SQLite's plain tables
        // need no statistics.
        let seq = term_seq(self.meta.term);
        // Categories before lines: the order the swap locks them in, as snapshots do (stage.rs).
        let parents = [&stage::CATEGORY, &stage::ENTITLEMENT];
        let t0 = std::time::Instant::now();
        stage::index(&mut self.tx, parents[0], run_id).await?;
        let t_categories = t0.elapsed();
        stage::index(&mut self.tx, parents[1], run_id).await?;
        let t_lines = t0.elapsed() - t_categories;
        let t0 = std::time::Instant::now();
        stage::swap(&mut self.tx, &parents, run_id, seq).await?;
        let t_swap = t0.elapsed();
        let t0 = std::time::Instant::now();
        self.tx
            .analyze(&["entitlement_trace", "quality_issue"])
            .await?;
        self.tx.commit().await?;
        tracing::info!(
            target: "zizhu::timing",
            index_categories = ?t_categories, index_lines = ?t_lines, swap = ?t_swap,
            analyze_commit = ?t0.elapsed(), "compute: commit"
        );
        Ok(run_id)
    }

    /// Abandons the run: the term's previous results stay.
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await
    }
}
