//! Reading the lists the dropout scan compares (控辍保学): the school-age population (户籍) and
//! the schools' returns of who is in school (在校学生名单), a page at a time.

use crate::convert::{from_row_by_position, id, key};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::rows::Sourced;
use crate::Db;
use zizhu_domain::{AttendanceEntry, Resident, Sex, Term};

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawResident {
    import_id: i64,
    row_no: i64,
    id_number: String,
    name: String,
    sex: Option<String>,
    township: String,
    village: String,
    household_no: String,
    guardian: String,
    guardian_phone: String,
    zone_school: Option<String>,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    orphan: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    unsupported: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    left_behind: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    hardship: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    migrant: bool,
}
from_row_by_position!(RawResident {
    import_id,
    row_no,
    id_number,
    name,
    sex,
    township,
    village,
    household_no,
    guardian,
    guardian_phone,
    zone_school,
    orphan,
    unsupported,
    left_behind,
    hardship,
    migrant
});

impl TryFrom<RawResident> for Sourced<Resident> {
    type Error = StoreError;
    fn try_from(r: RawResident) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: Resident {
                id: id(&r.id_number)?,
                name: r.name,
                sex: r
                    .sex
                    .as_deref()
                    .map(|s| key(s, Sex::from_key, "未知的性别"))
                    .transpose()?,
                township: r.township,
                village: r.village,
                household_no: r.household_no,
                guardian: r.guardian,
                guardian_phone: r.guardian_phone,
                zone_school: r.zone_school,
                orphan: r.orphan,
                unsupported: r.unsupported,
                left_behind: r.left_behind,
                hardship: r.hardship,
                migrant: r.migrant,
            },
        })
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawAttendance {
    import_id: i64,
    row_no: i64,
    school_code: String,
    id_number: String,
    name: String,
}
from_row_by_position!(RawAttendance {
    import_id,
    row_no,
    school_code,
    id_number,
    name
});

impl TryFrom<RawAttendance> for Sourced<AttendanceEntry> {
    type Error = StoreError;
    fn try_from(r: RawAttendance) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: AttendanceEntry {
                school_code: r.school_code,
                id: id(&r.id_number)?,
                name: r.name,
            },
        })
    }
}

impl Db {
    /// Hands each child of the school-age population (户籍适龄人口) to `f`, in file order, a
    /// page at a time.
    pub async fn each_resident(&self, f: impl FnMut(Sourced<Resident>) + Send) -> StoreResult<()> {
        self.read_list(
            "resident",
            RESIDENT_COLS,
            None,
            "读取户籍适龄人口名单",
            |r: RawResident| r.try_into(),
            f,
        )
        .await
    }

    /// Hands each row of the schools' returns of `term` (在校学生名单) to `f`, in file order.
    pub async fn each_attendance(
        &self,
        term: Term,
        f: impl FnMut(Sourced<AttendanceEntry>) + Send,
    ) -> StoreResult<()> {
        const COLS: &str = "import_id, row_no, school_code, id_number, name";
        let term = term.to_string();
        self.read_list(
            "attendance",
            COLS,
            Some(("term", term.as_str())),
            "读取在校学生名单",
            |r: RawAttendance| r.try_into(),
            f,
        )
        .await
    }
}

/// A registry row as the dropout scan reads it (学籍摘要): who, where, which grade, which status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryBrief {
    pub id_number: String,
    pub name: String,
    pub school_code: String,
    pub grade: u8,
    pub status: zizhu_domain::Status,
    pub sex: Option<Sex>,
}

/// A registry row as the scan reads it, before its keys are checked.
pub(crate) struct RawBrief {
    id_number: String,
    name: String,
    school_code: String,
    grade: i64,
    status: String,
    sex: Option<String>,
}
from_row_by_position!(RawBrief {
    id_number,
    name,
    school_code,
    grade,
    status,
    sex
});

impl TryFrom<RawBrief> for RegistryBrief {
    type Error = StoreError;
    fn try_from(r: RawBrief) -> StoreResult<Self> {
        Ok(RegistryBrief {
            id_number: r.id_number,
            name: r.name,
            school_code: r.school_code,
            grade: u8::try_from(r.grade)
                .map_err(|_| StoreError::Corrupt(format!("年级超出范围：{}", r.grade)))?,
            status: key(&r.status, zizhu_domain::Status::from_key, "未知的学籍状态")?,
            sex: r
                .sex
                .as_deref()
                .map(|s| key(s, Sex::from_key, "未知的性别"))
                .transpose()?,
        })
    }
}

impl Db {
    /// Hands each registry row of `term` to `f` with only what the dropout scan needs, in file
    /// order, a page at a time (keyset paged on the term's index, as [`Db::student_page`]).
    pub async fn each_registry_brief(
        &self,
        term: Term,
        mut f: impl FnMut(RegistryBrief),
    ) -> StoreResult<()> {
        const SQL: &str =
            "SELECT id, id_number, name, school_code, grade, status, sex FROM student \
            WHERE term_seq = $1 AND id > $2 ORDER BY id LIMIT $3";
        let seq = crate::convert::term_seq(term);
        self.keyset_read(SQL, Some(seq), 50_000, "读取学籍", |k: KeyedBrief| {
            f(k.row().try_into()?);
            Ok(())
        })
        .await
    }
}

/// A brief registry row with its key, for paging.
struct KeyedBrief {
    id: i64,
    id_number: String,
    name: String,
    school_code: String,
    grade: i64,
    status: String,
    sex: Option<String>,
}
from_row_by_position!(KeyedBrief {
    id,
    id_number,
    name,
    school_code,
    grade,
    status,
    sex
});

impl KeyedBrief {
    fn row(self) -> RawBrief {
        RawBrief {
            id_number: self.id_number,
            name: self.name,
            school_code: self.school_code,
            grade: self.grade,
            status: self.status,
            sex: self.sex,
        }
    }
}

const RESIDENT_COLS: &str = "import_id, row_no, id_number, name, sex, township, village, \
    household_no, guardian, guardian_phone, zone_school, orphan, unsupported, left_behind, \
    hardship, migrant";

impl Db {
    /// Hands the ID number of each child of the population list to `f` (the scan compares
    /// every one and needs the rest only for the few it suspects: [`Db::residents_by_id`]).
    pub async fn each_resident_id(&self, f: impl FnMut(String)) -> StoreResult<()> {
        self.each_id_number("resident", "读取户籍适龄人口名单", f)
            .await
    }

    /// The population rows of `ids` (the first row of each when listed twice), any number of IDs.
    pub async fn residents_by_id(&self, ids: &[String]) -> StoreResult<Vec<Sourced<Resident>>> {
        self.rows_by_id::<RawResident, _>(
            &format!("SELECT {RESIDENT_COLS} FROM resident"),
            ids,
            "读取户籍适龄人口名单",
        )
        .await
    }

    /// The rows of `select` (`SELECT … FROM table`, our own text) whose ID number is one of
    /// `ids`, in file order, any number of IDs (queried in chunks).
    async fn rows_by_id<R, T>(
        &self,
        select: &str,
        ids: &[String],
        op: &'static str,
    ) -> StoreResult<Vec<T>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
        T: TryFrom<R, Error = StoreError>,
    {
        let p = self.params();
        let mut out = Vec::new();
        for chunk in ids.chunks(crate::lists::IN_CHUNK) {
            let sql = format!(
                "{select} WHERE id_number IN {} ORDER BY id",
                crate::sql::placeholders(p, 1, chunk.len())
            );
            let raw: Vec<R> = db_run!(self, |pool| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(pool).await
            })
            .ctx(op)?;
            for r in raw {
                out.push(r.try_into()?);
            }
        }
        Ok(out)
    }
}

impl Db {
    /// Hands the ID number of each registered-poor household member to `f` (the dropout scan
    /// needs whole rows only for the few it suspects: [`Db::poor_members_by_id`]).
    pub async fn each_poor_id(&self, f: impl FnMut(String)) -> StoreResult<()> {
        self.each_id_number("poor_member", "读取建档立卡名单", f)
            .await
    }

    /// The registered-poor household rows of `ids`, in file order, any number of IDs.
    pub async fn poor_members_by_id(
        &self,
        ids: &[String],
    ) -> StoreResult<Vec<Sourced<zizhu_domain::PoorHouseholdMember>>> {
        const SELECT: &str = "SELECT import_id, row_no, household_no, id_number, name, relation, \
            status, exit_year, township, village FROM poor_member";
        self.rows_by_id::<crate::convert::RawPoor, _>(SELECT, ids, "读取建档立卡名单")
            .await
    }
}

/// An attendance row with its key: school code and ID number only.
struct KeyedAttendance {
    id: i64,
    school_code: String,
    id_number: String,
}
from_row_by_position!(KeyedAttendance {
    id,
    school_code,
    id_number
});

impl Db {
    /// Hands (school code, ID number) of each row of the schools' returns of `term` to `f`.
    pub async fn each_attendance_brief(
        &self,
        term: Term,
        mut f: impl FnMut(String, String),
    ) -> StoreResult<()> {
        // `+term_seq`: walk the key from `$2` (the term's index is by ID number; with it
        // SQLite sorted the whole term again for every page).
        const SQL: &str = "SELECT id, school_code, id_number FROM attendance \
            WHERE +term_seq = $1 AND id > $2 ORDER BY id LIMIT $3";
        let seq = crate::convert::term_seq(term);
        let op = "读取在校学生名单";
        self.keyset_read(SQL, Some(seq), 100_000, op, |a: KeyedAttendance| {
            f(a.school_code, a.id_number);
            Ok(())
        })
        .await
    }
}

/// An ID number with its row key, for paging.
struct KeyedId {
    id: i64,
    id_number: String,
}
from_row_by_position!(KeyedId { id, id_number });

impl Db {
    /// Hands the `id_number` of every row of a list `table` to `f`, in key order, keyset paged.
    async fn each_id_number(
        &self,
        table: &'static str,
        op: &'static str,
        mut f: impl FnMut(String),
    ) -> StoreResult<()> {
        // Our own table names only.
        let sql = format!("SELECT id, id_number FROM {table} WHERE id > $1 ORDER BY id LIMIT $2");
        self.keyset_read(&sql, None, 100_000, op, |k: KeyedId| {
            f(k.id_number);
            Ok(())
        })
        .await
    }
}

/// A row read in keyset pages: its key orders the pages.
trait Keyed {
    fn key(&self) -> i64;
}

impl Db {
    /// Reads rows `R` in pages of `page` by `sql`, ordered by key, handing each to `f`. The SQL
    /// binds `scope` (when given, first), then the last key read, then the page size. On SQLite
    /// each page is read straight off the connection's handle (`raw_sqlite::read_rows`).
    async fn keyset_read<R>(
        &self,
        sql: &str,
        scope: Option<i64>,
        page: i64,
        op: &'static str,
        mut f: impl FnMut(R) -> StoreResult<()>,
    ) -> StoreResult<()>
    where
        R: Keyed
            + crate::raw_sqlite::FromRaw
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let mut after = 0i64;
        loop {
            let rows: Vec<R> = match self {
                Db::Sqlite(pool) => match scope {
                    Some(s) => crate::lists::raw_rows(pool, sql, &[&s, &after, &page], op).await?,
                    None => crate::lists::raw_rows(pool, sql, &[&after, &page], op).await?,
                },
                Db::Postgres(pool) => {
                    let mut q = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql.to_string()));
                    if let Some(s) = scope {
                        q = q.bind(s);
                    }
                    q.bind(after).bind(page).fetch_all(pool).await.ctx(op)?
                }
            };
            let Some(last) = rows.last().map(Keyed::key) else {
                break;
            };
            if rows.windows(2).any(|w| w[0].key() >= w[1].key()) {
                return Err(StoreError::Corrupt(format!("{op}：分页顺序异常")));
            }
            for r in rows {
                f(r)?;
            }
            after = last;
        }
        Ok(())
    }
}

impl Keyed for KeyedBrief {
    fn key(&self) -> i64 {
        self.id
    }
}
impl Keyed for KeyedAttendance {
    fn key(&self) -> i64 {
        self.id
    }
}
impl Keyed for KeyedId {
    fn key(&self) -> i64 {
        self.id
    }
}
