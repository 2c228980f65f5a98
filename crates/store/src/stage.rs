//! PostgreSQL: a compute run's roster lines and categories go into tables of their own (stage
//! tables), without indexes; at commit the indexes are built in one pass each and the tables
//! become the term's partitions of `entitlement` and `category` (migration 0020), replacing the
//! previous run's. Measured at 10 M students: 39.5 s → 12.3 s of PostgreSQL's time for the
//! lines, 24.7 s → 13.1 s for the categories (BENCHMARKS.md). SQLite writes its plain tables.
//!
//! All of it happens inside the run's transaction: a run that fails or is killed leaves neither
//! a stage table nor a change to the term's partitions.

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
    let sql = [
        format!("CREATE TABLE {stage} (LIKE {table} INCLUDING DEFAULTS, CHECK (term_seq = {seq}))"),
        format!("ALTER TABLE {stage} ALTER COLUMN id SET DEFAULT nextval('{sequence}')"),
    ];
    for s in sql {
        sqlx::query(sqlx::AssertSqlSafe(s))
            .execute(&mut **conn)
            .await
            .ctx("准备计算结果表")?;
    }
    Ok(())
}

/// Indexes the stage table, drops the term's previous partition (or deletes the term's rows
/// from the default partition, where rows from before migration 0020 or from a copy live) and
/// attaches the stage table as the term's partition.
///
/// Errors: [`StoreError::UniqueViolation`] when the run's rows break a unique key (reported as
/// `parent.op`, as an insert into an indexed table would have been).
pub(crate) async fn attach(tx: &mut Tx, parent: &Parent, run_id: i64, seq: i64) -> StoreResult<()> {
    let Tx::Postgres(conn) = tx else {
        return Ok(());
    };
    let table = parent.table;
    let stage = stage_name(parent, run_id);
    for c in parent.constraints {
        sqlx::query(sqlx::AssertSqlSafe(format!("ALTER TABLE {stage} {c}")))
            .execute(&mut **conn)
            .await
            .ctx(parent.op)?;
    }
    for cols in parent.indexes {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE INDEX ON {stage} {cols}"
        )))
        .execute(&mut **conn)
        .await
        .ctx(parent.op)?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {stage}")))
        .execute(&mut **conn)
        .await
        .ctx("更新统计信息")?;
    // The term's current partition, if it has one (its bound as PostgreSQL prints it).
    const OLD: &str = "SELECT c.oid::regclass::text FROM pg_inherits i \
        JOIN pg_class c ON c.oid = i.inhrelid \
        WHERE i.inhparent = $1::regclass AND pg_get_expr(c.relpartbound, c.oid) = $2";
    let old: Vec<String> = sqlx::query_scalar(OLD)
        .bind(table)
        .bind(format!("FOR VALUES IN ('{seq}')"))
        .fetch_all(&mut **conn)
        .await
        .ctx("查找本学期旧的计算结果")?;
    let mut sql: Vec<String> = old.iter().map(|t| format!("DROP TABLE {t}")).collect();
    sql.push(format!("DELETE FROM {table} WHERE term_seq = {seq}"));
    sql.push(format!(
        "ALTER TABLE {table} ATTACH PARTITION {stage} FOR VALUES IN ({seq})"
    ));
    for s in sql {
        sqlx::query(sqlx::AssertSqlSafe(s))
            .execute(&mut **conn)
            .await
            .ctx("替换本学期旧的计算结果")?;
    }
    Ok(())
}
