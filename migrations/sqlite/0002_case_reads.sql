-- The access log: who read which child's case file, when, and how. One row per case read,
-- appended and never changed. Reads are not facts about the child: they are kept here, not
-- in the case's stream.

CREATE TABLE case_reads
(
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      TEXT NOT NULL,
    read_at      TEXT NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    -- status, history, as_of, as_known_at, timeline, ledger_export, review_export
    kind         TEXT NOT NULL,
    -- What was asked for, where it matters (the day of an as-of replay …); never a child's data.
    detail       TEXT,
    request_id   TEXT NOT NULL
) STRICT;

CREATE INDEX case_reads_by_case ON case_reads (case_id, id);

-- The database itself refuses to change or remove an entry.
CREATE TRIGGER case_reads_no_update BEFORE UPDATE ON case_reads
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER case_reads_no_delete BEFORE DELETE ON case_reads
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only: DELETE is not allowed');
END;
