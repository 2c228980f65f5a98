//! Accounts (用户) and logins for the web application: Argon2id password hashes, random session
//! tokens kept only as their SHA-256, and login throttling (登录失败限制). The first county
//! administrator is made on the command line (`zizhu user add`); there is no default password.

use crate::AppError;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use zizhu_domain::access::{Access, Scope};
use zizhu_store::{AuditEntry, Db, NewUser, SessionRow, UserRow};

/// Failed logins of one user name within [`LOCK_WINDOW`] after which it is locked.
pub const MAX_FAILURES: i64 = 5;
/// How long failures count, and how long a locked name stays locked after the last one.
pub const LOCK_WINDOW: Duration = Duration::minutes(15);
/// How long a session lasts (a working day).
pub const SESSION_LENGTH: Duration = Duration::hours(8);
/// Shortest and longest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The outcome of a login attempt. The messages do not tell a wrong name from a wrong password.
#[derive(Debug)]
pub enum Login {
    /// Signed in: the cookie's token (given to the browser once, stored only hashed) and the
    /// session.
    Ok {
        token: String,
        session: Box<SessionRow>,
    },
    /// Wrong name or password.
    Refused,
    /// Too many failures: try again later.
    Locked,
}

/// 64 hex digits of operating-system randomness (session tokens, CSRF tokens).
pub fn random_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Other(format!("无法取得随机数：{e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The SHA-256 (hex) of a session token, as the database keeps it.
pub fn token_sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// A new random password of 16 characters without look-alikes (no 0/O, 1/l/I).
pub fn generate_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| AppError::Other(format!("无法取得随机数：{e}")))?;
    // 256 is not a multiple of 56: the bias (at most 1 in 256) does not matter for 16 chars.
    Ok(b.iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % ALPHABET.len()]))
        .collect())
}

/// Hashes a password with Argon2id (default parameters, random salt) to a PHC string.
///
/// Errors: a password shorter than [`MIN_PASSWORD_CHARS`] or longer than
/// [`MAX_PASSWORD_CHARS`], with fewer than 4 distinct non-blank characters, or with a control
/// character.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::Other(format!(
            "密码太短：至少 {MIN_PASSWORD_CHARS} 个字符"
        )));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::Other(format!(
            "密码太长：至多 {MAX_PASSWORD_CHARS} 个字符"
        )));
    }
    let mut distinct: Vec<char> = password.chars().filter(|c| !c.is_whitespace()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 || password.chars().any(char::is_control) {
        return Err(AppError::Other(
            "密码太简单：至少要有 4 个不同的非空白字符，且不能含控制字符".into(),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Other(format!("无法计算密码散列：{e}")))
}

/// Does `password` match the PHC string `hash`? A malformed hash matches nothing.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A user name: 2–32 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit.
pub fn check_username(name: &str) -> Result<(), AppError> {
    let ok = (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(AppError::Other(format!(
            "用户名“{}”不可用：应为 2 至 32 个英文字母、数字或 . _ -，以字母或数字开头",
            zizhu_domain::text::printable(name)
        )))
    }
}

/// Adds an account after checking its name, display name, password and that its township or
/// school is on the school list; audited as made by `actor`. Returns the new user's id.
pub async fn add_user(
    db: &Db,
    username: &str,
    display_name: &str,
    access: &Access,
    password: &str,
    actor: &str,
) -> Result<i64, AppError> {
    check_username(username)?;
    // Names are kept in lower case, so `Demo.County` and `demo.county` are one account.
    let username = &username.to_lowercase();
    let display = display_name.trim();
    if display.is_empty()
        || zizhu_domain::text::printable(display) != display
        || display.chars().count() > 40
    {
        return Err(AppError::Other(
            "姓名应为 1 至 40 个字符，不含控制字符或文字方向控制符".into(),
        ));
    }
    let schools = db.schools().await?;
    match &access.scope {
        Scope::County => {}
        Scope::Township(t) if schools.iter().any(|s| &s.township == t) => {}
        Scope::Township(t) => {
            return Err(AppError::Other(format!(
                "学校名单中没有乡镇“{}”（请先导入学校名单，或检查乡镇名称）",
                zizhu_domain::text::printable(t)
            )))
        }
        Scope::School(c) if schools.iter().any(|s| &s.code == c) => {}
        Scope::School(c) => {
            return Err(AppError::Other(format!(
                "学校名单中没有学校标识码 {}（请先导入学校名单，或检查标识码）",
                zizhu_domain::text::printable(c)
            )))
        }
    }
    let hash = hash_password(password)?;
    db.add_user(&NewUser {
        username,
        display_name: display,
        access,
        password_hash: &hash,
        created_by: actor,
    })
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            AppError::Other(format!("用户名 {username} 已被使用"))
        } else {
            e.into()
        }
    })
}

/// A login attempt from `origin` (the client's address) at `now`. Failures are counted per user
/// name; after [`MAX_FAILURES`] within [`LOCK_WINDOW`] the name is locked (even the right
/// password is refused) until the window passes. Every attempt is audited; the password never.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<Login, AppError> {
    // User names are stored in lower case: `Demo.County` is `demo.county`, for the lock too.
    // What a client typed is kept printable and short in the log.
    let name: String = zizhu_domain::text::printable(username.trim())
        .to_lowercase()
        .chars()
        .take(64)
        .collect();
    let audit = |action: &'static str, detail: &'static str| AuditEntry {
        actor: &name,
        action,
        target: "登录",
        detail,
        origin: Some(origin),
        ..AuditEntry::default()
    };
    // The attempt counts as a failure before the password is checked, and the count includes
    // it: of guesses sent at the same moment, only those among the first MAX_FAILURES rows are
    // checked at all (counting first would let every simultaneous guess through).
    db.record_login_failure(&name, origin).await?;
    let failures = db.login_failures_since(&name, now - LOCK_WINDOW).await?;
    if failures > MAX_FAILURES {
        // The first refusal of a lock is logged, then one in a hundred: a locked name cannot be
        // used to flood the log.
        if (failures - MAX_FAILURES - 1) % 100 == 0 {
            db.audit_entry(&audit(
                "login_locked",
                "连续登录失败次数过多，已暂时锁定，拒绝登录",
            ))
            .await?;
        }
        return Ok(Login::Locked);
    }
    let user: Option<UserRow> = db.user_by_name(&name).await?.filter(|u| u.active);
    // An unknown name costs as much time as a wrong password: no probing for names.
    let hash = user
        .as_ref()
        .map_or(DUMMY_HASH, |u| u.password_hash.as_str())
        .to_string();
    let matches = verify_off_thread(hash, password.to_string()).await? && user.is_some();
    let Some(user) = user.filter(|_| matches) else {
        db.audit_entry(&audit("login_failed", "用户名或密码错误"))
            .await?;
        return Ok(Login::Refused);
    };
    db.clear_login_failures(&name).await?;
    // A new token on every login: a session id planted before login is never adopted.
    let token = random_token()?;
    let csrf = random_token()?;
    let expires = now + SESSION_LENGTH;
    db.create_session(&token_sha256(&token), user.id, &csrf, origin, expires)
        .await?;
    db.audit_entry(&audit("login", "登录成功")).await?;
    let session = db
        .session(&token_sha256(&token), now)
        .await?
        .ok_or_else(|| AppError::Other("登录会话创建后无法读取".into()))?;
    Ok(Login::Ok {
        token,
        session: Box::new(session),
    })
}

/// Verifies a password on a blocking thread, at most two at a time: Argon2 is deliberately slow,
/// and a burst of logins must not stall the threads that serve pages.
async fn verify_off_thread(hash: String, password: String) -> Result<bool, AppError> {
    static GATE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let gate = GATE.get_or_init(|| tokio::sync::Semaphore::new(2));
    let _permit = gate
        .acquire()
        .await
        .map_err(|e| AppError::Other(format!("密码校验排队失败：{e}")))?;
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .map_err(|e| AppError::Other(format!("密码校验失败：{e}")))
}

/// An Argon2id hash of a random password nobody knows, verified against for unknown user names.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2UnBdo2mPb8s1rvhZAOBsHBvmYhWp28DrmDvVfbplSE";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_password("长期有效的口令-2023").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "长期有效的口令-2023"));
        assert!(!verify_password(&h, "长期有效的口令-2024"));
        assert!(!verify_password("not a hash", "x"));
        assert!(hash_password("short").is_err());
        assert!(hash_password("          ").is_err(), "ten spaces");
        assert!(hash_password("aaaaaaaaaaaa").is_err(), "one character");
        assert!(hash_password(&"ab3$".repeat(100)).is_err(), "too long");
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_names_cost_a_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password(DUMMY_HASH, ""));
    }

    #[test]
    fn tokens_are_random_hex_and_stored_hashed() {
        let (a, b) = (random_token().expect("a"), random_token().expect("b"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_sha256(&a), a);
        assert_eq!(token_sha256(&a).len(), 64);
        let p = generate_password().expect("pw");
        assert_eq!(p.chars().count(), 16);
        assert!(p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c)));
    }

    #[test]
    fn user_names_are_plain_ascii() {
        assert!(check_username("yudu.admin").is_ok());
        for bad in [
            "",
            "a",
            "-lead",
            "张三",
            "a b",
            "x\u{1b}[31m",
            &"a".repeat(33),
        ] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }
}
