//! The `zizhu` binary as a user runs it: the demo, a kill during compute and import, the policy
//! commands. One test binary (each costs link time).
#![allow(clippy::panic, clippy::unwrap_used)]

mod common;
mod demo;
mod kill;
mod policy;
mod serve;
mod store;

/// Says once, on the terminal (not captured by the test harness), that the PostgreSQL tests of
/// this binary did not run.
pub fn support_pg_skipped() {
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
