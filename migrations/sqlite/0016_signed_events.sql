-- Every event is signed with the server's Ed25519 key (see the PostgreSQL migration of the
-- same name and docs/hash-chain.md).
ALTER TABLE events ADD COLUMN key_id TEXT;
ALTER TABLE events ADD COLUMN signature TEXT;

-- `recorded_at` is the database's time: refused when more than 5 seconds off the database's
-- clock, or more than 5 seconds before the previous event's (SQLite writes one at a time, so
-- position order is commit order). Not checked on a database marked for training or a
-- demonstration (migration 0005).
CREATE TRIGGER events_recorded_at_is_the_databases_time BEFORE INSERT ON events
WHEN NOT EXISTS (SELECT 1 FROM training_mark)
    AND abs(julianday(NEW.recorded_at) - julianday('now')) * 86400.0 > 5
BEGIN
    SELECT RAISE(ABORT, 'recorded_at is not the database''s time (5 s tolerance)');
END;

CREATE TRIGGER events_recorded_at_not_before_the_previous BEFORE INSERT ON events
WHEN NOT EXISTS (SELECT 1 FROM training_mark)
    AND (julianday((SELECT recorded_at FROM events ORDER BY global_position DESC LIMIT 1))
        - julianday(NEW.recorded_at)) * 86400.0 > 5
BEGIN
    SELECT RAISE(ABORT, 'recorded_at is earlier than the previous event''s');
END;
