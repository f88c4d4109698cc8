-- Issue 8 item 2 (ADM-2): roster and student-record imports run as background jobs. The file is
-- kept in the row (any app process's job runner can take it, OPS-4) until the job ends; progress
-- counters are written from outside the import's own transaction so the page can poll them while
-- the rows are written all-or-nothing.
CREATE TABLE import_job (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id    bigint NOT NULL REFERENCES authority(id),
  kind            text NOT NULL CHECK (kind IN ('ROSTER', 'STANDING')),
  -- ROSTER rows become accounts of this exam; STANDING rows are standings in this sitting's subjects.
  exam_id         bigint REFERENCES exam(id),
  sitting_id      bigint REFERENCES sitting(id),
  format          text NOT NULL CHECK (format IN ('CSV', 'XLSX')),
  file_name       text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  file            bytea,
  state           text NOT NULL DEFAULT 'QUEUED' CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'REJECTED', 'FAILED')),
  rows_total      integer,
  rows_read       integer NOT NULL DEFAULT 0,
  rows_validated  integer NOT NULL DEFAULT 0,
  rows_written    integer NOT NULL DEFAULT 0,
  error_count     integer NOT NULL DEFAULT 0,
  error_sheet     bytea,
  failure         text,
  requested_by    bigint NOT NULL REFERENCES staff_account(id),
  created_at      timestamptz NOT NULL,
  started_at      timestamptz,
  heartbeat_at    timestamptz,
  finished_at     timestamptz,
  CHECK ((kind = 'ROSTER') = (exam_id IS NOT NULL) AND (kind = 'STANDING') = (sitting_id IS NOT NULL)),
  -- A finished job gives its file up (personal data kept no longer than needed, OPS-6).
  CHECK (state IN ('QUEUED', 'RUNNING') OR file IS NULL)
);
CREATE INDEX import_job_queue ON import_job (created_at) WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX import_job_authority ON import_job (authority_id, created_at DESC);
