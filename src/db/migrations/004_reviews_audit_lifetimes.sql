-- Issue "Registration", part 3: CET6 review (REG-4), audit before payment (REG-9), lifetimes (REG-7).

ALTER TABLE exam
  -- REG-4: CET4 score a CET6 review needs; null = the exam has no review.
  ADD COLUMN cet6_review_threshold integer CHECK (cet6_review_threshold BETWEEN 0 AND 710),
  -- REG-9 (seed 004): payment only after the qualification audit passed.
  ADD COLUMN audit_required boolean NOT NULL DEFAULT false,
  -- REG-7 (seed 002): unpaid subjects are removed this long after they were registered.
  ADD COLUMN unpaid_registration_ttl_hours integer CHECK (unpaid_registration_ttl_hours BETWEEN 1 AND 720);

-- REG-4: subjects (CET6) that need an approved review.
ALTER TABLE subject ADD COLUMN requires_review boolean NOT NULL DEFAULT false;

-- CET4 results the review looks tickets up in (loaded by the authority).
CREATE TABLE cet4_score (
  authority_id  bigint NOT NULL REFERENCES authority(id),
  ticket_no     text NOT NULL CHECK (ticket_no ~ '^[0-9]{15}$'),
  id_number     text NOT NULL,
  name          text NOT NULL,
  score         integer NOT NULL CHECK (score BETWEEN 0 AND 710),
  PRIMARY KEY (authority_id, ticket_no)
);

CREATE TABLE eligibility_review (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  candidate_id   bigint NOT NULL REFERENCES candidate(id),
  sitting_id     bigint NOT NULL REFERENCES sitting(id),
  ticket_no      text NOT NULL,
  status         text NOT NULL CHECK (status IN ('APPROVED', 'PENDING', 'REJECTED')),
  decided_by     text,
  decided_at     timestamptz,
  reject_reason  text,
  created_at     timestamptz NOT NULL,
  CHECK (status <> 'REJECTED' OR (reject_reason IS NOT NULL AND length(reject_reason) > 0))
);
-- One live review per candidate and sitting; a rejected one may be filed again.
CREATE UNIQUE INDEX eligibility_review_one_live ON eligibility_review (candidate_id, sitting_id) WHERE status IN ('APPROVED', 'PENDING');
CREATE INDEX eligibility_review_queue ON eligibility_review (sitting_id, created_at) WHERE status = 'PENDING';

-- REG-9: the qualification audit result per candidate and sitting.
CREATE TABLE candidate_audit (
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  sitting_id    bigint NOT NULL REFERENCES sitting(id),
  status        text NOT NULL CHECK (status IN ('PENDING', 'PASSED', 'REJECTED')),
  PRIMARY KEY (candidate_id, sitting_id)
);

ALTER TABLE registration
  ADD COLUMN cancelled_at timestamptz,
  ADD COLUMN cancelled_reason text CHECK (cancelled_reason IN ('CANDIDATE', 'UNPAID_TIMEOUT')),
  ADD CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL AND cancelled_reason IS NOT NULL));
-- The lifetime job's scan: unpaid, active registrations by age.
CREATE INDEX registration_unpaid_age ON registration (created_at) WHERE status = 'ACTIVE' AND paid_at IS NULL;

-- A registration's age drives REG-7; it must come from the application's one clock, never
-- from the database's: every insert states it.
ALTER TABLE registration ALTER COLUMN created_at DROP DEFAULT;
