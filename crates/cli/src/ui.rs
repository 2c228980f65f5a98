//! Shared pieces of the commands: which database and policy to use, progress bars on stderr,
//! money and count formatting for the summaries on stdout.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zizhu_policy::Policy;
use zizhu_store::Db;

pub const DEFAULT_DATABASE: &str = "sqlite:zizhu.db";
pub const DEFAULT_POLICY: &str = "policy/2023.toml";

/// Global options of one invocation.
pub struct Ctx {
    pub database: Option<String>,
    pub policy: Option<PathBuf>,
    pub actor: String,
}

/// A loaded policy with its fingerprint and where it came from.
pub struct LoadedPolicy {
    pub policy: Policy,
    pub sha256: String,
    pub label: String,
}

/// Today in China (北京时间, UTC+8), whatever the machine's time zone: the default day of every
/// command that takes one (a county's day starts at midnight Beijing time, not UTC).
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

impl Ctx {
    pub fn new(database: Option<String>, policy: Option<PathBuf>, actor: Option<String>) -> Ctx {
        let actor = actor
            .or_else(|| std::env::var("USER").ok())
            .map(|a| format!("cli:{a}"))
            .unwrap_or_else(|| "cli".into());
        Ctx {
            database,
            policy,
            actor,
        }
    }

    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| DEFAULT_DATABASE.to_string())
    }

    /// Opens the database and brings its schema up to date.
    pub async fn db(&self) -> anyhow::Result<Db> {
        open_db(&self.database_url()).await
    }

    pub fn policy(&self) -> anyhow::Result<LoadedPolicy> {
        load_policy(self.policy.as_deref())
    }
}

/// A fresh SQLite file at `path` for the demo or the bench: removes the old file and its WAL and
/// shared-memory companions, so every run starts from the same empty database. Returns its URL.
pub fn fresh_sqlite(path: &Path) -> anyhow::Result<String> {
    for ext in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("无法删除旧的数据库文件 {}", p.display()))?;
        }
    }
    Ok(format!("sqlite:{}", path.display()))
}

pub async fn open_db(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(db)
}

/// "无法读取政策文件 X：文件不存在" — the reason in Chinese where it is a common one.
fn unreadable_policy(path: &str, e: &std::io::Error) -> anyhow::Error {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".to_string(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".to_string(),
        std::io::ErrorKind::InvalidData => "文件不是 UTF-8 编码的文本".to_string(),
        std::io::ErrorKind::IsADirectory => "这是一个文件夹".to_string(),
        _ => e.to_string(),
    };
    anyhow::Error::new(PolicyUnreadable(format!("无法读取政策文件 {path}：{why}")))
}

/// The policy file could not be read at all (exit code 2, an error), as against a file that was
/// read and rejected (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PolicyUnreadable(String);

/// Exit code for a failed policy load: 2 when the file could not be read, 1 when it was rejected.
pub fn policy_load_exit(e: &anyhow::Error) -> u8 {
    if e.is::<PolicyUnreadable>() {
        2
    } else {
        1
    }
}

/// Loads the policy file: the given path, else `policy/2023.toml` here, else the embedded copy.
pub fn load_policy(path: Option<&Path>) -> anyhow::Result<LoadedPolicy> {
    let (src, label) = match path {
        Some(p) => (
            std::fs::read_to_string(p)
                .map_err(|e| unreadable_policy(&p.display().to_string(), &e))?,
            p.display().to_string(),
        ),
        None if Path::new(DEFAULT_POLICY).exists() => (
            std::fs::read_to_string(DEFAULT_POLICY)
                .map_err(|e| unreadable_policy(DEFAULT_POLICY, &e))?,
            DEFAULT_POLICY.to_string(),
        ),
        None => (
            crate::EMBEDDED_POLICY.to_string(),
            "内置 policy/2023.toml".to_string(),
        ),
    };
    let policy = Policy::parse(&src).map_err(|e| anyhow::anyhow!("政策文件 {label} {e}"))?;
    Ok(LoadedPolicy {
        sha256: sha256_hex(src.as_bytes()),
        policy,
        label,
    })
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn bar(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {per_sec} 剩余 {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    pb.set_style(style);
    pb.set_message(msg.to_string());
    pb
}

/// A spinner counting rows when the total is unknown.
pub fn counter(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template("{spinner} {msg} {pos} 行 {per_sec}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    pb.set_style(style);
    pb.set_message(msg.to_string());
    pb
}

/// `1,234,567.50`
pub fn yuan(fen: i64) -> String {
    zizhu_domain::money::grouped_yuan(fen)
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::yuan(123_456_750), "1,234,567.50");
        assert_eq!(super::yuan(31_250), "312.50");
        assert_eq!(super::yuan(-5), "-0.05");
    }
}
