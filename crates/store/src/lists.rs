//! Reading the imported lists for the compute step and for `explain`: schools, the registry of
//! a term (keyset paged), the department lists, and a person's rows across lists.

use crate::convert::{
    all, student_cols, term_seq, RawAdmission, RawAssistance, RawDisabled, RawPoor, RawSchool,
    RawStudent,
};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::rows::{PersonLists, Sourced, StoredStudent};
use crate::sql::placeholders;
use crate::Db;
use std::collections::HashMap;
use zizhu_domain::{
    AssistanceEntry, CollegeAdmission, DisabledPerson, ListKind, PoorHouseholdMember, School,
    StudentRecord, Term,
};

/// ID numbers per `IN (…)` list: far below both backends' bind limits, large enough to keep
/// the number of round trips small.
pub(crate) const IN_CHUNK: usize = 2_000;

/// Binds the filter's value as the third parameter when the read has one (`$3` in the SQL).
macro_rules! bind_kind {
    ($q:expr, $kind:expr) => {
        match $kind {
            Some((_, v)) => $q.bind(v),
            None => $q,
        }
    };
}

/// The rows of `sql` with `params`, read on SQLite straight off a pooled connection's handle.
pub(crate) async fn raw_rows<R: crate::raw_sqlite::FromRaw>(
    pool: &sqlx::SqlitePool,
    sql: &str,
    params: &[&(dyn rusqlite::ToSql + Sync)],
    op: &'static str,
) -> StoreResult<Vec<R>> {
    let mut conn = pool.acquire().await.ctx(op)?;
    let mut handle = conn.lock_handle().await.ctx(op)?;
    crate::raw_sqlite::read_rows(&mut handle, sql, params).ctx(op)
}

/// Rows per page when a whole department list is read.
const LIST_PAGE: i64 = 50_000;

macro_rules! poor_select {
    () => {
        "SELECT import_id, row_no, household_no, id_number, name, relation, status, exit_year, \
         township, village FROM poor_member"
    };
}
macro_rules! assistance_select {
    () => {
        "SELECT kind, import_id, row_no, id_number, name, area, valid_from, valid_to \
         FROM assistance"
    };
}
macro_rules! disabled_select {
    () => {
        "SELECT import_id, row_no, id_number, name, certificate_no, category, grade \
         FROM disabled_person"
    };
}
macro_rules! admission_select {
    () => {
        "SELECT import_id, row_no, id_number, name, exam_no, college, college_province, year \
         FROM college_admission"
    };
}

impl Db {
    /// The school list (学校), ordered by school code.
    pub async fn schools(&self) -> StoreResult<Vec<School>> {
        const SQL: &str = "SELECT code, name, kind, is_public, township, inclusive, \
            approval_level, area FROM school ORDER BY code";
        let raw: Vec<RawSchool> =
            db_run!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await).ctx("读取学校名单")?;
        all(raw)
    }

    /// One school by its code, if it is on the school list.
    pub async fn school(&self, code: &str) -> StoreResult<Option<School>> {
        const SQL: &str = "SELECT code, name, kind, is_public, township, inclusive, \
            approval_level, area FROM school WHERE code = $1";
        let raw: Vec<RawSchool> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(code)
            .fetch_all(pool)
            .await)
        .ctx("读取学校名单")?;
        Ok(all(raw)?.into_iter().next())
    }

    /// The schools `id_number` is enrolled at in `term` (for `explain`: one query instead of one
    /// per registry row).
    pub async fn schools_of(&self, term: Term, id_number: &str) -> StoreResult<Vec<School>> {
        const SQL: &str = "SELECT code, name, kind, is_public, township, inclusive, \
            approval_level, area FROM school WHERE code IN \
            (SELECT school_code FROM student WHERE term_seq = $1 AND id_number = $2) ORDER BY code";
        let raw: Vec<RawSchool> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .bind(id_number)
            .fetch_all(pool)
            .await)
        .ctx("读取学校名单")?;
        all(raw)
    }

    /// Up to `limit` registry rows of `term` with `key > after_key`, ordered by key. Start with
    /// `after_key = 0`; pass the last row's key to get the next page; an empty page is the end.
    pub async fn student_page(
        &self,
        term: Term,
        after_key: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredStudent>> {
        const SQL: &str = concat!(
            "SELECT ",
            student_cols!(),
            " FROM student WHERE term_seq = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        // On SQLite the page is read straight off the connection's handle (`raw_sqlite`).
        if let Db::Sqlite(pool) = self {
            let raw: Vec<RawStudent> = raw_rows(
                pool,
                SQL,
                &[&term_seq(term), &after_key, &limit],
                "读取学籍",
            )
            .await?;
            return all(raw);
        }
        let raw: Vec<RawStudent> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .bind(after_key)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .ctx("读取学籍")?;
        all(raw)
    }

    /// The registry of `term` in key order — each row's import batch, row number and record — in
    /// pages of up to `size` rows, read by a task of its own while the caller works on the page
    /// before (at most two pages wait in the channel).
    /// For compute: the class and major (班级, 专业) are left empty on both backends.
    /// On PostgreSQL one binary COPY streams the whole term (copy_out.rs); on SQLite the task
    /// reads keyset pages ([`Db::student_page`]). An error ends the pages; dropping the receiver
    /// stops the task.
    pub fn student_pages(
        &self,
        term: Term,
        size: usize,
    ) -> tokio::sync::mpsc::Receiver<StoreResult<Vec<Sourced<StudentRecord>>>> {
        let (send, recv) = tokio::sync::mpsc::channel(2);
        let db = self.clone();
        let size = size.max(1);
        tokio::spawn(async move {
            let done = match &db {
                Db::Postgres(pool) => {
                    let select = format!(
                        "SELECT {} FROM student WHERE term_seq = {} ORDER BY id",
                        crate::convert::COPY_STUDENT_COLS,
                        term_seq(term)
                    );
                    let pages = crate::copy_out::SendPages {
                        size,
                        convert: |r: crate::convert::CopyStudent| Ok(r.0),
                        page: Vec::with_capacity(size),
                        send: send.clone(),
                    };
                    crate::copy_out::each_row(pool, &select, "读取学籍", pages).await
                }
                Db::Sqlite(_) => {
                    let mut after = 0;
                    loop {
                        match db.student_page(term, after, size as i64).await {
                            Ok(page) => {
                                let Some(last) = page.last() else {
                                    break Ok(());
                                };
                                after = last.key;
                                let page = (page.into_iter())
                                    .map(|s| Sourced {
                                        import_id: s.import_id,
                                        row_no: s.row_no,
                                        record: StudentRecord {
                                            class: String::new(),
                                            major: String::new(),
                                            ..s.record
                                        },
                                    })
                                    .collect();
                                if send.send(Ok(page)).await.is_err() {
                                    break Ok(());
                                }
                            }
                            Err(e) => break Err(e),
                        }
                    }
                }
            };
            if let Err(e) = done {
                let _ = send.send(Err(e)).await;
            }
        });
        recv
    }

    /// Number of registry rows of `term`.
    pub async fn student_count(&self, term: Term) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM student WHERE term_seq = $1";
        db_run!(self, |pool| sqlx::query_scalar(SQL)
            .bind(term_seq(term))
            .fetch_one(pool)
            .await)
        .ctx("统计学籍")
    }

    /// The registry rows of one person in `term` (more than one when the registry has a
    /// duplicate), ordered by key.
    pub async fn students_for(
        &self,
        term: Term,
        id_number: &str,
    ) -> StoreResult<Vec<StoredStudent>> {
        const SQL: &str = concat!(
            "SELECT ",
            student_cols!(),
            " FROM student WHERE term_seq = $1 AND id_number = $2 ORDER BY id"
        );
        let raw: Vec<RawStudent> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(term_seq(term))
            .bind(id_number)
            .fetch_all(pool)
            .await)
        .ctx("读取学籍")?;
        all(raw)
    }

    /// For each ID number in `ids`, its registry row of the newest term not after `up_to`
    /// (the first row of that term's file if it appears twice). IDs with no such row are absent.
    /// Any number of IDs: they are queried in chunks.
    pub async fn latest_student_records(
        &self,
        ids: &[String],
        up_to: Term,
    ) -> StoreResult<HashMap<String, StoredStudent>> {
        let mut out = HashMap::with_capacity(ids.len());
        let p = self.params();
        for chunk in ids.chunks(IN_CHUNK) {
            let sql = format!(
                concat!(
                    "SELECT ",
                    student_cols!(),
                    " FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.id_number \
                     ORDER BY s.term_seq DESC, s.id ASC) AS rn FROM student s \
                     WHERE s.term_seq <= {} AND s.id_number IN {}) latest WHERE rn = 1"
                ),
                p.nth(1),
                placeholders(p, 2, chunk.len())
            );
            let raw: Vec<RawStudent> = db_run!(self, |pool| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(term_seq(up_to));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(pool).await
            })
            .ctx("读取最近学籍")?;
            for r in raw {
                let s = StoredStudent::try_from(r)?;
                out.insert(s.record.id.as_str().to_string(), s);
            }
        }
        Ok(out)
    }

    /// ID numbers of the registry rows of `term` with `status` (e.g. the suspended of a term).
    pub async fn ids_with_status(
        &self,
        term: Term,
        status: zizhu_domain::Status,
    ) -> StoreResult<std::collections::HashSet<String>> {
        const SQL: &str = "SELECT id_number FROM student WHERE term_seq = $1 AND status = $2";
        let ids: Vec<String> = db_run!(self, |pool| sqlx::query_scalar(SQL)
            .bind(term_seq(term))
            .bind(status.key())
            .fetch_all(pool)
            .await)
        .ctx("读取学籍")?;
        Ok(ids.into_iter().collect())
    }

    /// The registered-poor household members (建档立卡), in file order.
    pub async fn poor_members(&self) -> StoreResult<Vec<Sourced<PoorHouseholdMember>>> {
        let mut out = Vec::new();
        self.each_poor_member(|p| out.push(p)).await?;
        Ok(out)
    }

    /// Hands each registered-poor household member to `f`, in file order, a page at a time (a
    /// caller that keeps less than the whole row never holds the whole list).
    pub async fn each_poor_member(
        &self,
        f: impl FnMut(Sourced<PoorHouseholdMember>) + Send,
    ) -> StoreResult<()> {
        const COLS: &str = "import_id, row_no, household_no, id_number, name, relation, status, \
            exit_year, township, village";
        self.read_list(
            "poor_member",
            COLS,
            None,
            "读取建档立卡名单",
            |r: RawPoor| r.try_into(),
            f,
        )
        .await
    }

    /// The rows of one assistance list (低保, 特困供养 or 城镇困难家庭), in file order.
    ///
    /// Errors: [`StoreError::Invalid`] for any other `kind`.
    pub async fn assistance(&self, kind: ListKind) -> StoreResult<Vec<Sourced<AssistanceEntry>>> {
        let mut out = Vec::new();
        self.each_assistance(kind, |e| out.push(e)).await?;
        Ok(out)
    }

    /// Hands each row of one assistance list to `f`, in file order (see [`Db::each_poor_member`]).
    ///
    /// Errors: [`StoreError::Invalid`] for a `kind` that is not an assistance list.
    pub async fn each_assistance(
        &self,
        kind: ListKind,
        f: impl FnMut(Sourced<AssistanceEntry>) + Send,
    ) -> StoreResult<()> {
        if !matches!(
            kind,
            ListKind::Dibao | ListKind::Tekun | ListKind::UrbanHardship
        ) {
            return Err(StoreError::Invalid(format!("{}不是救助名单", kind.zh())));
        }
        const COLS: &str = "kind, import_id, row_no, id_number, name, area, valid_from, valid_to";
        self.read_list(
            "assistance",
            COLS,
            Some(("kind", kind.key())),
            "读取救助名单",
            |r: RawAssistance| r.convert().map(|(_, s)| s),
            f,
        )
        .await
    }

    /// The disabled persons (残疾人), in file order.
    pub async fn disabled(&self) -> StoreResult<Vec<Sourced<DisabledPerson>>> {
        let mut out = Vec::new();
        self.each_disabled(|d| out.push(d)).await?;
        Ok(out)
    }

    /// Hands each disabled person to `f`, in file order (see [`Db::each_poor_member`]).
    pub async fn each_disabled(
        &self,
        f: impl FnMut(Sourced<DisabledPerson>) + Send,
    ) -> StoreResult<()> {
        const COLS: &str = "import_id, row_no, id_number, name, certificate_no, category, grade";
        self.read_list(
            "disabled_person",
            COLS,
            None,
            "读取残疾人名单",
            |r: RawDisabled| r.try_into(),
            f,
        )
        .await
    }

    /// Every row of the list `table` (only those whose `filter` column has the filter's value,
    /// when given), in id order, read in
    /// keyset pages of [`LIST_PAGE`] rows, converted and handed to `visit` page by page: a
    /// province's list of millions is never held as text or raw rows. On SQLite a page comes
    /// back as one JSON value (see [`Db::student_page`]).
    pub(crate) async fn read_list<R, T>(
        &self,
        table: &str,
        cols: &str,
        kind: Option<(&str, &str)>,
        op: &'static str,
        convert: impl Fn(R) -> StoreResult<T> + Send + Sync + 'static,
        mut visit: impl FnMut(T) + Send,
    ) -> StoreResult<()>
    where
        R: crate::raw_sqlite::FromRaw
            + crate::copy_out::FromCopy
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin
            + 'static,
        T: Send + 'static,
    {
        // PostgreSQL streams the whole list in one binary COPY (copy_out.rs), decoded and
        // converted by a task of its own a page at a time while `visit` takes the page before:
        // at province scale the caller's own work (building an index) and the decoding each
        // take most of a core (BENCHMARKS.md).
        if let Db::Postgres(pool) = self {
            let filter = match kind {
                Some((col, v)) if crate::copy_out::plain_key(v) => format!(" WHERE {col} = '{v}'"),
                Some((_, v)) => return Err(StoreError::Invalid(format!("名单类别无效：{v}"))),
                None => String::new(),
            };
            let select = format!("SELECT {cols} FROM {table}{filter} ORDER BY id");
            const PAGE: usize = 10_000;
            let (send, mut pages) = tokio::sync::mpsc::channel(2);
            let pool = pool.clone();
            let reader = tokio::spawn(async move {
                let each = crate::copy_out::SendPages {
                    size: PAGE,
                    convert,
                    page: Vec::with_capacity(PAGE),
                    send: send.clone(),
                };
                if let Err(e) = crate::copy_out::each_row(&pool, &select, op, each).await {
                    let _ = send.send(Err(e)).await;
                }
            });
            while let Some(page) = pages.recv().await {
                page?.into_iter().for_each(&mut visit);
            }
            // The channel closes when the task ends; a task that died midway must not pass
            // for the end of the list.
            return reader
                .await
                .map_err(|e| StoreError::Corrupt(format!("{op}：读取任务意外中止（{e}）")));
        }
        // Our own column names only.
        let filter = kind.map_or(String::new(), |(col, _)| format!(" AND {col} = $3"));
        // The last id of the next page, then the page up to it.
        let bound = format!(
            "SELECT MAX(id) FROM (SELECT id FROM {table} WHERE id > $1{filter} ORDER BY id \
             LIMIT $2) page"
        );
        let rows =
            format!("SELECT {cols} FROM {table} WHERE id > $1 AND id <= $2{filter} ORDER BY id");
        let mut after = 0i64;
        loop {
            let upto: Option<i64> = db_run!(self, |pool| {
                let q = sqlx::query_scalar(sqlx::AssertSqlSafe(bound.clone()))
                    .bind(after)
                    .bind(LIST_PAGE);
                let q = bind_kind!(q, kind);
                q.fetch_one(pool).await
            })
            .ctx(op)?;
            let Some(upto) = upto else { break };
            let raw: Vec<R> = match self {
                Db::Sqlite(pool) => match kind {
                    Some((_, v)) => raw_rows(pool, &rows, &[&after, &upto, &v], op).await?,
                    None => raw_rows(pool, &rows, &[&after, &upto], op).await?,
                },
                Db::Postgres(pool) => {
                    let q = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(rows.clone()))
                        .bind(after)
                        .bind(upto);
                    let q = bind_kind!(q, kind);
                    q.fetch_all(pool).await.ctx(op)?
                }
            };
            for r in raw {
                visit(convert(r)?);
            }
            after = upto;
        }
        Ok(())
    }

    /// The college admissions (高考录取) of `year`, in file order.
    pub async fn admissions(&self, year: i32) -> StoreResult<Vec<Sourced<CollegeAdmission>>> {
        const SQL: &str = concat!(admission_select!(), " WHERE year = $1 ORDER BY id");
        let raw: Vec<RawAdmission> = db_run!(self, |pool| sqlx::query_as(SQL)
            .bind(i64::from(year))
            .fetch_all(pool)
            .await)
        .ctx("读取高考录取名单")?;
        all(raw)
    }

    /// Every department-list row that mentions `id_number` (for `explain`).
    pub async fn list_rows_for(&self, id_number: &str) -> StoreResult<PersonLists> {
        const POOR: &str = concat!(poor_select!(), " WHERE id_number = $1 ORDER BY id");
        const ASSIST: &str = concat!(assistance_select!(), " WHERE id_number = $1 ORDER BY id");
        const DISABLED: &str = concat!(disabled_select!(), " WHERE id_number = $1 ORDER BY id");
        const ADMISSION: &str = concat!(admission_select!(), " WHERE id_number = $1 ORDER BY id");
        let op = "读取名单记录";
        // Four independent reads, run side by side on the pool's connections.
        let (poor, assist, disabled, admissions) = tokio::try_join!(
            async {
                db_run!(self, |p| sqlx::query_as::<_, RawPoor>(POOR)
                    .bind(id_number)
                    .fetch_all(p)
                    .await)
                .ctx(op)
            },
            async {
                db_run!(self, |p| sqlx::query_as::<_, RawAssistance>(ASSIST)
                    .bind(id_number)
                    .fetch_all(p)
                    .await)
                .ctx(op)
            },
            async {
                db_run!(self, |p| sqlx::query_as::<_, RawDisabled>(DISABLED)
                    .bind(id_number)
                    .fetch_all(p)
                    .await)
                .ctx(op)
            },
            async {
                db_run!(self, |p| sqlx::query_as::<_, RawAdmission>(ADMISSION)
                    .bind(id_number)
                    .fetch_all(p)
                    .await)
                .ctx(op)
            },
        )?;
        Ok(PersonLists {
            poor_members: all(poor)?,
            assistance: assist
                .into_iter()
                .map(RawAssistance::convert)
                .collect::<StoreResult<_>>()?,
            disabled: all(disabled)?,
            admissions: all(admissions)?,
        })
    }
}
