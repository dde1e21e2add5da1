-- One open case file per child (issue 15 point 4, ADR 0009 decision 2, ADR 0013). A row holds
-- the case file open for a child, the child known by his student number trimmed and
-- upper-cased (`notoneless_domain::child_key`). It is written by the event repository in the
-- same transaction as the event that opens, reopens or closes the case, after a check of the
-- row: the primary key refuses a second open case whoever writes, the CLI's imports and a
-- second server included. It is not derived by the projector: it is the guard of the write.
--
-- The row ('', '') says the table is still to be filled from the log: the store does it
-- (`one_case::fill_from_log`) in one transaction right after the migrations, keeping for each
-- child the case first opened among those open, and removes this row with it. A log that
-- already holds two open files of one child still loads; the review's `duplicate_case`
-- finding keeps naming the second.
CREATE TABLE child_case_files (
    child TEXT PRIMARY KEY,
    case_id TEXT NOT NULL
);

CREATE INDEX child_case_files_by_case ON child_case_files (case_id);

INSERT INTO child_case_files (child, case_id) VALUES ('', '');
