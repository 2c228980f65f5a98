//! PostgreSQL: reading a whole list or a term's registry with one
//! `COPY (SELECT …) TO STDOUT (FORMAT binary)` instead of keyset pages of bound queries.
//!
//! Why: PostgreSQL streams the rows without waiting for the next page's query, so the server
//! producing rows and zizhu consuming them use both cores at once; and each row is decoded here
//! by position from its binary form, without sqlx's per-row machinery (a row object, a column
//! lookup and a type check per value: about a fifth of a 10 M-student compute's own time,
//! BENCHMARKS.md 2026-12-01). The format is PostgreSQL's documented binary copy format ("COPY —
//! File Formats — Binary Format"); values are in each type's binary send form.

use crate::error::{Ctx, StoreError, StoreResult};
use chrono::NaiveDate;
use futures_util::StreamExt;

/// The 11-byte signature, then the flags and the header extension's length (4 bytes each).
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
const HEADER: usize = 19;

/// True for a value that may be written into the SQL as a literal: our own keys (ASCII letters,
/// digits, `-` and `_`).
pub(crate) fn plain_key(v: &str) -> bool {
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A row type decoded from one binary copy tuple, its fields in the order of the select.
pub(crate) trait FromCopy: Sized {
    fn from_copy(fields: &mut Fields<'_>) -> Result<Self, String>;
}

/// The fields of one tuple, taken in order.
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    /// The next field's bytes, `None` for NULL.
    fn next_raw(&mut self) -> Result<Option<&'a [u8]>, String> {
        let len = self
            .data
            .get(self.at..self.at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(i32::from_be_bytes)
            .ok_or("字段缺失")?;
        self.at += 4;
        let Ok(n) = usize::try_from(len) else {
            return Ok(None);
        };
        let v = self.data.get(self.at..self.at + n).ok_or("字段不完整")?;
        self.at += n;
        Ok(Some(v))
    }

    /// The next field as text borrowed from the row (not NULL).
    pub(crate) fn next_str(&mut self) -> Result<&'a str, String> {
        let v = not_null(self.next_raw()?)?;
        std::str::from_utf8(v).map_err(|_| "文本字段不是 UTF-8".into())
    }

    /// The next field as text borrowed from the row, `None` for NULL.
    pub(crate) fn next_opt_str(&mut self) -> Result<Option<&'a str>, String> {
        self.next_raw()?
            .map(|v| std::str::from_utf8(v).map_err(|_| "文本字段不是 UTF-8".into()))
            .transpose()
    }

    /// The next field as `T`.
    pub(crate) fn next<T: CopyValue>(&mut self) -> Result<T, String> {
        T::decode(self.next_raw()?)
    }
}

/// A value in its binary send form.
pub(crate) trait CopyValue: Sized {
    fn decode(v: Option<&[u8]>) -> Result<Self, String>;
}

fn not_null(v: Option<&[u8]>) -> Result<&[u8], String> {
    v.ok_or_else(|| "不应为空的字段为空".to_string())
}

impl CopyValue for i64 {
    fn decode(v: Option<&[u8]>) -> Result<Self, String> {
        <[u8; 8]>::try_from(not_null(v)?)
            .map(i64::from_be_bytes)
            .map_err(|_| "整数字段长度不对".into())
    }
}

impl CopyValue for i32 {
    fn decode(v: Option<&[u8]>) -> Result<Self, String> {
        <[u8; 4]>::try_from(not_null(v)?)
            .map(i32::from_be_bytes)
            .map_err(|_| "整数字段长度不对".into())
    }
}

impl CopyValue for bool {
    fn decode(v: Option<&[u8]>) -> Result<Self, String> {
        match not_null(v)? {
            [b] => Ok(*b != 0),
            _ => Err("布尔字段长度不对".into()),
        }
    }
}

impl CopyValue for String {
    fn decode(v: Option<&[u8]>) -> Result<Self, String> {
        String::from_utf8(not_null(v)?.to_vec()).map_err(|_| "文本字段不是 UTF-8".into())
    }
}

impl CopyValue for NaiveDate {
    /// Days since 2000-01-01.
    fn decode(v: Option<&[u8]>) -> Result<Self, String> {
        let days = <[u8; 4]>::try_from(not_null(v)?)
            .map(i32::from_be_bytes)
            .map_err(|_| "日期字段长度不对")?;
        NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(days))))
            .ok_or_else(|| "日期超出范围".into())
    }
}

impl<T: CopyValue> CopyValue for Option<T> {
    fn decode(v: Option<&[u8]>) -> Result<Self, String> {
        v.map(|b| T::decode(Some(b))).transpose()
    }
}

/// Splits the bytes of a binary copy, as they arrive in chunks, into tuples.
#[derive(Default)]
pub(crate) struct Decoder {
    buf: Vec<u8>,
    at: usize,
    header: bool,
    finished: bool,
}

impl Decoder {
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        if self.at > 0 && self.at >= self.buf.len() / 2 {
            self.buf.drain(..self.at);
            self.at = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next whole tuple decoded as `R`; `Ok(None)` when more bytes are needed or the
    /// trailer was read ([`Decoder::finished`]).
    pub(crate) fn next<R: FromCopy>(&mut self) -> Result<Option<R>, String> {
        if !self.header {
            let Some(h) = self.buf.get(self.at..self.at + HEADER) else {
                return Ok(None);
            };
            if !h.starts_with(SIGNATURE) {
                return Err("不是 PostgreSQL 的二进制 COPY 数据".into());
            }
            let ext = h
                .get(15..19)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
                .unwrap_or(0);
            let skip = HEADER + usize::try_from(ext).unwrap_or(usize::MAX / 2);
            if self.buf.len() < self.at + skip {
                return Ok(None);
            }
            self.at += skip;
            self.header = true;
        }
        if self.finished {
            return Ok(None);
        }
        let rest = self.buf.get(self.at..).unwrap_or_default();
        let Some(count) = rest
            .get(..2)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
            .map(i16::from_be_bytes)
        else {
            return Ok(None);
        };
        if count == -1 {
            self.finished = true;
            self.at += 2;
            return Ok(None);
        }
        // The tuple's length: walk its field lengths.
        let mut end = 2usize;
        for _ in 0..count {
            let Some(len) = rest
                .get(end..end + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(i32::from_be_bytes)
            else {
                return Ok(None);
            };
            end += 4 + usize::try_from(len).unwrap_or(0);
            if end > rest.len() {
                return Ok(None);
            }
        }
        let mut fields = Fields {
            data: rest.get(2..end).unwrap_or_default(),
            at: 0,
        };
        let row = R::from_copy(&mut fields)?;
        if fields.at != end - 2 {
            return Err(format!("字段数不符：{count} 个字段未全部读取"));
        }
        self.at += end;
        Ok(Some(row))
    }

    /// The trailer was read: every row has been handed out.
    pub(crate) fn finished(&self) -> bool {
        self.finished
    }
}

/// Runs `COPY ({select}) TO STDOUT (FORMAT binary)` on a connection of `pool` and hands each
/// row, decoded as `R`, to `visit` as it arrives; `visit` may stop the read by returning
/// `Ok(false)`. `select` is our own SQL with no parameters (literals are our own numbers and
/// keys). The connection is closed afterwards rather than returned to the pool: a copy left
/// unread (a caller that stopped, an error) would otherwise leave its rows on it.
///
/// Errors: [`StoreError::Db`] from the server (reported as `op`); [`StoreError::Corrupt`] for
/// bytes that are not the rows asked for; whatever `visit` returns.
pub(crate) async fn each_row<R: FromCopy>(
    pool: &sqlx::PgPool,
    select: &str,
    op: &'static str,
    mut visit: impl AsyncVisit<R>,
) -> StoreResult<()> {
    let sql = format!("COPY ({select}) TO STDOUT (FORMAT binary)");
    let mut conn = pool.acquire().await.ctx(op)?;
    conn.close_on_drop();
    let mut stream = conn.copy_out_raw(&sql).await.ctx(op)?;
    let mut d = Decoder::default();
    let corrupt = |e: String| StoreError::Corrupt(format!("{op}：{e}"));
    while let Some(chunk) = stream.next().await {
        d.push(&chunk.ctx(op)?);
        while let Some(row) = d.next::<R>().map_err(corrupt)? {
            if !visit.row(row).await? {
                return Ok(());
            }
        }
    }
    if !d.finished() {
        return Err(corrupt("数据在结尾之前中断".into()));
    }
    visit.end().await
}

/// What [`each_row`] hands rows to: `row` says whether to go on; `end` follows the last row.
pub(crate) trait AsyncVisit<R> {
    fn row(&mut self, row: R) -> impl std::future::Future<Output = StoreResult<bool>> + Send;
    fn end(&mut self) -> impl std::future::Future<Output = StoreResult<()>> + Send;
}

/// Rows converted by `convert` and sent in pages of `size` to a channel; stops when the
/// receiver is gone.
pub(crate) struct SendPages<T, C> {
    pub(crate) size: usize,
    pub(crate) convert: C,
    pub(crate) page: Vec<T>,
    pub(crate) send: tokio::sync::mpsc::Sender<StoreResult<Vec<T>>>,
}

impl<R: Send, T: Send, C: Fn(R) -> StoreResult<T> + Send> AsyncVisit<R> for SendPages<T, C> {
    async fn row(&mut self, row: R) -> StoreResult<bool> {
        self.page.push((self.convert)(row)?);
        if self.page.len() < self.size {
            return Ok(true);
        }
        let full = std::mem::replace(&mut self.page, Vec::with_capacity(self.size));
        Ok(self.send.send(Ok(full)).await.is_ok())
    }
    async fn end(&mut self) -> StoreResult<()> {
        if !self.page.is_empty() {
            let _ = self.send.send(Ok(std::mem::take(&mut self.page))).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair(i64, Option<String>);

    impl FromCopy for Pair {
        fn from_copy(f: &mut Fields<'_>) -> Result<Self, String> {
            Ok(Pair(f.next()?, f.next()?))
        }
    }

    fn body(rows: &[(i64, Option<&str>)]) -> Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&[0; 8]);
        for (n, t) in rows {
            b.extend_from_slice(&2i16.to_be_bytes());
            b.extend_from_slice(&8i32.to_be_bytes());
            b.extend_from_slice(&n.to_be_bytes());
            match t {
                Some(t) => {
                    b.extend_from_slice(&(t.len() as i32).to_be_bytes());
                    b.extend_from_slice(t.as_bytes());
                }
                None => b.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b
    }

    /// Feeds `bytes` in chunks of `size` and collects the rows.
    fn decode(bytes: &[u8], size: usize) -> Result<(Vec<(i64, Option<String>)>, bool), String> {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        for chunk in bytes.chunks(size) {
            d.push(chunk);
            while let Some(Pair(n, t)) = d.next::<Pair>()? {
                out.push((n, t));
            }
        }
        Ok((out, d.finished()))
    }

    #[test]
    fn rows_come_out_whole_however_the_bytes_are_cut() {
        let bytes = body(&[(1, Some("张三")), (-2, None), (3, Some(""))]);
        let want = vec![
            (1, Some("张三".to_string())),
            (-2, None),
            (3, Some(String::new())),
        ];
        for size in [1, 2, 3, 7, 19, 20, 1000] {
            assert_eq!(
                decode(&bytes, size),
                Ok((want.clone(), true)),
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        assert!(decode(b"PGCOPY\nxx\0\0\0\0\0\0\0\0\0\0\0\0", 5).is_err());
        // A text field that is not UTF-8.
        let mut bytes = body(&[(1, Some("ab"))]);
        let at = bytes.len() - 4;
        bytes[at] = 0xff;
        assert!(decode(&bytes, 100).is_err());
        // Cut short: no trailer, so not finished.
        let bytes = body(&[(1, Some("ab"))]);
        assert_eq!(decode(&bytes[..bytes.len() - 3], 4).map(|r| r.1), Ok(false));
        // A NULL where a number must be.
        let mut bytes = body(&[(1, None)]);
        bytes[HEADER + 2..HEADER + 6].copy_from_slice(&(-1i32).to_be_bytes());
        bytes.drain(HEADER + 6..HEADER + 14);
        assert!(decode(&bytes, 100).is_err());
    }

    #[test]
    fn dates_count_days_from_2000() {
        let d = NaiveDate::decode(Some(&5722i32.to_be_bytes()));
        assert_eq!(
            d,
            Ok(NaiveDate::from_ymd_opt(2015, 9, 1).unwrap_or_default())
        );
        assert!(NaiveDate::decode(Some(&i32::MAX.to_be_bytes())).is_err());
    }
}
