-- A database marked for training or a demonstration: its server may run on a clock set to
-- a scenario's days (`notoneless serve --clock`), and the demo county is built into it with
-- each fact recorded when the scenario enters it. It can be marked only while it holds no
-- event, and never unmarked: a database of real data cannot be given facts recorded at a time
-- of someone's choosing by marking it, nor a training database passed off as a real one.
CREATE TABLE training_mark
(
    id        smallint    PRIMARY KEY CHECK (id = 1),
    marked_at timestamptz NOT NULL,
    -- What it is for: "training", "demo".
    purpose   text        NOT NULL
);

CREATE FUNCTION training_mark_only_on_an_empty_log() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF EXISTS (SELECT 1 FROM events) THEN
        RAISE EXCEPTION 'a database that holds events cannot be marked for training'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER training_mark_on_an_empty_log
    BEFORE INSERT ON training_mark
    FOR EACH ROW EXECUTE FUNCTION training_mark_only_on_an_empty_log();

CREATE FUNCTION training_mark_is_permanent() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the training mark is permanent: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER training_mark_no_update_or_delete
    BEFORE UPDATE OR DELETE ON training_mark
    FOR EACH ROW EXECUTE FUNCTION training_mark_is_permanent();

CREATE TRIGGER training_mark_no_truncate
    BEFORE TRUNCATE ON training_mark
    FOR EACH STATEMENT EXECUTE FUNCTION training_mark_is_permanent();
