-- The event store: one append-only table of every fact, hash-chained per case.
-- Column names match sqlite-es 0.5 (which reads this table); the rest are ours. SQLite has
-- one writer at a time, so global positions are handed out in commit order.

CREATE TABLE events
(
    global_position INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL CHECK (sequence >= 1),
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    UNIQUE (aggregate_type, aggregate_id, sequence)
) STRICT;

-- The database itself refuses to change or remove an event. SQLite has no TRUNCATE: a
-- DELETE without WHERE runs these triggers row by row and is refused the same way.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;

CREATE TABLE idempotency_keys
(
    actor           TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    global_position INTEGER NOT NULL,
    recorded_at     TEXT    NOT NULL,
    PRIMARY KEY (actor, key)
) STRICT;

CREATE TABLE projector_checkpoints
(
    name            TEXT PRIMARY KEY,
    tx_id           INTEGER NOT NULL,
    global_position INTEGER NOT NULL,
    updated_at      TEXT    NOT NULL
) STRICT;

CREATE TABLE case_status
(
    case_id          TEXT PRIMARY KEY,
    school           TEXT    NOT NULL,
    stage            TEXT    NOT NULL,
    episode_start    TEXT,
    episode_days     INTEGER NOT NULL,
    outstanding      INTEGER NOT NULL,
    next_due         TEXT,
    focus_groups     TEXT    NOT NULL,
    last_sequence    INTEGER NOT NULL,
    last_position    INTEGER NOT NULL,
    last_event_type  TEXT    NOT NULL,
    last_event_on    TEXT    NOT NULL,
    last_recorded_at TEXT    NOT NULL,
    assessed_at      TEXT    NOT NULL,
    stale_after      TEXT,
    assessment       TEXT    NOT NULL
) STRICT;

CREATE INDEX case_status_by_school ON case_status (school, stage);

CREATE TABLE case_obligations
(
    case_id       TEXT    NOT NULL,
    episode       INTEGER NOT NULL,
    step          INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    owners        TEXT    NOT NULL,
    trigger_day   TEXT    NOT NULL,
    due           TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    done_on       TEXT,
    done_sequence INTEGER,
    PRIMARY KEY (case_id, episode, step, kind)
) STRICT;

CREATE INDEX case_obligations_outstanding ON case_obligations (due) WHERE done_on IS NULL;
