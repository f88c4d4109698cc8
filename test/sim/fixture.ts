import type { Db } from '../../src/db/database.ts';
import { sealCandidateIdentity } from '../../src/modules/accounts/candidate-identity.ts';
import { hashPassword } from '../../src/modules/accounts/password.ts';
import { provisionSeats } from '../../src/modules/registration/seat-holds.sql.ts';
import { residentIdCheckChar } from '../../src/shared/resident-id.ts';
import { TEST_PERSONAL_DATA } from '../support/test-keys.ts';
import { SIM_CHANNELS, type SimShape } from './steps.ts';

export interface SimFixture {
  authorityId: bigint;
  sittingId: bigint;
  candidateIds: bigint[];
  subjects: { id: bigint; fee: bigint; pools: { poolId: bigint; siteId: bigint; slotId: bigint; capacity: number }[] }[];
}

const FEES = [8000n, 6500n, 3000n, 12000n];

/**
 * One exam offering every channel, as seed 000 runs it: subjects with scarce seats at two sites
 * × two times (seats released when an unpaid bill times out, holds ending after two hours,
 * unpaid registrations removed after a day) and one subject without seats; many candidates.
 */
export async function makeSimFixture(db: Db, shape: SimShape): Promise<SimFixture> {
  const authority = await db.insertInto('authority').values({ code: 'SIM', name: '模拟考试院' }).returning('id').executeTakeFirstOrThrow();
  const exam = await db.insertInto('exam').values({
    authority_id: authority.id, code: 'SIM', name: '网络教育统考', initial_password_rule: 'ID_LAST6', initial_password_fixed: null,
    bill_timeout_minutes: 30, channels: [...SIM_CHANNELS], release_seats_on_bill_expiry: true, seat_hold_minutes: 120,
    unpaid_registration_ttl_hours: 24,
  }).returning('id').executeTakeFirstOrThrow();
  const sitting = await db.insertInto('sitting').values({ exam_id: exam.id, code: '2026-03', name: '2026年3月' }).returning('id').executeTakeFirstOrThrow();
  const sites = await db.insertInto('site').values([0, 1].map((i) => ({ sitting_id: sitting.id, code: `K${i}`, name: `考点${i}` }))).returning('id').execute();
  const slots = await db.insertInto('slot').values([0, 1].map((i) => ({
    sitting_id: sitting.id, code: `T${i}`, starts_at: new Date(Date.UTC(2026, 3, 11 + i, 1)), ends_at: new Date(Date.UTC(2026, 3, 11 + i, 3)),
  }))).returning('id').execute();
  const subjects: SimFixture['subjects'] = [];
  for (let s = 0; s < shape.subjects; s++) {
    const fee = FEES[s % FEES.length]!;
    const subject = await db.insertInto('subject').values({ sitting_id: sitting.id, code: `S${s}`, name: `科目${s}`, fee_fen: fee }).returning('id').executeTakeFirstOrThrow();
    const pools: SimFixture['subjects'][number]['pools'] = [];
    // The last subject has no seats (registering needs no slot).
    if (s < shape.subjects - 1) {
      for (let p = 0; p < shape.pools; p++) {
        const siteId = sites[p % 2]!.id;
        const slotId = slots[Math.floor(p / 2) % 2]!.id;
        if (pools.some((x) => x.siteId === siteId && x.slotId === slotId)) continue;
        const capacity = 2 + ((p + s) % 3);
        const pool = await db.insertInto('seat_pool').values({ site_id: siteId, slot_id: slotId, subject_id: subject.id, capacity }).returning('id').executeTakeFirstOrThrow();
        await db.transaction().execute((trx) => provisionSeats(trx, pool.id, capacity));
        pools.push({ poolId: pool.id, siteId, slotId, capacity });
      }
    }
    subjects.push({ id: subject.id, fee, pools });
  }
  const passwordHash = await hashPassword('Sim2026pass');
  const candidateIds: bigint[] = [];
  for (let n = 1; n <= shape.candidates; n++) {
    const born = new Date(Date.UTC(1990, 0, 1) + n * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const first17 = `110105${born}${String(n % 1000).padStart(3, '0')}`;
    const c = await db.insertInto('candidate').values({
      authority_id: authority.id, exam_id: exam.id, ...sealCandidateIdentity(TEST_PERSONAL_DATA, { idNumber: first17 + residentIdCheckChar(first17) }),
      name: `考生${n}`, password_hash: passwordHash, must_change_password: false,
    }).returning('id').executeTakeFirstOrThrow();
    candidateIds.push(c.id);
  }
  return { authorityId: authority.id, sittingId: sitting.id, candidateIds, subjects };
}
