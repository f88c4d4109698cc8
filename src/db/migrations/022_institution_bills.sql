-- Issue 8 item 6 (ORG-1, REG-8; seed 000 学习中心报考 / 集体缴费): an institution pays the
-- registrations it made in one bill. A bill has exactly one payer: a candidate (as before) or an
-- institution. Everything after the bill is made — channel orders, settlement, polling, expiry,
-- duplicate refunds, the ledger — is the same payment core, keyed on the bill.

ALTER TABLE bill
  ADD COLUMN owner text NOT NULL DEFAULT 'CANDIDATE' CHECK (owner IN ('CANDIDATE', 'INSTITUTION')),
  ADD COLUMN institution_id bigint REFERENCES institution(id),
  ALTER COLUMN candidate_id DROP NOT NULL,
  ADD CONSTRAINT bill_one_payer CHECK (
    (owner = 'CANDIDATE' AND candidate_id IS NOT NULL AND institution_id IS NULL)
    OR (owner = 'INSTITUTION' AND institution_id IS NOT NULL AND candidate_id IS NULL));
-- The institution console lists its bills newest first.
CREATE INDEX bill_institution ON bill (institution_id, created_at DESC) WHERE institution_id IS NOT NULL;

-- Which channels the exam offers to institutions paying in a batch (PAY-5 is configuration);
-- NULL: the same as the exam's channels.
ALTER TABLE exam ADD COLUMN institution_channels text[] CHECK (institution_channels IS NULL OR cardinality(institution_channels) > 0);

-- REG-8, for both kinds of bill (replaces 012's candidate-only rule): individual and institution
-- payment never mix on one bill. A candidate's bill holds only that candidate's own
-- registrations; an institution's bill only registrations that institution made; and every item
-- is of the bill's sitting. Checked here as well as in the use cases, where no code path can forget it.
DROP TRIGGER bill_item_candidate_owned ON bill_item;
DROP FUNCTION bill_item_candidate_owned();
CREATE FUNCTION bill_item_owner_matches() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  b record;
  r record;
BEGIN
  SELECT owner, candidate_id, institution_id, sitting_id INTO b FROM bill WHERE id = NEW.bill_id;
  SELECT owner, candidate_id, institution_id, sitting_id INTO r FROM registration WHERE id = NEW.registration_id;
  IF b.owner = 'CANDIDATE' AND NOT (r.owner = 'CANDIDATE' AND r.candidate_id = b.candidate_id) THEN
    RAISE EXCEPTION 'REG-8: registration % is not the bill''s candidate''s own and cannot be on a candidate''s bill', NEW.registration_id
      USING ERRCODE = 'check_violation';
  END IF;
  IF b.owner = 'INSTITUTION' AND NOT (r.owner = 'INSTITUTION' AND r.institution_id IS NOT DISTINCT FROM b.institution_id) THEN
    RAISE EXCEPTION 'REG-8: registration % was not made by the bill''s institution and cannot be on its bill', NEW.registration_id
      USING ERRCODE = 'check_violation';
  END IF;
  IF r.sitting_id <> b.sitting_id THEN
    RAISE EXCEPTION 'registration % is of another sitting than bill %', NEW.registration_id, NEW.bill_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bill_item_owner_matches BEFORE INSERT OR UPDATE OF bill_id, registration_id ON bill_item
  FOR EACH ROW EXECUTE FUNCTION bill_item_owner_matches();
