-- Issue 8 item 6 (ORG-1, REG-8): an institution registers its candidates from a spreadsheet. The
-- file is checked and applied at once, in the request (an institution's file is hundreds of rows,
-- not the roster's hundreds of thousands), all rows or none. This row records each upload: what
-- came of it, and for a rejected file its error sheet (row, column, reason; ID numbers masked) to
-- download. The file itself is never kept (OPS-6).
CREATE TABLE institution_import (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  institution_id  bigint NOT NULL REFERENCES institution(id),
  sitting_id      bigint NOT NULL REFERENCES sitting(id),
  requested_by    bigint NOT NULL REFERENCES staff_account(id),
  format          text NOT NULL CHECK (format IN ('CSV', 'XLSX')),
  file_name       text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  state           text NOT NULL CHECK (state IN ('DONE', 'REJECTED')),
  rows_total      integer NOT NULL CHECK (rows_total >= 0),
  registered      integer NOT NULL DEFAULT 0 CHECK (registered >= 0),
  error_count     integer NOT NULL DEFAULT 0 CHECK (error_count >= 0),
  error_sheet     bytea,
  created_at      timestamptz NOT NULL,
  -- A rejected file registered nothing and has its error sheet; an applied one registered every row.
  CHECK ((state = 'REJECTED' AND error_sheet IS NOT NULL AND error_count > 0 AND registered = 0)
      OR (state = 'DONE' AND error_sheet IS NULL AND error_count = 0 AND registered = rows_total))
);
CREATE INDEX institution_import_by_institution ON institution_import (institution_id, created_at DESC);
