//! Two imports of the same list, or two computes of the same term, started at once: the stored
//! result is one of them entirely, never a mix (issue 3). On PostgreSQL the second waits on an
//! advisory lock; on SQLite `BEGIN IMMEDIATE` admits one writer at a time. The
//! (term, person, program) uniqueness of roster lines is a database constraint (see
//! `compute::unique_entitlement`).

use crate::compute::{line, run_meta};
use crate::support::*;
use std::collections::BTreeSet;
use std::time::Duration;
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::{Db, RunSummary, StoreError};

story!(
    concurrent_imports_do_not_mix,
    concurrent_computes_do_not_mix
);

/// A shared database only: `sqlite::memory:` is one connection, which a compute's open run
/// holds, so nothing else can read or write it meanwhile.
mod an_import_waits_for_a_running_compute {
    #[tokio::test]
    async fn sqlite_file() -> crate::support::TestResult {
        crate::support::on_file(|db| async move {
            super::an_import_waits_for_a_running_compute(&db).await
        })
        .await
    }
    #[tokio::test]
    async fn postgres() -> crate::support::TestResult {
        crate::support::on_postgres(|db| async move {
            super::an_import_waits_for_a_running_compute(&db).await
        })
        .await
    }
}

/// Imports students `ns` in batches of 10, pausing between batches so that the other import
/// gets to run in between.
async fn slow_import(db: &Db, ns: Vec<u32>, file: &str) -> Result<i64, StoreError> {
    let term = autumn(2023);
    let mut tx = db
        .begin_import(&meta(ListKind::Students, file, Some(term)))
        .await?;
    let rows: Vec<(usize, ListRecord)> = ns
        .iter()
        .enumerate()
        .map(|(i, &n)| (i + 2, ListRecord::Student(student(n, "S1"))))
        .collect();
    for chunk in rows.chunks(10) {
        tx.insert_batch(chunk).await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tx.commit(rows.len() as i64, 0).await
}

async fn stored_people(db: &Db) -> Result<BTreeSet<String>, StoreError> {
    Ok(db
        .student_page(autumn(2023), 0, 10_000)
        .await?
        .into_iter()
        .map(|s| s.record.id.as_str().to_string())
        .collect())
}

async fn concurrent_imports_do_not_mix(db: &Db) -> TestResult {
    import_students(db, autumn(2023), &[900, 901], "S0").await?;
    let a: Vec<u32> = (1..=50).collect();
    let b: Vec<u32> = (51..=100).collect();
    let (ra, rb) = tokio::join!(
        slow_import(db, a.clone(), "a.csv"),
        slow_import(db, b.clone(), "b.csv")
    );
    let (ia, ib) = (ra?, rb?);
    let got = stored_people(db).await?;
    let as_set = |v: &[u32]| v.iter().map(|&n| ids(n)).collect::<BTreeSet<_>>();
    // The import committed last replaced the other one entirely.
    let want = if ia > ib { as_set(&a) } else { as_set(&b) };
    assert_eq!(got.len(), 50, "one file's rows, not both");
    assert_eq!(got, want);
    Ok(())
}

async fn slow_compute(db: &Db, program: &'static str) -> Result<i64, StoreError> {
    let mut tx = db.begin_compute(&run_meta(autumn(2023), program)).await?;
    let lines: Vec<_> = (1..=30).map(|n| line(n, "S1", program, 10_000)).collect();
    for chunk in lines.chunks(10) {
        tx.insert_entitlements(chunk).await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tx.commit(RunSummary {
        students: 30,
        entitlements: 30,
        total_fen: 300_000,
    })
    .await
}

async fn concurrent_computes_do_not_mix(db: &Db) -> TestResult {
    let (ra, rb) = tokio::join!(
        slow_compute(db, "boarding_living_subsidy"),
        slow_compute(db, "nonboarding_living_subsidy")
    );
    let (run_a, run_b) = (ra?, rb?);
    let lines = db.entitlements(autumn(2023), 0, 10_000).await?;
    let runs: BTreeSet<i64> = lines.iter().map(|e| e.run_id).collect();
    assert_eq!(lines.len(), 30, "one run's lines, not both");
    assert_eq!(
        runs,
        BTreeSet::from([run_a.max(run_b)]),
        "the later run only"
    );
    Ok(())
}

/// A compute reads the lists after opening its run; an import started meanwhile waits until the
/// run commits, so the run never sees a list replaced half-way (a hostile review mixed two
/// registries on PostgreSQL before the lists lock). On SQLite the import waits for the writer.
async fn an_import_waits_for_a_running_compute(db: &Db) -> TestResult {
    import_students(db, autumn(2023), &[1, 2], "S1").await?;
    let run = db.begin_compute(&run_meta(autumn(2023), "v1")).await?;
    let other = db.clone();
    let import = tokio::spawn(async move {
        import_students(&other, autumn(2023), &[3, 4, 5], "S1")
            .await
            .map_err(|e| e.to_string())
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!import.is_finished(), "the import waits for the run");
    assert_eq!(
        stored_people(db).await?.len(),
        2,
        "the run still reads the old registry"
    );
    run.commit(RunSummary {
        students: 2,
        entitlements: 0,
        total_fen: 0,
    })
    .await?;
    import.await??;
    assert_eq!(stored_people(db).await?.len(), 3);
    Ok(())
}
