-- Signed checkpoints of the log, Certificate-Transparency style (docs/hash-chain.md,
-- "Checkpoints"): the log's size and a Merkle root over the head of every stream, signed with
-- the server's key. `body` is the exact signed text (after `notoneless-checkpoint-v1:`). Append-only, like the events.
CREATE TABLE log_checkpoints
(
    number    bigint PRIMARY KEY CHECK (number >= 1),
    log_size  bigint      NOT NULL,
    streams   bigint      NOT NULL,
    root      text        NOT NULL,
    at        timestamptz NOT NULL,
    key_id    text        NOT NULL,
    body      text        NOT NULL,
    signature text        NOT NULL,
    -- Which events it covers, to rebuild its heads for an inclusion proof later: the
    -- pg_snapshot it was taken in (an event is covered when pg_visible_in_snapshot(tx_id)).
    snapshot  text        NOT NULL
);

CREATE TRIGGER log_checkpoints_no_update_or_delete
    BEFORE UPDATE OR DELETE ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TRIGGER log_checkpoints_no_truncate
    BEFORE TRUNCATE ON log_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
