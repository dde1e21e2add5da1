-- Signed checkpoints of the log (see the PostgreSQL migration of the same name).
CREATE TABLE log_checkpoints
(
    number    INTEGER PRIMARY KEY CHECK (number >= 1),
    log_size  INTEGER NOT NULL,
    streams   INTEGER NOT NULL,
    root      TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    key_id    TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    signature TEXT    NOT NULL,
    -- Which events it covers: those at global positions up to this one (one writer at a time).
    snapshot  TEXT    NOT NULL
) STRICT;

CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE is not allowed');
END;
