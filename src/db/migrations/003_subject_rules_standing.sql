-- Issue "Registration", part 2: subject rules and a candidate's standing per subject (REG-3, REG-5).

ALTER TABLE subject
  -- REG-5: an oral subject names its written subject.
  ADD COLUMN written_subject_id bigint REFERENCES subject(id),
  -- REG-3: subjects in one group exclude each other (大学英语A / 大学英语B).
  ADD COLUMN exclusion_group text,
  ADD CHECK (kind = 'ORAL' OR written_subject_id IS NULL);

-- Whether only subjects listed as ELIGIBLE on the roster / student record may be registered.
ALTER TABLE exam ADD COLUMN roster_restricted boolean NOT NULL DEFAULT false;

-- 学籍 / roster facts per candidate and subject: eligible, already passed, exempt.
CREATE TABLE candidate_subject_standing (
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  subject_id    bigint NOT NULL REFERENCES subject(id),
  status        text NOT NULL CHECK (status IN ('ELIGIBLE', 'PASSED', 'EXEMPT')),
  PRIMARY KEY (candidate_id, subject_id)
);
