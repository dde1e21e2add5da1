-- The day each report's recipient acknowledged it, so that a township or bureau officer's
-- work queue can list the reports still to acknowledge. NULL for every other obligation.
-- The projector's checkpoint is taken back to the start, so that it re-assesses every case
-- and fills the column (the read model is derived: nothing is lost).
ALTER TABLE case_obligations ADD COLUMN acknowledged_on date;

DELETE FROM projector_checkpoints WHERE name = 'case_status';
