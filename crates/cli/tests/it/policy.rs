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

#[test]
fn a_missing_policy_file_says_why() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = run(
        &[
            "compute",
            "--term",
            "2023-autumn",
            "--policy",
            "policy/2099.toml",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("无法读取政策文件 policy/2099.toml：文件不存在"),
        "{err}"
    );
}

/// `policy check` / `policy test` of a file that is not there is an error (2), not a rejected
/// file (1): a newcomer ran README's example on a file the repository did not have.
#[test]
fn policy_commands_on_a_missing_file_exit_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for cmd in ["check", "test"] {
        let o = run(&["policy", cmd, "policy/2099.toml"], tmp.path());
        assert_eq!(o.status.code(), Some(2), "policy {cmd}: {}", stderr(&o));
        assert!(stderr(&o).contains("文件不存在"), "{}", stderr(&o));
    }
}

#[test]
fn a_list_file_missing_a_column_is_input_rejected_not_an_error() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let f = tmp.path().join("残疾人.csv");
    // 残疾人证号 is required; the header cell of 身份证号 holds a line break (Alt+Enter).
    std::fs::write(
        &f,
        "姓名,\"身份\n证号\",残疾类别\n甲演一,11010519491231002X,肢体\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = run(
        &[
            "import",
            "disabled",
            f.to_str().unwrap_or_default(),
            "--database",
            "sqlite:t.db",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("缺少必需的列：残疾人证号"),
        "{}",
        stderr(&o)
    );
    // A file that is not there is an error (2), not a rejected input.
    let o = run(
        &[
            "import",
            "disabled",
            "nowhere.csv",
            "--database",
            "sqlite:t.db",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn explain_for_a_term_the_policy_does_not_cover_gives_no_advice_to_compute() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = run(
        &[
            "explain",
            "11010519491231002X",
            "--term",
            "2024-spring",
            "--database",
            "sqlite:t.db",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("不适用于"), "{err}");
    assert!(!err.contains("尚未计算"), "{err}");
}

/// Output into a pipe the reader has closed (`zizhu imports | head -0`) ends quietly with 0, not
/// with a panic and a backtrace (exit 101).
#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..3 {
        let mut child = crate::common::zizhu()
            .args(["imports", "--database", "sqlite:p.db"])
            .current_dir(tmp.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}
