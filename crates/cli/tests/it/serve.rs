//! `zizhu serve` as a service manager runs it: its upload folder is private, and SIGTERM stops it
//! cleanly, removing the folder (uploaded lists hold ID numbers).

use crate::common::zizhu;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[cfg(unix)]
#[test]
fn serve_keeps_uploads_private_and_cleans_up_on_sigterm() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let db = format!("sqlite:{}", dir.path().join("z.db").display());
    let mut child = zizhu()
        .args(["serve", "--database", &db, "--listen", "127.0.0.1:0"])
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("网页服务已启动") {}
    assert!(line.contains("网页服务已启动"), "{line}");
    let uploads: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("zizhu-uploads-")
        })
        .collect();
    assert_eq!(uploads.len(), 1);
    let mode = uploads[0].metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{mode:o}");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(rest.contains("网页服务已停止"), "{rest}");
    assert!(!uploads[0].path().exists(), "the upload folder is removed");
}
