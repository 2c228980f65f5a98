//! An open write transaction on either backend: begin (with the SQLite page cache of bulk
//! writes), advisory locks, planner statistics, commit and rollback. Bulk rows go through
//! `bulk.rs`.

use crate::error::{Ctx, StoreError, StoreResult};
use crate::sql::Params;
use crate::Db;

/// A write transaction. Dropping it without [`Tx::commit`] rolls back (sqlx queues the
/// `ROLLBACK` on the connection), so a failed or abandoned import changes nothing.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// SQLite page cache of a bulk write's connection, KiB (256 MiB; 512 MiB gained only 15 % more).
pub(crate) const SQLITE_BULK_CACHE_KIB: i64 = 262_144;
/// SQLite's own default page cache, KiB.
const SQLITE_DEFAULT_CACHE_KIB: i64 = 2_000;

impl Tx {
    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`, taking the write lock at
    /// once (waiting up to the busy timeout) instead of failing later on the first write.
    pub(crate) async fn begin(db: &Db) -> StoreResult<Tx> {
        match db {
            Db::Sqlite(pool) => pool.begin_with("BEGIN IMMEDIATE").await.map(Tx::Sqlite),
            Db::Postgres(pool) => pool.begin().await.map(Tx::Postgres),
        }
        .map_err(|e| {
            // SQLite gave up waiting for another writer (its busy timeout).
            let busy = e
                .as_database_error()
                .and_then(|d| d.code())
                .is_some_and(|c| c == "5" || c == "517");
            if busy {
                StoreError::Busy { source: e }
            } else {
                StoreError::from_sqlx("开始事务", e)
            }
        })
    }

    /// Like [`Tx::begin`], for loading a whole list (an import, a copy): on SQLite the
    /// connection's page cache grows to [`SQLITE_BULK_CACHE_KIB`] until commit or rollback.
    /// The rows land in indexes keyed by ID number in random order, and with SQLite's default
    /// 2 MB cache nearly every one of them reads its index page back (measured: 1 M rows into a
    /// 10 M-row table, 14.0 s → 7.9 s). Compute keeps the default: its peak memory is bounded
    /// (BENCHMARKS.md) and it writes a fifth as many index entries. On PostgreSQL every
    /// statement is planned afresh ([`Tx::custom_plans`]).
    pub(crate) async fn begin_bulk(db: &Db) -> StoreResult<Tx> {
        let mut tx = Tx::begin(db).await?;
        tx.sqlite_cache(SQLITE_BULK_CACHE_KIB).await?;
        tx.custom_plans().await?;
        Ok(tx)
    }

    /// PostgreSQL: plans every statement of this transaction for its own parameters and the
    /// tables' size at that moment. A prepared statement run many times (an import's "delete
    /// this school's old return", once per school) otherwise switches to one generic plan made
    /// while the table was still empty — a sequential scan — and keeps it while the import
    /// fills the table: 1 M attendance rows took 127 s on a fresh database instead of 12.5 s
    /// (BENCHMARKS.md), and the cost grows with the square of the rows. `plan_cache_mode`
    /// exists from PostgreSQL 12; older servers keep their default. Nothing on SQLite.
    async fn custom_plans(&mut self) -> StoreResult<()> {
        const SQL: &str = "DO $$ BEGIN IF current_setting('server_version_num')::int >= 120000 \
            THEN SET LOCAL plan_cache_mode = force_custom_plan; END IF; END $$";
        if let Tx::Postgres(conn) = self {
            sqlx::query(SQL)
                .execute(&mut **conn)
                .await
                .ctx("设置查询计划")?;
        }
        Ok(())
    }

    /// Sets the SQLite page cache of this transaction's connection (KiB); nothing on PostgreSQL.
    async fn sqlite_cache(&mut self, kib: i64) -> StoreResult<()> {
        if let Tx::Sqlite(conn) = self {
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
                .execute(&mut **conn)
                .await
                .ctx("设置缓存")?;
        }
        Ok(())
    }

    /// Opens a read transaction on one snapshot of the data: on SQLite a deferred transaction
    /// (WAL readers see the database as of their first read), on PostgreSQL `REPEATABLE READ,
    /// READ ONLY`. Writers elsewhere go on meanwhile.
    pub(crate) async fn begin_snapshot(db: &Db) -> StoreResult<Tx> {
        let mut tx = match db {
            Db::Sqlite(pool) => pool.begin().await.map(Tx::Sqlite),
            Db::Postgres(pool) => pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
                .map(Tx::Postgres),
        }
        .ctx("开始只读事务")?;
        // A compute replaces a term's roster by dropping its partition (stage.rs), which a
        // snapshot does not cover: hold the result tables shared first (LOCK takes no
        // snapshot), so that a swap waits for this reader instead of hiding the term from it.
        // Same order as the swap's lock.
        if let Tx::Postgres(conn) = &mut tx {
            sqlx::query("LOCK TABLE category, entitlement IN ACCESS SHARE MODE")
                .execute(&mut **conn)
                .await
                .ctx("开始只读事务")?;
        }
        Ok(tx)
    }

    /// Waits until no other transaction holds the lock `key`, then holds it until this one ends.
    /// On PostgreSQL a transaction-level advisory lock; on SQLite nothing is needed, as
    /// `BEGIN IMMEDIATE` already admits one writer at a time.
    pub(crate) async fn lock(&mut self, key: i64) -> StoreResult<()> {
        if let Tx::Postgres(conn) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(&mut **conn)
                .await
                .ctx("等待同一名单或学期的其他写入完成")?;
        }
        Ok(())
    }

    /// Like [`Tx::lock`], shared: any number of holders, none while someone holds it exclusively.
    pub(crate) async fn lock_shared(&mut self, key: i64) -> StoreResult<()> {
        if let Tx::Postgres(conn) = self {
            sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
                .bind(key)
                .execute(&mut **conn)
                .await
                .ctx("等待正在进行的名单导入完成")?;
        }
        Ok(())
    }

    /// Refreshes the planner statistics of `tables` on PostgreSQL, inside this transaction (the
    /// new statistics commit with the rows). Without it, right after a bulk write the planner
    /// still believes a table holds a few hundred rows and pages through a million by sorting
    /// them again for every page (measured: 0.9 s instead of 22 ms per page of 10 000).
    /// SQLite's planner needs no statistics for our indexed queries: nothing is done there.
    pub(crate) async fn analyze(&mut self, tables: &[&str]) -> StoreResult<()> {
        if let Tx::Postgres(conn) = self {
            for t in tables {
                sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {t}")))
                    .execute(&mut **conn)
                    .await
                    .ctx("更新统计信息")?;
            }
        }
        Ok(())
    }

    /// Commits. On SQLite the connection's page cache first goes back to the default, so that
    /// the pooled connection does not keep a bulk write's cache.
    pub(crate) async fn commit(mut self) -> StoreResult<()> {
        self.sqlite_cache(SQLITE_DEFAULT_CACHE_KIB).await?;
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
        .ctx("提交事务")
    }

    pub(crate) async fn rollback(mut self) -> StoreResult<()> {
        // Best effort: the rollback matters, the cache size does not.
        let _ = self.sqlite_cache(SQLITE_DEFAULT_CACHE_KIB).await;
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
        .ctx("回滚事务")
    }

    /// The placeholder style of generated SQL on this backend.
    pub(crate) fn params(&self) -> Params {
        match self {
            Tx::Sqlite(_) => Params::Positional,
            Tx::Postgres(_) => Params::Numbered,
        }
    }

    /// Appends an audit entry inside this transaction (it lands or not with the change).
    pub(crate) async fn audit(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> StoreResult<i64> {
        self.audit_entry(&crate::audit::Entry {
            actor,
            action,
            target,
            detail,
            ..crate::audit::Entry::default()
        })
        .await
    }

    /// Appends a full audit entry (with origin, before and after) inside this transaction.
    pub(crate) async fn audit_entry(&mut self, e: &crate::audit::Entry<'_>) -> StoreResult<i64> {
        tx_run!(self, |conn| crate::audit::bind_entry!(
            sqlx::query_scalar(crate::audit::INSERT_AUDIT),
            e
        )
        .fetch_one(conn)
        .await)
        .ctx("写入审计日志")
    }
}

#[cfg(test)]
mod tests {
    use super::Tx;
    use crate::Db;

    async fn plan_cache_mode(tx: &mut Tx) -> Result<String, sqlx::Error> {
        let Tx::Postgres(conn) = tx else {
            return Ok(String::new());
        };
        sqlx::query_scalar("SHOW plan_cache_mode")
            .fetch_one(&mut **conn)
            .await
    }

    /// A bulk transaction (import, copy) plans each statement afresh on PostgreSQL; the setting
    /// ends with the transaction, so the pooled connection goes back to the server's default.
    /// Runs when `ZIZHU_TEST_PG_URL` is set (SQLite has no plan cache to set).
    #[tokio::test]
    async fn bulk_transactions_plan_each_statement_afresh(
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Ok(url) = std::env::var("ZIZHU_TEST_PG_URL") else {
            return Ok(());
        };
        let db = Db::connect(&url).await?;
        let mut bulk = Tx::begin_bulk(&db).await?;
        assert_eq!(plan_cache_mode(&mut bulk).await?, "force_custom_plan");
        bulk.rollback().await?;
        let mut plain = Tx::begin(&db).await?;
        assert_eq!(plan_cache_mode(&mut plain).await?, "auto");
        plain.rollback().await?;
        db.close().await;
        Ok(())
    }
}
