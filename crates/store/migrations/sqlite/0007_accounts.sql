-- Web accounts (用户), their sessions and failed logins; the audit log learns where an action came
-- from and what a change replaced. Keep it logically identical to migrations/postgres/0007.

-- 用户: role is the Role key (county_admin, township_officer, school_officer, auditor); a
-- township officer has `township`, a school officer `school_code`, the others neither.
-- Passwords are Argon2id PHC strings; no password is ever stored in clear.
CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    township      TEXT,
    school_code   TEXT,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL
);

-- 登录会话: only the SHA-256 of the cookie's token is kept, so a copy of the database opens no
-- session. `csrf_token` is sent back in every form of the session.
CREATE TABLE web_session (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    csrf_token   TEXT NOT NULL,
    origin       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX web_session_user ON web_session (user_id);

-- 登录失败记录, for throttling: failures of one user name in a window lock it for a while.
CREATE TABLE login_failure (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    origin   TEXT NOT NULL,
    at       TIMESTAMP NOT NULL
);
CREATE INDEX login_failure_user ON login_failure (username, at);

-- 审计日志: from where (client address), and what a change replaced (before) and made (after).
ALTER TABLE audit_log ADD COLUMN origin TEXT;
ALTER TABLE audit_log ADD COLUMN before_value TEXT;
ALTER TABLE audit_log ADD COLUMN after_value TEXT;
