-- Each case's contribution to the accountability review (the domain's CaseContribution, as
-- JSON), kept with its status so that a review of "now" need not read the log. NULL until the
-- projector next writes the row: every row is marked stale here, so that it does.
ALTER TABLE case_status ADD COLUMN review text;

UPDATE case_status SET stale_after = assessed_at;
