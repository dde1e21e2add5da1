-- The event store: one append-only table of every fact, hash-chained per case.
-- Column names match postgres-es 0.5 (which reads this table); the rest are ours.

CREATE TABLE events
(
    global_position bigint GENERATED ALWAYS AS IDENTITY,
    aggregate_type  text                         NOT NULL,
    aggregate_id    text                         NOT NULL,
    sequence        bigint CHECK (sequence >= 1) NOT NULL,
    event_type      text                         NOT NULL,
    event_version   text                         NOT NULL,
    payload         json                         NOT NULL,
    metadata        json                         NOT NULL,
    -- The writing transaction: the projector reads in (tx_id, global_position) order and
    -- only below pg_snapshot_xmin, so an event of a transaction still in flight is never
    -- skipped.
    tx_id           xid8                         NOT NULL DEFAULT pg_current_xact_id(),
    recorded_at     timestamptz                  NOT NULL,
    prev_hash       text                         NOT NULL,
    hash            text                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence),
    UNIQUE (global_position)
);

CREATE INDEX events_by_commit ON events (tx_id, global_position);

-- The database itself refuses to change or remove an event, whoever asks.
CREATE FUNCTION events_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- A command sent again with the same idempotency key returns this first result.
CREATE TABLE idempotency_keys
(
    actor           text        NOT NULL,
    key             text        NOT NULL,
    fingerprint     text        NOT NULL,
    aggregate_id    text        NOT NULL,
    sequence        bigint      NOT NULL,
    global_position bigint      NOT NULL,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (actor, key)
);

-- Where each projector has got to, as (tx_id, global_position) of the last event applied.
CREATE TABLE projector_checkpoints
(
    name            text        PRIMARY KEY,
    tx_id           bigint      NOT NULL,
    global_position bigint      NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- Read model: each case's status, computed with the domain's assess().
CREATE TABLE case_status
(
    case_id          text PRIMARY KEY,
    school           text        NOT NULL,
    stage            text        NOT NULL,
    episode_start    date,
    episode_days     bigint      NOT NULL,
    outstanding      bigint      NOT NULL,
    next_due         timestamptz,
    focus_groups     json        NOT NULL,
    last_sequence    bigint      NOT NULL,
    last_position    bigint      NOT NULL,
    last_event_type  text        NOT NULL,
    last_event_on    date        NOT NULL,
    last_recorded_at timestamptz NOT NULL,
    assessed_at      timestamptz NOT NULL,
    stale_after      timestamptz,
    assessment       json        NOT NULL
);

CREATE INDEX case_status_by_school ON case_status (school, stage);

-- Read model: every obligation of every episode, for work queues and overdue lists.
CREATE TABLE case_obligations
(
    case_id       text        NOT NULL,
    episode       bigint      NOT NULL,
    step          bigint      NOT NULL,
    kind          text        NOT NULL,
    owners        json        NOT NULL,
    trigger_day   date        NOT NULL,
    due           timestamptz NOT NULL,
    status        text        NOT NULL,
    done_on       date,
    done_sequence bigint,
    PRIMARY KEY (case_id, episode, step, kind)
);

CREATE INDEX case_obligations_outstanding ON case_obligations (due) WHERE done_on IS NULL;
