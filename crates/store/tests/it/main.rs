//! Conformance story of zizhu-store, written once against `&Db` and run on every backend:
//! `sqlite::memory:`, a temporary SQLite file, and PostgreSQL when `ZIZHU_TEST_PG_URL` is set
//! (each PostgreSQL test works in a schema of its own, dropped at the end).
//!
//! The one integration-test binary of the crate: add modules here, not new files in `tests/`.
#![allow(clippy::panic, clippy::unwrap_used)]

/// For each story function `name(&Db) -> TestResult` of the calling module, generates a module
/// `name` with one test per backend: `sqlite_memory`, `sqlite_file`, `postgres`.
macro_rules! story {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite_memory() -> $crate::support::TestResult {
                $crate::support::on_memory(|db| async move { super::$name(&db).await }).await
            }
            #[tokio::test]
            async fn sqlite_file() -> $crate::support::TestResult {
                $crate::support::on_file(|db| async move { super::$name(&db).await }).await
            }
            #[tokio::test]
            async fn postgres() -> $crate::support::TestResult {
                $crate::support::on_postgres(|db| async move { super::$name(&db).await }).await
            }
        }
    )*};
}

mod accounts;
mod approval;
mod audit;
mod bench;
mod cases;
mod complaints;
mod compute;
mod concurrency;
mod copy;
mod dropout_lists;
mod imports;
mod payments;
mod reading;
mod support;
mod upgrade;
mod zero_fee;
