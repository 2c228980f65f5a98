//! Bulk writes: many rows of one table inside an open transaction, each row kind described once
//! (a function that hands its values to a [`RowSink`] in column order) and written the cheapest
//! way each backend offers —
//! - SQLite: one prepared single-row `INSERT` bound and stepped per row on the raw handle
//!   ([`crate::raw_sqlite`]), three times cheaper than sqlx's bound multi-row statements;
//! - PostgreSQL: one `COPY … FROM STDIN (FORMAT csv)` per call, several times faster there than
//!   bound INSERTs (measured in BENCHMARKS.md). Text is always quoted, so an empty text and a
//!   NULL (an empty unquoted field) stay apart; errors (a unique violation, say) come back as
//!   from an INSERT.

use crate::error::{Ctx, StoreResult};
use crate::raw_sqlite;
use crate::sql::{multi_values, Params};
use crate::tx::Tx;
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write as _;
use std::sync::Arc;

/// Receives one row's values, in the column order of the statement.
pub(crate) trait RowSink {
    fn text(&mut self, v: &str);
    fn opt_text(&mut self, v: Option<&str>);
    /// An enum key shared by many rows (see `bind.rs`).
    fn key(&mut self, v: Arc<str>);
    fn opt_key(&mut self, v: Option<Arc<str>>);
    fn int(&mut self, v: i64);
    fn opt_int(&mut self, v: Option<i64>);
    fn bool(&mut self, v: bool);
    fn opt_bool(&mut self, v: Option<bool>);
    fn date(&mut self, v: Option<NaiveDate>);
    fn timestamp(&mut self, v: Option<DateTime<Utc>>);
}

/// A literal value shared by every row of a bulk write (an id, a term, a list kind): written
/// into the SQL of an INSERT, or into each line of a COPY. Never user data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lit<'a> {
    Int(i64),
    /// ASCII letters, digits, `-` and `_` only (term and list keys); anything else is refused.
    Key(&'a str),
}

/// The table and columns of a bulk write: the shared literals first, then the row's own values.
pub(crate) struct Target<'a> {
    /// `"INSERT INTO t (c1, c2, …) VALUES "`: the table and every column, literals first.
    pub head: &'a str,
    /// What the user is told failed ("写入学籍名单").
    pub op: &'static str,
    /// Values of the first columns, shared by every row.
    pub lits: &'a [Lit<'a>],
    /// Number of columns each row gives to its [`RowSink`].
    pub cols: usize,
}

fn safe_key(k: &str) -> bool {
    k.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Target<'_> {
    /// The literals as SQL (`5,'2023-autumn',4047`).
    fn sql_lits(&self) -> String {
        let mut s = String::new();
        for (i, l) in self.lits.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            match l {
                Lit::Int(n) => {
                    let _ = write!(s, "{n}");
                }
                Lit::Key(k) if safe_key(k) => {
                    let _ = write!(s, "'{k}'");
                }
                Lit::Key(_) => s.push_str("NULL"),
            }
        }
        s
    }

    /// `COPY t (c1, c2, …) FROM STDIN (FORMAT csv)` from the INSERT head.
    fn copy_sql(&self) -> String {
        let body = self
            .head
            .trim()
            .trim_start_matches("INSERT INTO")
            .trim_end_matches("VALUES")
            .trim();
        format!("COPY {body} FROM STDIN (FORMAT csv)")
    }
}

/// Writes `rows` into the table of `target` inside `tx`; `fill` hands one row's values to the
/// sink in column order (after the literals).
///
/// Errors: [`crate::StoreError::UniqueViolation`] when a row breaks a unique constraint;
/// [`crate::StoreError::Db`] otherwise. Roll back afterwards.
pub(crate) async fn write<T: Sync>(
    tx: &mut Tx,
    target: &Target<'_>,
    rows: &[T],
    fill: impl Fn(&mut dyn RowSink, &T) + Sync,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Postgres(conn) => {
            let data = copy_csv(target, rows, &fill);
            let mut copy = conn.copy_in_raw(&target.copy_sql()).await.ctx(target.op)?;
            if let Err(e) = copy.send(data).await {
                let _ = copy.abort("zizhu: 发送数据失败").await;
                return Err(e).ctx(target.op);
            }
            copy.finish().await.ctx(target.op).map(|_| ())
        }
        Tx::Sqlite(conn) => {
            let sql = multi_values(
                Params::Positional,
                target.head,
                &target.sql_lits(),
                target.cols,
                1,
            );
            for block in rows.chunks(raw_sqlite::BLOCK_ROWS) {
                // Locked per block, not across the awaits between blocks.
                let mut handle = conn.lock_handle().await.ctx(target.op)?;
                let done = raw_sqlite::insert_block(&mut handle, &sql, block, &fill);
                drop(handle);
                done.ctx(target.op)?;
                tokio::task::yield_now().await;
            }
            Ok(())
        }
    }
}

/// The rows as the body of `COPY … (FORMAT csv)`.
fn copy_csv<T>(target: &Target<'_>, rows: &[T], fill: &dyn Fn(&mut dyn RowSink, &T)) -> Vec<u8> {
    let mut lits = String::new();
    for l in target.lits {
        match l {
            Lit::Int(n) => {
                let _ = write!(lits, "{n},");
            }
            Lit::Key(k) if safe_key(k) => {
                let _ = write!(lits, "\"{k}\",");
            }
            Lit::Key(_) => lits.push(','),
        }
    }
    let mut w = CsvLine {
        out: String::with_capacity(rows.len() * (lits.len() + target.cols * 12)),
        first: true,
    };
    for row in rows {
        w.out.push_str(&lits);
        w.first = true;
        fill(&mut w, row);
        w.out.push('\n');
    }
    w.out.into_bytes()
}

/// Appends one row's fields to a COPY csv body. NULL is an empty unquoted field; text is always
/// quoted with `"` doubled inside.
pub(crate) struct CsvLine {
    pub(crate) out: String,
    first: bool,
}

impl CsvLine {
    fn sep(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }
    fn quoted(&mut self, v: &str) {
        self.sep();
        self.out.push('"');
        if v.contains('"') {
            self.out.push_str(&v.replace('"', "\"\""));
        } else {
            self.out.push_str(v);
        }
        self.out.push('"');
    }
}

impl RowSink for CsvLine {
    fn text(&mut self, v: &str) {
        self.quoted(v);
    }
    fn opt_text(&mut self, v: Option<&str>) {
        match v {
            Some(v) => self.quoted(v),
            None => self.sep(),
        }
    }
    fn key(&mut self, v: Arc<str>) {
        self.quoted(&v);
    }
    fn opt_key(&mut self, v: Option<Arc<str>>) {
        self.opt_text(v.as_deref());
    }
    fn int(&mut self, v: i64) {
        self.sep();
        let _ = write!(self.out, "{v}");
    }
    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.int(v),
            None => self.sep(),
        }
    }
    fn bool(&mut self, v: bool) {
        self.sep();
        self.out.push(if v { 't' } else { 'f' });
    }
    fn opt_bool(&mut self, v: Option<bool>) {
        match v {
            Some(v) => self.bool(v),
            None => self.sep(),
        }
    }
    fn date(&mut self, v: Option<NaiveDate>) {
        self.sep();
        if let Some(d) = v {
            let _ = write!(self.out, "{}", d.format("%Y-%m-%d"));
        }
    }
    fn timestamp(&mut self, v: Option<DateTime<Utc>>) {
        self.sep();
        if let Some(t) = v {
            let _ = write!(self.out, "{}", t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(f: impl Fn(&mut dyn RowSink)) -> String {
        let target = Target {
            head: "INSERT INTO t (a, b, x, y) VALUES ",
            op: "测试",
            lits: &[Lit::Int(7), Lit::Key("2023-autumn")],
            cols: 2,
        };
        let body = copy_csv(&target, &[()], &|s, _| f(s));
        String::from_utf8(body).unwrap_or_default()
    }

    #[test]
    fn copy_lines_keep_null_empty_text_and_quotes_apart() {
        assert_eq!(
            line(|s| {
                s.text("");
                s.opt_text(None);
            }),
            "7,\"2023-autumn\",\"\",\n"
        );
        assert_eq!(
            line(|s| {
                s.text("A \"B\", C\nD");
                s.bool(true);
            }),
            "7,\"2023-autumn\",\"A \"\"B\"\", C\nD\",t\n"
        );
        assert_eq!(
            line(|s| {
                s.opt_int(Some(-3));
                s.date(NaiveDate::from_ymd_opt(2015, 9, 1));
            }),
            "7,\"2023-autumn\",-3,2015-09-01\n"
        );
    }

    #[test]
    fn copy_statement_and_literals_come_from_the_insert_head() {
        let target = Target {
            head: "INSERT INTO student (import_id, term, name) VALUES ",
            op: "测试",
            lits: &[Lit::Int(5), Lit::Key("2023-autumn"), Lit::Key("x'); DROP")],
            cols: 1,
        };
        assert_eq!(
            target.copy_sql(),
            "COPY student (import_id, term, name) FROM STDIN (FORMAT csv)"
        );
        // A literal that is not a plain key never reaches the SQL.
        assert_eq!(target.sql_lits(), "5,'2023-autumn',NULL");
    }
}
