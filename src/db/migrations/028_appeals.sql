-- Candidates' appeals (seed 000, ORG-2; docs/appeals.md):
--   LINK    关联申诉: the candidate's record (学籍 row) is already held by an account that is not
--           theirs. Filed without signing in (the filer cannot sign in to the row), with the
--           address the outcome goes to.
--   SUBJECT 报考科目申诉: a registered subject is wrong. While it is pending the candidate cannot
--           register that subject (registration-rules: SUBJECT_APPEAL_PENDING).
-- The institution holding the candidate decides (institution_id; NULL = the authority's admins).
-- States: PENDING → ACCEPTED | REJECTED (with a reason) | WITHDRAWN (by the candidate), and no
-- other transition (modules/appeals/appeal-state.ts; appeal-transition.repo.ts is its one door).
CREATE TABLE appeal (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id     bigint NOT NULL REFERENCES authority(id),
  candidate_id     bigint NOT NULL REFERENCES candidate(id),
  kind             text NOT NULL CHECK (kind IN ('LINK', 'SUBJECT')),
  institution_id   bigint,
  subject_id       bigint REFERENCES subject(id),
  registration_id  bigint REFERENCES registration(id),
  -- LINK only: where the decision (and, when accepted, the way back in) is mailed.
  contact_email    text CHECK (contact_email IS NULL OR (length(contact_email) <= 254 AND contact_email = lower(contact_email) AND contact_email LIKE '_%@_%')),
  statement        text NOT NULL CHECK (length(btrim(statement)) BETWEEN 1 AND 500),
  state            text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN')),
  reject_reason    text CHECK (reject_reason IS NULL OR length(btrim(reject_reason)) BETWEEN 1 AND 200),
  -- 'staff:42' or 'candidate:7', as bill transitions name actors.
  decided_by       text,
  decided_at       timestamptz,
  created_at       timestamptz NOT NULL,
  FOREIGN KEY (institution_id, authority_id) REFERENCES institution (id, authority_id),
  CHECK ((kind = 'SUBJECT') = (subject_id IS NOT NULL)),
  CHECK (kind = 'SUBJECT' OR registration_id IS NULL),
  CHECK ((kind = 'LINK') = (contact_email IS NOT NULL)),
  CHECK ((state = 'REJECTED') = (reject_reason IS NOT NULL)),
  CHECK ((state = 'PENDING') = (decided_at IS NULL)),
  CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
-- One pending appeal per candidate and subject, and one pending link appeal per record.
CREATE UNIQUE INDEX appeal_one_pending_subject ON appeal (candidate_id, subject_id) WHERE state = 'PENDING' AND kind = 'SUBJECT';
CREATE UNIQUE INDEX appeal_one_pending_link ON appeal (candidate_id) WHERE state = 'PENDING' AND kind = 'LINK';
-- The candidate's list, and the staff queue of an authority (narrowed to an institution).
CREATE INDEX appeal_candidate ON appeal (candidate_id, id DESC);
CREATE INDEX appeal_queue ON appeal (authority_id, state, id);
CREATE INDEX appeal_institution_queue ON appeal (institution_id, state, id) WHERE institution_id IS NOT NULL;
