//! A kill (SIGKILL) at any point of a compute or an import leaves the database as it was before:
//! the same roster, the same registry, and an intact SQLite file.

use crate::common::{demo, rt, zizhu};
use std::time::{Duration, Instant};
use zizhu_domain::{Season, Term};
use zizhu_store::Db;

#[derive(Debug, PartialEq)]
struct Snapshot {
    totals: Vec<(String, String, i64, i64)>,
    students: i64,
    imports: usize,
    run: Option<i64>,
}

fn snapshot(url: &str, term: Term) -> Snapshot {
    rt().block_on(async {
        let db = Db::connect(url).await.unwrap_or_else(|e| panic!("{e}"));
        if let Db::Sqlite(pool) = &db {
            let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(ok, "ok", "SQLite file damaged");
        }
        let mut totals: Vec<_> = db
            .entitlement_totals(term)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|t| (t.school_code, t.program, t.headcount, t.amount_fen))
            .collect();
        totals.sort();
        let s = Snapshot {
            totals,
            students: db
                .student_count(term)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            imports: db.imports().await.unwrap_or_else(|e| panic!("{e}")).len(),
            run: db
                .latest_run(term)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|r| r.id),
        };
        db.close().await;
        s
    })
}

/// Starts `args`, kills it after `after`, returns whether it was still running when killed.
fn kill_after(args: &[&str], after: Duration) -> bool {
    let mut child = zizhu()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(after);
    let running = child.try_wait().ok().flatten().is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

#[test]
fn a_kill_during_compute_or_import_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = demo(tmp.path(), 6000);
    // Spring: the demo pays autumn, and a locked term is never recomputed.
    let term = Term::new(2023, Season::Spring);
    let before = snapshot(&url, term);
    assert!(!before.totals.is_empty());

    // A complete re-run gives the same roster (and a new run id).
    let t0 = Instant::now();
    let o = zizhu()
        .args(["compute", "--term", "2023-spring", "--database", &url])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let full = t0.elapsed();
    assert!(o.status.success());
    let rerun = snapshot(&url, term);
    assert_eq!(rerun.totals, before.totals);
    assert_ne!(rerun.run, before.run);

    let mut interrupted = 0;
    for frac in [0.2, 0.5, 0.8] {
        let killed = kill_after(
            &["compute", "--term", "2023-spring", "--database", &url],
            full.mul_f64(frac),
        );
        let now = snapshot(&url, term);
        assert_eq!(
            now.totals, rerun.totals,
            "roster changed by a killed compute (at {frac})"
        );
        if killed && now.run == rerun.run {
            interrupted += 1;
        }
    }
    assert!(
        interrupted > 0,
        "no kill landed inside a compute (full run took {full:?})"
    );

    // Import: re-importing the autumn registry, killed midway, leaves the old registry in place.
    let term = Term::new(2023, Season::Autumn);
    let file = tmp.path().join("demo/files/students-2023-autumn.xls");
    let args = [
        "import",
        "students",
        file.to_str().unwrap_or_default(),
        "--term",
        "2023-autumn",
        "--database",
        &url,
    ];
    let t0 = Instant::now();
    let o = zizhu()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let full = t0.elapsed();
    let base = snapshot(&url, term);
    let mut interrupted = 0;
    // Each round is compared with the one before: on a busy machine an import may finish
    // before its kill, adding one batch (the same rows again) — never a partial one.
    let mut last = base.imports;
    for frac in [0.3, 0.6, 0.9] {
        let killed = kill_after(&args, full.mul_f64(frac));
        let now = snapshot(&url, term);
        assert_eq!(now.students, base.students);
        assert!(
            now.imports == last || now.imports == last + 1,
            "imports went from {last} to {} in one killed import",
            now.imports
        );
        if killed && now.imports == last {
            interrupted += 1;
        }
        last = now.imports;
    }
    assert!(
        interrupted > 0,
        "no kill landed inside an import (full import took {full:?})"
    );
}
