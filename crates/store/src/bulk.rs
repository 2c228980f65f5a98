//! Bulk writes: many rows of one table inside an open transaction, each row kind described once
//! (a function that hands its values to a [`RowSink`] in column order) and written the cheapest
//! way each backend offers —
//! - SQLite: one prepared single-row `INSERT` bound and stepped per row on the raw handle
//!   ([`crate::raw_sqlite`]), three times cheaper than sqlx's bound multi-row statements;
//! - PostgreSQL: one `COPY … FROM STDIN (FORMAT binary)` per call, several times faster there
//!   than bound INSERTs and a fifth faster than csv (measured in BENCHMARKS.md). An empty text
//!   and a NULL stay apart (length 0 and -1); errors (a unique violation, say) come back as from
//!   an INSERT.

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

    /// `COPY t (c1, c2, …) FROM STDIN (FORMAT binary)` from the INSERT head.
    fn copy_sql(&self) -> String {
        let body = self
            .head
            .trim()
            .trim_start_matches("INSERT INTO")
            .trim_end_matches("VALUES")
            .trim();
        format!("COPY {body} FROM STDIN (FORMAT binary)")
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
            let data = copy_binary(target, rows, &fill);
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

/// The rows as the body of `COPY … (FORMAT binary)` (PostgreSQL's documented binary copy
/// format, "COPY — File Formats — Binary Format"): the signature, then per row the number of
/// fields and each field as its length and its bytes in the type's binary form (-1 for NULL),
/// then -1. Measured on 1.9 M roster lines: 10.1 s against 12.5 s as csv, which PostgreSQL
/// must scan character by character (BENCHMARKS.md, 2026-12-01).
fn copy_binary<T>(target: &Target<'_>, rows: &[T], fill: &dyn Fn(&mut dyn RowSink, &T)) -> Vec<u8> {
    let fields = i16::try_from(target.lits.len() + target.cols).unwrap_or(i16::MAX);
    let mut w = BinaryLine {
        out: Vec::with_capacity(19 + rows.len() * (6 + usize::from(fields.unsigned_abs()) * 16)),
    };
    w.out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    w.out.extend_from_slice(&0i32.to_be_bytes()); // flags
    w.out.extend_from_slice(&0i32.to_be_bytes()); // header extension length
    for row in rows {
        w.out.extend_from_slice(&fields.to_be_bytes());
        for l in target.lits {
            match l {
                Lit::Int(n) => w.int(*n),
                Lit::Key(k) if safe_key(k) => w.bytes(k.as_bytes()),
                Lit::Key(_) => w.null(),
            }
        }
        fill(&mut w, row);
    }
    w.out.extend_from_slice(&(-1i16).to_be_bytes());
    w.out
}

/// Appends one row's fields to a binary COPY body, in the binary forms of the columns' types:
/// `text` as its UTF-8 bytes, `bigint` as 8 bytes, `boolean` as 1, `date` as days and
/// `timestamptz` as microseconds since 2000-01-01 (UTC). Every integer column of the schema is
/// `BIGINT`; a column of another type makes PostgreSQL refuse the copy, which the tests of
/// each bulk write on PostgreSQL would show.
struct BinaryLine {
    out: Vec<u8>,
}

/// 2000-01-01, PostgreSQL's epoch for dates and timestamps.
const PG_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

impl BinaryLine {
    fn bytes(&mut self, v: &[u8]) {
        // A field longer than 2 GiB cannot occur (PostgreSQL's limit is 1 GiB); it would be
        // refused by the server as a malformed copy, never written cut short.
        let len = i32::try_from(v.len()).unwrap_or(i32::MAX);
        self.out.extend_from_slice(&len.to_be_bytes());
        self.out.extend_from_slice(v);
    }
    fn null(&mut self) {
        self.out.extend_from_slice(&(-1i32).to_be_bytes());
    }
}

impl RowSink for BinaryLine {
    fn text(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    fn opt_text(&mut self, v: Option<&str>) {
        match v {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }
    fn key(&mut self, v: Arc<str>) {
        self.text(&v);
    }
    fn opt_key(&mut self, v: Option<Arc<str>>) {
        self.opt_text(v.as_deref());
    }
    fn int(&mut self, v: i64) {
        self.bytes(&v.to_be_bytes());
    }
    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }
    fn bool(&mut self, v: bool) {
        self.bytes(&[u8::from(v)]);
    }
    fn opt_bool(&mut self, v: Option<bool>) {
        match v {
            Some(v) => self.bool(v),
            None => self.null(),
        }
    }
    fn date(&mut self, v: Option<NaiveDate>) {
        match v {
            Some(d) => {
                let days = i32::try_from((d - PG_EPOCH).num_days()).unwrap_or(i32::MAX);
                self.bytes(&days.to_be_bytes());
            }
            None => self.null(),
        }
    }
    fn timestamp(&mut self, v: Option<DateTime<Utc>>) {
        match v {
            Some(t) => {
                let epoch = PG_EPOCH.and_time(chrono::NaiveTime::MIN).and_utc();
                let micros = (t - epoch).num_microseconds().unwrap_or(i64::MAX);
                self.bytes(&micros.to_be_bytes());
            }
            None => self.null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields of the one row of a binary copy body: `None` for NULL.
    fn fields(f: impl Fn(&mut dyn RowSink)) -> Vec<Option<Vec<u8>>> {
        let target = Target {
            head: "INSERT INTO t (a, b, x, y) VALUES ",
            op: "测试",
            lits: &[Lit::Int(7), Lit::Key("2023-autumn")],
            cols: 2,
        };
        let body = copy_binary(&target, &[()], &|s, _| f(s));
        assert_eq!(body.get(..11), Some(&b"PGCOPY\n\xff\r\n\0"[..]));
        assert_eq!(
            body.get(body.len() - 2..),
            Some(&[0xff, 0xff][..]),
            "trailer -1"
        );
        let mut at = 19;
        let count = i16::from_be_bytes([body[at], body[at + 1]]);
        at += 2;
        let mut out = Vec::new();
        for _ in 0..count {
            let len = i32::from_be_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
            at += 4;
            if len < 0 {
                out.push(None);
            } else {
                let n = len as usize;
                out.push(Some(body[at..at + n].to_vec()));
                at += n;
            }
        }
        assert_eq!(at, body.len() - 2, "nothing after the row but the trailer");
        out
    }

    #[test]
    fn binary_rows_keep_null_and_empty_text_apart() {
        let f = fields(|s| {
            s.text("");
            s.opt_text(None);
        });
        assert_eq!(f.len(), 4);
        assert_eq!(f[0], Some(7i64.to_be_bytes().to_vec()));
        assert_eq!(f[1], Some(b"2023-autumn".to_vec()));
        assert_eq!(f[2], Some(Vec::new()));
        assert_eq!(f[3], None);
        let f = fields(|s| {
            s.text("A \"B\", C\nD 张三");
            s.bool(true);
        });
        assert_eq!(f[2], Some("A \"B\", C\nD 张三".as_bytes().to_vec()));
        assert_eq!(f[3], Some(vec![1]));
    }

    #[test]
    fn binary_dates_and_timestamps_count_from_2000() {
        // 2015-09-01 is 5722 days after 2000-01-01; 2000-01-02T00:00:01Z is 86 401 000 000 µs.
        let f = fields(|s| {
            s.date(NaiveDate::from_ymd_opt(2015, 9, 1));
            s.timestamp(
                NaiveDate::from_ymd_opt(2000, 1, 2)
                    .and_then(|d| d.and_hms_opt(0, 0, 1))
                    .map(|t| t.and_utc()),
            );
        });
        assert_eq!(f[2], Some(5722i32.to_be_bytes().to_vec()));
        assert_eq!(f[3], Some(86_401_000_000i64.to_be_bytes().to_vec()));
        let f = fields(|s| {
            s.date(NaiveDate::from_ymd_opt(1999, 12, 31));
            s.opt_int(Some(-3));
        });
        assert_eq!(f[2], Some((-1i32).to_be_bytes().to_vec()));
        assert_eq!(f[3], Some((-3i64).to_be_bytes().to_vec()));
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
            "COPY student (import_id, term, name) FROM STDIN (FORMAT binary)"
        );
        // A literal that is not a plain key never reaches the SQL.
        assert_eq!(target.sql_lits(), "5,'2023-autumn',NULL");
    }
}
