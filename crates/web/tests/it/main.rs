//! The web application through its router, as a browser would use it (cookies, forms, CSRF
//! tokens), on a small synthetic county: scope, sessions, CSRF, throttling and the audit log.
//! Each test runs on a SQLite file, and on PostgreSQL when `ZIZHU_TEST_PG_URL` is set.
#![allow(clippy::panic, clippy::unwrap_used)]

/// Runs each named test body `async fn name(c: &County)` on both backends.
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                $crate::support::on_sqlite(|c| async move { super::$name(&c).await }).await
            }
            #[tokio::test]
            async fn postgres() {
                $crate::support::on_postgres(|c| async move { super::$name(&c).await }).await
            }
        }
    )*};
}

mod access;
mod adjust;
mod admission;
mod api;
mod api_work;
mod approval;
mod cases;
mod complaints;
mod compute;
mod downloads;
mod evaluation;
mod exchange;
mod imports;
mod payments;
mod recheck;
mod security;
mod support;
mod zero_fee;
