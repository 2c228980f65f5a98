//! SQLite bulk inserts straight on the connection's handle: one prepared single-row `INSERT`,
//! bound and stepped once per row, the way SQLite's own `.import` loads a file; and bulk reads
//! of a page of rows the same way ([`read_rows`]).
//!
//! Why not sqlx here: sqlx boxes every bound value, hashes the statement text to find its cached
//! statement and hands each statement to its worker thread. For a 22-column registry that was
//! three times SQLite's own cost (BENCHMARKS.md, 2026-11-30: 4.6 s of the 5.6 s import of
//! 1,000,000 students was the writer). The handle is borrowed from sqlx with
//! [`sqlx::sqlite::SqliteConnection::lock_handle`] for one block of rows at a time, inside the
//! transaction sqlx began, and wrapped by rusqlite (same `libsqlite3-sys`, so the same SQLite
//! library) for safe statement and binding calls. Values are encoded exactly as sqlx encodes them
//! (dates `%F`, timestamps RFC 3339, booleans 0/1), so everything reads back through sqlx as
//! before.

// The one place the store uses unsafe code: wrapping the borrowed handle (see `insert_block`).
#![allow(unsafe_code)]

use crate::bulk::RowSink;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::ffi;
use sqlx::sqlite::LockedSqliteHandle;
use std::borrow::Cow;
use std::sync::Arc;

/// Rows inserted per lock of the handle; between blocks the task yields, so a server's other
/// requests are not held up for more than a few milliseconds.
pub(crate) const BLOCK_ROWS: usize = 4096;

/// Inserts `rows` with the single-row statement `sql` on the locked connection `handle` (inside
/// the transaction the caller began on it).
pub(crate) fn insert_block<T>(
    handle: &mut LockedSqliteHandle<'_>,
    sql: &str,
    rows: &[T],
    fill: &dyn Fn(&mut dyn RowSink, &T),
) -> Result<(), sqlx::Error> {
    // SAFETY: the handle is open and locked for us while `handle` is borrowed, which outlives
    // `conn`; `from_handle` does not take ownership, so dropping `conn` (and finalizing `stmt`
    // before it) leaves the connection open and its transaction untouched.
    let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }
        .map_err(RawError::boxed)?;
    let mut stmt = conn.prepare(sql).map_err(RawError::boxed)?;
    for row in rows {
        let mut b = Binder {
            stmt: &mut stmt,
            index: 1,
            error: None,
        };
        fill(&mut b, row);
        if let Some(e) = b.error {
            return Err(RawError::boxed(e));
        }
        stmt.raw_execute().map_err(RawError::boxed)?;
    }
    Ok(())
}

/// A row type read straight off SQLite's handle by column position.
pub(crate) trait FromRaw: Sized {
    fn from_raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// Runs the query `sql` with `params` (in order) on the locked connection `handle` and collects
/// its rows. sqlx hands every row from SQLite's worker thread to the caller separately (about
/// 10 µs a row), so the SQLite path used to ask for one JSON array per page instead; reading the
/// rows straight off the handle is faster than both (BENCHMARKS.md, 2026-11-30, fifth session).
pub(crate) fn read_rows<R: FromRaw>(
    handle: &mut LockedSqliteHandle<'_>,
    sql: &str,
    params: &[&(dyn rusqlite::ToSql + Sync)],
) -> Result<Vec<R>, sqlx::Error> {
    // SAFETY: as in `insert_block`: the handle stays open and locked while `handle` is borrowed.
    let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }
        .map_err(RawError::boxed)?;
    let mut stmt = conn.prepare(sql).map_err(RawError::boxed)?;
    for (i, p) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, *p as &dyn rusqlite::ToSql)
            .map_err(RawError::boxed)?;
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(RawError::boxed)? {
        out.push(R::from_raw(row).map_err(RawError::boxed)?);
    }
    Ok(out)
}

/// Binds one row's values, in order, onto the prepared statement; the first error is kept.
struct Binder<'a, 's> {
    stmt: &'a mut rusqlite::Statement<'s>,
    index: usize,
    error: Option<rusqlite::Error>,
}

impl Binder<'_, '_> {
    fn bind<V: rusqlite::ToSql>(&mut self, v: V) {
        if self.error.is_none() {
            if let Err(e) = self.stmt.raw_bind_parameter(self.index, v) {
                self.error = Some(e);
            }
        }
        self.index += 1;
    }
}

impl RowSink for Binder<'_, '_> {
    fn text(&mut self, v: &str) {
        self.bind(v);
    }
    fn opt_text(&mut self, v: Option<&str>) {
        self.bind(v);
    }
    fn key(&mut self, v: Arc<str>) {
        self.bind(&*v);
    }
    fn opt_key(&mut self, v: Option<Arc<str>>) {
        self.bind(v.as_deref());
    }
    fn int(&mut self, v: i64) {
        self.bind(v);
    }
    fn opt_int(&mut self, v: Option<i64>) {
        self.bind(v);
    }
    fn bool(&mut self, v: bool) {
        self.bind(i64::from(v));
    }
    fn opt_bool(&mut self, v: Option<bool>) {
        self.bind(v.map(i64::from));
    }
    fn date(&mut self, v: Option<NaiveDate>) {
        // As sqlx-sqlite encodes `NaiveDate`.
        self.bind(v.map(|d| d.format("%F").to_string()));
    }
    fn timestamp(&mut self, v: Option<DateTime<Utc>>) {
        // As sqlx-sqlite encodes `DateTime<Tz>`.
        self.bind(v.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, false)));
    }
}

/// A SQLite error met on the raw handle, dressed as a sqlx database error so that the store's
/// error mapping (unique violations above all) treats it like any other.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct RawError {
    message: String,
    extended_code: Option<i32>,
}

impl RawError {
    fn boxed(e: rusqlite::Error) -> sqlx::Error {
        let extended_code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.extended_code),
            _ => None,
        };
        sqlx::Error::Database(Box::new(RawError {
            message: e.to_string(),
            extended_code,
        }))
    }
}

impl sqlx::error::DatabaseError for RawError {
    fn message(&self) -> &str {
        &self.message
    }
    fn code(&self) -> Option<Cow<'_, str>> {
        self.extended_code.map(|c| Cow::Owned(c.to_string()))
    }
    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }
    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }
    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }
    fn kind(&self) -> sqlx::error::ErrorKind {
        use sqlx::error::ErrorKind;
        match self.extended_code {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                ErrorKind::UniqueViolation
            }
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use sqlx::{Connection as _, Row as _};

    type Values = (
        &'static str,
        Option<&'static str>,
        i64,
        bool,
        Option<NaiveDate>,
        Option<DateTime<Utc>>,
    );

    /// Each column's storage class and text, as SQLite holds it.
    async fn stored(conn: &mut sqlx::SqliteConnection, id: i64) -> Vec<(String, Option<String>)> {
        let row = sqlx::query(
            "SELECT typeof(a), a, typeof(b), b, typeof(c), CAST(c AS TEXT), typeof(d), CAST(d AS TEXT), \
             typeof(e), e, typeof(f), f FROM t WHERE id = ?",
        )
        .bind(id)
        .fetch_one(conn)
        .await
        .expect("row");
        (0..6)
            .map(|i| {
                (
                    row.get::<String, _>(2 * i),
                    row.get::<Option<String>, _>(2 * i + 1),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn raw_inserts_store_values_exactly_as_sqlx_binds_do() {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("open");
        sqlx::query(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT, c BIGINT, \
             d BOOLEAN, e DATE, f TIMESTAMPTZ, UNIQUE (a))",
        )
        .execute(&mut conn)
        .await
        .expect("create");
        let when = Utc.with_ymd_and_hms(2023, 9, 1, 8, 30, 5).single();
        let day = NaiveDate::from_ymd_opt(2011, 7, 15);
        let rows: Vec<Values> = vec![
            ("赵样例", Some("一年级（1）班"), 42, true, day, when),
            ("", None, -1, false, None, None),
        ];
        for (n, r) in rows.iter().enumerate() {
            sqlx::query("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(n as i64 + 1)
                .bind(format!("sqlx{}", r.0))
                .bind(r.1)
                .bind(r.2)
                .bind(r.3)
                .bind(r.4)
                .bind(r.5)
                .execute(&mut conn)
                .await
                .expect("sqlx insert");
        }
        let raw: Vec<(i64, String, Values)> = rows
            .iter()
            .enumerate()
            .map(|(n, r)| (n as i64 + 11, format!("raw{}", r.0), *r))
            .collect();
        let fill = |w: &mut dyn RowSink, (id, a, r): &(i64, String, Values)| {
            w.int(*id);
            w.text(a);
            w.opt_text(r.1);
            w.int(r.2);
            w.bool(r.3);
            w.date(r.4);
            w.timestamp(r.5);
        };
        {
            let mut handle = conn.lock_handle().await.expect("lock");
            insert_block(
                &mut handle,
                "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
                &raw,
                &fill,
            )
            .expect("raw insert");
        }
        for n in 1..=2 {
            let mut a = stored(&mut conn, n).await;
            let mut b = stored(&mut conn, n + 10).await;
            // Column a differs only by its prefix.
            a.remove(0);
            b.remove(0);
            assert_eq!(a, b, "row {n}");
        }
        // A unique violation on the raw path is told apart, as sqlx's own errors are.
        let mut handle = conn.lock_handle().await.expect("lock");
        let dup = insert_block(
            &mut handle,
            "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
            &raw[..1]
                .iter()
                .map(|(_, a, r)| (99, a.clone(), *r))
                .collect::<Vec<_>>(),
            &fill,
        );
        let e = crate::StoreError::from_sqlx("写入", dup.expect_err("duplicate a"));
        assert!(e.is_unique_violation(), "{e:?}");
        assert_eq!(
            e.to_string(),
            "数据库错误：写入失败，记录重复（违反唯一约束：t.a）"
        );
    }
}
