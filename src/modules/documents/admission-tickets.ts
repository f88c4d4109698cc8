import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate, SubjectKind } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { accountExamIds } from '../accounts/account-exams.ts';
import { maskedIdentity } from '../accounts/candidate-identity.ts';
import type { AppContext } from '../context.ts';
import { sittingWindows } from '../registration/sitting-facts.repo.ts';
import { ticketContent, type TicketFacts } from './admission-ticket-content.ts';
import { admissionTicketsPdf } from './admission-ticket-pdf.ts';
import { printVerdict } from './print-window.ts';

type TicketsContext = Pick<AppContext, 'db' | 'clock' | 'personalData'>;

/**
 * DOC-2 admission tickets: which a candidate has, their numbers, and the PDF. Only paid
 * registrations are on a ticket (seed 002: 科目报名成功的唯一标识是支付状态为“已支付”), and only
 * inside the print window (print-window.ts). The number (准考证号) is given at the first print and
 * kept, so every reprint shows the same one.
 */

/** A registration printed on a ticket: active and paid, of a subject the authority has not cancelled. */
export async function paidRegistrations(db: DbOrTrx, input: { candidateId: bigint; sittingId: bigint; kind?: SubjectKind }) {
  let q = db.selectFrom('registration as r').innerJoin('subject as s', 's.id', 'r.subject_id')
    .leftJoin('site as si', 'si.id', 'r.site_id').leftJoin('slot as sl', 'sl.id', 'r.slot_id')
    .leftJoin('seat as seat', 'seat.registration_id', 'r.id')
    .select(['r.id', 's.name', 's.kind', 'si.name as site_name', 'sl.starts_at', 'sl.ends_at', 'seat.seat_no'])
    .where('r.candidate_id', '=', input.candidateId).where('r.sitting_id', '=', input.sittingId)
    .where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is not', null).where('s.cancelled_at', 'is', null);
  if (input.kind) q = q.where('s.kind', '=', input.kind);
  return q.orderBy(sql`sl.starts_at NULLS LAST`).orderBy('s.id').execute();
}

/**
 * The ticket number of (sitting, candidate, kind), given once: 1 (笔试) or 2 (口试) + 14 digits of
 * a sequence — 15 digits, the length of a CET ticket number. Two first prints at once both try
 * to insert; the unique key keeps one and both read it.
 */
export async function issueTicketNumber(db: DbOrTrx, input: { sittingId: bigint; candidateId: bigint; kind: SubjectKind; now: Date }): Promise<string> {
  const find = () => db.selectFrom('admission_ticket').select('ticket_no')
    .where('sitting_id', '=', input.sittingId).where('candidate_id', '=', input.candidateId).where('kind', '=', input.kind).executeTakeFirst();
  const existing = await find();
  if (existing) return existing.ticket_no;
  const { n } = (await sql<{ n: string }>`SELECT nextval('admission_ticket_no_seq')::text AS n`.execute(db)).rows[0]!;
  await db.insertInto('admission_ticket').values({
    sitting_id: input.sittingId, candidate_id: input.candidateId, kind: input.kind, ticket_no: `${input.kind === 'WRITTEN' ? 1 : 2}${n.padStart(14, '0')}`, issued_at: input.now,
  }).onConflict((oc) => oc.columns(['sitting_id', 'candidate_id', 'kind']).doNothing()).execute();
  return (await find())!.ticket_no;
}

/** A sitting of one of the candidate's exams, or nothing: another exam's sitting reads as missing. */
async function candidateSitting(db: DbOrTrx, candidateId: bigint, sittingId: bigint) {
  return db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').innerJoin('authority as a', 'a.id', 'e.authority_id')
    .select(['st.id', 'st.name', 'e.name as exam_name', 'a.name as authority_name'])
    .where('st.id', '=', sittingId).where('e.id', 'in', accountExamIds(db, candidateId)).executeTakeFirst();
}

/** What the ticket page shows for one sitting: the print windows, whether one is open, and the tickets the candidate has. */
export async function ticketOverview(ctx: TicketsContext, input: { candidateId: bigint; sittingId: bigint }) {
  const sitting = await candidateSitting(ctx.db, input.candidateId, input.sittingId);
  if (!sitting) return undefined;
  const now = ctx.clock.now();
  const [windows, regs, issued] = await Promise.all([
    sittingWindows(ctx.db, sitting.id),
    paidRegistrations(ctx.db, input),
    ctx.db.selectFrom('admission_ticket').select(['kind', 'ticket_no']).where('sitting_id', '=', sitting.id).where('candidate_id', '=', input.candidateId).execute(),
  ]);
  const verdict = printVerdict(windows, now);
  const kinds = (['WRITTEN', 'ORAL'] as const).filter((k) => regs.some((r) => r.kind === k));
  return {
    sittingId: sitting.id,
    sittingName: sitting.name,
    offered: verdict.ok || verdict.error.code !== 'ADMISSION_TICKETS_NOT_OFFERED',
    printOpen: verdict.ok,
    printWindows: windows.filter((w) => w.kind === 'PRINT').sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime())
      .map((w) => ({ opensAt: w.opensAt, closesAt: w.closesAt })),
    tickets: kinds.map((kind) => ({
      kind,
      ticketNo: issued.find((t) => t.kind === kind)?.ticket_no ?? null,
      subjects: regs.filter((r) => r.kind === kind).map((r) => r.name),
    })),
  };
}

/** The facts of one ticket, issuing its number; ADMISSION_TICKET_NOT_FOUND when nothing of that kind is paid. */
async function ticketFacts(ctx: TicketsContext, candidate: Pick<Candidate, 'id' | 'name' | 'id_number_sealed' | 'phone_sealed'>,
  sitting: { id: bigint; name: string; exam_name: string; authority_name: string }, kind: SubjectKind): Promise<Result<TicketFacts>> {
  const regs = await paidRegistrations(ctx.db, { candidateId: candidate.id, sittingId: sitting.id, kind });
  if (regs.length === 0) return fail('ADMISSION_TICKET_NOT_FOUND');
  const now = ctx.clock.now();
  const ticketNo = await issueTicketNumber(ctx.db, { sittingId: sitting.id, candidateId: candidate.id, kind, now });
  return ok({
    authority: sitting.authority_name, exam: sitting.exam_name, sitting: sitting.name, kind, ticketNo,
    candidate: { name: candidate.name, idNumberMasked: maskedIdentity(ctx.personalData, candidate).idNumberMasked },
    subjects: regs.map((r) => ({ name: r.name, site: r.site_name, startsAt: r.starts_at, endsAt: r.ends_at, seatNo: r.seat_no })),
    printedAt: now,
  });
}

/** A signed-in candidate's ticket of one kind for one sitting, inside the print window only. */
export async function renderCandidateTicket(ctx: TicketsContext, input: { candidateId: bigint; sittingId: bigint; kind: SubjectKind }): Promise<Result<{ pdf: Buffer; ticketNo: string }>> {
  const sitting = await candidateSitting(ctx.db, input.candidateId, input.sittingId);
  if (!sitting) return fail('SITTING_NOT_FOUND');
  const verdict = printVerdict(await sittingWindows(ctx.db, sitting.id), ctx.clock.now());
  if (!verdict.ok) return { ok: false, error: verdict.error };
  const candidate = await ctx.db.selectFrom('candidate').select(['id', 'name', 'id_number_sealed', 'phone_sealed']).where('id', '=', input.candidateId).executeTakeFirstOrThrow();
  const facts = await ticketFacts(ctx, candidate, sitting, input.kind);
  if (!facts.ok) return facts;
  return ok({ pdf: await admissionTicketsPdf([ticketContent(facts.value)], ctx.clock.now()), ticketNo: facts.value.ticketNo });
}

/**
 * The sittings of an authority whose print window is open now, or why none is: no sitting prints
 * tickets here, or every print window is closed (with the windows, in Beijing time). Public facts
 * of the authority, decided before anyone's identity is looked at.
 */
export async function printableSittings(db: DbOrTrx, authorityCode: string, now: Date): Promise<Result<bigint[]>> {
  const rows = await db.selectFrom('sitting_window as w').innerJoin('sitting as st', 'st.id', 'w.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .innerJoin('authority as a', 'a.id', 'e.authority_id')
    .select(['w.sitting_id', 'w.kind', 'w.site_id', 'w.opens_at', 'w.closes_at'])
    .where('a.code', '=', authorityCode).where('w.kind', '=', 'PRINT').where('st.cancelled_at', 'is', null).execute();
  const windows = rows.map((w) => ({ sittingId: w.sitting_id, kind: w.kind, siteId: w.site_id, opensAt: w.opens_at, closesAt: w.closes_at }));
  const open = [...new Set(windows.map((w) => w.sittingId))].filter((id) => printVerdict(windows.filter((w) => w.sittingId === id), now).ok);
  if (open.length > 0) return ok(open);
  const verdict = printVerdict(windows, now);
  return { ok: false, error: verdict.ok ? { code: 'ADMISSION_TICKETS_NOT_OFFERED' } : verdict.error };
}

/** Every ticket of this kind the candidate has in these sittings (those of the candidate's exams), as content. */
export async function candidateTicketsIn(ctx: TicketsContext, candidate: Candidate, sittingIds: bigint[], kind: SubjectKind) {
  const out = [];
  for (const sittingId of sittingIds) {
    const sitting = await candidateSitting(ctx.db, candidate.id, sittingId);
    if (!sitting) continue;
    const facts = await ticketFacts(ctx, candidate, sitting, kind);
    if (facts.ok) out.push(ticketContent(facts.value));
  }
  return out;
}

