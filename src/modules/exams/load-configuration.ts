import { Value } from 'typebox/value';
import type { Trx, Db } from '../../db/database.ts';
import { parseShanghai } from '../../shared/time.ts';
import { describeError } from '../../shared/errors.ts';
import { ID_TYPE_NAMES, maskIdNumber, recogniseIdNumber, validateIdNumber, type IdType } from '../../shared/id-document.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';
import { sealCandidateIdentity, sealIdNumber } from '../accounts/candidate-identity.ts';
import { hashPassword, initialPassword } from '../accounts/password.ts';
import { DEFAULT_PASSWORD_POLICY } from '../accounts/password-policy.ts';
import { provisionSeats } from '../registration/seat-holds.sql.ts';
import { ExamConfiguration } from './exam-configuration.schema.ts';

export class ConfigurationError extends Error {}

export interface LoadedExam {
  authorityCode: string;
  authorityId: bigint;
  examId: bigint;
  sittingId: bigint;
  /** Sign-in details of the roster accounts created, for the demo to print (never logged). */
  accounts: { name: string; idNumber: string; password: string }[];
}

/** Reads "P-1D", "PT9H", "P10DT9H30M" (relative to `now`) or "2026-03-15 09:00:00" (Beijing). */
export function resolveWhen(when: string, now: Date): Date {
  if (!when.startsWith('P')) return parseShanghai(when);
  const m = /^P(-?)(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(when);
  if (!m) throw new ConfigurationError(`not a duration: ${when}`);
  const ms = ((Number(m[2] ?? 0) * 24 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 60_000;
  return new Date(now.getTime() + (m[1] === '-' ? -ms : ms));
}

/** Validates a configuration file's content; every problem is named with its path. */
export function parseConfiguration(json: unknown): ExamConfiguration {
  if (!Value.Check(ExamConfiguration, json)) {
    // One line per path: a union reports every branch it tried; its last message sums them up.
    const byPath = new Map<string, string>();
    for (const e of Value.Errors(ExamConfiguration, json)) byPath.set(e.instancePath || '/', e.message);
    const problems = [...byPath].slice(0, 20).map(([path, message]) => `${path}: ${message}`);
    throw new ConfigurationError(`invalid exam configuration:\n  ${problems.join('\n  ')}`);
  }
  return json;
}

/**
 * Creates an authority's exam from a configuration, in one transaction (ADM-1): exam, sitting,
 * windows, subjects, sites, slots, seats, roster accounts with their standing, CET4 results.
 * An authority code that already exists is left alone (returns undefined), so loading is safe
 * to repeat at every start.
 */
export async function loadConfiguration(ctx: { db: Db; personalData: PersonalDataKeys }, config: ExamConfiguration, now: Date): Promise<LoadedExam | undefined> {
  const keys = ctx.personalData;
  return ctx.db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('authority').select('id').where('code', '=', config.authority.code).executeTakeFirst()) return undefined;
    const when = (w: string) => resolveWhen(w, now);
    const authority = await trx.insertInto('authority').values(config.authority).returning('id').executeTakeFirstOrThrow();
    const e = config.exam;
    const policy = e.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
    if (policy.maxLength !== null && policy.maxLength < policy.minLength) throw new ConfigurationError(`exam ${e.code}: passwordPolicy.maxLength ${policy.maxLength} is below minLength ${policy.minLength}`);
    const exam = await trx.insertInto('exam').values({
      authority_id: authority.id, code: e.code, name: e.name,
      initial_password_rule: e.initialPassword.rule,
      initial_password_fixed: e.initialPassword.rule === 'FIXED' ? e.initialPassword.password : null,
      bill_timeout_minutes: e.billTimeoutMinutes, channels: e.channels, bank_card_only: e.bankCardOnly, agreement_text: e.agreementText,
      release_seats_on_bill_expiry: e.releaseSeatsOnBillExpiry, roster_restricted: e.rosterRestricted, audit_required: e.auditRequired,
      unpaid_registration_ttl_hours: e.unpaidRegistrationTtlHours, cet6_review_threshold: e.cet6ReviewThreshold,
      account_style: e.accountStyle, refund_policy: e.refundPolicy, repayment_needs_approval: e.repaymentNeedsApproval ?? false,
      ...(e.seatHoldMinutes !== undefined ? { seat_hold_minutes: e.seatHoldMinutes } : {}),
      ...(e.payWithoutSignIn !== undefined ? { pay_without_sign_in: e.payWithoutSignIn } : {}),
      ...(e.institutionChannels !== undefined ? { institution_channels: e.institutionChannels } : {}),
      password_min_length: policy.minLength, password_max_length: policy.maxLength,
      password_required_classes: policy.requiredClasses, password_special_characters: policy.specialCharacters,
    }).returningAll().executeTakeFirstOrThrow();
    const s = config.sitting;
    const sitting = await trx.insertInto('sitting').values({ exam_id: exam.id, code: s.code, name: s.name }).returning('id').executeTakeFirstOrThrow();

    const subjects = new Map<string, bigint>();
    for (const subject of s.subjects) {
      const row = await trx.insertInto('subject').values({
        sitting_id: sitting.id, code: subject.code, name: subject.name, kind: subject.kind, fee_fen: BigInt(subject.feeFen),
        exclusion_group: subject.exclusionGroup ?? null, requires_review: subject.requiresReview ?? false,
      }).returning('id').executeTakeFirstOrThrow();
      subjects.set(subject.code, row.id);
    }
    const ref = (map: Map<string, bigint>, code: string, what: string) => {
      const id = map.get(code);
      if (id === undefined) throw new ConfigurationError(`${what} ${code} is not defined in the configuration`);
      return id;
    };
    for (const subject of s.subjects.filter((x) => x.writtenSubject)) {
      await trx.updateTable('subject').set({ written_subject_id: ref(subjects, subject.writtenSubject!, 'written subject') }).where('id', '=', subjects.get(subject.code)!).execute();
    }
    const sites = new Map<string, bigint>();
    for (const site of s.sites) sites.set(site.code, (await trx.insertInto('site').values({ sitting_id: sitting.id, ...site }).returning('id').executeTakeFirstOrThrow()).id);
    const slots = new Map<string, bigint>();
    for (const slot of s.slots) {
      slots.set(slot.code, (await trx.insertInto('slot').values({ sitting_id: sitting.id, code: slot.code, starts_at: when(slot.starts), ends_at: when(slot.ends) }).returning('id').executeTakeFirstOrThrow()).id);
    }
    for (const w of s.windows) {
      await trx.insertInto('sitting_window').values({
        sitting_id: sitting.id, kind: w.kind, site_id: w.site ? ref(sites, w.site, 'site') : null, opens_at: when(w.opens), closes_at: when(w.closes),
      }).execute();
    }
    for (const c of s.capacity) {
      const pool = await trx.insertInto('seat_pool').values({
        site_id: ref(sites, c.site, 'site'), slot_id: ref(slots, c.slot, 'slot'), subject_id: ref(subjects, c.subject, 'subject'), capacity: c.seats,
      }).returning('id').executeTakeFirstOrThrow();
      const provisioned = await provisionSeats(trx, pool.id, c.seats);
      if (!provisioned.ok) throw new Error(`seats for ${c.site}/${c.slot}/${c.subject}: ${provisioned.error.code}`);
    }
    const institutions = new Map<string, bigint>();
    for (const i of config.institutions ?? []) {
      institutions.set(i.code, (await trx.insertInto('institution').values({ authority_id: authority.id, code: i.code, name: i.name, kind: i.kind }).returning('id').executeTakeFirstOrThrow()).id);
    }
    const accounts = await createRoster(trx, keys, { authorityId: authority.id, exam, sittingId: sitting.id, subjects, institutions, config, now });
    for (const score of config.cet4Scores ?? []) {
      const id = recogniseIdNumber(score.idNumber, now);
      if (!id.ok) throw badIdNumber(`CET4 result ${score.ticketNo}`, score.idNumber, undefined, id.error);
      await trx.insertInto('cet4_score').values({ authority_id: authority.id, ticket_no: score.ticketNo, ...sealIdNumber(keys, id.value.number), name: score.name, score: score.score }).execute();
    }
    return { authorityCode: config.authority.code, authorityId: authority.id, examId: exam.id, sittingId: sitting.id, accounts };
  });
}

async function createRoster(
  trx: Trx,
  keys: PersonalDataKeys,
  input: {
    authorityId: bigint; exam: Parameters<typeof initialPassword>[0] & { id: bigint }; sittingId: bigint; subjects: Map<string, bigint>;
    institutions: Map<string, bigint>; config: ExamConfiguration; now: Date;
  },
) {
  const accounts: LoadedExam['accounts'] = [];
  for (const c of input.config.candidates) {
    // ACC-1: every number is checked as the document it claims to be (check character, birth date, format).
    const idType = c.idType ?? 'RESIDENT_ID';
    const id = validateIdNumber(idType, c.idNumber, input.now);
    if (!id.ok) throw badIdNumber(`candidate ${c.name}`, c.idNumber, idType, id.error);
    const idNumber = id.value.number;
    const password = initialPassword(input.exam, idNumber);
    const institutionId = c.institution === undefined ? null : input.institutions.get(c.institution);
    if (institutionId === undefined) throw new ConfigurationError(`candidate ${c.name}: institution ${c.institution} is not defined`);
    const row = await trx.insertInto('candidate').values({
      authority_id: input.authorityId, exam_id: input.exam.id, id_type: idType, ...sealCandidateIdentity(keys, { idNumber, phone: c.phone }), name: c.name,
      password_hash: await hashPassword(password), institution_id: institutionId,
    }).returning('id').executeTakeFirstOrThrow();
    for (const [code, status] of Object.entries(c.standing ?? {})) {
      const subjectId = input.subjects.get(code);
      if (subjectId === undefined) throw new ConfigurationError(`candidate ${c.name}: subject ${code} is not defined`);
      await trx.insertInto('candidate_subject_standing').values({ candidate_id: row.id, subject_id: subjectId, status }).execute();
    }
    if (c.auditStatus) await trx.insertInto('candidate_audit').values({ candidate_id: row.id, sitting_id: input.sittingId, status: c.auditStatus }).execute();
    accounts.push({ name: c.name, idNumber, password });
  }
  return accounts;
}

/** A roster's bad number, named without printing it whole: the file is at hand, the log may not be private. */
function badIdNumber(who: string, raw: string, idType: IdType | undefined, failure: { code: Parameters<typeof describeError>[0]; details?: Record<string, unknown> }) {
  const { messageZh, messageEn } = describeError(failure.code, failure.details);
  const doc = idType ? ID_TYPE_NAMES[idType].zh : '证件';
  return new ConfigurationError(`${who}: ${maskIdNumber(raw)} is not a valid ${doc} number (${failure.code}: ${messageZh} ${messageEn})`);
}
