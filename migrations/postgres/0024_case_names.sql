-- The child each case is about, as the lists show it and the search finds it: the name, its
-- pinyin initials (computed by the projector when it writes the row: 张小明 → zxm), the
-- student number (学籍号), the national ID number where the student number holds one
-- ("G" followed by the ID number), the grade and the class. Derived from the case's opening
-- like the rest of the row, so `reproject` rebuilds them. Empty in rows written before:
-- every row is marked stale, so that the projector rewrites it; its review contribution is
-- dropped too, since a finding's detail is now a catalogue message, not a text (until the
-- row is rewritten, a review reads the case from the log).
ALTER TABLE case_status ADD COLUMN student_name text NOT NULL DEFAULT '';
ALTER TABLE case_status ADD COLUMN name_initials text NOT NULL DEFAULT '';
ALTER TABLE case_status ADD COLUMN student_number text NOT NULL DEFAULT '';
ALTER TABLE case_status ADD COLUMN id_number text;
ALTER TABLE case_status ADD COLUMN grade bigint NOT NULL DEFAULT 0;
ALTER TABLE case_status ADD COLUMN class_name text NOT NULL DEFAULT '';

CREATE INDEX case_status_by_student_number ON case_status (student_number);
CREATE INDEX case_status_by_id_number ON case_status (id_number);
CREATE INDEX case_status_by_name ON case_status (student_name);
CREATE INDEX case_status_by_initials ON case_status (name_initials);

UPDATE case_status SET stale_after = assessed_at, review = NULL, review_rules = NULL;
