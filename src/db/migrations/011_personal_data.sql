-- Issue "Accounts and security", item 7 (OPS-6): ID numbers and phones are kept sealed
-- (AES-256-GCM, keys from configuration; [key version][IV][ciphertext][tag]) and found through a
-- keyed hash (HMAC-SHA256 of the normalised value). See docs/personal-data.md.
--
-- SQL cannot seal (the keys never reach the database), so a database that already holds
-- plaintext ID numbers is refused, with what to do. No production database predates this.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM candidate) OR EXISTS (SELECT 1 FROM cet4_score) THEN
    RAISE EXCEPTION 'this database holds plaintext ID numbers written by an earlier ExamPay, which cannot be encrypted in SQL. It is development data: stop ExamPay, delete the embedded database folder (DATA_DIR/postgres, ./data/postgres by default) or drop and recreate the database in DATABASE_URL, and start again; the demo data is created anew.';
  END IF;
END $$;

ALTER TABLE candidate
  DROP COLUMN id_number,  -- and with it UNIQUE (authority_id, id_number)
  ADD COLUMN id_number_sealed bytea NOT NULL CHECK (length(id_number_sealed) >= 30),
  ADD COLUMN id_number_hash   bytea NOT NULL CHECK (length(id_number_hash) = 32),
  -- Seed 001 shows 手机号 for the candidate to check before paying.
  ADD COLUMN phone_sealed     bytea CHECK (length(phone_sealed) >= 30),
  ADD COLUMN phone_hash       bytea CHECK (length(phone_hash) = 32),
  ADD CONSTRAINT candidate_phone_sealed_with_hash CHECK ((phone_sealed IS NULL) = (phone_hash IS NULL));
-- One account per ID number and authority, as before, and the index sign-in looks it up by.
CREATE UNIQUE INDEX candidate_id_number_hash ON candidate (authority_id, id_number_hash);
CREATE INDEX candidate_phone_hash ON candidate (authority_id, phone_hash) WHERE phone_hash IS NOT NULL;

ALTER TABLE cet4_score
  DROP COLUMN id_number,
  ADD COLUMN id_number_sealed bytea NOT NULL CHECK (length(id_number_sealed) >= 30),
  ADD COLUMN id_number_hash   bytea NOT NULL CHECK (length(id_number_hash) = 32);

-- Key rotation re-seals rows whose key version (the first byte) is older than the current one;
-- these let it find them without reading whole tables.
CREATE INDEX candidate_id_number_key_version ON candidate ((get_byte(id_number_sealed, 0)));
CREATE INDEX candidate_phone_key_version ON candidate ((get_byte(phone_sealed, 0))) WHERE phone_sealed IS NOT NULL;
CREATE INDEX cet4_score_id_number_key_version ON cet4_score ((get_byte(id_number_sealed, 0)));
