-- Every event is signed with the server's Ed25519 key (docs/hash-chain.md, "Signatures"):
-- `key_id` names the key, `signature` is the signature of the event's hash. Events written
-- before this migration have neither, and `verify` names them.
ALTER TABLE events
    ADD COLUMN key_id    text,
    ADD COLUMN signature text;

-- `recorded_at` is the database's time, not the writer's. The writer hashes and signs the
-- instant it records, so the database cannot set it; it refuses one more than 5 seconds off
-- its own clock, or more than 5 seconds before the latest event's (the previous one in
-- position order, which on PostgreSQL is commit order give or take the transactions in
-- flight, hence the tolerance). A database marked for training or a demonstration
-- (migration 0005) runs on a clock set to a scenario's days, so there it is not checked: the
-- mark is taken only on an empty log and is permanent, so real data never gets it. The
-- writing transaction is always the real one, whatever the INSERT says.
CREATE FUNCTION events_recorded_at_is_the_databases_time() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    previous timestamptz;
BEGIN
    NEW.tx_id := pg_current_xact_id();
    IF EXISTS (SELECT 1 FROM training_mark) THEN
        RETURN NEW;
    END IF;
    IF abs(extract(epoch FROM (NEW.recorded_at - clock_timestamp()))) > 5 THEN
        RAISE EXCEPTION 'recorded_at % is not the database''s time % (5 s tolerance)',
            NEW.recorded_at, clock_timestamp()
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT recorded_at INTO previous FROM events ORDER BY global_position DESC LIMIT 1;
    IF previous IS NOT NULL AND NEW.recorded_at < previous - interval '5 seconds' THEN
        RAISE EXCEPTION 'recorded_at % is earlier than the previous event''s %',
            NEW.recorded_at, previous
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER events_recorded_at_is_the_databases_time
    BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_recorded_at_is_the_databases_time();
