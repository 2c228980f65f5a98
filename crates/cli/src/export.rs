//! Writing an export (XLSX) safely. Only to a file named `.xlsx` (so `--out` cannot name the
//! database or any other file by mistake); first to a temporary file beside it, renamed into
//! place only when the caller says so — after the export's audit entry is written — so a file
//! with personal data never exists without its entry, and a failed write leaves any earlier
//! file of that name as it was.

use std::path::{Path, PathBuf};
use zizhu_io::tables::{write_tables, Sheet};

/// An export written to its temporary file; [`Staged::publish`] moves it into place, dropping
/// it removes it.
pub struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    done: bool,
}

/// Writes `sheets` to a temporary file beside `path`.
///
/// Errors (in Chinese): `path` not ending in `.xlsx`, or the file cannot be written.
/// Makes the folder an output file goes in, when it has one that does not exist yet.
///
/// Errors: the folder cannot be made (the reason in Chinese).
pub fn make_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::anyhow!(
                "无法建立目录 {}：{}",
                dir.display(),
                zizhu_io::error::io_reason(&e)
            )
        })?;
    }
    Ok(())
}

pub fn stage(path: &Path, sheets: &[Sheet]) -> anyhow::Result<Staged> {
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !xlsx {
        anyhow::bail!("导出文件名应以 .xlsx 结尾：{}", path.display());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{}.zizhu-tmp", name.unwrap_or_default()));
    let staged = Staged {
        tmp,
        path: path.to_path_buf(),
        done: false,
    };
    write_tables(&staged.tmp, sheets).map_err(|e| {
        let why = match e {
            rust_xlsxwriter::XlsxError::IoError(io) => io_zh(&io),
            other => other.to_string(),
        };
        anyhow::anyhow!("无法写入 {}：{why}", path.display())
    })?;
    Ok(staged)
}

impl Staged {
    /// Moves the file into place (replacing a file of that name).
    pub fn publish(mut self) -> anyhow::Result<()> {
        std::fs::rename(&self.tmp, &self.path)
            .map_err(|e| anyhow::anyhow!("无法写入 {}：{}", self.path.display(), io_zh(&e)))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// An I/O error as a user reads it.
pub fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件夹不存在".into(),
        K::PermissionDenied => "没有写入权限".into(),
        K::IsADirectory => "这是一个文件夹".into(),
        K::InvalidFilename => "文件名无效或过长".into(),
        K::StorageFull => "磁盘已满".into(),
        K::ReadOnlyFilesystem => "磁盘只读".into(),
        _ => format!("系统错误（{e}）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zizhu_io::tables::Cell;

    fn sheet() -> Sheet {
        Sheet {
            name: "表".into(),
            title: "标题".into(),
            header: vec!["列".into()],
            widths: vec![10.0],
            rows: vec![vec![Cell::Text("值".into())]],
        }
    }

    #[test]
    fn only_xlsx_and_only_when_published() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zizhu.db");
        std::fs::write(&db, b"database").unwrap();
        let refused = stage(&db, &[sheet()]).err().map(|e| e.to_string());
        assert!(refused.unwrap_or_default().contains(".xlsx"));
        assert_eq!(std::fs::read(&db).unwrap(), b"database");

        let out = dir.path().join("台账.xlsx");
        let staged = stage(&out, &[sheet()]).unwrap();
        assert!(!out.exists(), "not in place before publish");
        drop(staged);
        assert!(!out.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temporary file removed"
        );
        stage(&out, &[sheet()]).unwrap().publish().unwrap();
        assert!(out.exists());
        let missing = dir.path().join("无此文件夹").join("a.xlsx");
        let e = stage(&missing, &[sheet()]).err().map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("文件夹不存在"));
    }
}
