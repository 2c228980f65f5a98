//! Test support: the three backends, synthetic ID numbers and records, import helpers.

use chrono::{Days, NaiveDate};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use zizhu_domain::ids::check_char;
use zizhu_domain::{
    ApprovalLevel, Area, AssistanceEntry, CollegeAdmission, Difficulty, DisabledPerson, IdNumber,
    ListKind, ListRecord, PoorHouseholdMember, PovertyStatus, School, SchoolKind, Season, Sex,
    Status, StudentRecord, Term,
};
use zizhu_store::{Db, ImportMeta};

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs `story` on a fresh, migrated `sqlite::memory:` database.
pub async fn on_memory<F, Fut>(story: F) -> TestResult
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = TestResult>,
{
    let db = Db::connect("sqlite::memory:").await?;
    db.migrate().await?;
    story(db).await
}

/// Runs `story` on a fresh, migrated SQLite file in a temporary folder.
pub async fn on_file<F, Fut>(story: F) -> TestResult
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = TestResult>,
{
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sub-zizhu.db");
    let db = Db::connect(&format!("sqlite:{}", path.display())).await?;
    db.migrate().await?;
    let result = story(db.clone()).await;
    db.close().await;
    assert!(path.exists(), "the database file was created");
    result
}

/// Runs `story` on PostgreSQL in a schema of its own when `ZIZHU_TEST_PG_URL` is set (passes
/// silently otherwise). The story runs in a spawned task so that a failed assertion still
/// lets the schema be dropped.
pub async fn on_postgres<F, Fut>(story: F) -> TestResult
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let Ok(base) = std::env::var("ZIZHU_TEST_PG_URL") else {
        pg_skipped();
        return Ok(());
    };
    let (admin, schema, url) = pg_schema(&base).await?;
    let outcome = async {
        let db = Db::connect(&url).await?;
        assert_eq!(db.backend(), "postgres");
        db.migrate().await?;
        let joined = tokio::spawn(story(db.clone())).await;
        db.close().await;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(joined)
    }
    .await;
    drop_pg_schema(admin, &schema).await?;
    match outcome? {
        Ok(result) => result,
        Err(join) => std::panic::resume_unwind(join.into_panic()),
    }
}

/// A new, empty schema on the test server at `base`: (a pool to drop it with, its name, a URL
/// whose search path is that schema).
pub async fn pg_schema(
    base: &str,
) -> Result<(sqlx::PgPool, String, String), Box<dyn std::error::Error + Send + Sync>> {
    let schema = unique_schema_name();
    let admin = sqlx::PgPool::connect(base).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await?;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Ok((admin, schema, url))
}

/// Drops a schema made by [`pg_schema`] and closes its pool.
pub async fn drop_pg_schema(admin: sqlx::PgPool, schema: &str) -> TestResult {
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(())
}

/// Says once per test binary, on the terminal (not captured by the test harness), that the
/// PostgreSQL half of the suite did not run.
pub fn pg_skipped() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        let _ = std::io::stderr().write_all(
            "\n注意：未设置 ZIZHU_TEST_PG_URL，PostgreSQL 部分的测试没有运行（只测了 SQLite）。\n\
             NOTE: ZIZHU_TEST_PG_URL is not set: the PostgreSQL suite was NOT run.\n"
                .as_bytes(),
        );
    });
}

fn unique_schema_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "zizhu_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn autumn(year: i32) -> Term {
    Term::new(year, Season::Autumn)
}

pub fn spring(year: i32) -> Term {
    Term::new(year, Season::Spring)
}

/// A synthetic resident ID number, unique per `n` (< 36 500 000): county 360124, birth date
/// 2005-01-01 + n/1000 days, sequence n%1000, MOD 11-2 check character.
pub fn id(n: u32) -> IdNumber {
    let birth = NaiveDate::from_ymd_opt(2005, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(n / 1000))))
        .expect("birth date in range");
    let first17 = format!("360124{}{:03}", birth.format("%Y%m%d"), n % 1000);
    let check = check_char(&first17).expect("17 digits");
    let (parsed, _warnings) =
        IdNumber::parse(&format!("{first17}{check}")).expect("valid synthetic ID");
    parsed
}

/// The ID string of [`id`].
pub fn ids(n: u32) -> String {
    id(n).as_str().to_string()
}

pub fn school(code: &str, name: &str, township: &str) -> School {
    School {
        code: code.into(),
        name: name.into(),
        kind: SchoolKind::Junior,
        public: true,
        township: township.into(),
        inclusive: false,
        approval_level: ApprovalLevel::None,
        area: Some(Area::Rural),
    }
}

/// A student with every optional field exercised somewhere: `n.is_multiple_of(3)` has no hukou,
/// `n.is_multiple_of(4)` no birth date, `n.is_multiple_of(7)` no sex.
pub fn student(n: u32, school_code: &str) -> StudentRecord {
    let id = id(n);
    StudentRecord {
        name: format!("测试学生{n}"),
        student_no: format!("G{}", id.as_str()),
        school_code: school_code.into(),
        grade: 7 + (n % 3) as u8,
        class: format!("{}班", n % 4 + 1),
        boarding: n.is_multiple_of(2),
        special_class: n.is_multiple_of(5),
        regular_class_inclusion: n.is_multiple_of(6),
        hukou: if n.is_multiple_of(3) {
            None
        } else {
            Some(Area::Rural)
        },
        major: String::new(),
        agri_major: n.is_multiple_of(8),
        full_time: true,
        status: Status::Enrolled,
        difficulty: if n.is_multiple_of(2) {
            Difficulty::Special
        } else {
            Difficulty::NotDifficult
        },
        birth_date: if n.is_multiple_of(4) {
            None
        } else {
            id.birth_date()
        },
        sex: if n.is_multiple_of(7) {
            None
        } else {
            Some(Sex::Female)
        },
        id,
    }
}

pub fn poor(n: u32) -> PoorHouseholdMember {
    PoorHouseholdMember {
        household_no: format!("HH{n:05}"),
        id: id(n),
        name: format!("测试成员{n}"),
        relation: "之子".into(),
        status: PovertyStatus::Exited,
        exit_year: Some(2019),
        township: "测试镇".into(),
        village: "一村".into(),
    }
}

pub fn assistance(n: u32, area: Area) -> AssistanceEntry {
    AssistanceEntry {
        id: id(n),
        name: format!("测试救助{n}"),
        area,
        valid_from: NaiveDate::from_ymd_opt(2023, 1, 1),
        valid_to: None,
    }
}

pub fn disabled(n: u32) -> DisabledPerson {
    let id = id(n);
    DisabledPerson {
        certificate_no: format!("{}11", id.as_str()),
        id,
        name: format!("测试残疾{n}"),
        category: "肢体".into(),
        grade: Some(3),
    }
}

pub fn admission(n: u32, year: i32) -> CollegeAdmission {
    CollegeAdmission {
        id: id(n),
        name: format!("测试考生{n}"),
        exam_no: format!("{year}36{n:08}"),
        college: "测试大学".into(),
        college_province: "江西省".into(),
        year,
    }
}

pub fn meta(kind: ListKind, file: &str, term: Option<Term>) -> ImportMeta {
    ImportMeta {
        origin: None,
        kind,
        file_name: file.into(),
        sha256: format!("sha-of-{file}"),
        term,
        actor: "tester".into(),
    }
}

/// Imports `records` (numbered from row 2, as under a header line) as one committed file;
/// returns the import id.
pub async fn import(
    db: &Db,
    meta: ImportMeta,
    records: Vec<ListRecord>,
) -> Result<i64, zizhu_store::StoreError> {
    let rows: Vec<(usize, ListRecord)> = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .collect();
    let mut tx = db.begin_import(&meta).await?;
    tx.insert_batch(&rows).await?;
    let n = rows.len() as i64;
    tx.commit(n, 0).await
}

/// Imports students `ns` of one school into `term`.
pub async fn import_students(
    db: &Db,
    term: Term,
    ns: &[u32],
    school_code: &str,
) -> Result<i64, zizhu_store::StoreError> {
    let records = ns
        .iter()
        .map(|&n| ListRecord::Student(student(n, school_code)))
        .collect();
    import(
        db,
        meta(
            ListKind::Students,
            &format!("students-{term}.csv"),
            Some(term),
        ),
        records,
    )
    .await
}
