//! Moving a whole database: `zizhu migrate-store --from URL --to URL` (a county's SQLite file to
//! a city or province PostgreSQL server, or back), `zizhu backup FILE` (the current database into
//! a new SQLite file) and `zizhu restore FILE` (a backup file into an empty database). All three
//! are the same verified copy ([`zizhu_store::Db::copy_to`]): every table with its ids, compared
//! afterwards by row count and SHA-256 per table; on any difference nothing is kept.

use crate::ui::{self, Ctx};
use std::path::Path;
use std::time::Instant;
use zizhu_store::{Db, TableCopy};

/// The URL of a SQLite file that must not exist yet (a backup never overwrites anything).
fn new_sqlite_url(file: &Path) -> anyhow::Result<String> {
    if file.exists() {
        anyhow::bail!(
            "文件 {} 已存在；备份不会覆盖已有文件，请换一个文件名",
            file.display()
        );
    }
    Ok(format!("sqlite:{}", file.display()))
}

/// The URL of an existing SQLite backup file.
fn existing_sqlite_url(file: &Path) -> anyhow::Result<String> {
    if !file.is_file() {
        anyhow::bail!("找不到备份文件 {}", file.display());
    }
    Ok(format!("sqlite:{}", file.display()))
}

/// Copies `from` into `to` with a progress counter, then prints each table's rows and checksum.
async fn copy(from: &Db, to: &Db) -> anyhow::Result<Vec<TableCopy>> {
    let pb = ui::counter("复制");
    let copied = from
        .copy_to(to, &|table, n| {
            pb.set_message(format!("复制 {table}"));
            pb.set_position(n);
        })
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
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((cred, host)) if cred.contains(':') => {
                let user = cred.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            _ => url.to_string(),
        },
        None => url.to_string(),
    }
}

pub async fn migrate_store(ctx: &Ctx, from: &str, to: &str) -> anyhow::Result<u8> {
    let started = Instant::now();
    let source = ui::open_db(from).await?;
    let target = ui::open_db(to).await?;
    let copied = copy(&source, &target).await?;
    let detail = format!(
        "从 {} 复制到 {}：{} 张表 {} 行，逐表行数与 SHA-256 校验一致",
        shown(from),
        shown(to),
        copied.len(),
        total(&copied)
    );
    source
        .audit(&ctx.actor, "migrate_store_export", &shown(to), &detail)
        .await?;
    target
        .audit(&ctx.actor, "migrate_store_import", &shown(from), &detail)
        .await?;
    source.close().await;
    target.close().await;
    println!(
        "已迁移并校验：{detail}。用时 {:.1} 秒。",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

pub async fn backup(ctx: &Ctx, file: &Path) -> anyhow::Result<u8> {
    let started = Instant::now();
    let url = new_sqlite_url(file)?;
    let source = ctx.db().await?;
    let target = ui::open_db(&url).await?;
    let copied = match copy(&source, &target).await {
        Ok(c) => c,
        Err(e) => {
            target.close().await;
            let _ = ui::fresh_sqlite(file);
            return Err(e);
        }
    };
    let detail = format!(
        "备份到 {}：{} 张表 {} 行（含个人信息，请妥善保管）",
        file.display(),
        copied.len(),
        total(&copied)
    );
    // A backup reads every list in full: recorded in the source's audit log.
    source
        .audit(&ctx.actor, "backup", &file.display().to_string(), &detail)
        .await?;
    source.close().await;
    target.close().await;
    println!(
        "已备份并校验：{detail}。用时 {:.1} 秒。",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

pub async fn restore(ctx: &Ctx, file: &Path) -> anyhow::Result<u8> {
    let started = Instant::now();
    let url = existing_sqlite_url(file)?;
    let source = ui::open_db(&url).await?;
    let target = ctx.db().await?;
    let copied = copy(&source, &target).await?;
    let detail = format!(
        "从备份 {} 恢复：{} 张表 {} 行，逐表行数与 SHA-256 校验一致",
        file.display(),
        copied.len(),
        total(&copied)
    );
    target
        .audit(&ctx.actor, "restore", &file.display().to_string(), &detail)
        .await?;
    source.close().await;
    target.close().await;
    println!(
        "已恢复并校验：{detail}。用时 {:.1} 秒。",
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
            super::shown("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(super::shown("sqlite:zizhu.db"), "sqlite:zizhu.db");
    }
}
