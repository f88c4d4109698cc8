-- Issue "Registration": every seat hold ends (REG-6), and the seat tables keep their own promises.

-- A seat held by a registration that is not on an open bill goes back after this long, so a
-- candidate who registers and walks away does not keep a seat until the exam (REG-6: "expiry
-- releases it"). A registration on an open bill is governed by the bill's timeout instead.
ALTER TABLE exam ADD COLUMN seat_hold_minutes integer NOT NULL DEFAULT 1440 CHECK (seat_hold_minutes BETWEEN 5 AND 43200);

ALTER TABLE registration DROP CONSTRAINT registration_seat_released_reason_check;
ALTER TABLE registration ADD CONSTRAINT registration_seat_released_reason_check
  CHECK (seat_released_reason IN ('PAYMENT_TIMEOUT', 'HOLD_EXPIRED', 'CANCELLED', 'CHANGED'));

-- The hold-limit job's scan: held seats by age.
CREATE INDEX seat_held_age ON seat (held_at) WHERE state = 'HELD';

-- A pool's site, slot and subject belong to one sitting: composite keys make a pool that mixes
-- sittings impossible rather than merely unlikely.
ALTER TABLE site ADD UNIQUE (id, sitting_id);
ALTER TABLE slot ADD UNIQUE (id, sitting_id);
ALTER TABLE subject ADD UNIQUE (id, sitting_id);
ALTER TABLE seat_pool ADD COLUMN sitting_id bigint REFERENCES sitting(id);
UPDATE seat_pool p SET sitting_id = s.sitting_id FROM site s WHERE s.id = p.site_id;
ALTER TABLE seat_pool
  ALTER COLUMN sitting_id SET NOT NULL,
  ADD FOREIGN KEY (site_id, sitting_id) REFERENCES site (id, sitting_id),
  ADD FOREIGN KEY (slot_id, sitting_id) REFERENCES slot (id, sitting_id),
  ADD FOREIGN KEY (subject_id, sitting_id) REFERENCES subject (id, sitting_id);
-- Writers may leave sitting_id out: it is the site's, and the keys above check slot and subject.
CREATE FUNCTION seat_pool_sitting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sitting_id IS NULL THEN
    NEW.sitting_id := (SELECT sitting_id FROM site WHERE id = NEW.site_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER seat_pool_sitting BEFORE INSERT ON seat_pool FOR EACH ROW EXECUTE FUNCTION seat_pool_sitting();

-- A registration with a site and slot names an existing pool of its own subject, and a site and
-- slot come together or not at all.
ALTER TABLE registration
  ADD CONSTRAINT registration_site_slot_together CHECK ((site_id IS NULL) = (slot_id IS NULL)),
  ADD CONSTRAINT registration_pool FOREIGN KEY (site_id, slot_id, subject_id) REFERENCES seat_pool (site_id, slot_id, subject_id);

-- A SOLD seat belongs to a paid registration. Checked at commit (settlement sells the seat and
-- marks the registration paid in one transaction, in either order).
CREATE FUNCTION seat_sold_is_paid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'SOLD' AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.id = NEW.registration_id AND r.paid_at IS NOT NULL) THEN
    RAISE EXCEPTION 'seat % is SOLD but registration % is not paid', NEW.id, NEW.registration_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER seat_sold_is_paid AFTER INSERT OR UPDATE OF state, registration_id ON seat
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION seat_sold_is_paid();
