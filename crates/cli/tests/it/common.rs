//! Running the binary.

use std::path::Path;
use std::process::{Command, Output};

pub fn zizhu() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zizhu"));
    c.env_remove("ZIZHU_DATABASE_URL")
        .env_remove("ZIZHU_POLICY")
        .env("NO_COLOR", "1");
    c
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    zizhu()
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run zizhu: {e}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the demo with `n` students into `dir/demo`; returns the database URL.
pub fn demo(dir: &Path, n: usize) -> String {
    let d = dir.join("demo");
    let o = run(
        &[
            "demo",
            "--students",
            &n.to_string(),
            "--dir",
            d.to_str().unwrap_or_default(),
        ],
        dir,
    );
    assert!(
        o.status.success(),
        "demo failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    format!("sqlite:{}", d.join("zizhu.db").display())
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}
