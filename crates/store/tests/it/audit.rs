//! The audit log is append-only: entries come from `Db::audit` and from committed imports and
//! runs; UPDATE, DELETE (and on PostgreSQL TRUNCATE) are rejected by triggers.

use crate::support::*;
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::{Db, RunMeta, RunSummary};

story!(audit_append_only);

/// Runs raw SQL outside the store's API, as someone tampering with the database would.
async fn raw(db: &Db, sql: &'static str) -> Result<u64, sqlx::Error> {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
    }
}

async fn audit_append_only(db: &Db) -> TestResult {
    let login = db.audit("张老师", "login", "web", "登录").await?;
    let import_id = import(
        db,
        meta(ListKind::Disabled, "dis.csv", None),
        vec![ListRecord::Disabled(disabled(1))],
    )
    .await?;
    let run_meta = RunMeta {
        origin: None,
        term: autumn(2023),
        policy_id: "p".into(),
        policy_version: "1".into(),
        policy_sha256: "abc".into(),
        actor: "李主任".into(),
    };
    let mut tx = db.begin_compute(&run_meta).await?;
    tx.audit("approve", "2023-autumn", "审核通过").await?;
    let run_id = tx
        .commit(RunSummary {
            students: 3,
            entitlements: 0,
            total_fen: 31_250,
        })
        .await?;

    let entries = db.audit_entries(10).await?;
    let got: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("李主任", "compute", "2023-autumn"),
            ("李主任", "approve", "2023-autumn"),
            ("tester", "import", "disabled:dis.csv"),
            ("张老师", "login", "web"),
        ],
        "newest first"
    );
    assert_eq!(entries[3].id, login);
    assert_eq!(
        entries[0].detail,
        format!("计算2023年秋季学期资助名单，批次 {run_id}，政策 p 1（SHA-256 abc），3 名学生，0 条资助，合计 312.50 元")
    );
    assert_eq!(
        entries[2].detail,
        format!("导入残疾人名单，批次 {import_id}，1 行，0 条警告，SHA-256 sha-of-dis.csv")
    );
    assert!(entries.windows(2).all(|w| w[0].at >= w[1].at));
    assert_eq!(db.audit_entries(2).await?.len(), 2);

    // Tampering fails and changes nothing.
    assert!(raw(db, "UPDATE audit_log SET detail = 'forged'")
        .await
        .is_err());
    assert!(raw(
        db,
        "UPDATE audit_log SET actor = 'x' WHERE action = 'login'"
    )
    .await
    .is_err());
    assert!(raw(db, "DELETE FROM audit_log").await.is_err());
    assert!(raw(db, "DELETE FROM audit_log WHERE action = 'login'")
        .await
        .is_err());
    if db.backend() == "postgres" {
        assert!(raw(db, "TRUNCATE audit_log").await.is_err());
    }
    assert_eq!(db.audit_entries(10).await?, entries);
    // Other tables stay writable (the triggers are on audit_log only).
    assert_eq!(raw(db, "UPDATE school SET name = name").await?, 0);
    Ok(())
}
