//! Bulk-insert throughput, measured by hand (ignored in normal runs):
//!
//! ```text
//! ZIZHU_BENCH_ROWS=1000000 cargo test --release -p zizhu-store --test it -- --ignored --nocapture bench
//! ```
//!
//! Inserts synthetic student rows into a temporary SQLite file in batches of 10 000 (as the
//! importer does) and prints rows per second for the inserts and the commit; building the
//! records is not timed.

use crate::support::{autumn, meta, student, TestResult};
use std::time::{Duration, Instant};
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::Db;

const BATCH: u32 = 10_000;

#[tokio::test]
#[ignore = "benchmark: run by hand in release mode"]
async fn bench_student_insert_sqlite_file() -> TestResult {
    let total: u32 = std::env::var("ZIZHU_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    let db = Db::connect(&format!("sqlite:{}", path.display())).await?;
    db.migrate().await?;

    let mut timed = Duration::ZERO;
    let mut building = Duration::ZERO;
    let mut tx = db
        .begin_import(&meta(ListKind::Students, "bench.csv", Some(autumn(2023))))
        .await?;
    let mut start = 0;
    while start < total {
        let end = (start + BATCH).min(total);
        let t = Instant::now();
        let rows: Vec<(usize, ListRecord)> = (start..end)
            .map(|n| {
                (
                    n as usize + 2,
                    ListRecord::Student(student(n, "3601240001")),
                )
            })
            .collect();
        building += t.elapsed();
        let t = Instant::now();
        tx.insert_batch(&rows).await?;
        timed += t.elapsed();
        start = end;
    }
    let t = Instant::now();
    tx.commit(i64::from(total), 0).await?;
    timed += t.elapsed();
    assert_eq!(db.student_count(autumn(2023)).await?, i64::from(total));
    db.close().await;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "inserted {total} student rows in {:.2} s: {:.0} rows/s (file {} MB; building the \
         records took {:.2} s more, not counted)",
        timed.as_secs_f64(),
        f64::from(total) / timed.as_secs_f64(),
        size / 1_000_000,
        building.as_secs_f64()
    );
    Ok(())
}
