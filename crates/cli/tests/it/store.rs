//! Moving a county's database: `zizhu backup` / `zizhu restore` through a SQLite file, and
//! `zizhu migrate-store` to PostgreSQL, where `zizhu compute` then gives the identical roster.

use crate::common::{demo, run, stderr, stdout};
use zizhu_domain::{Season, Term};
use zizhu_store::{Db, EntitlementRow};

/// Every roster line of a term, without the ids of the run that made it.
async fn roster(url: &str, term: Term) -> Vec<(String, String, i64, String, String, String)> {
    let db = Db::connect(url).await.unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page: Vec<EntitlementRow> = db
            .entitlements(term, after, 10_000)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let Some(last) = page.last() else { break };
        after = last.key;
        out.extend(page.into_iter().map(|e| {
            (
                e.id_number,
                e.program,
                e.amount_fen,
                e.clause,
                e.payee,
                e.facts,
            )
        }));
    }
    db.close().await;
    out.sort();
    out
}

async fn checksums(url: &str) -> Vec<zizhu_store::TableCopy> {
    let db = Db::connect(url).await.unwrap_or_else(|e| panic!("{e}"));
    let c = db.table_checksums().await.unwrap_or_else(|e| panic!("{e}"));
    db.close().await;
    c
}

#[tokio::test]
async fn backup_and_restore_give_the_same_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let url = demo(tmp.path(), 1200);
    let before = checksums(&url).await;
    let file = tmp.path().join("备份.db");
    let f = file.to_str().unwrap();
    let o = run(&["backup", f, "--database", &url], tmp.path());
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("已备份并校验"), "{}", stdout(&o));
    // Never overwrites.
    let again = run(&["backup", f, "--database", &url], tmp.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("已存在"), "{}", stderr(&again));

    let restored = format!("sqlite:{}", tmp.path().join("restored.db").display());
    let o = run(&["restore", f, "--database", &restored], tmp.path());
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    // Same tables as the original at the time of the backup; the restore then adds its own
    // audit entry, and the original one for the backup.
    let after: Vec<_> = checksums(&restored)
        .await
        .into_iter()
        .filter(|t| t.table != "audit_log")
        .collect();
    let want: Vec<_> = before
        .iter()
        .filter(|t| t.table != "audit_log")
        .cloned()
        .collect();
    assert_eq!(after, want);
    let term = Term::new(2023, Season::Autumn);
    assert_eq!(roster(&restored, term).await, roster(&url, term).await);

    // The file is private, and a name with URL characters is just a file name.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let odd = tmp.path().join("b?mode=memory.db");
    let o = run(
        &["backup", odd.to_str().unwrap(), "--database", &url],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(odd.is_file());
    // Something that is not a zizhu backup is refused, and left as it was.
    let other = tmp.path().join("empty.db");
    std::fs::write(&other, b"").unwrap();
    let o = run(
        &[
            "restore",
            other.to_str().unwrap(),
            "--database",
            "sqlite:r2.db",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不是完整的 zizhu"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&other).unwrap().len(), 0);
    // A source that does not exist is not "backed up" as an empty database.
    let o = run(
        &["backup", "x.db", "--database", "sqlite:no-such.db"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不存在"), "{}", stderr(&o));
    assert!(!tmp.path().join("no-such.db").exists());
    assert!(!tmp.path().join("x.db").exists());

    // A database that already holds data is refused.
    let o = run(&["restore", f, "--database", &restored], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("目标数据库不是空的"), "{}", stderr(&o));

    // A source with a row naming an import batch that does not exist is refused before any
    // target is made: no backup file, no migrated copy.
    let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    sqlx::query("UPDATE student SET import_id = 999999 WHERE id = (SELECT MIN(id) FROM student)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let orphan_backup = tmp.path().join("orphan.db");
    let o = run(
        &[
            "backup",
            orphan_backup.to_str().unwrap(),
            "--database",
            &url,
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("学籍引用了不存在的导入批次（1 行）"),
        "{}",
        stderr(&o)
    );
    assert!(!orphan_backup.exists());
    let target = tmp.path().join("copy.db");
    let to = format!("sqlite:{}", target.display());
    let o = run(&["migrate-store", "--from", &url, "--to", &to], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!target.exists(), "a refused copy leaves no target file");
}

#[tokio::test]
async fn the_demo_moves_to_postgresql_and_computes_the_same_roster() {
    let Ok(base) = std::env::var("ZIZHU_TEST_PG_URL") else {
        crate::support_pg_skipped();
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let url = demo(tmp.path(), 1200);
    let schema = format!("zizhu_cli_migrate_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let pg = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let dir = tmp.path().to_path_buf();
    let pg2 = pg.clone();
    // In a task of its own, so that a failed assertion still lets the schema be dropped.
    let result = tokio::spawn(async move {
        let o = run(&["migrate-store", "--from", &url, "--to", &pg2], &dir);
        assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("已迁移并校验"), "{}", stdout(&o));
        // Spring: the demo pays autumn, and a locked term is never recomputed.
        let term = Term::new(2023, Season::Spring);
        let copied = roster(&pg2, term).await;
        assert!(!copied.is_empty());
        assert_eq!(copied, roster(&url, term).await);
        // Recomputed on PostgreSQL: the identical roster.
        let o = run(
            &["compute", "--term", "2023-spring", "--database", &pg2],
            &dir,
        );
        assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
        assert_eq!(roster(&pg2, term).await, roster(&url, term).await);
    })
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `zizhu.toml` in the current folder names the database; `--database` wins over it; the demo
/// never writes sample data into the configured database; a misspelt setting is refused.
#[test]
fn the_config_file_names_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("zizhu.toml"),
        "database = \"sqlite:configured.db\"\nactor = \"县资助中心\"\n",
    )
    .unwrap();
    let o = run(&["imports"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("configured.db").exists());
    let o = run(&["imports", "--database", "sqlite:given.db"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("given.db").exists());
    let o = run(&["demo", "--students", "300", "--dir", "demo"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("demo").join("zizhu.db").exists());
    let o = run(&["imports"], d);
    assert!(stdout(&o).contains("共 0 次导入"), "{}", stdout(&o));

    std::fs::write(
        d.join("bad.toml"),
        "actor = \"x\"\ndatabse = \"sqlite:a.db\"\n",
    )
    .unwrap();
    let o = run(&["--config", "bad.toml", "imports"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("第2行"), "{}", stderr(&o));
    assert!(!d.join("a.db").exists());
}

/// What the user typed comes back in an error without its control characters: an escape
/// sequence in an ID must not reach the terminal.
#[test]
fn errors_do_not_echo_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "explain",
            "\u{1b}]0;x\u{7}",
            "--term",
            "2023-autumn",
            "--database",
            "sqlite:e.db",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("身份证件号无效"), "{err}");
}
