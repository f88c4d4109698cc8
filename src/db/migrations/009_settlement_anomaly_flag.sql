-- A capture settled a bill whose registrations were not all as the bill expected (one no longer
-- active, or a seat that could not be sold): the money is kept and the bill is PAID, and staff
-- are told instead of the mismatch passing silently.
ALTER TABLE bill DROP CONSTRAINT bill_flag_reason_check;
ALTER TABLE bill ADD CONSTRAINT bill_flag_reason_check CHECK (flag_reason IN ('PAYING_OVER_24H', 'CANNOT_CLOSE', 'SETTLEMENT_ANOMALY'));
