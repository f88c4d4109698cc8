-- Issue 7 item 3: documents (DOC-1 … DOC-3, docs/documents.md).

-- DOC-1: the electronic receipt of a paid bill, issued once (the first time anyone asks for it)
-- and never changed: its number stays the one printed, whatever happens to the bill later.
-- The verification code in its QR is an HMAC of the receipt number under the personal-data hash
-- key (modules/documents/verification-code.ts); only its sha256 is kept, so a copy of this table
-- cannot produce or find a code.
CREATE SEQUENCE receipt_no_seq;
CREATE TABLE receipt (
  bill_id      bigint PRIMARY KEY REFERENCES bill(id),
  receipt_no   text NOT NULL UNIQUE CHECK (receipt_no ~ '^[0-9]{18}$'),
  verify_hash  bytea NOT NULL UNIQUE CHECK (length(verify_hash) = 32),
  issued_at    timestamptz NOT NULL
);

-- DOC-2: one admission ticket (准考证) per candidate, sitting and kind (笔试 / 口试), its number
-- given at the first print inside the print window and kept: reprints show the same number.
CREATE SEQUENCE admission_ticket_no_seq;
CREATE TABLE admission_ticket (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sitting_id    bigint NOT NULL REFERENCES sitting(id),
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  kind          text NOT NULL CHECK (kind IN ('WRITTEN', 'ORAL')),
  ticket_no     text NOT NULL CHECK (ticket_no ~ '^[0-9]{15}$'),
  issued_at     timestamptz NOT NULL,
  UNIQUE (sitting_id, candidate_id, kind),
  UNIQUE (sitting_id, ticket_no)
);
CREATE INDEX admission_ticket_candidate ON admission_ticket (candidate_id);
