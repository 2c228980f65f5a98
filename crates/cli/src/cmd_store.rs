//! Moving a whole database: `zizhu migrate-store --from URL --to URL` (a county's SQLite file to
//! a city or province PostgreSQL server, or back), `zizhu backup FILE` (the current database into
//! a new SQLite file) and `zizhu restore FILE` (a backup file into an empty database). All three
//! are the same verified copy ([`zizhu_store::Db::copy_to`]): every table with its ids, compared
//! afterwards by row count and SHA-256 per table; on any difference nothing is kept.

use crate::ui::{self, Ctx};
use std::path::Path;
use std::time::Instant;
use zizhu_store::{Db, TableCopy};

/// Refuses a SQLite source that does not exist: opening it would create an empty database and
/// the copy would "succeed" with nothing in it (a typo in a path, or the wrong folder).
fn require_existing_source(url: &str) -> anyhow::Result<()> {
    match zizhu_store::sqlite_file(url) {
        Some(path) if !Path::new(path).is_file() => {
            anyhow::bail!("源数据库文件 {path} 不存在（路径是否写错？当前目录对吗？）")
        }
        _ => Ok(()),
    }
}

/// Refuses a source whose rows name an import batch or compute run that does not exist; called
/// before the target is opened, so a refused copy leaves no file or schema behind.
async fn refuse_dangling(from: &Db) -> anyhow::Result<()> {
    let dangling = from.dangling_references().await?;
    if !dangling.is_empty() {
        let what: Vec<String> = dangling
            .iter()
            .map(|(what, n)| format!("{what}（{n} 行）"))
            .collect();
        anyhow::bail!(
            "源数据库数据不完整，未复制：{}。这些行不是 zizhu 写入的，请查明后再复制",
            what.join("；")
        );
    }
    Ok(())
}

/// Copies `from` into `to` with a progress counter, then prints each table's rows and checksum.
async fn copy(from: &Db, to: &Db, audit: (&str, &str, &str)) -> anyhow::Result<Vec<TableCopy>> {
    let pb = ui::counter("复制");
    let copied = from
        .copy_to(
            to,
            &|table, n| {
                pb.set_message(format!("复制 {table}"));
                pb.set_position(n);
            },
            Some(audit),
        )
        .await;
    pb.finish_and_clear();
    let copied = copied?;
    println!("{:<20} {:>12}  SHA-256（源与目标一致）", "数据表", "行数");
    for t in &copied {
        println!("{:<20} {:>12}  {}", t.table, t.rows, t.sha256);
    }
    Ok(copied)
}

fn total(copied: &[TableCopy]) -> u64 {
    copied.iter().map(|t| t.rows).sum()
}

/// Hides the password of a URL for messages and the audit log.
fn shown(url: &str) -> String {
    zizhu_store::redact_password(url)
}

pub async fn migrate_store(ctx: &Ctx, from: &str, to: &str) -> anyhow::Result<u8> {
    let started = Instant::now();
    require_existing_source(from)?;
    if to.starts_with("sqlite::memory:") || to.contains("mode=memory") {
        anyhow::bail!("目标是内存数据库，复制完就会消失；请给出一个数据库文件或 PostgreSQL 地址");
    }
    let source = ui::open_db(from).await?;
    // Reading every list in full is recorded in the source first: a source that cannot record
    // it is not read.
    source
        .audit(
            &ctx.actor,
            "migrate_store_export",
            &shown(to),
            "读取全部数据，复制到目标数据库",
        )
        .await?;
    refuse_dangling(&source).await?;
    let target = ui::open_db(to).await?;
    let copied = copy(
        &source,
        &target,
        (&ctx.actor, "migrate_store_import", &shown(from)),
    )
    .await?;
    source.close().await;
    target.close().await;
    println!(
        "已迁移并校验：从 {} 复制到 {}：{} 张表 {} 行，逐表行数与 SHA-256 校验一致。用时 {:.1} 秒。",
        shown(from),
        shown(to),
        copied.len(),
        total(&copied),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// Creates `path` empty, readable by its owner only (a backup holds personal data).
fn create_private(path: &Path) -> anyhow::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("无法创建备份文件 {}：{e}", path.display()))
}

pub async fn backup(ctx: &Ctx, file: &Path) -> anyhow::Result<u8> {
    let started = Instant::now();
    if file.exists() {
        anyhow::bail!(
            "文件 {} 已存在；备份不会覆盖已有文件，请换一个文件名",
            file.display()
        );
    }
    // Written under a temporary name and renamed when verified: an interrupted backup never
    // leaves a file under the name asked for.
    let partial = file.with_file_name(format!(
        "{}.partial",
        file.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    if partial.exists() {
        std::fs::remove_file(&partial)
            .map_err(|e| anyhow::anyhow!("无法删除上次中断留下的 {}：{e}", partial.display()))?;
    }
    require_existing_source(&ctx.database_url())?;
    let source = ctx.db().await?;
    source
        .audit(
            &ctx.actor,
            "backup",
            &file.display().to_string(),
            "读取全部数据，写入备份文件",
        )
        .await?;
    refuse_dangling(&source).await?;
    create_private(&partial)?;
    let result = async {
        let target = Db::open_sqlite_file(&partial, true).await?;
        target.migrate().await?;
        let copied = copy(
            &source,
            &target,
            (&ctx.actor, "backup_written", &shown(&ctx.database_url())),
        )
        .await;
        target.close().await;
        copied
    }
    .await;
    let copied = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, file)
        .map_err(|e| anyhow::anyhow!("无法把备份改名为 {}：{e}", file.display()))?;
    source.close().await;
    println!(
        "已备份并校验：备份到 {}：{} 张表 {} 行（含个人信息，请妥善保管）。用时 {:.1} 秒。",
        file.display(),
        copied.len(),
        total(&copied),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

pub async fn restore(ctx: &Ctx, file: &Path) -> anyhow::Result<u8> {
    let started = Instant::now();
    if !file.is_file() {
        anyhow::bail!("找不到备份文件 {}", file.display());
    }
    // Read-only: the backup file is never changed, and checked before anything is copied.
    let source = Db::open_sqlite_file(file, false).await?;
    source.check_zizhu_schema().await?;
    refuse_dangling(&source).await?;
    let target = ctx.db().await?;
    let copied = copy(
        &source,
        &target,
        (&ctx.actor, "restore", &file.display().to_string()),
    )
    .await?;
    source.close().await;
    target.close().await;
    println!(
        "已恢复并校验：从备份 {} 恢复：{} 张表 {} 行，逐表行数与 SHA-256 校验一致。用时 {:.1} 秒。",
        file.display(),
        copied.len(),
        total(&copied),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::shown("postgres://zizhu:secret@db.example:5432/zizhu"),
            "postgres://zizhu:***@db.example:5432/zizhu"
        );
        assert_eq!(
            super::shown("postgres://u@h/d?password=secret"),
            "postgres://u@h/d?password=***"
        );
        assert_eq!(
            super::shown("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(super::shown("sqlite:zizhu.db"), "sqlite:zizhu.db");
    }
}
