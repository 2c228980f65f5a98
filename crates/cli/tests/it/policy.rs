//! `zizhu policy check` / `test` as a county editor meets them.

use crate::common::{run, stderr, stdout};

#[test]
fn shipped_policy_checks_and_its_cases_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let o = run(&["policy", "check", "policy/2023.toml"], &root);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = run(&["policy", "test", "policy/2023.toml"], &root);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("失败 0"), "{}", stdout(&o));
}

#[test]
fn a_bad_policy_file_is_rejected_with_line_and_column() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let src = include_str!("../../../../policy/2023.toml")
        .replace("and boarding and difficult", "and boarding and dificult");
    let p = tmp.path().join("bad.toml");
    std::fs::write(&p, src).unwrap_or_else(|e| panic!("{e}"));
    let o = run(
        &["policy", "check", p.to_str().unwrap_or_default()],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("行第") && err.contains("列") && err.contains("dificult"),
        "{err}"
    );
}
