-- Issue "Accounts and security", items 6 and 7 (ADM-5, ADM-4, OPS-6), and REG-8's owner:
-- institutions, staff accounts with roles and scopes, staff sessions, the audit log.

-- 学习中心 (seed 000) and 学校 (seed 002): an authority's institutions.
CREATE TABLE institution (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id  bigint NOT NULL REFERENCES authority(id),
  code          text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('LEARNING_CENTRE', 'SCHOOL')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (authority_id, code),
  -- Lets candidates and staff name (institution, authority) together, so they cannot disagree.
  UNIQUE (id, authority_id)
);

-- A candidate may belong to one institution of its own authority; that institution's staff see it.
ALTER TABLE candidate
  ADD COLUMN institution_id bigint,
  ADD FOREIGN KEY (institution_id, authority_id) REFERENCES institution (id, authority_id);
CREATE INDEX candidate_institution ON candidate (institution_id) WHERE institution_id IS NOT NULL;

-- REG-8: which institution owns an INSTITUTION registration. (Older rows made before this
-- column may lack it; every registration an institution makes through ExamPay names it.)
ALTER TABLE registration
  ADD COLUMN institution_id bigint REFERENCES institution(id),
  ADD CHECK (owner = 'INSTITUTION' OR institution_id IS NULL);
CREATE INDEX registration_institution ON registration (institution_id, id) WHERE institution_id IS NOT NULL;
-- An institution deletes its own unpaid registrations (seed 000: 由学习中心进行删除).
ALTER TABLE registration DROP CONSTRAINT registration_cancelled_reason_check,
  ADD CONSTRAINT registration_cancelled_reason_check CHECK (cancelled_reason IN ('CANDIDATE', 'UNPAID_TIMEOUT', 'INSTITUTION'));

-- REG-8: individual and institution payment never mix on one bill. Every bill today is a
-- candidate's (bill.candidate_id is its payer), so it may hold only the candidate's own
-- registrations. Checked here as well as in confirmBill, where no code path can forget it.
CREATE FUNCTION bill_item_candidate_owned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM registration WHERE id = NEW.registration_id AND owner <> 'CANDIDATE') THEN
    RAISE EXCEPTION 'REG-8: registration % belongs to an institution and cannot be on a candidate''s bill', NEW.registration_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bill_item_candidate_owned BEFORE INSERT ON bill_item FOR EACH ROW EXECUTE FUNCTION bill_item_candidate_owned();

-- ADM-5: staff of an authority. INSTITUTION_STAFF belong to one institution and see only it.
CREATE TABLE staff_account (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id          bigint NOT NULL REFERENCES authority(id),
  institution_id        bigint,
  login_name            text NOT NULL CHECK (login_name ~ '^[a-z0-9][a-z0-9._-]{2,31}$'),
  display_name          text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
  role                  text NOT NULL CHECK (role IN ('AUTHORITY_ADMIN', 'FINANCE', 'INSTITUTION_STAFF', 'READ_ONLY')),
  password_hash         text NOT NULL,
  must_change_password  boolean NOT NULL DEFAULT true,
  disabled_at           timestamptz,
  created_at            timestamptz NOT NULL,
  UNIQUE (authority_id, login_name),
  FOREIGN KEY (institution_id, authority_id) REFERENCES institution (id, authority_id),
  CHECK ((role = 'INSTITUTION_STAFF') = (institution_id IS NOT NULL))
);

-- Same rules as candidate_session (sha256 of the cookie value, idle and absolute ends).
CREATE TABLE staff_session (
  id_hash       bytea PRIMARY KEY,
  staff_id      bigint NOT NULL REFERENCES staff_account(id),
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX staff_session_staff ON staff_session (staff_id);

-- ADM-4, OPS-6: who did what, when, from where. Written in the transaction of the action it
-- records. No personal data in clear: ids and states, never ID numbers, names or passwords.
CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL,
  authority_id  bigint REFERENCES authority(id),
  actor_type    text NOT NULL CHECK (actor_type IN ('STAFF', 'CANDIDATE', 'SYSTEM')),
  -- No foreign key: the record outlives whatever it names.
  actor_id      bigint,
  actor_role    text,
  action        text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  object_type   text,
  object_id     text,
  outcome       text NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE')),
  summary       jsonb NOT NULL DEFAULT '{}',
  ip            text CHECK (length(ip) <= 64),
  CHECK ((object_type IS NULL) = (object_id IS NULL))
);
-- The console reads an authority's entries newest first, by time range, or by actor.
CREATE INDEX audit_log_authority ON audit_log (authority_id, id DESC);
CREATE INDEX audit_log_authority_at ON audit_log (authority_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_type, actor_id, id DESC);

-- Append-only. UPDATE is always refused. DELETE is refused for any row younger than 180 days
-- (OPS-6 retention, by the database's clock), and for older rows unless the transaction says
-- on purpose that it archives (SET LOCAL exampay.audit_purge = 'on'); see docs/roles.md.
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days'
     AND coalesce(current_setting('exampay.audit_purge', true), '') = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: rows are never changed, and kept at least 180 days (OPS-6)';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
