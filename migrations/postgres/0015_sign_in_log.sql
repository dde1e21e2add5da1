-- The sign-in log: every login, wrong password, lock, logout and ending of sessions, with
-- when, whose account (none for a user name that does not exist: what was typed is not
-- kept, it may be a password typed in the wrong box), the session's public id, the source
-- address, who ended a session and the request id. Appended and never changed, like the
-- access log; an account's lock is read from it.
CREATE TABLE sign_in_log
(
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    -- logged_in, wrong_password, unknown_user, refused_locked, locked, logged_out,
    -- sessions_ended, password_changed, password_reset
    kind       text        NOT NULL,
    user_id    text,
    session_id text,
    source     text,
    actor      text,
    request_id text        NOT NULL
);

CREATE INDEX sign_in_log_by_user ON sign_in_log (user_id, id);

CREATE FUNCTION sign_in_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the sign-in log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER sign_in_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON sign_in_log
    FOR EACH ROW EXECUTE FUNCTION sign_in_log_is_append_only();

CREATE TRIGGER sign_in_log_no_truncate
    BEFORE TRUNCATE ON sign_in_log
    FOR EACH STATEMENT EXECUTE FUNCTION sign_in_log_is_append_only();
