-- A journal entry names what it books: a capture entry its capture, a refund entry its refund.
-- (Review finding: without this a capture entry with no capture would slip past the
-- one-entry-per-capture index.)
ALTER TABLE journal_entry ADD CHECK (
  (kind IN ('CAPTURE_SETTLED', 'CAPTURE_UNWANTED') AND channel_payment_id IS NOT NULL AND refund_id IS NULL)
  OR (kind = 'REFUND_SUCCEEDED' AND refund_id IS NOT NULL)
);
