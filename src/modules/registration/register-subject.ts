import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Trx } from '../../db/database.ts';
import { accountExamIds } from '../accounts/account-exams.ts';
import type { AppContext } from '../context.ts';
import { canRegister } from './registration-rules.ts';
import { holdSeat } from './seat-holds.sql.ts';
import { candidateStanding, sittingSubjects, sittingWindows } from './sitting-facts.repo.ts';
import { checkRegistrationWindow } from './windows.ts';

export interface Registered {
  registrationId: bigint;
  seat: { siteId: bigint; slotId: bigint; seatNo: number } | null;
}

export interface RegisterSubjectInput {
  candidateId: bigint;
  subjectId: bigint;
  siteId?: bigint;
  slotId?: bigint;
  /** REG-8: the institution registering its candidate; the registration is then the institution's. */
  institutionId?: bigint;
}

/**
 * 报考: one subject, checked against the window (REG-1/2) and the rules (REG-3/5), and — where
 * the subject has seats — a seat held at the chosen site and slot (REG-6), all in one
 * transaction: either the registration exists with its seat, or nothing changed.
 *
 * The candidate's row is locked first, so two registrations of one candidate (大学英语A and B
 * clicked in two tabs) are decided one after the other and cannot both pass the exclusion rule.
 */
export async function registerSubject(ctx: Pick<AppContext, 'db' | 'clock'>, input: RegisterSubjectInput): Promise<Result<Registered>> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute((trx) => registerSubjectIn(trx, now, input)).catch(seatUnavailableAsFailure);
}

/**
 * registerSubject inside the caller's transaction (an institution's registration commits with
 * its audit record). A full slot throws, so the caller's transaction rolls back; the caller
 * turns that into SEAT_UNAVAILABLE with `.catch(seatUnavailableAsFailure)`.
 */
export async function registerSubjectIn(trx: Trx, now: Date, input: RegisterSubjectInput): Promise<Result<Registered>> {
  const candidate = await trx.selectFrom('candidate').select(['id', 'login', 'email_verified_at']).where('id', '=', input.candidateId).forUpdate().executeTakeFirstOrThrow();
  const subject = await trx.selectFrom('subject as s').innerJoin('sitting as st', 'st.id', 's.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['s.id', 's.sitting_id', 'e.id as exam_id', 'e.roster_restricted'])
    .where('s.id', '=', input.subjectId).where('e.id', 'in', accountExamIds(trx, candidate.id)).executeTakeFirst();
  // A subject of an exam the account does not act in reads like a missing one.
  if (!subject) return fail('SUBJECT_NOT_FOUND');
  // ACC-1: a 通行证 registers subjects once its address is verified (seed 002: 注册后及时验证邮箱).
  // An institution registering its candidate (REG-8) acts on its own record, not the candidate's mailbox.
  if (input.institutionId === undefined && candidate.login === 'EMAIL' && !candidate.email_verified_at) return fail('EMAIL_NOT_VERIFIED');

  const window = checkRegistrationWindow(await sittingWindows(trx, subject.sitting_id), now);
  if (!window.ok) return fail('WINDOW_CLOSED', { windows: window.windows });

  const subjects = await sittingSubjects(trx, subject.sitting_id);
  const standing = await candidateStanding(trx, { candidateId: candidate.id, sittingId: subject.sitting_id, rosterRestricted: subject.roster_restricted });
  const rule = canRegister(subjects.find((s) => s.id === subject.id)!, standing, subjects);
  if (!rule.ok) return fail(rule.code, rule.subjectId !== undefined ? { subjectId: String(rule.subjectId) } : undefined);

  const pools = await trx.selectFrom('seat_pool').select(['id', 'site_id', 'slot_id']).where('subject_id', '=', subject.id).execute();
  const pool = pools.find((p) => p.site_id === input.siteId && p.slot_id === input.slotId);
  if (pools.length > 0 && !pool) return fail('SLOT_REQUIRED', { choices: pools.map((p) => ({ siteId: String(p.site_id), slotId: String(p.slot_id) })) });

  const registration = await trx.insertInto('registration').values({
    candidate_id: candidate.id, sitting_id: subject.sitting_id, subject_id: subject.id,
    site_id: pool?.site_id ?? null, slot_id: pool?.slot_id ?? null, created_at: now,
    ...(input.institutionId !== undefined ? { owner: 'INSTITUTION' as const, institution_id: input.institutionId } : {}),
  }).returning('id').executeTakeFirstOrThrow();
  if (!pool) return ok({ registrationId: registration.id, seat: null });

  const seat = await holdSeat(trx, { poolId: pool.id, registrationId: registration.id, now });
  // Throwing rolls the registration back with the failed hold; the caller gets the code.
  if (!seat) throw new SeatUnavailable();
  return ok({ registrationId: registration.id, seat: { siteId: pool.site_id, slotId: pool.slot_id, seatNo: seat.seatNo } });
}

export function seatUnavailableAsFailure(err: unknown): Result<never> {
  if (err instanceof SeatUnavailable) return fail('SEAT_UNAVAILABLE');
  throw err;
}

class SeatUnavailable extends Error {}
