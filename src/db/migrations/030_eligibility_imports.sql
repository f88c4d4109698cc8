-- ADM-2: two more kinds of eligibility data the authority loads from a spreadsheet
-- (docs/imports-exports.md):
--   CET4_SCORE  CET4 results the CET6 review looks tickets up in (REG-4, seed 002); they belong
--               to the authority, so the job names neither an exam nor a sitting.
--   AUDIT       资格审核结果 per candidate of one sitting (REG-9, seed 004): needs sitting_id.
-- The constraints were unnamed in 027; these are the names PostgreSQL gave them (an inline
-- column CHECK is <table>_<column>_check, the first table CHECK <table>_check, the second
-- <table>_check1 — the file check, left alone).
ALTER TABLE import_job
  DROP CONSTRAINT import_job_kind_check,
  DROP CONSTRAINT import_job_check,
  ADD CONSTRAINT import_job_kind_check CHECK (kind IN ('ROSTER', 'STANDING', 'CET4_SCORE', 'AUDIT')),
  -- ROSTER names an exam, STANDING and AUDIT a sitting, CET4_SCORE neither.
  ADD CONSTRAINT import_job_target_check CHECK ((kind = 'ROSTER') = (exam_id IS NOT NULL) AND (kind IN ('STANDING', 'AUDIT')) = (sitting_id IS NOT NULL));
