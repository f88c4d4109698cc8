-- ACC-1 e-mail accounts (通行证), ACC-5 password reset, ACC-6 account recovery, and the mail outbox.
--
-- A candidate row stays one person in one authority. A 通行证 is such a row whose login is its
-- e-mail (login = 'EMAIL'); an ID-document account may keep a contact e-mail in the same column.
-- docs/accounts.md explains the choice.
ALTER TABLE candidate
  ADD COLUMN login text NOT NULL DEFAULT 'ID_DOCUMENT' CHECK (login IN ('ID_DOCUMENT', 'EMAIL')),
  -- Lower-cased. The 通行证's login, or an ID-document account's verified contact address.
  ADD COLUMN email text CHECK (email IS NULL OR (length(email) <= 254 AND email = lower(email) AND email LIKE '_%@_%')),
  ADD COLUMN email_verified_at timestamptz,
  -- When a 通行证 sign-up took this row; an unverified claim lapses with its verification link.
  ADD COLUMN email_claimed_at timestamptz,
  ADD CONSTRAINT candidate_email_login CHECK (login <> 'EMAIL' OR (email IS NOT NULL AND email_claimed_at IS NOT NULL)),
  ADD CONSTRAINT candidate_verified_has_email CHECK (email_verified_at IS NULL OR email IS NOT NULL);
-- One 通行证 per e-mail per authority (contact addresses of ID-document accounts may be shared).
CREATE UNIQUE INDEX candidate_login_email ON candidate (authority_id, email) WHERE login = 'EMAIL';

-- Links sent by mail: e-mail verification and password reset. Only the sha256 of the token is
-- kept; a link works once, until it expires, and a newer link of the same purpose revokes it.
CREATE TABLE account_token (
  id_hash       bytea PRIMARY KEY,
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  purpose       text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'RESET_PASSWORD')),
  -- The address the link went to: verifying confirms exactly this one.
  email         text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  revoked_at    timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX account_token_live ON account_token (candidate_id, purpose) WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX account_token_expiry ON account_token (expires_at);

-- 忘记密码 and 找回已报名账号 requests (ACC-5, ACC-6). The request only writes this row — the same
-- one INSERT whether or not the account exists (candidate_id NULL: no account, or no e-mail on
-- file) — and the compose-account-mail job makes the link and the message. So the answer's
-- work, and its time, cannot tell existing accounts from missing ones.
CREATE TABLE account_mail_request (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('RESET_PASSWORD', 'ACCOUNT_REMINDER')),
  candidate_id  bigint REFERENCES candidate(id),
  created_at    timestamptz NOT NULL,
  processed_at  timestamptz
);
CREATE INDEX account_mail_request_due ON account_mail_request (id) WHERE processed_at IS NULL;

-- Transactional outbox: a message is written in the transaction that causes it and sent by the
-- send-mail job with retries. Bodies carry single-use links, so a body is erased once it was
-- sent or given up.
CREATE TABLE mail_outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             text NOT NULL,
  to_address       text NOT NULL,
  subject          text NOT NULL DEFAULT '',
  body_text        text NOT NULL DEFAULT '',
  state            text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SENT', 'FAILED')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  -- After this the message is pointless (its link has expired): given up, not sent late.
  expires_at       timestamptz NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL,
  sent_at          timestamptz,
  CHECK (state <> 'SENT' OR sent_at IS NOT NULL)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
