-- PAY-6 (seed 003, 湖南非税移动缴费): paying without signing in. Name + ID number (or the bill's
-- number, its 缴费码) + an arithmetic captcha give the browser a short pass that can see and pay
-- that candidate's bills and nothing else.
CREATE TABLE payment_pass (
  -- sha256 of the cookie value.
  id_hash       bytea PRIMARY KEY,
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX payment_pass_expiry ON payment_pass (expires_at);
