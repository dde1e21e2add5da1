-- The sign-in log (see the PostgreSQL migration of the same name): appended, never changed.
CREATE TABLE sign_in_log
(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    user_id    TEXT,
    session_id TEXT,
    source     TEXT,
    actor      TEXT,
    request_id TEXT NOT NULL
) STRICT;

CREATE INDEX sign_in_log_by_user ON sign_in_log (user_id, id);

CREATE TRIGGER sign_in_log_no_update BEFORE UPDATE ON sign_in_log
BEGIN
    SELECT RAISE(ABORT, 'the sign-in log is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER sign_in_log_no_delete BEFORE DELETE ON sign_in_log
BEGIN
    SELECT RAISE(ABORT, 'the sign-in log is append-only: DELETE is not allowed');
END;
