-- API tokens (接口令牌) for other systems: each acts as its user, with that user's role and scope.
-- Only the SHA-256 of a token is kept. Keep it logically identical to migrations/postgres/0009.
CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    label        TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX api_token_user ON api_token (user_id);
