-- The sessions of people logged in with their password (see the PostgreSQL migration of the
-- same name): only the SHA-256 of a session's secret is kept.
CREATE TABLE sessions
(
    secret_sha256    TEXT PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    user_id          TEXT    NOT NULL,
    password_version INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    last_seen_at     TEXT    NOT NULL,
    expires_at       TEXT    NOT NULL,
    ended_at         TEXT,
    ended_why        TEXT
) STRICT;

CREATE INDEX sessions_open_by_user ON sessions (user_id) WHERE ended_at IS NULL;
