import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import type { ImportJob, ImportKind } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { maskIdNumber } from '../../shared/id-document.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import { idNumberHash, sealCandidateIdentity, sealIdNumber } from '../accounts/candidate-identity.ts';
import { INITIAL_PASSWORD_BY_RULE } from '../accounts/password.ts';
import { recordAudit, staffAuditActor } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { sheetBuffer } from '../exports/xlsx-writer.ts';
import { checkAuditAgainstDb, writeAuditBatch, writeCet4Batch, type ResolvedAuditRow, type SealedCet4Row, type WriteCounts } from './eligibility-imports.ts';
import { checkRow, duplicateInFileError, duplicateKey, mapHeader, type AuditRow, type ImportRow, type RosterRow, type RowError, type StandingRow } from './import-rules.ts';
import { readRows, sniffFormat } from './sheet-reader.ts';

/**
 * Roster, student-record, CET4-result and audit-result imports (ADM-2, docs/imports-exports.md). An upload becomes an
 * import_job row holding the file; the run-imports job reads it, checks every row (the file's
 * own rules, then against the database), and either writes every row in one transaction or
 * writes nothing and keeps an error sheet (row, column, reason in Chinese and English).
 */

type Ctx = Pick<AppContext, 'db' | 'clock' | 'log' | 'personalData'>;

/** Big enough for 100,000 roster rows as CSV (~7 MB) or xlsx (~4 MB) with room to spare. */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;
/** A job whose runner has not been heard of for this long died mid-run; its transaction rolled back, so it runs again. */
const STALE_AFTER_MS = 10 * 60_000;
/** Rows looked up in the database per query while checking (one array parameter each). */
const CHUNK = 5000;

export async function createImport(
  ctx: Ctx, actor: StaffActor,
  input: { kind: ImportKind; examId?: bigint; sittingId?: bigint; fileName: string; file: Buffer; ip?: string | null },
): Promise<Result<ImportJob>> {
  const name = input.fileName.trim();
  const ext = /\.(xlsx|csv)$/i.exec(name)?.[1]?.toUpperCase();
  if (!ext) return fail('IMPORT_FILE_TYPE');
  if (input.file.length === 0) return fail('IMPORT_FILE_EMPTY');
  if (input.file.length > IMPORT_MAX_BYTES) return fail('IMPORT_FILE_TOO_LARGE', { maxMb: IMPORT_MAX_BYTES / 1024 / 1024 });
  const format = sniffFormat(input.file);
  if (format !== ext) return fail('IMPORT_FILE_TYPE');
  const target = await checkImportTarget(ctx, actor, input.kind, input.examId, input.sittingId);
  if (!target.ok) return target;
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const job = await trx.insertInto('import_job').values({
      authority_id: actor.authorityId, kind: input.kind, exam_id: input.kind === 'ROSTER' ? input.examId! : null, sitting_id: importTarget(input.kind) === 'sitting' ? input.sittingId! : null,
      format, file_name: name.slice(0, 200), file: input.file, requested_by: actor.staffId, created_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, {
      at: now, actor: staffAuditActor(actor), action: 'import.create', object: { type: 'import', id: job.id },
      summary: { kind: input.kind, format, bytes: input.file.length, examId: job.exam_id, sittingId: job.sitting_id }, ip: input.ip ?? null,
    });
    return ok(job);
  });
}

/** What an import of each kind goes into: an exam's roster, a sitting, or the authority itself (CET4 results). */
export function importTarget(kind: ImportKind): 'exam' | 'sitting' | 'authority' {
  return kind === 'ROSTER' ? 'exam' : kind === 'CET4_SCORE' ? 'authority' : 'sitting';
}

/** The exam (ROSTER) or sitting (STANDING, AUDIT) an import goes into: the actor's authority's, or missing. CET4 results need none. */
export async function checkImportTarget(ctx: Pick<Ctx, 'db'>, actor: StaffActor, kind: ImportKind, examId: bigint | undefined, sittingId: bigint | undefined): Promise<Result<true>> {
  if (importTarget(kind) === 'authority') return ok(true);
  if (kind === 'ROSTER') {
    const exam = await ctx.db.selectFrom('exam').select('id').where('id', '=', examId ?? -1n).where('authority_id', '=', actor.authorityId).executeTakeFirst();
    return exam ? ok(true) : fail('EXAM_NOT_FOUND');
  }
  const sitting = await ctx.db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').select('st.id')
    .where('st.id', '=', sittingId ?? -1n).where('e.authority_id', '=', actor.authorityId).executeTakeFirst();
  return sitting ? ok(true) : fail('SITTING_NOT_FOUND');
}

export function findImport(ctx: Pick<Ctx, 'db'>, actor: StaffActor, importId: bigint): Promise<ImportJob | undefined> {
  return ctx.db.selectFrom('import_job').selectAll().where('id', '=', importId).where('authority_id', '=', actor.authorityId).executeTakeFirst();
}

export type ImportSummary = Omit<ImportJob, 'file' | 'error_sheet'>;

export function listImports(ctx: Pick<Ctx, 'db'>, actor: StaffActor, limit: number): Promise<ImportSummary[]> {
  // The file and error sheet stay out of lists: a page polls this.
  return ctx.db.selectFrom('import_job').select([
    'id', 'authority_id', 'kind', 'exam_id', 'sitting_id', 'format', 'file_name', 'state', 'rows_total', 'rows_read', 'rows_validated', 'rows_written',
    'error_count', 'failure', 'requested_by', 'created_at', 'started_at', 'heartbeat_at', 'finished_at',
  ]).where('authority_id', '=', actor.authorityId).orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Progress in percent the page shows, never going back: reading 0–20 (the total is not known
 * until the file is read: one point per 5,000 rows), checking 20–50, writing 50–99; 100 at the end.
 */
export function importPercent(job: Pick<ImportJob, 'state' | 'rows_total' | 'rows_read' | 'rows_validated' | 'rows_written'>): number {
  if (job.state === 'DONE' || job.state === 'REJECTED' || job.state === 'FAILED') return 100;
  if (job.state === 'QUEUED') return 0;
  if (job.rows_total === null) return Math.min(20, Math.floor(job.rows_read / 5000));
  const total = Math.max(1, job.rows_total);
  return Math.min(99, 20 + Math.floor((30 * job.rows_validated) / total) + Math.floor((50 * job.rows_written) / total));
}

/** Takes the oldest waiting import (or one whose runner died), for this process alone. */
export async function claimImport(ctx: Pick<Ctx, 'db' | 'clock'>): Promise<ImportJob | undefined> {
  const now = ctx.clock.now();
  const stale = new Date(now.getTime() - STALE_AFTER_MS);
  return ctx.db.updateTable('import_job')
    .set({ state: 'RUNNING', started_at: now, heartbeat_at: now, rows_read: 0, rows_validated: 0, rows_written: 0, rows_total: null })
    .where('id', '=', (eb) => eb.selectFrom('import_job').select('id')
      .where((w) => w.or([w('state', '=', 'QUEUED'), w.and([w('state', '=', 'RUNNING'), w('heartbeat_at', '<', stale)])]))
      .orderBy('created_at').limit(1).forUpdate().skipLocked())
    .returningAll().executeTakeFirst();
}

type Progress = Partial<{ rows_total: number; rows_read: number; rows_validated: number; rows_written: number }>;

/** Runs one claimed import to its end: DONE (every row written), REJECTED (nothing written, error sheet) or FAILED. */
export async function runImport(ctx: Ctx, job: ImportJob): Promise<ImportJob['state']> {
  // Progress goes through ctx.db, outside the writing transaction, so the page sees it move.
  const progress = (p: Progress) => ctx.db.updateTable('import_job').set({ ...p, heartbeat_at: ctx.clock.now() }).where('id', '=', job.id).where('state', '=', 'RUNNING').execute();
  try {
    const checked = await readAndCheck(ctx, job, progress);
    if (checked.errors.length) {
      checked.errors.sort((a, b) => a.row - b.row);
      const sheet = await errorSheet(checked.errors);
      await finish(ctx, job, 'REJECTED', { error_count: checked.errors.length, error_sheet: sheet }, { errors: checked.errors.length, rows: checked.rows.length });
      return 'REJECTED';
    }
    await writeAll(ctx, job, checked.rows, progress);
    return 'DONE';
  } catch (err) {
    // An account created meanwhile with a number of this file (unique index) or a bug: nothing of the file was written.
    const unique = (err as { code?: string }).code === '23505';
    ctx.log.error({ err: unique ? undefined : err, importId: job.id }, 'import failed');
    await finish(ctx, job, 'FAILED', {
      failure: unique ? 'CONFLICT: a row of this file was added by someone else while it was imported; nothing was written — upload it again'
        : 'ERROR: the import stopped on an unexpected error; nothing was written',
    }, { failed: true });
    return 'FAILED';
  }
}

async function finish(ctx: Ctx, job: ImportJob, state: 'REJECTED' | 'FAILED', set: { error_count?: number; error_sheet?: Buffer; failure?: string }, summary: Record<string, unknown>) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('import_job').set({ ...set, state, file: null, finished_at: now, heartbeat_at: now }).where('id', '=', job.id).execute();
    await recordAudit(trx, { at: now, actor: { type: 'SYSTEM', id: null, authorityId: job.authority_id }, action: state === 'REJECTED' ? 'import.reject' : 'import.fail', object: { type: 'import', id: job.id }, summary });
  });
}

async function readAndCheck(ctx: Ctx, job: ImportJob, progress: (p: Progress) => Promise<unknown>): Promise<{ rows: ImportRow[]; errors: RowError[] }> {
  const now = ctx.clock.now();
  const errors: RowError[] = [];
  const rows: ImportRow[] = [];
  const firstRowOf = new Map<string, number>();
  let index: Record<string, number> | undefined;
  let read = 0;
  for await (const { rowNo, cells } of readRows(job.format, job.file!)) {
    if (!index) {
      const h = mapHeader(job.kind, cells);
      if (!h.ok) return { rows, errors: h.errors };
      index = h.index;
      continue;
    }
    read++;
    const r = checkRow(job.kind, index, rowNo, cells, now);
    if (!r.ok) errors.push(...r.errors);
    else {
      const key = duplicateKey(r.value);
      const first = firstRowOf.get(key);
      if (first !== undefined) errors.push(duplicateInFileError(r.value, first));
      else {
        firstRowOf.set(key, rowNo);
        rows.push(r.value);
      }
    }
    if (read % 5000 === 0) await progress({ rows_read: read });
  }
  if (!index) return { rows, errors: [{ row: 1, column: '', value: '', reasonZh: '文件中没有内容（第1行应为表头）', reasonEn: 'The file holds nothing (row 1 should be the header)' }] };
  if (read === 0) errors.push({ row: 2, column: '', value: '', reasonZh: '文件只有表头，没有数据行', reasonEn: 'The file has a header but no data rows' });
  await progress({ rows_read: read, rows_total: read });
  // Rows wrong on their own are not looked up: their errors are already listed.
  // CET4 results have nothing to meet in the database: a ticket number already loaded is replaced.
  const checks = job.kind === 'ROSTER' ? await checkRosterAgainstDb(ctx, job, rows as RosterRow[], progress)
    : job.kind === 'STANDING' ? await checkStandingAgainstDb(ctx, job, rows as StandingRow[], progress)
      : job.kind === 'AUDIT' ? await checkAuditAgainstDb(ctx, job, rows as AuditRow[], CHUNK, progress) : [];
  errors.push(...checks);
  await progress({ rows_validated: read });
  return { rows, errors };
}


async function checkRosterAgainstDb(ctx: Ctx, job: ImportJob, rows: RosterRow[], progress: (p: Progress) => Promise<unknown>): Promise<RowError[]> {
  const errors: RowError[] = [];
  const institutions = new Map((await ctx.db.selectFrom('institution').select(['id', 'code']).where('authority_id', '=', job.authority_id).execute()).map((i) => [i.code, i.id]));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const hashes = chunk.map((r) => idNumberHash(ctx.personalData, r.idNumber));
    // One array parameter, not thousands of placeholders: less to send, parse and plan.
    const taken = new Set((await ctx.db.selectFrom('candidate').select('id_number_hash').where('authority_id', '=', job.authority_id).where(sql<boolean>`id_number_hash = ANY(${hashes}::bytea[])`).execute())
      .map((c) => c.id_number_hash.toString('hex')));
    chunk.forEach((r, j) => {
      if (taken.has(hashes[j]!.toString('hex'))) {
        errors.push({ row: r.row, column: '证件号码 ID number', value: maskIdNumber(r.idNumber), reasonZh: '该证件号码在本考试机构已有账号，不能重复导入', reasonEn: 'An account with this ID number already exists at this authority; it cannot be imported again' });
      }
      if (r.institution !== null && !institutions.has(r.institution)) {
        errors.push({ row: r.row, column: '机构代码 Institution code', value: r.institution.slice(0, 40), reasonZh: '没有这个机构代码（请先在机构列表中添加）', reasonEn: 'No institution has this code (add it to the institutions first)' });
      }
    });
    await progress({ rows_validated: Math.min(rows.length, i + CHUNK) });
  }
  return errors;
}

async function checkStandingAgainstDb(ctx: Ctx, job: ImportJob, rows: StandingRow[], progress: (p: Progress) => Promise<unknown>): Promise<RowError[]> {
  const errors: RowError[] = [];
  const subjects = new Map((await ctx.db.selectFrom('subject').select(['id', 'code']).where('sitting_id', '=', job.sitting_id!).execute()).map((s) => [s.code, s.id]));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const hashes = chunk.map((r) => idNumberHash(ctx.personalData, r.idNumber));
    const candidates = new Map((await ctx.db.selectFrom('candidate').select(['id', 'id_number_hash']).where('authority_id', '=', job.authority_id).where(sql<boolean>`id_number_hash = ANY(${hashes}::bytea[])`).execute())
      .map((c) => [c.id_number_hash.toString('hex'), c.id]));
    const ids = [...candidates.values()];
    const existing = new Set(ids.length ? (await ctx.db.selectFrom('candidate_subject_standing').select(['candidate_id', 'subject_id']).where('candidate_id', 'in', ids).execute())
      .map((s) => `${s.candidate_id}:${s.subject_id}`) : []);
    chunk.forEach((r, j) => {
      const candidateId = candidates.get(hashes[j]!.toString('hex'));
      const subjectId = subjects.get(r.subject);
      if (candidateId === undefined) errors.push({ row: r.row, column: '证件号码 ID number', value: maskIdNumber(r.idNumber), reasonZh: '名单中没有该证件号码的考生（请先导入考生名单）', reasonEn: 'No candidate on the roster has this ID number (import the roster first)' });
      if (subjectId === undefined) errors.push({ row: r.row, column: '科目代码 Subject code', value: r.subject.slice(0, 40), reasonZh: '本考次没有这个科目代码', reasonEn: 'This sitting has no subject with this code' });
      if (candidateId !== undefined && subjectId !== undefined) {
        if (existing.has(`${candidateId}:${subjectId}`)) errors.push({ row: r.row, column: '科目代码 Subject code', value: r.subject.slice(0, 40), reasonZh: '该考生该科目已有资格记录，不能重复导入', reasonEn: 'This candidate already has a standing in this subject; it cannot be imported again' });
        (r as StandingRow & { ids?: [bigint, bigint] }).ids = [candidateId, subjectId];
      }
    });
    await progress({ rows_validated: Math.min(rows.length, i + CHUNK) });
  }
  return errors;
}

const WRITE_BATCH = 5000;

/** Every row in one transaction, in multi-row INSERTs: all of the file or none of it. */
async function writeAll(ctx: Ctx, job: ImportJob, rows: ImportRow[], progress: (p: Progress) => Promise<unknown>): Promise<void> {
  const now = ctx.clock.now();
  const institutions = new Map((await ctx.db.selectFrom('institution').select(['id', 'code']).where('authority_id', '=', job.authority_id).execute()).map((i) => [i.code, i.id]));
  const staff = await ctx.db.selectFrom('staff_account').select(['id', 'role', 'institution_id']).where('id', '=', job.requested_by).executeTakeFirstOrThrow();
  const batchAt = (i: number) => rows.slice(i, i + WRITE_BATCH);
  // Sealing (AES-GCM + HMAC per ID number and phone) is the CPU half of writing, the INSERT the
  // database's: the next batch is sealed while the database writes this one, and sealing pauses
  // every few hundred rows so the page's progress polls are answered meanwhile.
  // A CET4 result's ID number is sealed as a candidate's is (no phone).
  const seal = async (batch: ImportRow[]) => {
    const out: (ReturnType<typeof sealCandidateIdentity> & { r: ImportRow })[] = [];
    for (let j = 0; j < batch.length; j++) {
      if (j % 500 === 0) await nextTurn();
      const r = batch[j]!;
      out.push({ r, ...('phone' in r ? sealCandidateIdentity(ctx.personalData, { idNumber: r.idNumber, phone: r.phone }) : { ...sealIdNumber(ctx.personalData, r.idNumber), phone_sealed: null, phone_hash: null }) });
    }
    return out;
  };
  const sealAhead = (i: number) => {
    if ((job.kind !== 'ROSTER' && job.kind !== 'CET4_SCORE') || i >= rows.length) return undefined;
    const p = seal(batchAt(i));
    // Left unawaited when the transaction fails first; its outcome no longer matters then.
    p.catch(() => undefined);
    return p;
  };
  const actor = { type: 'STAFF' as const, id: staff.id, role: staff.role, authorityId: job.authority_id };
  // Upserts (CET4_SCORE, AUDIT) say in the log how many rows were new and how many replaced.
  const counts: WriteCounts = { created: 0, updated: 0 };
  const add = (c: WriteCounts) => { counts.created += c.created; counts.updated += c.updated; };
  await ctx.db.transaction().execute(async (trx) => {
    let next = sealAhead(0);
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      const batch = batchAt(i);
      if (job.kind === 'CET4_SCORE') {
        const write = writeCet4Batch(trx, job, (await next)! as SealedCet4Row[]);
        next = sealAhead(i + WRITE_BATCH);
        add(await write);
      } else if (job.kind === 'AUDIT') {
        add(await writeAuditBatch(trx, job, batch as ResolvedAuditRow[], actor, now));
      } else if (job.kind === 'ROSTER') {
        const sealed = (await next)! as (ReturnType<typeof sealCandidateIdentity> & { r: RosterRow })[];
        // One INSERT … SELECT FROM unnest(arrays) per batch: seven array parameters instead of
        // twelve thousand scalars, several times faster to send and plan than a VALUES list.
        // password_hash: ACC-2 by the exam's rule, checked at first sign-in (sign-in.ts) — hashing
        // 100,000 passwords with argon2id would take over an hour.
        const insert = sql`INSERT INTO candidate (authority_id, exam_id, id_type, id_number_sealed, id_number_hash, phone_sealed, phone_hash, name, institution_id, password_hash, must_change_password, created_at)
          SELECT ${job.authority_id}, ${job.exam_id}, t.id_type, t.id_sealed, t.id_hash, t.phone_sealed, t.phone_hash, t.name, t.institution_id, ${INITIAL_PASSWORD_BY_RULE}, true, ${now}
          FROM unnest(${sealed.map((x) => x.r.idType)}::text[], ${sealed.map((x) => x.id_number_sealed)}::bytea[], ${sealed.map((x) => x.id_number_hash)}::bytea[],
                      ${sealed.map((x) => x.phone_sealed)}::bytea[], ${sealed.map((x) => x.phone_hash)}::bytea[], ${sealed.map((x) => x.r.name)}::text[],
                      ${sealed.map((x) => (x.r.institution === null ? null : String(institutions.get(x.r.institution)!)))}::bigint[])
            AS t(id_type, id_sealed, id_hash, phone_sealed, phone_hash, name, institution_id)`.execute(trx);
        next = sealAhead(i + WRITE_BATCH);
        await insert;
      } else {
        const standing = batch as (StandingRow & { ids: [bigint, bigint] })[];
        await sql`INSERT INTO candidate_subject_standing (candidate_id, subject_id, status)
          SELECT * FROM unnest(${standing.map((r) => String(r.ids[0]))}::bigint[], ${standing.map((r) => String(r.ids[1]))}::bigint[], ${standing.map((r) => r.status)}::text[])`.execute(trx);
      }
      await progress({ rows_written: Math.min(rows.length, i + WRITE_BATCH) });
    }
    const done = ctx.clock.now();
    // The last word on the job row is the transaction's own: DONE commits with the rows, or neither does.
    await trx.updateTable('import_job').set({ state: 'DONE', rows_written: rows.length, file: null, finished_at: done, heartbeat_at: done }).where('id', '=', job.id).execute();
    await recordAudit(trx, {
      at: done, actor, action: 'import.apply', object: { type: 'import', id: job.id },
      summary: { kind: job.kind, rows: rows.length, examId: job.exam_id, sittingId: job.sitting_id, ...(job.kind === 'CET4_SCORE' || job.kind === 'AUDIT' ? counts : {}) },
    });
  });
}

export const ERROR_SHEET_HEADERS = ['行号 Row', '列 Column', '内容 Value', '原因 Reason (中文)', 'Reason (English)'] as const;

function errorSheet(errors: RowError[]): Promise<Buffer> {
  return sheetBuffer('错误 Errors', ERROR_SHEET_HEADERS, errors.map((e) => [e.row, e.column, e.value, e.reasonZh, e.reasonEn]), [10, 28, 24, 60, 70]);
}
