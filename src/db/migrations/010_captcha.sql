-- ACC-4: captchas are one-time, short-lived and bound to the browser that asked for one.
CREATE TABLE captcha (
  -- sha256 of the captcha id the browser holds; the table alone cannot be replayed.
  id_hash     bytea PRIMARY KEY,
  -- sha256 of the visitor cookie it was issued to: another browser cannot answer it.
  visitor     bytea NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('TEXT', 'ARITHMETIC')),
  answer      text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  -- Set by the first answer, right or wrong: one guess per image.
  used_at     timestamptz
);
CREATE INDEX captcha_expiry ON captcha (expires_at);
