//! Copying a whole zizhu database to another one (迁移/备份/恢复), on either backend: SQLite to
//! PostgreSQL when a county joins a city or province server, any backend to a SQLite file as a
//! backup, and back. Every table is copied with its ids, in one transaction on the target, read
//! from one snapshot of the source; then verified by row count and a SHA-256 of each table's
//! rows read back from the target inside that transaction. Any difference rolls everything back.

use crate::bulk::{self, Target};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::sql::Params;
use crate::tx::Tx;
use crate::Db;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use sha2::{Digest, Sha256};

/// Column types of the schema, as the copy reads and writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Text,
    Bool,
    Date,
    Timestamp,
}

/// One value of a row; `Null` keeps its column type so that it can be bound.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null(Ty),
    Int(i64),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
}

use Ty::{Bool as B, Date as D, Int as I, Text as T, Timestamp as Ts};

/// Every table, parents before children (foreign keys hold at every step), with its columns in
/// schema order. `id` is first everywhere and is copied as is. Sessions and failed logins are
/// not copied: they belong to the server they were made on.
const TABLES: &[(&str, &[(&str, Ty)])] = &[
    (
        "import_batch",
        &[
            ("id", I),
            ("kind", T),
            ("file_name", T),
            ("sha256", T),
            ("term", T),
            ("actor", T),
            ("imported_at", Ts),
            ("row_count", I),
            ("warning_count", I),
        ],
    ),
    (
        "compute_run",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("policy_id", T),
            ("policy_version", T),
            ("policy_sha256", T),
            ("actor", T),
            ("started_at", Ts),
            ("finished_at", Ts),
            ("student_count", I),
            ("entitlement_count", I),
            ("total_fen", I),
        ],
    ),
    (
        "roster_signoff",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("school_code", T),
            ("step", T),
            ("run_id", I),
            ("actor", T),
            ("at", Ts),
            ("note", T),
        ],
    ),
    (
        "roster_lock",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("run_id", I),
            ("actor", T),
            ("at", Ts),
            ("note", T),
        ],
    ),
    (
        "entitlement_trace",
        &[("id", I), ("run_id", I), ("trace_no", I), ("body", T)],
    ),
    (
        "school",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("code", T),
            ("name", T),
            ("kind", T),
            ("is_public", B),
            ("township", T),
            ("inclusive", B),
            ("approval_level", T),
            ("area", T),
        ],
    ),
    (
        "student",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("term", T),
            ("term_seq", I),
            ("id_number", T),
            ("name", T),
            ("student_no", T),
            ("school_code", T),
            ("grade", I),
            ("class_name", T),
            ("boarding", B),
            ("special_class", B),
            ("regular_class_inclusion", B),
            ("hukou", T),
            ("major", T),
            ("agri_major", B),
            ("full_time", B),
            ("status", T),
            ("difficulty", T),
            ("birth_date", D),
            ("sex", T),
        ],
    ),
    (
        "poor_member",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("household_no", T),
            ("id_number", T),
            ("name", T),
            ("relation", T),
            ("status", T),
            ("exit_year", I),
            ("township", T),
            ("village", T),
        ],
    ),
    (
        "assistance",
        &[
            ("id", I),
            ("kind", T),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("name", T),
            ("area", T),
            ("valid_from", D),
            ("valid_to", D),
        ],
    ),
    (
        "disabled_person",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("name", T),
            ("certificate_no", T),
            ("category", T),
            ("grade", I),
        ],
    ),
    (
        "college_admission",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("name", T),
            ("exam_no", T),
            ("college", T),
            ("college_province", T),
            ("year", I),
        ],
    ),
    (
        "category",
        &[
            ("id", I),
            ("run_id", I),
            ("term", T),
            ("term_seq", I),
            ("id_number", T),
            ("category", T),
            ("list_kind", T),
            ("import_id", I),
            ("row_no", I),
            ("detail", T),
        ],
    ),
    (
        "entitlement",
        &[
            ("id", I),
            ("run_id", I),
            ("term", T),
            ("term_seq", I),
            ("id_number", T),
            ("name", T),
            ("student_no", T),
            ("school_code", T),
            ("program", T),
            ("program_name", T),
            ("clause", T),
            ("amount_fen", I),
            ("payee", T),
            ("facts", T),
            ("trace_no", I),
        ],
    ),
    (
        "quality_issue",
        &[
            ("id", I),
            ("run_id", I),
            ("term", T),
            ("term_seq", I),
            ("code", T),
            ("id_number", T),
            ("school_code", T),
            ("source", T),
            ("detail", T),
        ],
    ),
    (
        "resident",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("name", T),
            ("sex", T),
            ("township", T),
            ("village", T),
            ("household_no", T),
            ("guardian", T),
            ("guardian_phone", T),
            ("zone_school", T),
            ("orphan", B),
            ("unsupported", B),
            ("left_behind", B),
            ("hardship", B),
            ("migrant", B),
        ],
    ),
    (
        "attendance",
        &[
            ("id", I),
            ("import_id", I),
            ("term", T),
            ("term_seq", I),
            ("row_no", I),
            ("school_code", T),
            ("id_number", T),
            ("name", T),
        ],
    ),
    (
        "dropout_scan",
        &[
            ("id", I),
            ("as_of", D),
            ("term", T),
            ("actor", T),
            ("at", Ts),
            ("population", I),
            ("suspects", I),
            ("opened", I),
            ("refound", I),
            ("recheck", I),
        ],
    ),
    (
        "dropout_case",
        &[
            ("id", I),
            ("id_number", T),
            ("name", T),
            ("sex", T),
            ("birth_date", D),
            ("township", T),
            ("village", T),
            ("household_no", T),
            ("guardian", T),
            ("guardian_phone", T),
            ("school_code", T),
            ("reasons", T),
            ("groups", T),
            ("teacher", T),
            ("official", T),
            ("state", T),
            ("state_since", D),
            ("opened_on", D),
            ("opened_scan", I),
            ("last_scan", I),
            ("last_action_on", D),
            ("last_session_on", D),
            ("recheck", B),
            ("not_dropout_reason", T),
            ("evidence", T),
            ("elsewhere_school", T),
            ("returned_school", T),
            ("returned_on", D),
            ("plan_teacher", T),
            ("plan_frequency", T),
            ("plan_content", T),
            ("close_reason", T),
        ],
    ),
    (
        "case_event",
        &[
            ("id", I),
            ("case_id", I),
            ("at", Ts),
            ("on_date", D),
            ("actor", T),
            ("actor_level", T),
            ("kind", T),
            ("from_state", T),
            ("to_state", T),
            ("action", T),
            ("note", T),
        ],
    ),
    (
        "app_user",
        &[
            ("id", I),
            ("username", T),
            ("display_name", T),
            ("role", T),
            ("township", T),
            ("school_code", T),
            ("password_hash", T),
            ("active", B),
            ("created_at", Ts),
            ("created_by", T),
        ],
    ),
    (
        "api_token",
        &[
            ("id", I),
            ("token_sha256", T),
            ("user_id", I),
            ("label", T),
            ("created_at", Ts),
            ("created_by", T),
        ],
    ),
    (
        "payee_account",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("student_name", T),
            ("payee_name", T),
            ("relation", T),
            ("account_kind", T),
            ("account_no", T),
            ("bank", T),
        ],
    ),
    (
        "payment_batch",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("run_id", I),
            ("fund_source", T),
            ("paying_unit", T),
            ("reissue_of", I),
            ("state", T),
            ("created_by", T),
            ("created_at", Ts),
            ("submitted_by", T),
            ("submitted_at", Ts),
            ("closed_at", Ts),
            ("file_at", Ts),
        ],
    ),
    (
        "roster_adjustment",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("run_id", I),
            ("id_number", T),
            ("name", T),
            ("school_code", T),
            ("program", T),
            ("program_name", T),
            ("clause", T),
            ("payee", T),
            ("kind", T),
            ("amount_fen", I),
            ("before_fen", I),
            ("after_fen", I),
            ("reason", T),
            ("made_by", T),
            ("made_at", Ts),
        ],
    ),
    (
        "payment_line",
        &[
            ("id", I),
            ("batch_id", I),
            ("term_seq", I),
            ("id_number", T),
            ("student_name", T),
            ("school_code", T),
            ("program", T),
            ("program_name", T),
            ("clause", T),
            ("amount_fen", I),
            ("payee_name", T),
            ("relation", T),
            ("account_kind", T),
            ("account_no", T),
            ("bank", T),
            ("reissue_of", I),
            ("adjustment_id", I),
            ("part", I),
        ],
    ),
    (
        "payment_ledger",
        &[
            ("id", I),
            ("line_id", I),
            ("kind", T),
            ("term_seq", I),
            ("id_number", T),
            ("program", T),
            ("amount_fen", I),
            ("on_day", D),
            ("reason", T),
            ("new_line", I),
            ("actor", T),
            ("at", Ts),
            ("part", I),
        ],
    ),
    (
        "recheck_gap",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("household_no", T),
            ("id_number", T),
            ("name", T),
            ("township", T),
            ("school_code", T),
            ("kind", T),
            ("detail", T),
            ("found_at", Ts),
            ("found_by", T),
            ("last_seen_at", Ts),
            ("action_note", T),
            ("action_at", Ts),
            ("action_by", T),
            ("rectified_at", Ts),
        ],
    ),
    (
        "admission_line",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("year", I),
            ("category", T),
            ("control_tenths", I),
            ("floor_kind", T),
            ("floor_tenths", I),
            ("percent_bp", I),
            ("total_tenths", I),
        ],
    ),
    (
        "admission_applicant",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("year", I),
            ("id_number", T),
            ("name", T),
            ("category", T),
            ("score_tenths", I),
            ("fresh_graduate", B),
            ("hukou_in_county", B),
        ],
    ),
    (
        "zero_fee_issue",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("school_year", I),
            ("school_code", T),
            ("id_number", T),
            ("name", T),
            ("item", T),
            ("issued_on", D),
            ("quantity", I),
            ("insurer", T),
            ("policy_no", T),
            ("entered_by", T),
            ("entered_at", Ts),
        ],
    ),
    (
        "payment_verification",
        &[
            ("id", I),
            ("term", T),
            ("term_seq", I),
            ("line_id", I),
            ("id_number", T),
            ("school_code", T),
            ("drawn_by", T),
            ("drawn_at", Ts),
            ("outcome", T),
            ("note", T),
            ("recorded_by", T),
            ("recorded_at", Ts),
            ("follow_up", T),
            ("follow_up_note", T),
        ],
    ),
    (
        "audit_log",
        &[
            ("id", I),
            ("at", Ts),
            ("actor", T),
            ("action", T),
            ("target", T),
            ("detail", T),
            ("origin", T),
            ("before_value", T),
            ("after_value", T),
        ],
    ),
    (
        "teacher",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("name", T),
            ("school_code", T),
            ("staff_no", T),
            ("stage", T),
        ],
    ),
    (
        "teacher_exchange",
        &[
            ("id", I),
            ("import_id", I),
            ("row_no", I),
            ("id_number", T),
            ("name", T),
            ("from_school", T),
            ("to_school", T),
            ("start_date", D),
            ("end_date", D),
        ],
    ),
    (
        "complaint",
        &[
            ("id", I),
            ("id_number", T),
            ("student_name", T),
            ("school_code", T),
            ("township", T),
            ("payment_line_id", I),
            ("case_id", I),
            ("category", T),
            ("source", T),
            ("complainant", T),
            ("contact", T),
            ("summary", T),
            ("owner_level", T),
            ("owner_unit", T),
            ("owner_township", T),
            ("state", T),
            ("state_since", D),
            ("lodged_on", D),
            ("due_on", D),
            ("resolved_on", D),
            ("resolution", T),
            ("lodged_by", T),
            ("lodged_at", Ts),
        ],
    ),
    (
        "complaint_event",
        &[
            ("id", I),
            ("complaint_id", I),
            ("at", Ts),
            ("on_date", D),
            ("actor", T),
            ("actor_level", T),
            ("kind", T),
            ("from_state", T),
            ("to_state", T),
            ("owner", T),
            ("note", T),
        ],
    ),
];

/// Rows read from the source per query.
const PAGE: i64 = 5_000;

/// One table as copied: rows and the SHA-256 of its rows (hex), equal on source and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub rows: u64,
    pub sha256: String,
}

/// Progress callback: table name and rows copied so far in it.
pub type CopyProgress<'a> = &'a (dyn Fn(&str, u64) + Sync);

/// The canonical bytes of a value for the table checksum: the same value gives the same bytes
/// on both backends (timestamps to the microsecond, PostgreSQL's precision).
fn hash_val(h: &mut Sha256, v: &Val) {
    match v {
        Val::Null(_) => h.update(b"\0N"),
        Val::Int(i) => h.update(i.to_string().as_bytes()),
        Val::Text(s) => h.update(s.as_bytes()),
        Val::Bool(b) => h.update(if *b { b"1" } else { b"0" }),
        Val::Date(d) => h.update(d.format("%Y-%m-%d").to_string().as_bytes()),
        Val::Timestamp(t) => h.update(t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string().as_bytes()),
    }
    h.update([0x1F]);
}

fn hash_row(h: &mut Sha256, row: &[Val]) {
    for v in row {
        hash_val(h, v);
    }
    h.update([0x1E]);
}

fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads one row of any backend as values of the given types.
macro_rules! read_row {
    ($row:expr, $cols:expr) => {{
        use sqlx::Row as _;
        let mut out = Vec::with_capacity($cols.len());
        for (i, (_, ty)) in $cols.iter().enumerate() {
            let v = match ty {
                Ty::Int => $row.try_get::<Option<i64>, _>(i)?.map(Val::Int),
                Ty::Text => $row.try_get::<Option<String>, _>(i)?.map(Val::Text),
                Ty::Bool => $row.try_get::<Option<bool>, _>(i)?.map(Val::Bool),
                Ty::Date => $row.try_get::<Option<NaiveDate>, _>(i)?.map(Val::Date),
                Ty::Timestamp => $row
                    .try_get::<Option<DateTime<Utc>>, _>(i)?
                    .map(|t| Val::Timestamp(t.trunc_subsecs(6))),
            };
            out.push(v.unwrap_or(Val::Null(*ty)));
        }
        Ok::<Vec<Val>, sqlx::Error>(out)
    }};
}

fn select_page(table: &str, cols: &[(&str, Ty)], p: Params) -> String {
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    format!(
        "SELECT {} FROM {table} WHERE id > {} ORDER BY id LIMIT {}",
        names.join(", "),
        p.nth(1),
        p.nth(2)
    )
}

/// One page of `table` with `id > after` through the transaction `tx`.
async fn read_page(
    tx: &mut Tx,
    table: &str,
    cols: &[(&str, Ty)],
    after: i64,
) -> StoreResult<Vec<Vec<Val>>> {
    let sql = select_page(table, cols, tx.params());
    let op = "读取数据表";
    tx_run!(&mut *tx, |conn, Backend| {
        let rows = sqlx::query::<Backend>(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(PAGE)
            .fetch_all(&mut *conn)
            .await
            .ctx(op)?;
        rows.iter()
            .map(|r| read_row!(r, cols))
            .collect::<Result<Vec<_>, _>>()
            .ctx(op)
    })
}

async fn count(tx: &mut Tx, table: &str) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    tx_run!(&mut *tx, |conn, Backend| {
        sqlx::query_scalar::<Backend, i64>(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await
    })
    .ctx("统计数据表行数")
}

async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    cols: &[(&str, Ty)],
    rows: &[Vec<Val>],
) -> StoreResult<()> {
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let head = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
    let target = Target {
        head: &head,
        op: "写入数据表",
        lits: &[],
        cols: cols.len(),
    };
    bulk::write(tx, &target, rows, |w, row| {
        for v in row {
            match *v {
                Val::Null(Ty::Int) => w.opt_int(None),
                Val::Null(Ty::Text) => w.opt_text(None),
                Val::Null(Ty::Bool) => w.opt_bool(None),
                Val::Null(Ty::Date) => w.date(None),
                Val::Null(Ty::Timestamp) => w.timestamp(None),
                Val::Int(i) => w.int(i),
                Val::Text(ref s) => w.text(s),
                Val::Bool(b) => w.bool(b),
                Val::Date(d) => w.date(Some(d)),
                Val::Timestamp(t) => w.timestamp(Some(t)),
            }
        }
    })
    .await
}

/// Reads every row of `table` through `tx` (in id order): row count and checksum.
async fn checksum(tx: &mut Tx, table: &str, cols: &[(&str, Ty)]) -> StoreResult<(u64, String)> {
    let (mut h, mut n, mut after) = (Sha256::new(), 0u64, 0i64);
    loop {
        let page = read_page(tx, table, cols, after).await?;
        let Some(last) = page.last() else { break };
        after = id_of(last)?;
        for row in &page {
            hash_row(&mut h, row);
        }
        n += page.len() as u64;
    }
    Ok((n, hex(h)))
}

fn id_of(row: &[Val]) -> StoreResult<i64> {
    match row.first() {
        Some(Val::Int(id)) => Ok(*id),
        _ => Err(StoreError::Corrupt("数据行缺少 id".into())),
    }
}

/// On PostgreSQL, moves each identity sequence past the copied ids so that new rows do not
/// collide with them (SQLite follows the largest rowid by itself).
async fn reset_sequences(tx: &mut Tx) -> StoreResult<()> {
    if let Tx::Postgres(conn) = tx {
        for (table, _) in TABLES {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **conn)
                .await
                .ctx("重置编号序列")?;
        }
    }
    Ok(())
}

impl Db {
    /// Copies every zizhu table of `self` into `target`, which must be migrated and empty.
    /// Ids are kept. The source is read from one snapshot (one read transaction); the target is
    /// written in one transaction, then every table is read back inside it and compared with the
    /// source by row count and SHA-256; only then is it committed. Returns the tables as copied.
    ///
    /// Errors: [`StoreError::Invalid`] when the target already holds data or a table differs
    /// after the copy (nothing is written then); database errors from either side.
    ///
    /// `audit` (actor, action, target) is written to the target's audit log inside the same
    /// transaction, after the verification: the copy and its record arrive together or not at all.
    pub async fn copy_to(
        &self,
        target: &Db,
        progress: CopyProgress<'_>,
        audit: Option<(&str, &str, &str)>,
    ) -> StoreResult<Vec<TableCopy>> {
        let mut dst = Tx::begin_bulk(target).await?;
        for (table, _) in TABLES {
            let n = count(&mut dst, table).await?;
            if n > 0 {
                return Err(StoreError::Invalid(format!(
                    "目标数据库不是空的：表 {table} 已有 {n} 行。请换一个新建的空数据库"
                )));
            }
        }
        let mut src = Tx::begin_snapshot(self).await?;
        let mut out = Vec::with_capacity(TABLES.len());
        for (table, cols) in TABLES {
            let (mut h, mut n, mut after) = (Sha256::new(), 0u64, 0i64);
            loop {
                let page = read_page(&mut src, table, cols, after).await?;
                let Some(last) = page.last() else { break };
                after = id_of(last)?;
                for row in &page {
                    hash_row(&mut h, row);
                }
                insert_rows(&mut dst, table, cols, &page).await?;
                n += page.len() as u64;
                progress(table, n);
            }
            out.push(TableCopy {
                table,
                rows: n,
                sha256: hex(h),
            });
        }
        src.rollback().await?;
        reset_sequences(&mut dst).await?;
        let tables: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
        // Also makes the read-back below use the indexes on PostgreSQL.
        dst.analyze(&tables).await?;
        for copied in &out {
            let cols = TABLES
                .iter()
                .find(|(t, _)| *t == copied.table)
                .map_or(&[][..], |(_, c)| *c);
            let (rows, sha256) = checksum(&mut dst, copied.table, cols).await?;
            if rows != copied.rows || sha256 != copied.sha256 {
                return Err(StoreError::Invalid(format!(
                    "复制后校验不一致：表 {} 源 {} 行，目标 {rows} 行；校验和不同。已全部撤销",
                    copied.table, copied.rows
                )));
            }
        }
        if let Some((actor, action, what)) = audit {
            let rows: u64 = out.iter().map(|t| t.rows).sum();
            let detail = format!(
                "复制 {} 张表 {rows} 行，逐表行数与 SHA-256 校验一致",
                out.len()
            );
            dst.audit(actor, action, what, &detail).await?;
        }
        dst.commit().await?;
        Ok(out)
    }

    /// Checks that this database is a whole zizhu database of this version or an older one (for
    /// `restore`: a backup file is opened read-only and checked before anything is copied).
    ///
    /// Errors: [`StoreError::Invalid`] naming what is missing or newer.
    pub async fn check_zizhu_schema(&self) -> StoreResult<()> {
        let not_ours = |why: String| {
            StoreError::Invalid(format!("这不是完整的 zizhu 数据库或备份文件：{why}"))
        };
        let newest: Option<i64> = db_run!(self, |pool| sqlx::query_scalar(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success"
        )
        .fetch_one(pool)
        .await)
        .map_err(|_| not_ours("没有数据库结构版本记录".into()))?;
        let known = crate::connect::newest_migration(self);
        match newest {
            None => return Err(not_ours("数据库结构未建立".into())),
            Some(v) if v > known => {
                return Err(StoreError::Invalid(format!(
                "该数据库来自更新版本的 zizhu（结构版本 {v}，本程序最高 {known}），请先升级 zizhu"
            )))
            }
            Some(_) => {}
        }
        for (table, _) in TABLES {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let ok: Result<i64, _> = db_run!(self, |pool| sqlx::query_scalar(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .fetch_one(pool)
            .await);
            ok.map_err(|_| not_ours(format!("缺少数据表 {table}")))?;
        }
        Ok(())
    }

    /// Row count and SHA-256 of every table (the same figures [`Db::copy_to`] compares), read
    /// from one snapshot: to check a copy or a restore later.
    pub async fn table_checksums(&self) -> StoreResult<Vec<TableCopy>> {
        let mut src = Tx::begin_snapshot(self).await?;
        let mut out = Vec::with_capacity(TABLES.len());
        for (table, cols) in TABLES {
            let (rows, sha256) = checksum(&mut src, table, cols).await?;
            out.push(TableCopy {
                table,
                rows,
                sha256,
            });
        }
        src.rollback().await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_bytes_are_canonical() {
        let t = DateTime::parse_from_rfc3339("2023-09-01T08:00:00.123456789Z")
            .map(|t| t.with_timezone(&Utc).trunc_subsecs(6))
            .ok();
        let mut a = Sha256::new();
        hash_row(
            &mut a,
            &[
                Val::Int(-7),
                Val::Text("张三".into()),
                Val::Null(Ty::Text),
                Val::Bool(true),
                Val::Date(NaiveDate::from_ymd_opt(2015, 9, 1).unwrap_or_default()),
                t.map_or(Val::Null(Ty::Timestamp), Val::Timestamp),
            ],
        );
        let mut b = Sha256::new();
        b.update("-7\x1f张三\x1f\0N\x1f1\x1f2015-09-01\x1f2023-09-01T08:00:00.123456Z\x1f\x1e");
        assert_eq!(hex(a), hex(b));
    }

    #[test]
    fn a_null_and_an_empty_text_differ() {
        let one = |v: Val| {
            let mut h = Sha256::new();
            hash_row(&mut h, &[v]);
            hex(h)
        };
        assert_ne!(one(Val::Null(Ty::Text)), one(Val::Text(String::new())));
    }
}
