-- The sessions of people logged in with their password (the browser's cookie). A session is
-- not a fact about the organisation: it lives here, not in its stream. Only the SHA-256 of
-- a session's secret is kept, so a copy of this table opens no session. A session ends when
-- its user logs out, when an admin or a principal ends it, after its idle time or its
-- lifetime, or when its user's password changes (password_version no longer the user's).
CREATE TABLE sessions
(
    secret_sha256    text PRIMARY KEY,
    -- The session's public id, for the sign-in log and the server's log (never the secret).
    id               text        NOT NULL UNIQUE,
    user_id          text        NOT NULL,
    password_version bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    -- logged_out, ended (by an admin or a principal), password_changed, password_reset
    ended_why        text
);

CREATE INDEX sessions_open_by_user ON sessions (user_id) WHERE ended_at IS NULL;
