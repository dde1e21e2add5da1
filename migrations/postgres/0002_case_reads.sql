-- The access log: who read which child's case file, when, and how. One row per case read,
-- appended and never changed. Reads are not facts about the child: they are kept here, not
-- in the case's stream.

CREATE TABLE case_reads
(
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      text        NOT NULL,
    read_at      timestamptz NOT NULL,
    actor        text        NOT NULL,
    role         text        NOT NULL,
    jurisdiction text        NOT NULL,
    -- status, history, as_of, as_known_at, timeline, ledger_export, review_export
    kind         text        NOT NULL,
    -- What was asked for, where it matters (the day of an as-of replay …); never a child's data.
    detail       text,
    request_id   text        NOT NULL
);

CREATE INDEX case_reads_by_case ON case_reads (case_id, id);

-- The database itself refuses to change or remove an entry, whoever asks.
CREATE FUNCTION case_reads_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER case_reads_no_update_or_delete
    BEFORE UPDATE OR DELETE ON case_reads
    FOR EACH ROW EXECUTE FUNCTION case_reads_are_append_only();

CREATE TRIGGER case_reads_no_truncate
    BEFORE TRUNCATE ON case_reads
    FOR EACH STATEMENT EXECUTE FUNCTION case_reads_are_append_only();
