//! A database made by an older zizhu keeps its data through the newer migrations: here one at
//! schema version 2 (before 0003 rebuilt the result tables on SQLite and changed their keys).

use crate::support::*;
use std::path::Path;
use zizhu_store::Db;

/// Rows of every table 0003 touches, written with the version-2 schema (same SQL on both).
const OLD_ROWS: &[&str] = &[
    "INSERT INTO import_batch (id, kind, file_name, sha256, term, actor, imported_at, row_count) \
     VALUES (1, 'students', 'a.csv', 'abc', '2023-autumn', '导入员', '2023-09-01T08:00:00+00:00', 2)",
    "INSERT INTO student (import_id, row_no, term, term_seq, id_number, name, student_no, \
     school_code, grade, class_name, boarding, special_class, regular_class_inclusion, hukou, major, \
     agri_major, full_time, status, difficulty, birth_date, sex) VALUES (1, 2, '2023-autumn', 4047, \
     '360731201001010012', '测试学生', 'G1', 'S1', 3, '1班', false, false, false, 'rural', '', \
     false, true, 'enrolled', 'not_difficult', '2010-01-01', 'male')",
    "INSERT INTO compute_run (id, term, term_seq, policy_id, policy_version, policy_sha256, actor, \
     started_at, finished_at) VALUES (1, '2023-autumn', 4047, 'p', 'v', 's', '计算员', \
     '2023-09-02T08:00:00+00:00', '2023-09-02T08:01:00+00:00')",
    "INSERT INTO category (run_id, term, term_seq, id_number, category, list_kind, import_id, \
     row_no, detail) VALUES (1, '2023-autumn', 4047, '360731201001010012', 'school_recognized', \
     'students', 1, 2, '特别困难')",
    "INSERT INTO entitlement (run_id, term, term_seq, id_number, name, student_no, school_code, \
     program, program_name, clause, amount_fen, payee, facts) VALUES (1, '2023-autumn', 4047, \
     '360731201001010012', '测试学生', 'G1', 'S1', 'p', '名称', '二(一)2', 62500, 'guardian', '{}')",
    "INSERT INTO quality_issue (run_id, term, term_seq, code, id_number, school_code, source, \
     detail) VALUES (1, '2023-autumn', 4047, 'Q1', NULL, 'S1', 'students', '说明')",
];

/// The migration files of `backend` up to version 2, copied into `dir`.
fn old_migrations(backend: &str, dir: &Path) -> std::io::Result<()> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("0001_") || name.starts_with("0002_") {
            std::fs::copy(entry.path(), dir.join(&name))?;
        }
    }
    Ok(())
}

/// After the upgrade: every row is there, references check out, the unique key still holds.
async fn check_upgraded(db: &Db) -> TestResult {
    let term = autumn(2023);
    let lines = db.entitlements(term, 0, 10).await?;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].amount_fen, 62_500);
    assert_eq!(
        db.categories_for(term, "360731201001010012").await?.len(),
        1
    );
    assert_eq!(db.quality_issues(term).await?.len(), 1);
    assert_eq!(db.student_page(term, 0, 10).await?.len(), 1);
    assert_eq!(db.dangling_references().await?, vec![]);

    // Computing the migrated term again replaces its lines (on PostgreSQL the term's partition
    // made by 0020 is dropped and the run's own attached); a new term gets a partition of its own
    // and leaves the older one as it is.
    let again = crate::compute::run(
        db,
        crate::compute::run_meta(term, "v2"),
        &[],
        &[crate::compute::line(
            2,
            "S1",
            "boarding_living_subsidy",
            62_500,
        )],
        &[],
    )
    .await?;
    let lines = db.entitlements(term, 0, 10).await?;
    assert_eq!(
        lines.iter().map(|l| l.run_id).collect::<Vec<_>>(),
        vec![again]
    );
    assert_eq!(db.quality_issues(term).await?.len(), 0);
    let spring = spring(2024);
    crate::compute::run(
        db,
        crate::compute::run_meta(spring, "v1"),
        &[],
        &[crate::compute::line(3, "S1", "boarding_living_subsidy", 1)],
        &[],
    )
    .await?;
    assert_eq!(db.entitlements(term, 0, 10).await?, lines);
    assert_eq!(db.entitlements(spring, 0, 10).await?.len(), 1);
    assert_eq!(db.dangling_references().await?, vec![]);
    Ok(())
}

#[tokio::test]
async fn a_version_2_sqlite_database_keeps_its_results_through_0003() -> TestResult {
    let dir = tempfile::tempdir()?;
    let old = tempfile::tempdir()?;
    old_migrations("sqlite", old.path())?;
    let url = format!("sqlite:{}", dir.path().join("old.db").display());
    {
        let opts: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        let pool = sqlx::SqlitePool::connect_with(opts.create_if_missing(true)).await?;
        sqlx::migrate::Migrator::new(old.path())
            .await?
            .run(&pool)
            .await?;
        for sql in OLD_ROWS {
            sqlx::query(*sql).execute(&pool).await?;
        }
        pool.close().await;
    }
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    check_upgraded(&db).await?;
    db.close().await;
    Ok(())
}

#[tokio::test]
async fn a_version_2_postgres_database_keeps_its_results_through_0003() -> TestResult {
    let Ok(base) = std::env::var("ZIZHU_TEST_PG_URL") else {
        pg_skipped();
        return Ok(());
    };
    let old = tempfile::tempdir()?;
    old_migrations("postgres", old.path())?;
    let (admin, schema, url) = pg_schema(&base).await?;
    let outcome: TestResult = async {
        let pool = sqlx::PgPool::connect(&url).await?;
        sqlx::migrate::Migrator::new(old.path())
            .await?
            .run(&pool)
            .await?;
        for sql in OLD_ROWS {
            sqlx::query(*sql).execute(&pool).await?;
        }
        // The old rows give their ids; a database that made them itself has its sequences past them.
        for table in ["import_batch", "compute_run"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )))
            .execute(&pool)
            .await?;
        }
        pool.close().await;
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        let checked = check_upgraded(&db).await;
        db.close().await;
        checked
    }
    .await;
    drop_pg_schema(admin, &schema).await?;
    outcome
}

/// A person's roster lines are found through the person's index, not by reading the whole
/// term: with the term's text in the unique key, SQLite (no statistics) chose the term's index
/// and explain took 0.7 s at 10 M students.
#[tokio::test]
async fn a_persons_roster_lines_are_read_through_the_person_index() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("plan.db").display());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    db.close().await;
    let opts: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
    let pool = sqlx::SqlitePool::connect_with(opts).await?;
    for sql in [
        "EXPLAIN QUERY PLAN SELECT id FROM entitlement WHERE term_seq = 4047 AND id_number = 'x'",
        "EXPLAIN QUERY PLAN SELECT DISTINCT program FROM entitlement WHERE id_number = 'x' \
         AND term_seq < 4047",
        "EXPLAIN QUERY PLAN SELECT id FROM category WHERE term_seq = 4047 AND id_number = 'x'",
    ] {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sql).fetch_all(&pool).await?;
        let plan: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
        assert!(
            plan.iter().any(|p| p.contains("id_number=?")),
            "{sql}: {plan:?}"
        );
    }
    pool.close().await;
    Ok(())
}
