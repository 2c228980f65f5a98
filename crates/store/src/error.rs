//! Errors of the store: a Chinese message for the user, the driver's detail kept as the source
//! (for logs, never shown to users).

/// Result of every store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// What went wrong in the store. `Display` is Chinese and safe to show a user; the sqlx error,
/// when there is one, is the [`std::error::Error::source`] and belongs in logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is neither `sqlite:…` nor `postgres://…`.
    #[error("数据库地址无法识别：{0}（应为 sqlite:文件路径、sqlite::memory: 或 postgres://…）")]
    BadUrl(String),
    /// The SQLite file could not be opened or created (missing folder, no permission, not a
    /// database file…).
    #[error("无法打开数据库文件：{path}")]
    Open {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    /// The PostgreSQL server could not be reached or refused the login. `url` has no password.
    #[error("无法连接数据库：{url}（{}）", connect_reason(source))]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error("数据库错误：升级数据库结构（迁移）失败：{0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A write would duplicate a row that must be unique, e.g. the same program twice for one
    /// student in one term. `constraint` names the constraint or columns when the driver says.
    #[error("数据库错误：{op}失败，记录重复（违反唯一约束{}）", constraint.as_deref().map(|c| format!("：{c}")).unwrap_or_default())]
    UniqueViolation {
        op: &'static str,
        constraint: Option<String>,
        #[source]
        source: sqlx::Error,
    },
    /// SQLite: another write (an import, a compute, a copy) held the database longer than the
    /// busy timeout (30 s) this one waited.
    #[error("数据库正忙：另一个导入、计算或复制正在写入，等待 30 秒后仍未结束，请稍后再试")]
    Busy {
        #[source]
        source: sqlx::Error,
    },
    /// Any other database failure during the operation `op` (a Chinese verb phrase).
    #[error("数据库错误：{op}失败")]
    Db {
        op: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value could not be read back (an unknown enum key, an invalid ID number…): the
    /// database was changed outside zizhu or by an incompatible version.
    #[error("数据库错误：库中数据无法识别（{0}）")]
    Corrupt(String),
    /// The caller asked for something the store cannot do, e.g. a 学籍 import without a term or a
    /// record of the wrong kind for the list being imported. The message says what.
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// Wraps a sqlx error from the operation `op`, telling unique-constraint violations apart.
    pub(crate) fn from_sqlx(op: &'static str, source: sqlx::Error) -> StoreError {
        if let Some(db) = source.as_database_error() {
            if db.is_unique_violation() {
                let constraint = db
                    .constraint()
                    .map(str::to_owned)
                    .or_else(|| sqlite_unique_columns(db.message()));
                return StoreError::UniqueViolation {
                    op,
                    constraint,
                    source,
                };
            }
        }
        StoreError::Db { op, source }
    }

    /// True for [`StoreError::UniqueViolation`].
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::UniqueViolation { .. })
    }
}

/// SQLite reports no constraint name, only `UNIQUE constraint failed: t.a, t.b`; keep the columns.
fn sqlite_unique_columns(message: &str) -> Option<String> {
    message
        .strip_prefix("UNIQUE constraint failed: ")
        .map(str::to_owned)
}

/// Adds the operation name to a sqlx result.
pub(crate) trait Ctx<T> {
    /// Maps the error with [`StoreError::from_sqlx`]; `op` is a Chinese verb phrase (读取学籍).
    fn ctx(self, op: &'static str) -> StoreResult<T>;
}

impl<T> Ctx<T> for Result<T, sqlx::Error> {
    fn ctx(self, op: &'static str) -> StoreResult<T> {
        self.map_err(|e| StoreError::from_sqlx(op, e))
    }
}

/// Why a PostgreSQL connection failed, in Chinese where the cause is a common one; the server's
/// own message otherwise.
fn connect_reason(e: &sqlx::Error) -> String {
    if let sqlx::Error::Database(db) = e {
        return match db.code().as_deref() {
            Some("3D000") => "数据库不存在，请先创建（如 createdb）".into(),
            Some("28P01" | "28000") => "用户名或密码错误，或未获准登录".into(),
            _ => db.message().to_string(),
        };
    }
    if let sqlx::Error::Io(io) = e {
        return format!("网络连接失败：{}", io.kind());
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_chinese_and_hide_the_driver_detail() {
        let e = StoreError::Db {
            op: "读取学籍",
            source: sqlx::Error::RowNotFound,
        };
        assert_eq!(e.to_string(), "数据库错误：读取学籍失败");
        assert!(std::error::Error::source(&e).is_some());

        let u = StoreError::UniqueViolation {
            op: "写入资助名单",
            constraint: Some("entitlement_person_term_program".into()),
            source: sqlx::Error::RowNotFound,
        };
        assert_eq!(
            u.to_string(),
            "数据库错误：写入资助名单失败，记录重复（违反唯一约束：entitlement_person_term_program）"
        );
        assert!(u.is_unique_violation());
        assert!(!e.is_unique_violation());
    }

    #[test]
    fn sqlite_unique_message_gives_the_columns() {
        assert_eq!(
            sqlite_unique_columns(
                "UNIQUE constraint failed: entitlement.term, entitlement.id_number"
            ),
            Some("entitlement.term, entitlement.id_number".to_string())
        );
        assert_eq!(sqlite_unique_columns("FOREIGN KEY constraint failed"), None);
    }
}
