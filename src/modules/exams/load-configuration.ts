import type { Trx, Db } from '../../db/database.ts';
import { describeError } from '../../shared/errors.ts';
import { ID_TYPE_NAMES, maskIdNumber, recogniseIdNumber, validateIdNumber, type IdType } from '../../shared/id-document.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';
import { sealCandidateIdentity, sealIdNumber } from '../accounts/candidate-identity.ts';
import { hashPassword, initialPassword } from '../accounts/password.ts';
import { examSettingsProblems, resolveTime, schemaProblems, sittingProblems } from './configuration-rules.ts';
import { examColumns } from './exam-rows.ts';
import { writeSitting } from './sitting-writer.ts';
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
  const at = resolveTime(when, now);
  if (!at) throw new ConfigurationError(`not a time: ${when}`);
  return at;
}

/** Validates a configuration file's content; every problem is named with its path. */
export function parseConfiguration(json: unknown): ExamConfiguration {
  const problems = schemaProblems(ExamConfiguration, json).slice(0, 20);
  if (problems.length) throw new ConfigurationError(`invalid exam configuration:\n  ${problems.map((p) => `${p.path}: ${p.reason}`).join('\n  ')}`);
  return json as ExamConfiguration;
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
    const problems = [...examSettingsProblems(config.exam, '/exam'), ...sittingProblems(config.sitting, now)];
    if (problems.length) throw new ConfigurationError(`invalid exam configuration:\n  ${problems.map((p) => `${p.path}: ${p.reason}`).join('\n  ')}`);
    const authority = await trx.insertInto('authority').values(config.authority).returning('id').executeTakeFirstOrThrow();
    const exam = await trx.insertInto('exam').values({ authority_id: authority.id, ...examColumns(config.exam) }).returningAll().executeTakeFirstOrThrow();
    const { sittingId, subjects } = await writeSitting(trx, exam.id, config.sitting, now);
    const institutions = new Map<string, bigint>();
    for (const i of config.institutions ?? []) {
      institutions.set(i.code, (await trx.insertInto('institution').values({ authority_id: authority.id, code: i.code, name: i.name, kind: i.kind }).returning('id').executeTakeFirstOrThrow()).id);
    }
    const accounts = await createRoster(trx, keys, { authorityId: authority.id, exam, sittingId, subjects, institutions, config, now });
    for (const score of config.cet4Scores ?? []) {
      const id = recogniseIdNumber(score.idNumber, now);
      if (!id.ok) throw badIdNumber(`CET4 result ${score.ticketNo}`, score.idNumber, undefined, id.error);
      await trx.insertInto('cet4_score').values({ authority_id: authority.id, ticket_no: score.ticketNo, ...sealIdNumber(keys, id.value.number), name: score.name, score: score.score }).execute();
    }
    return { authorityCode: config.authority.code, authorityId: authority.id, examId: exam.id, sittingId, accounts };
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
