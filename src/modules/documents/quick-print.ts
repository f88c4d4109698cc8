import type { IdType, SubjectKind } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { normaliseIdNumber } from '../../shared/personal-data.ts';
import { findCandidateByIdNumber } from '../accounts/candidate-identity.ts';
import { addressKey, admitSignIn, lockoutFailure, recordFailedAttempt, recordSignInSuccess, throttleKey } from '../accounts/sign-in-throttle.repo.ts';
import type { AppContext } from '../context.ts';
import { sameName } from '../payments/payment-pass.ts';
import { admissionTicketsPdf } from './admission-ticket-pdf.ts';
import { candidateTicketsIn, printableSittings } from './admission-tickets.ts';

export interface QuickPrintRequest {
  authorityCode: string;
  name: string;
  idType: IdType;
  idNumber: string;
  kind: SubjectKind;
}

/**
 * DOC-2 快速打印准考证 (seed 002): name + ID document, no sign-in, behind a captcha (checked by the
 * route) and the sign-in throttle, like the PAY-6 look-up. Every ticket of that kind in the
 * authority's sittings whose print window is open now comes back in one PDF (a page each).
 *
 * Order matters for what a stranger can learn: the print window is a public fact and is checked
 * first; after that a wrong name, a wrong ID type, an unknown number and "nothing paid of that
 * kind" all get the one answer QUICK_PRINT_NOT_FOUND and count as a failure, so the answer never
 * tells whether someone is a candidate.
 */
export async function quickPrintTickets(ctx: Pick<AppContext, 'db' | 'clock' | 'personalData'>, req: QuickPrintRequest, address: string): Promise<Result<{ pdf: Buffer; ticketNos: string[] }>> {
  const now = ctx.clock.now();
  const sittings = await printableSittings(ctx.db, req.authorityCode, now);
  if (!sittings.ok) return sittings;
  const keys = {
    account: throttleKey(ctx.personalData, 'ACCOUNT', `${req.authorityCode}:ticket:id:${normaliseIdNumber(req.idNumber)}`),
    address: addressKey(ctx.personalData, address),
  };
  const gate = await admitSignIn(ctx.db, keys, now);
  if (gate.outcome !== 'ADMITTED') return { ok: false, error: lockoutFailure(gate, now) };
  const candidate = await findCandidateByIdNumber(ctx, { authorityCode: req.authorityCode, idNumber: req.idNumber });
  const tickets = candidate && candidate.id_type === req.idType && sameName(candidate.name, req.name)
    ? await candidateTicketsIn(ctx, candidate, sittings.value, req.kind)
    : [];
  if (tickets.length === 0) {
    const failed = await recordFailedAttempt(ctx.db, keys, gate, now);
    return failed.lockout ? { ok: false, error: failed.lockout } : fail('QUICK_PRINT_NOT_FOUND');
  }
  await recordSignInSuccess(ctx.db, keys.account, now);
  return ok({ pdf: await admissionTicketsPdf(tickets, now), ticketNos: tickets.map((t) => t.ticketNo) });
}
