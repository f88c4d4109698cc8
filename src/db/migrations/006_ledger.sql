-- PAY-11: a double-entry ledger. Every movement of money — a capture that pays a bill, a capture
-- we must give back, a refund the channel made — is one journal entry whose postings sum to zero.
--
-- Accounts (text codes, see modules/ledger/accounts.ts):
--   clearing:<channel>      money the channel holds for us (debit = it took money, credit = it gave back)
--   fees:<sitting id>       fees earned by a sitting (credit)
--   refundable:<channel>    money taken that is not ours and is owed back to the payer (credit)

CREATE TABLE journal_entry (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind                text NOT NULL CHECK (kind IN ('CAPTURE_SETTLED', 'CAPTURE_UNWANTED', 'REFUND_SUCCEEDED')),
  at                  timestamptz NOT NULL,
  channel             text NOT NULL,
  sitting_id          bigint NOT NULL REFERENCES sitting(id),
  bill_id             bigint NOT NULL REFERENCES bill(id),
  channel_payment_id  bigint REFERENCES channel_payment(id),
  refund_id           bigint REFERENCES refund(id)
);
-- A movement is booked once: one entry per capture, one per refund.
CREATE UNIQUE INDEX journal_entry_one_per_capture ON journal_entry (channel_payment_id) WHERE kind IN ('CAPTURE_SETTLED', 'CAPTURE_UNWANTED');
CREATE UNIQUE INDEX journal_entry_one_per_refund ON journal_entry (refund_id) WHERE kind = 'REFUND_SUCCEEDED';

CREATE TABLE ledger_posting (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id    bigint NOT NULL REFERENCES journal_entry(id),
  account     text NOT NULL CHECK (account ~ '^(clearing|refundable):[a-z]+$|^fees:[0-9]+$'),
  amount_fen  bigint NOT NULL CHECK (amount_fen <> 0)
);
CREATE INDEX ledger_posting_account ON ledger_posting (account);
CREATE INDEX ledger_posting_entry ON ledger_posting (entry_id);

-- Balanced at commit, whatever the code did: checked once per entry when the transaction ends.
CREATE FUNCTION check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total bigint;
BEGIN
  SELECT coalesce(sum(amount_fen), 0) INTO total FROM ledger_posting WHERE entry_id = NEW.entry_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'journal entry % is not balanced (postings sum to %)', NEW.entry_id, total;
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();

-- The books are history.
CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE ON journal_entry FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER ledger_posting_append_only BEFORE UPDATE OR DELETE ON ledger_posting FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
