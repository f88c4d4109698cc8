import pg from 'pg';
import { sealCandidateIdentity } from '../../src/modules/accounts/candidate-identity.ts';
import { hashPassword } from '../../src/modules/accounts/password.ts';
import { hashBearerToken } from '../../src/shared/bearer-token.ts';
import type { PersonalDataKeys } from '../../src/shared/personal-data.ts';
import { residentIdCheckChar } from '../../src/shared/resident-id.ts';

export const BENCH_AUTHORITY = 'BENCH';
export const BENCH_PASSWORD = 'Bench2026pass';

/** The bench's exam: one sitting, one subject, a spread of pools and one hot pool. */
export interface BenchWorld {
  subjectId: bigint;
  sittingId: bigint;
  /** Pools spread over the sitting (sites × slots), each with `spreadSeats` seats. */
  spread: { poolId: bigint; siteId: bigint; slotId: bigint }[];
  /** One hot slot: every hold of the hot runs goes here. */
  hot: { poolId: bigint; siteId: bigint; slotId: bigint; subjectId: bigint };
  hotSeats: number;
  spreadSeats: number;
  /** A scarce slot for the oversell race: `raceSeats` seats, many more candidates. */
  race: { poolId: bigint; siteId: bigint; slotId: bigint; subjectId: bigint };
  raceSeats: number;
  /** Session cookies are `bench-session-<index>-<secret>` (the pgbench script derives them). */
  secret: string;
  /** Candidates in id order: index i → candidate id, ID number, session cookie. */
  candidates: { id: bigint; idNumber: string; cookie: string }[];
}

/** A valid 18-character resident ID number, distinct for each n. */
export function benchIdNumber(n: number): string {
  const born = new Date(Date.UTC(1970, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `310104${born}${String(Math.floor(n / 10_000)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/**
 * Writes the bench's exam straight into the database (as an authority's configuration would):
 * windows open around `now`, a sitting with `sites × slots` pools for the spread runs and one
 * separate pool (its own subject) for the hot-slot runs, and `candidates` accounts, each with its
 * own server-side session (a row of candidate_session whose cookie the bench keeps: the
 * throughput phases do not spend their time signing in; the journey phase signs in for real).
 */
export async function seedBenchWorld(url: string, keys: PersonalDataKeys, opts: { now: Date; sites: number; slots: number; spreadSeats: number; hotSeats: number; raceSeats: number; candidates: number }): Promise<BenchWorld> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const one = async <T>(text: string, values: unknown[] = []): Promise<T> => (await c.query(text, values)).rows[0] as T;
  try {
    const authority = await one<{ id: string }>(`INSERT INTO authority (code, name) VALUES ($1, '基准测试考试院') RETURNING id`, [BENCH_AUTHORITY]);
    const exam = await one<{ id: string }>(`INSERT INTO exam (authority_id, code, name, initial_password_rule, bill_timeout_minutes, channels)
      VALUES ($1, 'BENCH', '基准测试', 'ID_LAST6', 30, '{alipay}') RETURNING id`, [authority.id]);
    const sitting = await one<{ id: string }>(`INSERT INTO sitting (exam_id, code, name) VALUES ($1, 'B1', '基准场次') RETURNING id`, [exam.id]);
    const subject = await one<{ id: string }>(`INSERT INTO subject (sitting_id, code, name, fee_fen) VALUES ($1, 'S1', '科目一', 8000) RETURNING id`, [sitting.id]);
    const hotSubject = await one<{ id: string }>(`INSERT INTO subject (sitting_id, code, name, fee_fen) VALUES ($1, 'HOT', '热门科目', 8000) RETURNING id`, [sitting.id]);
    const from = new Date(opts.now.getTime() - 3_600_000);
    const to = new Date(opts.now.getTime() + 7 * 86_400_000);
    await c.query(`INSERT INTO sitting_window (sitting_id, kind, opens_at, closes_at) VALUES ($1, 'REGISTRATION', $2, $3), ($1, 'PAYMENT', $2, $3)`, [sitting.id, from, to]);
    const sites = (await c.query<{ id: string }>(`INSERT INTO site (sitting_id, code, name) SELECT $1, 'K' || n, '考点' || n FROM generate_series(1, $2::int) n RETURNING id`, [sitting.id, opts.sites])).rows;
    const slots = (await c.query<{ id: string }>(`INSERT INTO slot (sitting_id, code, starts_at, ends_at)
      SELECT $1, 'T' || n, $2::timestamptz + n * interval '1 day', $2::timestamptz + n * interval '1 day' + interval '2 hours' FROM generate_series(1, $3::int) n RETURNING id`, [sitting.id, to, opts.slots])).rows;
    const spread: BenchWorld['spread'] = [];
    for (const site of sites) {
      for (const slot of slots) {
        const p = await one<{ id: string }>(`INSERT INTO seat_pool (site_id, slot_id, subject_id, capacity) VALUES ($1, $2, $3, $4) RETURNING id`, [site.id, slot.id, subject.id, opts.spreadSeats]);
        spread.push({ poolId: BigInt(p.id), siteId: BigInt(site.id), slotId: BigInt(slot.id) });
      }
    }
    const hotPool = await one<{ id: string }>(`INSERT INTO seat_pool (site_id, slot_id, subject_id, capacity) VALUES ($1, $2, $3, $4) RETURNING id`, [sites[0]!.id, slots[0]!.id, hotSubject.id, opts.hotSeats]);
    const hot = { poolId: BigInt(hotPool.id), siteId: BigInt(sites[0]!.id), slotId: BigInt(slots[0]!.id), subjectId: BigInt(hotSubject.id) };
    const raceSubject = await one<{ id: string }>(`INSERT INTO subject (sitting_id, code, name, fee_fen) VALUES ($1, 'RACE', '名额紧张科目', 8000) RETURNING id`, [sitting.id]);
    const racePool = await one<{ id: string }>(`INSERT INTO seat_pool (site_id, slot_id, subject_id, capacity) VALUES ($1, $2, $3, $4) RETURNING id`, [sites[0]!.id, slots[0]!.id, raceSubject.id, opts.raceSeats]);
    const race = { poolId: BigInt(racePool.id), siteId: BigInt(sites[0]!.id), slotId: BigInt(slots[0]!.id), subjectId: BigInt(raceSubject.id) };
    const secret = Math.random().toString(36).slice(2);

    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const candidates: BenchWorld['candidates'] = [];
    const BATCH = 1000;
    for (let start = 0; start < opts.candidates; start += BATCH) {
      const rows: unknown[][] = [];
      for (let n = start; n < Math.min(opts.candidates, start + BATCH); n++) {
        const idNumber = benchIdNumber(n);
        const sealed = sealCandidateIdentity(keys, { idNumber });
        rows.push([authority.id, exam.id, sealed.id_number_sealed, sealed.id_number_hash, `考生${n}`, passwordHash]);
        candidates.push({ id: 0n, idNumber, cookie: '' });
      }
      const values = rows.map((_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6}, false)`).join(',');
      const ids = (await c.query<{ id: string }>(`INSERT INTO candidate (authority_id, exam_id, id_number_sealed, id_number_hash, name, password_hash, must_change_password) VALUES ${values} RETURNING id`, rows.flat())).rows;
      ids.forEach((r, i) => { candidates[start + i]!.id = BigInt(r.id); });
    }
    // One session per candidate, as POST /api/v1/session would make it (the cookie's sha256 stored).
    for (let start = 0; start < candidates.length; start += BATCH) {
      const slice = candidates.slice(start, start + BATCH);
      for (const [i, cand] of slice.entries()) cand.cookie = `bench-session-${start + i}-${secret}`;
      await c.query(`INSERT INTO candidate_session (id_hash, candidate_id, created_at, last_seen_at, expires_at)
        SELECT h, cid, $3, $3, $4 FROM unnest($1::bytea[], $2::bigint[]) AS u(h, cid)`,
      [slice.map((x) => hashBearerToken(x.cookie)), slice.map((x) => String(x.id)), opts.now, new Date(opts.now.getTime() + 11 * 3_600_000)]);
    }
    return { subjectId: BigInt(subject.id), sittingId: BigInt(sitting.id), spread, hot, hotSeats: opts.hotSeats, spreadSeats: opts.spreadSeats, race, raceSeats: opts.raceSeats, secret, candidates };
  } finally {
    await c.end();
  }
}

/**
 * Puts the world back as seeded before each measured run, so every run starts from the same
 * tables: no registrations, bills or payments, every seat FREE, statistics fresh. The bench's
 * own database only: TRUNCATE skips bill_transition's append-only trigger, which guards real data.
 */
export async function resetBenchWorld(url: string, world: BenchWorld, opts: { checkpoint?: boolean } = {}): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`SET lock_timeout = '5s'`);
  try {
    // Requests of the previous run may still be finishing: wait for them rather than deadlock.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`TRUNCATE registration, bill, channel_notification CASCADE`);
        break;
      } catch (err) {
        if (attempt >= 20 || !['40P01', '55P03'].includes((err as { code?: string }).code ?? '')) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await c.query(`INSERT INTO seat (pool_id, seat_no) SELECT p.id, n FROM seat_pool p, generate_series(1, p.capacity) n WHERE p.id = ANY($1::bigint[])`,
      [[...world.spread.map((p) => String(p.poolId)), String(world.hot.poolId), String(world.race.poolId)]]);
    await c.query('VACUUM ANALYZE');
    // A checkpoint now rather than in the middle of the next measured run.
    if (opts.checkpoint ?? true) await c.query('CHECKPOINT');
  } finally {
    await c.end();
  }
}

export interface SeatAudit {
  pools: number;
  /** Seats held or sold beyond a pool's capacity, summed over pools: must be 0. */
  oversold: number;
  /** Pools whose seat rows differ from their capacity: must be 0. */
  rowMismatch: number;
  /** Taken seats whose registration is missing or not active, or registrations with two seats: must be 0. */
  orphans: number;
  /** PAID bills whose registration's seat is not SOLD: must be 0. */
  paidWithoutSoldSeat: number;
  held: number;
  sold: number;
}

/** "No seat sold twice" after a run, from the tables themselves. */
export async function auditSeats(url: string): Promise<SeatAudit> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const pools = (await c.query<{ pools: string; oversold: string; mismatch: string; held: string; sold: string }>(`
      SELECT count(*) AS pools, coalesce(sum(greatest(taken - capacity, 0)), 0) AS oversold, count(*) FILTER (WHERE rows <> capacity) AS mismatch,
             coalesce(sum(held), 0) AS held, coalesce(sum(sold), 0) AS sold
        FROM (SELECT p.id, p.capacity, count(s.id) AS rows, count(s.id) FILTER (WHERE s.state <> 'FREE') AS taken,
                     count(s.id) FILTER (WHERE s.state = 'HELD') AS held, count(s.id) FILTER (WHERE s.state = 'SOLD') AS sold
                FROM seat_pool p LEFT JOIN seat s ON s.pool_id = p.id GROUP BY p.id) x`)).rows[0]!;
    const orphans = (await c.query<{ n: string }>(`
      SELECT (SELECT count(*) FROM seat s LEFT JOIN registration r ON r.id = s.registration_id WHERE s.state <> 'FREE' AND (r.id IS NULL OR r.status <> 'ACTIVE'))
           + (SELECT count(*) FROM (SELECT registration_id FROM seat WHERE registration_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d) AS n`)).rows[0]!;
    const paid = (await c.query<{ n: string }>(`
      SELECT count(*) AS n FROM bill b JOIN bill_item i ON i.bill_id = b.id JOIN registration r ON r.id = i.registration_id
        LEFT JOIN seat s ON s.registration_id = r.id AND s.state = 'SOLD'
       WHERE b.state = 'PAID' AND r.site_id IS NOT NULL AND s.id IS NULL`)).rows[0]!;
    return { pools: Number(pools.pools), oversold: Number(pools.oversold), rowMismatch: Number(pools.mismatch), orphans: Number(orphans.n), paidWithoutSoldSeat: Number(paid.n), held: Number(pools.held), sold: Number(pools.sold) };
  } finally {
    await c.end();
  }
}
