-- OPS-1: the waiting room for the opening minute (docs/waiting-room.md).
-- Arrival order across every server process: one sequence; a ticket carries its number, signed.
-- Sequences take no row lock and are not rolled back, so issuing a ticket never waits on anyone.
CREATE SEQUENCE waiting_room_ticket_seq AS bigint;

-- One row: how far the queue has been let in (tickets numbered up to admitted_through may enter),
-- and the key tickets and passes are signed with when WAITING_ROOM_KEY is not set. Shared by every
-- process and kept across restarts, so a ticket issued by one process before a restart still holds.
CREATE TABLE waiting_room (
  id smallint PRIMARY KEY CHECK (id = 1),
  admitted_through bigint NOT NULL DEFAULT 0 CHECK (admitted_through >= 0),
  signing_key bytea NOT NULL CHECK (octet_length(signing_key) >= 32),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- gen_random_uuid draws from the server's strong random source: two give 244 random bits.
INSERT INTO waiting_room (id, signing_key)
VALUES (1, decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex'));

-- A ticket admits once: its number is written here when it is exchanged for an admission pass,
-- so a copied or replayed ticket is refused. Rows older than a ticket's life can be deleted.
CREATE TABLE waiting_room_admission (
  ticket_seq bigint PRIMARY KEY,
  admitted_at timestamptz NOT NULL
);
CREATE INDEX waiting_room_admission_admitted_at ON waiting_room_admission (admitted_at);
