-- The rules (calendar and ladder) each row's review contribution was computed under, as
-- `Rules::fingerprint`: a review of now does not take a contribution computed under other
-- rules. NULL in rows written before: those are read from the log until the projector
-- rewrites them (every row was marked stale by 0003).
ALTER TABLE case_status ADD COLUMN review_rules text;
