-- Read model: every unexcused absence day the domain's assess() counts, one row per case and
-- day, with the first day of the episode it belongs to (a day equal to it starts the
-- episode). The dashboard's weekly trend of absences and episodes is a count over it. Kept by
-- the projector with the case's other rows, so `reproject` rebuilds it and
-- `check-projections` compares it. The projector's checkpoint is taken back to the start, so
-- that it re-assesses every case and fills the table (the read model is derived: nothing is
-- lost).
CREATE TABLE case_absence_days
(
    case_id       TEXT NOT NULL,
    day           TEXT NOT NULL,
    episode_start TEXT NOT NULL,
    PRIMARY KEY (case_id, day)
) STRICT;

CREATE INDEX case_absence_days_by_day ON case_absence_days (day);

DELETE FROM projector_checkpoints WHERE name = 'case_status';
