-- A database marked for training or a demonstration (see the PostgreSQL migration of the
-- same name): marked only while it holds no event, and never unmarked.
CREATE TABLE training_mark
(
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    marked_at TEXT    NOT NULL,
    purpose   TEXT    NOT NULL
) STRICT;

CREATE TRIGGER training_mark_on_an_empty_log BEFORE INSERT ON training_mark
WHEN EXISTS (SELECT 1 FROM events)
BEGIN
    SELECT RAISE(ABORT, 'a database that holds events cannot be marked for training');
END;

CREATE TRIGGER training_mark_no_update BEFORE UPDATE ON training_mark
BEGIN
    SELECT RAISE(ABORT, 'the training mark is permanent: UPDATE is not allowed');
END;

CREATE TRIGGER training_mark_no_delete BEFORE DELETE ON training_mark
BEGIN
    SELECT RAISE(ABORT, 'the training mark is permanent: DELETE is not allowed');
END;
