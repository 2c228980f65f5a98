//! Web accounts (用户), their sessions (登录会话) and failed logins (登录失败). The store keeps
//! only what the web layer hands it: password hashes (Argon2id PHC strings) and the SHA-256 of
//! session tokens, never a password or a token in clear.

use crate::error::{Ctx, StoreError, StoreResult};
use crate::Db;
use chrono::{DateTime, Utc};
use zizhu_domain::access::{Access, Role};

/// A user account as stored, with its access (role and scope) checked on reading.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub access: Access,
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A new account; `password_hash` is already an Argon2id PHC string.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub access: &'a Access,
    pub password_hash: &'a str,
    pub created_by: &'a str,
}

/// A live session with its user.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub id: i64,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserRow,
}

#[derive(sqlx::FromRow)]
struct RawUser {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    township: Option<String>,
    school_code: Option<String>,
    password_hash: String,
    active: bool,
    created_at: DateTime<Utc>,
    created_by: String,
}

impl TryFrom<RawUser> for UserRow {
    type Error = StoreError;
    fn try_from(r: RawUser) -> StoreResult<UserRow> {
        let role = Role::from_key(&r.role)
            .ok_or_else(|| StoreError::Corrupt(format!("用户 {} 的角色 {}", r.id, r.role)))?;
        let access = Access::new(role, r.township.as_deref(), r.school_code.as_deref())
            .map_err(|e| StoreError::Corrupt(format!("用户 {}：{e}", r.id)))?;
        Ok(UserRow {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            access,
            password_hash: r.password_hash,
            active: r.active,
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.role, u.township, u.school_code, \
    u.password_hash, u.active, u.created_at, u.created_by";

#[derive(sqlx::FromRow)]
struct RawSession {
    session_id: i64,
    csrf_token: String,
    expires_at: DateTime<Utc>,
    #[sqlx(flatten)]
    user: RawUser,
}

/// The township and school columns of an access.
fn scope_columns(a: &Access) -> (Option<&str>, Option<&str>) {
    use zizhu_domain::access::Scope;
    match &a.scope {
        Scope::County => (None, None),
        Scope::Township(t) => (Some(t.as_str()), None),
        Scope::School(s) => (None, Some(s.as_str())),
    }
}

/// Ends every session of user `id` (a new password, a disabled account).
/// Ends every session of user `id`, and revokes its API tokens: a password reset or a
/// disabled account must not leave another door open (a re-enabled account gets new tokens).
async fn end_sessions(tx: &mut crate::tx::Tx, id: i64) -> StoreResult<()> {
    tx_run!(&mut *tx, |conn| sqlx::query(
        "DELETE FROM web_session WHERE user_id = $1"
    )
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ()))
    .ctx("结束会话")?;
    tx_run!(tx, |conn| sqlx::query(
        "DELETE FROM api_token WHERE user_id = $1"
    )
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ()))
    .ctx("作废接口令牌")
}

impl Db {
    /// Adds an account and its audit entry in one transaction; returns its id.
    ///
    /// Errors: [`StoreError::UniqueViolation`] when the user name is taken.
    pub async fn add_user(&self, u: &NewUser<'_>) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO app_user (username, display_name, role, township, \
            school_code, password_hash, active, created_at, created_by) \
            VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8) RETURNING id";
        let (township, school) = scope_columns(u.access);
        let mut tx = crate::tx::Tx::begin(self).await?;
        let id: i64 = tx_run!(&mut tx, |conn| sqlx::query_scalar(SQL)
            .bind(u.username)
            .bind(u.display_name)
            .bind(u.access.role.key())
            .bind(township)
            .bind(school)
            .bind(u.password_hash)
            .bind(Utc::now())
            .bind(u.created_by)
            .fetch_one(conn)
            .await)
        .ctx("添加用户")?;
        let after = format!(
            "{}（{}），{}，范围 {}",
            u.username,
            u.display_name,
            u.access.role.zh(),
            u.access.scope_zh()
        );
        tx.audit_entry(&crate::audit::Entry {
            actor: u.created_by,
            action: "user_add",
            target: &format!("用户 {}", u.username),
            detail: "添加用户",
            after: Some(&after),
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The account named `username`, active or not.
    pub async fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM app_user u WHERE u.username = $1");
        let raw: Option<RawUser> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(username)
        .fetch_optional(pool)
        .await)
        .ctx("读取用户")?;
        raw.map(UserRow::try_from).transpose()
    }

    /// Every account, by user name.
    pub async fn users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM app_user u ORDER BY u.username");
        let raw: Vec<RawUser> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .fetch_all(pool)
        .await)
        .ctx("读取用户")?;
        raw.into_iter().map(UserRow::try_from).collect()
    }

    /// Replaces an account's password hash, ends its sessions and lifts a login lock, audited;
    /// false when there is no such user.
    pub async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        actor: &str,
    ) -> StoreResult<bool> {
        let mut tx = crate::tx::Tx::begin(self).await?;
        let id: Option<i64> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "UPDATE app_user SET password_hash = $1 WHERE username = $2 RETURNING id"
        )
        .bind(password_hash)
        .bind(username)
        .fetch_optional(conn)
        .await)
        .ctx("修改密码")?;
        let Some(id) = id else { return Ok(false) };
        end_sessions(&mut tx, id).await?;
        // The administrator's reset also lifts a lock from failed logins.
        tx_run!(&mut tx, |conn| sqlx::query(
            "DELETE FROM login_failure WHERE username = $1"
        )
        .bind(username)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("清除登录失败记录")?;
        tx.audit_entry(&crate::audit::Entry {
            actor,
            action: "user_password",
            target: &format!("用户 {username}"),
            detail: "重设密码，原有登录会话全部结束，接口令牌全部作废",
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Opens a session for `user_id`; `token_sha256` is the hash of the cookie's token.
    pub async fn create_session(
        &self,
        token_sha256: &str,
        user_id: i64,
        csrf_token: &str,
        origin: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO web_session (token_sha256, user_id, csrf_token, origin, \
            created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
        db_run!(self, |pool| sqlx::query(SQL)
            .bind(token_sha256)
            .bind(user_id)
            .bind(csrf_token)
            .bind(origin)
            .bind(Utc::now())
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
        .ctx("创建登录会话")?;
        Ok(())
    }

    /// The session whose token hashes to `token_sha256`, if it has not expired at `now` and
    /// its user is active.
    pub async fn session(
        &self,
        token_sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionRow>> {
        let sql = format!(
            "SELECT s.id AS session_id, s.csrf_token, s.expires_at, {USER_COLS} \
             FROM web_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.active"
        );
        let raw: Option<RawSession> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(pool)
        .await)
        .ctx("读取登录会话")?;
        raw.map(|r| {
            Ok(SessionRow {
                id: r.session_id,
                csrf_token: r.csrf_token,
                expires_at: r.expires_at,
                user: UserRow::try_from(r.user)?,
            })
        })
        .transpose()
    }

    /// Ends the session whose token hashes to `token_sha256` (logout), and every expired one.
    pub async fn end_session(&self, token_sha256: &str) -> StoreResult<()> {
        db_run!(self, |pool| sqlx::query(
            "DELETE FROM web_session WHERE token_sha256 = $1 OR expires_at <= $2"
        )
        .bind(token_sha256)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ()))
        .ctx("结束登录会话")?;
        Ok(())
    }

    /// Turns an account on or off, audited; turning it off ends its sessions. False when there
    /// is no such user.
    pub async fn set_active(&self, username: &str, active: bool, actor: &str) -> StoreResult<bool> {
        let mut tx = crate::tx::Tx::begin(self).await?;
        let id: Option<i64> = tx_run!(&mut tx, |conn| sqlx::query_scalar(
            "UPDATE app_user SET active = $1 WHERE username = $2 RETURNING id"
        )
        .bind(active)
        .bind(username)
        .fetch_optional(conn)
        .await)
        .ctx("修改用户状态")?;
        let Some(id) = id else { return Ok(false) };
        if !active {
            end_sessions(&mut tx, id).await?;
        }
        tx.audit_entry(&crate::audit::Entry {
            actor,
            action: if active {
                "user_enable"
            } else {
                "user_disable"
            },
            target: &format!("用户 {username}"),
            detail: if active {
                "启用用户"
            } else {
                "停用用户，登录会话全部结束，接口令牌全部作废"
            },
            after: Some(if active { "启用" } else { "停用" }),
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds an API token for `username` (its SHA-256 only), audited; false when there is no such
    /// user.
    pub async fn add_api_token(
        &self,
        username: &str,
        token_sha256: &str,
        label: &str,
        actor: &str,
    ) -> StoreResult<bool> {
        let Some(user) = self.user_by_name(username).await? else {
            return Ok(false);
        };
        let mut tx = crate::tx::Tx::begin(self).await?;
        tx_run!(&mut tx, |conn| sqlx::query(
            "INSERT INTO api_token (token_sha256, user_id, label, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(token_sha256)
        .bind(user.id)
        .bind(label)
        .bind(Utc::now())
        .bind(actor)
        .execute(conn)
        .await
        .map(|_| ()))
        .ctx("添加接口令牌")?;
        tx.audit_entry(&crate::audit::Entry {
            actor,
            action: "api_token_add",
            target: &format!("用户 {username}"),
            detail: label,
            after: Some("新接口令牌"),
            ..crate::audit::Entry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The active user whose API token hashes to `token_sha256`.
    pub async fn api_token_user(&self, token_sha256: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLS} FROM api_token t JOIN app_user u ON u.id = t.user_id \
             WHERE t.token_sha256 = $1 AND u.active"
        );
        let raw: Option<RawUser> = db_run!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(token_sha256)
        .fetch_optional(pool)
        .await)
        .ctx("读取接口令牌")?;
        raw.map(UserRow::try_from).transpose()
    }

    /// Records a failed login of `username` from `origin` (and forgets failures older than a
    /// day: they lock nothing any more).
    pub async fn record_login_failure(&self, username: &str, origin: &str) -> StoreResult<()> {
        db_run!(self, |pool| sqlx::query(
            "DELETE FROM login_failure WHERE at < $1"
        )
        .bind(Utc::now() - chrono::Duration::days(1))
        .execute(pool)
        .await
        .map(|_| ()))
        .ctx("清除登录失败记录")?;
        db_run!(self, |pool| sqlx::query(
            "INSERT INTO login_failure (username, origin, at) VALUES ($1, $2, $3)"
        )
        .bind(username)
        .bind(origin)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ()))
        .ctx("记录登录失败")?;
        Ok(())
    }

    /// Failed logins of `username` since `since`.
    pub async fn login_failures_since(
        &self,
        username: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        db_run!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failure WHERE username = $1 AND at > $2"
        )
        .bind(username)
        .bind(since)
        .fetch_one(pool)
        .await)
        .ctx("读取登录失败记录")
    }

    /// Forgets the failed logins of `username` (after a successful one).
    pub async fn clear_login_failures(&self, username: &str) -> StoreResult<()> {
        db_run!(self, |pool| sqlx::query(
            "DELETE FROM login_failure WHERE username = $1"
        )
        .bind(username)
        .execute(pool)
        .await
        .map(|_| ()))
        .ctx("清除登录失败记录")?;
        Ok(())
    }
}
