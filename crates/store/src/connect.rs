//! Opening the database from its URL, applying the embedded migrations, closing.

use crate::error::{StoreError, StoreResult};
use crate::Db;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite connection waits for another writer before giving up (busy timeout).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Pool sizes. SQLite serialises writers anyway; a few readers may run beside one writer (WAL).
const SQLITE_FILE_CONNECTIONS: u32 = 4;
const POSTGRES_CONNECTIONS: u32 = 8;

impl Db {
    /// Opens the database named by `url`:
    /// - `sqlite:path/to/zizhu.db` (also `sqlite://path`): the file is created if missing; WAL
    ///   journal, `synchronous=NORMAL`, foreign keys on, 30 s busy timeout;
    /// - `sqlite::memory:`: a private in-memory database on a single connection (so every query
    ///   sees the same data), gone when the `Db` is dropped. While an [`crate::ImportTx`] or
    ///   [`crate::ComputeTx`] is open it holds that connection: other calls on the same `Db`
    ///   wait for it (and fail after the pool's 30 s acquire timeout);
    /// - `postgres://user@host:port/db` (also `postgresql://`).
    ///
    /// Does not migrate; call [`Db::migrate`].
    ///
    /// Errors: [`StoreError::BadUrl`] for any other URL; [`StoreError::Open`] when the SQLite
    /// file cannot be opened or created (e.g. its folder does not exist);
    /// [`StoreError::Connect`] when PostgreSQL cannot be reached or refuses the login.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        if url.starts_with("sqlite:") {
            let path = sqlite_file(url).unwrap_or(":memory:");
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl(url.to_string()))?
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            let pool = if path == ":memory:" {
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(opts)
                    .await
            } else {
                let opts = opts
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal);
                SqlitePoolOptions::new()
                    .max_connections(SQLITE_FILE_CONNECTIONS)
                    .connect_with(opts)
                    .await
            };
            return pool.map(Db::Sqlite).map_err(|source| StoreError::Open {
                path: path.to_string(),
                source,
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl(redact_password(url)))?;
            return PgPoolOptions::new()
                .max_connections(POSTGRES_CONNECTIONS)
                .connect_with(opts)
                .await
                .map(Db::Postgres)
                .map_err(|source| StoreError::Connect {
                    url: redact_password(url),
                    source,
                });
        }
        Err(StoreError::BadUrl(redact_password(url)))
    }

    /// Applies the migrations embedded from `migrations/sqlite` or `migrations/postgres` that
    /// the database has not seen yet. Safe to call on every start.
    ///
    /// Errors: [`StoreError::Migrate`] (e.g. an applied migration was edited afterwards).
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .map_err(StoreError::Migrate)
    }

    /// Opens the SQLite file at `path`, taken as a plain file name (never parsed as a URL, so
    /// `?` or `%20` in it mean nothing special), for backups: with `create`, a new file in
    /// rollback-journal mode (one self-contained file, no `-wal` beside it); without, the file
    /// read-only, never changed (not even migrated).
    ///
    /// Errors: [`StoreError::Open`] when the file cannot be opened or created.
    pub async fn open_sqlite_file(path: &std::path::Path, create: bool) -> StoreResult<Db> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .create_if_missing(create)
            .read_only(!create);
        let opts = if create {
            opts.journal_mode(SqliteJournalMode::Delete)
        } else {
            opts
        };
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .map(Db::Sqlite)
            .map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source,
            })
    }

    /// Closes every connection of the pool, waiting for running queries (for SQLite this also
    /// checkpoints the WAL into the main file).
    pub async fn close(&self) {
        db_run!(self, |pool| pool.close().await)
    }
}

/// The file a `sqlite:` URL names (`sqlite:path`, `sqlite://path`, query parameters dropped);
/// `None` for an in-memory database or a URL of another backend.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(':')).then_some(path)
}

/// The newest schema version this program knows for the backend of `db`.
pub(crate) fn newest_migration(db: &Db) -> i64 {
    let m = match db {
        Db::Sqlite(_) => &SQLITE_MIGRATIONS,
        Db::Postgres(_) => &POSTGRES_MIGRATIONS,
    };
    m.iter().map(|x| x.version).max().unwrap_or(0)
}

/// The URL with its password replaced by `***`, for messages and logs.
pub fn redact_password(url: &str) -> String {
    // A `password=` (or `passwd=`, `pwd=`) query parameter.
    let mut out = String::with_capacity(url.len());
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // A password in the user part: everything between the user's `:` and the last `@`, also
    // when the password itself holds `@` or the scheme is mistyped (`postgres:/u:p@h`).
    match base.rfind('@') {
        Some(at) => {
            let head = base.get(..at).unwrap_or_default();
            let user_start = head
                .find("://")
                .map_or_else(|| head.find(':').map_or(0, |i| i + 1), |i| i + 3);
            match head.get(user_start..).and_then(|u| u.find(':')) {
                Some(colon) => {
                    out.push_str(head.get(..user_start + colon + 1).unwrap_or_default());
                    out.push_str("***");
                    out.push_str(base.get(at..).unwrap_or_default());
                }
                None => out.push_str(base),
            }
        }
        None => out.push_str(base),
    }
    if let Some(q) = query {
        out.push('?');
        let parts: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _))
                    if ["password", "passwd", "pwd"].contains(&k.to_ascii_lowercase().as_str()) =>
                {
                    format!("{k}=***")
                }
                _ => kv.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_of_urls() {
        assert_eq!(sqlite_file("sqlite:zizhu.db"), Some("zizhu.db"));
        assert_eq!(
            sqlite_file("sqlite:///srv/z.db?mode=rwc"),
            Some("/srv/z.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/d"), None);
    }

    #[test]
    fn passwords_are_hidden_everywhere_in_a_url() {
        for (url, want) in [
            (
                "postgres://postgres:sec@ret@127.0.0.1:5432/hx1",
                "postgres://postgres:***@127.0.0.1:5432/hx1",
            ),
            (
                "postgres://postgres@127.0.0.1:5432/hx2?password=secret&sslmode=disable",
                "postgres://postgres@127.0.0.1:5432/hx2?password=***&sslmode=disable",
            ),
            (
                "postgres:/zz:secret@127.0.0.1/x",
                "postgres:/zz:***@127.0.0.1/x",
            ),
            ("sqlite:zizhu.db", "sqlite:zizhu.db"),
        ] {
            assert_eq!(redact_password(url), want);
            assert!(!redact_password(url).contains("sec"), "{url}");
        }
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact_password("postgres://zz:s3cret@db.local:5432/zizhu?sslmode=disable"),
            "postgres://zz:***@db.local:5432/zizhu?sslmode=disable"
        );
        assert_eq!(
            redact_password("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact_password("mysql:nothing"), "mysql:nothing");
    }

    #[tokio::test]
    async fn unknown_urls_and_missing_folders_are_reported() {
        let bad = Db::connect("mysql://root:pw@localhost/x").await;
        let msg = bad.as_ref().map_err(ToString::to_string).err();
        assert!(matches!(bad, Err(StoreError::BadUrl(_))));
        assert_eq!(
            msg.as_deref(),
            Some("数据库地址无法识别：mysql://root:***@localhost/x（应为 sqlite:文件路径、sqlite::memory: 或 postgres://…）")
        );
        let missing = Db::connect("sqlite:/nonexistent-zizhu-dir/sub/zizhu.db").await;
        let msg = missing.as_ref().map_err(ToString::to_string).err();
        assert!(matches!(missing, Err(StoreError::Open { .. })));
        assert_eq!(
            msg.as_deref(),
            Some("无法打开数据库文件：/nonexistent-zizhu-dir/sub/zizhu.db")
        );
    }

    #[tokio::test]
    async fn memory_database_migrates() -> StoreResult<()> {
        let db = Db::connect("sqlite::memory:").await?;
        assert_eq!(db.backend(), "sqlite");
        db.migrate().await?;
        db.migrate().await?; // idempotent
        Ok(())
    }

    #[tokio::test]
    async fn file_database_is_created_with_its_pragmas_and_persists() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Invalid(e.to_string()))?;
        let path = dir.path().join("new-zizhu.db");
        let url = format!("sqlite:{}", path.display());
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        let Db::Sqlite(pool) = &db else {
            return Err(StoreError::Invalid("expected SQLite".into()));
        };
        let text = |sql: &'static str| sqlx::query_scalar::<_, String>(sql).fetch_one(pool);
        let int = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool);
        let err = |e| StoreError::from_sqlx("读取设置", e);
        assert_eq!(text("PRAGMA journal_mode").await.map_err(err)?, "wal");
        assert_eq!(int("PRAGMA synchronous").await.map_err(err)?, 1); // NORMAL
        assert_eq!(int("PRAGMA foreign_keys").await.map_err(err)?, 1);
        assert_eq!(int("PRAGMA busy_timeout").await.map_err(err)?, 30_000);
        db.audit("tester", "note", "db", "持久化").await?;
        db.close().await;

        let again = Db::connect(&url).await?;
        again.migrate().await?;
        let entries = again.audit_entries(10).await?;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].detail, "持久化");
        again.close().await;
        Ok(())
    }
}
