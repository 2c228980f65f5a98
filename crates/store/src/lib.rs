//! Storage of zizhu (资助): one query source over embedded SQLite (the default) and PostgreSQL.
//!
//! [`Db`] holds a native pool of either backend; every query is one SQL string in the portable
//! subset (`$1…$n` placeholders) that the internal `db_run!` macro expands once per backend;
//! SQL generated for a variable number of values uses `?` on SQLite (see `sql.rs`).
//! The store knows nothing of the policy: it keeps the imported lists (each row traced to its
//! import batch and row number), the computed roster of a term, and an append-only audit log.
//!
//! Writes that must be all-or-nothing go through a transaction object: [`ImportTx`] (a new
//! version of a list replaces the old one) and [`ComputeTx`] (a re-run replaces the term's
//! results). Dropping either without `commit` rolls everything back.

/// Expands `$body` once per backend with `$pool` bound to that backend's pool, so each arm is
/// type-checked against its own driver.
macro_rules! db_run {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Like `db_run!`, for an open transaction: `$conn` is the transaction's connection
/// (`&mut SqliteConnection` / `&mut PgConnection`); in the second form `$backend` also names
/// the arm's database type (`sqlx::Sqlite` / `sqlx::Postgres`).
macro_rules! tx_run {
    ($tx:expr, |$conn:ident| $body:expr) => {
        tx_run!($tx, |$conn, _Backend| $body)
    };
    ($tx:expr, |$conn:ident, $backend:ident| $body:expr) => {
        match $tx {
            $crate::tx::Tx::Sqlite(t) => {
                #[allow(dead_code)]
                type $backend = sqlx::Sqlite;
                let $conn = &mut **t;
                $body
            }
            $crate::tx::Tx::Postgres(t) => {
                #[allow(dead_code)]
                type $backend = sqlx::Postgres;
                let $conn = &mut **t;
                $body
            }
        }
    };
}

mod accounts;
mod adjustments;
mod admission;
mod approval;
mod audit;
mod bind;
mod bulk;
mod case_moves;
mod cases;
mod check;
mod complaint_counts;
mod complaint_lodge;
mod complaint_moves;
mod complaints;
mod compute;
mod connect;
mod convert;
mod copy;
mod copy_out;
mod dropout_lists;
mod error;
mod exchange;
mod import;
mod import_rows;
mod lists;
mod payments;
mod person;
mod raw_sqlite;
mod recheck;
mod results;
mod rows;
mod scan;
mod scoped;
mod sql;
mod stage;
mod tx;
mod verification;
mod zero_fee;

pub use accounts::{NewUser, SessionRow, UserRow};
pub use adjustments::{AdjustmentRow, NewAdjustment};
pub use approval::{LockRow, SignoffRow};
pub use audit::{AuditQuery, Entry as AuditEntry};
pub use cases::{Actor, CaseEventRow, CaseFilter, CaseRow, NewCase};
pub use complaint_moves::ComplaintActor;
pub use complaints::{
    ComplaintEventRow, ComplaintFilter, ComplaintRow, NewComplaint, SchoolComplaintCount,
};
pub use compute::{
    ComputeTx, NewCategory, NewEntitlement, NewQualityIssue, NewTrace, RunMeta, RunSummary,
};
pub use connect::{redact_password, sqlite_file};
pub use copy::{CopyProgress, TableCopy};
pub use dropout_lists::RegistryBrief;
pub use error::{StoreError, StoreResult};
pub use import::{ImportMeta, ImportTx};
pub use payments::{BatchGroup, BatchRow, LedgerRow, LineRow, PayActor, ReturnLine, NOT_SENT};
pub use person::PersonRecords;
pub use recheck::{GapRow, NewGap, RecheckCounts};
pub use results::StoredProgram;
pub use rows::{
    AuditRow, CategoryRow, EntitlementRow, ImportBatchRow, PersonLists, QualityRow, RunRow,
    SchoolStat, Sourced, StoredStudent, TotalRow,
};
pub use scan::{KnownCase, ScanSummary, ScanTx};
pub use scoped::{ScopeFilter, StudentBrief};
pub use verification::{Drawable, VerificationRow};
pub use zero_fee::StoredIssue;

/// The database (数据库): a pool of one of the two supported backends, chosen at run time by the
/// URL given to [`Db::connect`]. Cloning is cheap (the pool is reference-counted).
///
/// The variants are public so that other layers (e.g. a session store) can share the pool; all
/// zizhu data should go through the methods of this crate.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite (`sqlite:path/to/zizhu.db` or `sqlite::memory:`).
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL (`postgres://…`).
    Postgres(sqlx::PgPool),
}

/// Advisory-lock keys (PostgreSQL) serialising writers of the same thing: an import of one list
/// kind and term is `IMPORT_LOCK + kind × 100 000 + term_seq`, a compute of a term is
/// `COMPUTE_LOCK + term_seq`. ("ZI" and "ZC" in the high bytes, clear of other applications.)
pub(crate) const IMPORT_LOCK: i64 = 0x5A49_0000_0000;
pub(crate) const COMPUTE_LOCK: i64 = 0x5A43_0000_0000;
/// Every write of payments (batches, returns, re-issues, reversals, recoveries, verifications).
pub(crate) const PAY_LOCK: i64 = 0x5A50_0000_0000;
/// One recheck of a term at a time (脱贫成果回查监测): plus the term's sequence number.
pub(crate) const RECHECK_LOCK: i64 = 0x5A52_0000_0000;
/// The lists as a whole ("ZL"): an import holds it exclusively, a compute shared, from before
/// it reads the first list to its commit — a compute never reads a list half replaced, nor a
/// list replaced after it read the others (a hostile review mixed two registries that way).
pub(crate) const LISTS_LOCK: i64 = 0x5A4C_0000_0000;

impl Db {
    /// The placeholder style of generated SQL on this backend.
    pub(crate) fn params(&self) -> sql::Params {
        match self {
            Db::Sqlite(_) => sql::Params::Positional,
            Db::Postgres(_) => sql::Params::Numbered,
        }
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}
