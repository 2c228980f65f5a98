//! PostgreSQL: a compute run's roster lines and categories go into tables of their own (stage
//! tables), without indexes; at commit the indexes are built in one pass each and the tables
//! become the term's partitions of `entitlement` and `category` (migration 0020), replacing the
//! previous run's. Measured at 10 M students: 39.5 s → 12.3 s of PostgreSQL's time for the
//! lines, 24.7 s → 13.1 s for the categories (BENCHMARKS.md). SQLite writes its plain tables.
//!
//! All of it happens inside the run's transaction: a run that fails or is killed leaves neither
//! a stage table nor a change to the term's partitions.
//!
//! Locks: the stage tables are made from the catalog's description of the parents, so a run
//! holds no lock on `entitlement` or `category` while it computes (two runs of different terms
//! would otherwise deadlock at their swaps). Only the swap itself — dropping the term's old
//! partition, attaching the new one — takes both parents exclusively, in one `LOCK` in a fixed
//! order after every index is built, and is retried when PostgreSQL chose it as a deadlock's
//! victim. A snapshot copy (backup, migrate-store) holds both parents shared
//! (`Tx::begin_snapshot`), so a swap waits for it rather than hiding a term's roster from it.

use crate::error::{Ctx, StoreError, StoreResult};
use crate::tx::Tx;

/// One partitioned result table: its name and the indexes of each partition, which must match
/// the parent's (migration 0020) so that attaching adopts them instead of building new ones.
pub(crate) struct Parent {
    pub(crate) table: &'static str,
    /// What a failure to build the indexes is reported as (a unique key broken by the run).
    pub(crate) op: &'static str,
    /// `ALTER TABLE {stage} …` clauses and `CREATE INDEX ON {stage} …` column lists.
    pub(crate) constraints: &'static [&'static str],
    pub(crate) indexes: &'static [&'static str],
}

pub(crate) const ENTITLEMENT: Parent = Parent {
    table: "entitlement",
    op: "写入资助名单",
    constraints: &[
        "ADD PRIMARY KEY (id, term_seq)",
        "ADD UNIQUE (id_number, term_seq, program)",
    ],
    indexes: &["(program, term_seq)"],
};

pub(crate) const CATEGORY: Parent = Parent {
    table: "category",
    op: "写入困难类别",
    constraints: &["ADD PRIMARY KEY (id, term_seq)"],
    indexes: &["(term_seq, id_number)"],
};

/// The stage table of `parent` for `run_id` (our own names and numbers only).
pub(crate) fn stage_name(parent: &Parent, run_id: i64) -> String {
    format!("{}_r{run_id}", parent.table)
}

/// Creates the bare stage table of `parent` for the run: the parent's columns, ids from the
/// parent's sequence, and a check that every row is of the term (so attaching needs no scan).
pub(crate) async fn create(tx: &mut Tx, parent: &Parent, run_id: i64, seq: i64) -> StoreResult<()> {
    let Tx::Postgres(conn) = tx else {
        return Ok(());
    };
    let table = parent.table;
    let stage = stage_name(parent, run_id);
    let sequence: Option<String> = sqlx::query_scalar("SELECT pg_get_serial_sequence($1, 'id')")
        .bind(table)
        .fetch_one(&mut **conn)
        .await
        .ctx("准备计算结果表")?;
    let Some(sequence) = sequence.filter(|s| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'"')
    }) else {
        return Err(StoreError::Invalid(format!(
            "数据库结构不符：{table} 表的 id 列没有序列（迁移 0020 未完成？）"
        )));
    };
    // The parent's columns as DDL, read from the catalog: no lock on the parent (`LIKE` would
    // hold one until the run commits).
    const COLUMNS: &str = "SELECT string_agg(format('%I %s%s%s', a.attname, \
        format_type(a.atttypid, a.atttypmod), \
        CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(c.collname) \
        ELSE '' END, CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum) \
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
        LEFT JOIN pg_collation c ON c.oid = a.attcollation \
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped";
    let columns: Option<String> = sqlx::query_scalar(COLUMNS)
        .bind(table)
        .fetch_one(&mut **conn)
        .await
        .ctx("准备计算结果表")?;
    let columns = columns.unwrap_or_default();
    let sql = vec![
        format!("CREATE TABLE {stage} ({columns}, CHECK (term_seq = {seq}))"),
        format!("ALTER TABLE {stage} ALTER COLUMN id SET DEFAULT nextval('{sequence}')"),
    ];
    run_all(conn, sql, "准备计算结果表").await
}

/// Runs each statement of `sql` on `conn`, failing as `op`.
async fn run_all(
    conn: &mut sqlx::PgConnection,
    sql: Vec<String>,
    op: &'static str,
) -> StoreResult<()> {
    for s in sql {
        sqlx::query(sqlx::AssertSqlSafe(s))
            .execute(&mut *conn)
            .await
            .ctx(op)?;
    }
    Ok(())
}

/// Builds the stage table's keys and indexes and samples its statistics. No lock on the parent.
///
/// Errors: [`StoreError::UniqueViolation`] when the run's rows break a unique key (reported as
/// `parent.op`, as an insert into an indexed table would have been).
pub(crate) async fn index(tx: &mut Tx, parent: &Parent, run_id: i64) -> StoreResult<()> {
    let Tx::Postgres(conn) = tx else {
        return Ok(());
    };
    let stage = stage_name(parent, run_id);
    // Collected first: an iterator of closures held across the awaits would not be `Send`.
    let sql: Vec<String> = (parent.constraints.iter())
        .map(|c| format!("ALTER TABLE {stage} {c}"))
        .chain((parent.indexes.iter()).map(|cols| format!("CREATE INDEX ON {stage} {cols}")))
        .collect();
    run_all(conn, sql, parent.op).await?;
    run_all(conn, vec![format!("ANALYZE {stage}")], "更新统计信息").await
}

/// Tries this many times when the swap was a deadlock's victim (SQLSTATE 40P01).
const SWAP_TRIES: usize = 5;

/// Puts the indexed stage tables of `parents` in the place of the term's partitions: under an
/// exclusive lock of every parent (one `LOCK`, in the order given), drops each term's old
/// partition (or deletes the term's rows from the default partition, where rows from before
/// migration 0020 or from a copy live) and attaches the stage table. Inside a savepoint, so a
/// deadlock undoes only the swap, which is then tried again.
pub(crate) async fn swap(
    tx: &mut Tx,
    parents: &[&Parent],
    run_id: i64,
    seq: i64,
) -> StoreResult<()> {
    let Tx::Postgres(conn) = tx else {
        return Ok(());
    };
    const OP: &str = "替换本学期旧的计算结果";
    let mut tries = 0;
    loop {
        tries += 1;
        run_all(conn, vec!["SAVEPOINT zizhu_swap".to_string()], OP).await?;
        match swap_once(conn, parents, run_id, seq).await {
            Ok(()) => {
                return run_all(conn, vec!["RELEASE SAVEPOINT zizhu_swap".to_string()], OP).await
            }
            Err(e) if tries < SWAP_TRIES && is_deadlock(&e) => {
                tracing::warn!(
                    target: "zizhu::compute",
                    tries,
                    "swap of the term's partitions was a deadlock's victim; trying again"
                );
                run_all(
                    conn,
                    vec!["ROLLBACK TO SAVEPOINT zizhu_swap".to_string()],
                    OP,
                )
                .await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// True when PostgreSQL broke a deadlock by failing this statement.
fn is_deadlock(e: &StoreError) -> bool {
    use std::error::Error as _;
    e.source()
        .and_then(|s| s.downcast_ref::<sqlx::Error>())
        .and_then(|s| s.as_database_error())
        .and_then(|d| d.code())
        .is_some_and(|c| c == "40P01")
}

async fn swap_once(
    conn: &mut sqlx::PgConnection,
    parents: &[&Parent],
    run_id: i64,
    seq: i64,
) -> StoreResult<()> {
    let tables: Vec<&str> = parents.iter().map(|p| p.table).collect();
    let lock = format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", tables.join(", "));
    run_all(conn, vec![lock], "等待读取资助名单的操作结束").await?;
    // The term's current partition, if it has one (its bound as PostgreSQL prints it).
    const OLD: &str = "SELECT c.oid::regclass::text FROM pg_inherits i \
        JOIN pg_class c ON c.oid = i.inhrelid \
        WHERE i.inhparent = $1::regclass AND pg_get_expr(c.relpartbound, c.oid) = $2";
    for parent in parents {
        let table = parent.table;
        let stage = stage_name(parent, run_id);
        let old: Vec<String> = sqlx::query_scalar(OLD)
            .bind(table)
            .bind(format!("FOR VALUES IN ('{seq}')"))
            .fetch_all(&mut *conn)
            .await
            .ctx("查找本学期旧的计算结果")?;
        let mut sql: Vec<String> = old.iter().map(|t| format!("DROP TABLE {t}")).collect();
        sql.push(format!("DELETE FROM {table} WHERE term_seq = {seq}"));
        sql.push(format!(
            "ALTER TABLE {table} ATTACH PARTITION {stage} FOR VALUES IN ({seq})"
        ));
        run_all(conn, sql, "替换本学期旧的计算结果").await?;
    }
    Ok(())
}
