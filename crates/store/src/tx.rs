//! An open write transaction on either backend, and the chunked multi-row `INSERT … VALUES`
//! that bulk writes use.

use crate::error::{Ctx, StoreResult};
use crate::sql::Params;
use crate::Db;
use chrono::Utc;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

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

/// Bind parameters per statement: SQLite allows 32 766, PostgreSQL 65 535; stay below both.
const SQLITE_MAX_PARAMS: usize = 32_000;
const POSTGRES_MAX_PARAMS: usize = 65_000;
/// Rows per statement, whatever the column count (measured: larger statements gain nothing).
const MAX_ROWS_PER_STATEMENT: usize = 1_000;

impl Tx {
    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`, taking the write lock at
    /// once (waiting up to the busy timeout) instead of failing later on the first write.
    pub(crate) async fn begin(db: &Db) -> StoreResult<Tx> {
        match db {
            Db::Sqlite(pool) => pool.begin_with("BEGIN IMMEDIATE").await.map(Tx::Sqlite),
            Db::Postgres(pool) => pool.begin().await.map(Tx::Postgres),
        }
        .ctx("开始事务")
    }

    /// Like [`Tx::begin`], for loading a whole list (an import, a copy): on SQLite the
    /// connection's page cache grows to [`SQLITE_BULK_CACHE_KIB`] until commit or rollback.
    /// The rows land in indexes keyed by ID number in random order, and with SQLite's default
    /// 2 MB cache nearly every one of them reads its index page back (measured: 1 M rows into a
    /// 10 M-row table, 14.0 s → 7.9 s). Compute keeps the default: its peak memory is bounded
    /// (BENCHMARKS.md) and it writes a fifth as many index entries.
    pub(crate) async fn begin_bulk(db: &Db) -> StoreResult<Tx> {
        let mut tx = Tx::begin(db).await?;
        tx.sqlite_cache(SQLITE_BULK_CACHE_KIB).await?;
        Ok(tx)
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
        match db {
            Db::Sqlite(pool) => pool.begin().await.map(Tx::Sqlite),
            Db::Postgres(pool) => pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
                .map(Tx::Postgres),
        }
        .ctx("开始只读事务")
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

    /// How many rows of `cols` bound columns fit in one statement on this backend (at least 1).
    pub(crate) fn rows_per_statement(&self, cols: usize) -> usize {
        let max = match self {
            Tx::Sqlite(_) => SQLITE_MAX_PARAMS,
            Tx::Postgres(_) => POSTGRES_MAX_PARAMS,
        };
        (max / cols.max(1)).clamp(1, MAX_ROWS_PER_STATEMENT)
    }

    /// The placeholder style of generated SQL on this backend.
    pub(crate) fn params(&self) -> Params {
        match self {
            Tx::Sqlite(_) => Params::Positional,
            Tx::Postgres(_) => Params::Numbered,
        }
    }

    /// Appends an audit-log row inside this transaction; returns its id.
    pub(crate) async fn audit(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> StoreResult<i64> {
        tx_run!(self, |conn| sqlx::query_scalar(crate::audit::INSERT_AUDIT)
            .bind(Utc::now())
            .bind(actor)
            .bind(action)
            .bind(target)
            .bind(detail)
            .fetch_one(conn)
            .await)
        .ctx("写入审计日志")
    }
}

/// Awaits `fut` while doing `work` on this thread: `fut` is polled once first, which hands a
/// statement to the driver (SQLite runs it on its own worker thread, PostgreSQL on the server),
/// so that binding the next chunk overlaps with executing this one.
pub(crate) async fn overlap<F: Future, T>(fut: F, work: impl FnOnce() -> T) -> (F::Output, T) {
    let mut fut = pin!(fut);
    let early = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
    let done = work();
    let out = match early {
        Poll::Ready(out) => out,
        Poll::Pending => fut.await,
    };
    (out, done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overlap_runs_the_work_and_waits_for_the_future() {
        // Ready at once.
        let (out, work) = overlap(async { 7 }, || "bound").await;
        assert_eq!((out, work), (7, "bound"));
        // Pending at the first poll: the work runs in between, then the future completes.
        let order = std::sync::Mutex::new(Vec::new());
        let fut = async {
            order.lock().map(|mut o| o.push("started")).ok();
            tokio::task::yield_now().await;
            order.lock().map(|mut o| o.push("finished")).ok();
            1
        };
        let (out, ()) = overlap(fut, || {
            order.lock().map(|mut o| o.push("work")).ok();
        })
        .await;
        assert_eq!(out, 1);
        assert_eq!(
            order.into_inner().ok(),
            Some(vec!["started", "work", "finished"])
        );
    }
}
