-- Issue "Accounts and security".
-- ACC-3: each exam's password policy. Defaults are seed 001's rule (8–16, letters and digits).
ALTER TABLE exam
  ADD COLUMN password_min_length integer NOT NULL DEFAULT 8,
  -- NULL: no maximum of the exam's own (seed 002: "不能小于8位"); the application caps at 64.
  ADD COLUMN password_max_length integer DEFAULT 16,
  ADD COLUMN password_required_classes text[] NOT NULL DEFAULT '{LETTER,DIGIT}',
  ADD COLUMN password_special_characters text NOT NULL DEFAULT '!@#$%^&*_-',
  ADD CONSTRAINT exam_password_length CHECK (password_min_length BETWEEN 6 AND 64
    AND (password_max_length IS NULL OR password_max_length BETWEEN password_min_length AND 64)),
  ADD CONSTRAINT exam_password_classes CHECK (password_required_classes <@ ARRAY['LETTER', 'LOWER', 'UPPER', 'DIGIT', 'SPECIAL']),
  -- Printable ASCII punctuation only: no letters, digits, spaces or anything a keyboard lacks.
  ADD CONSTRAINT exam_password_specials CHECK (password_special_characters ~ '^[!-/:-@\[-`{-~]*$');

-- ACC-1: 港澳台居民居住证 numbers (GB 11643 layout, regions 810000/820000/830000) key accounts too.
ALTER TABLE candidate DROP CONSTRAINT candidate_id_type_check;
ALTER TABLE candidate ADD CONSTRAINT candidate_id_type_check
  CHECK (id_type IN ('RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'HMT_RESIDENCE_PERMIT'));

-- ACC-7: sign-in failures per account and per client address, shared by every server process.
CREATE TABLE sign_in_throttle (
  -- sha256 of 'account:<authority>:<ID number as typed, normalised>' or 'address:<ip>': the same
  -- counters whether or not the account exists, and no ID number in the table.
  key                bytea PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('ACCOUNT', 'ADDRESS')),
  failures           integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  window_started_at  timestamptz,
  locked_until       timestamptz,
  -- Lockouts in a row: each one lasts twice as long as the one before.
  lockouts           integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
  last_locked_at     timestamptz,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX sign_in_throttle_updated ON sign_in_throttle (updated_at);
