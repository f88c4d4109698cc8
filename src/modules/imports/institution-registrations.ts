import { sql } from 'kysely';
import type { InstitutionImport, StaffAccount } from '../../db/schema.ts';
import { describeError, fail, ok, type ErrorCode, type Result } from '../../shared/errors.ts';
import { maskIdNumber } from '../../shared/id-document.ts';
import { idNumberHash } from '../accounts/candidate-identity.ts';
import { auditActor } from '../accounts/staff-accounts.ts';
import { loadSitting } from '../accounts/staff-scope.ts';
import { staffActor } from '../accounts/staff-sessions.ts';
import { AUDIT_ACTIONS, recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { sheetBuffer } from '../exports/xlsx-writer.ts';
import { registerSubjectIn, seatUnavailableAsFailure, type Registered } from '../registration/register-subject.ts';
import { mapColumns, type RowError } from './import-rules.ts';
import { ERROR_SHEET_HEADERS } from './imports.ts';
import { checkRegistrationRow, columnHeader, columnOfRefusal, MAX_REGISTRATION_FILE_BYTES, MAX_REGISTRATION_ROWS, REGISTRATION_COLUMNS, type RegistrationRow } from './institution-registration-rules.ts';
import { readRows, sniffFormat } from './sheet-reader.ts';

/**
 * 学习中心报考 from a spreadsheet (ORG-1, REG-8): institution staff upload a file of their
 * candidates and subjects for one sitting. Every row is checked — the row alone, then who the
 * candidate is (this institution's, the name as on the roster), then the registration itself
 * through exactly the candidate's rules and seat hold (registerSubjectIn) — and the file is
 * applied whole, in one transaction, or not at all: any bad row and nothing is registered, the
 * upload is recorded as REJECTED with an error sheet of row, column and reason. Small files only
 * (MAX_REGISTRATION_ROWS), so it runs in the request; the roster's 100,000-row imports are the
 * background job's (imports.ts).
 */

type Ctx = Pick<AppContext, 'db' | 'clock' | 'personalData'>;
export type InstitutionImportSummary = Omit<InstitutionImport, 'error_sheet'>;
export interface InstitutionImportOutcome { record: InstitutionImportSummary; errors: RowError[]; registrations: (Registered & { candidateId: bigint; row: number })[] }

class Rejected extends Error {
  readonly errors: RowError[];
  constructor(errors: RowError[]) {
    super('rejected');
    this.errors = errors;
  }
}

export async function importInstitutionRegistrations(
  ctx: Ctx,
  input: { staff: StaffAccount; sittingId: bigint; fileName: string; file: Buffer; ip: string | null },
): Promise<Result<InstitutionImportOutcome>> {
  const actor = staffActor(input.staff);
  const sitting = await loadSitting(ctx.db, actor, 'registration.create', input.sittingId);
  if (!sitting.ok) return sitting;
  if (actor.institutionId === null) return fail('STAFF_FORBIDDEN', { action: 'registration.create' });
  const institutionId = actor.institutionId;
  const name = input.fileName.trim();
  const ext = /\.(xlsx|csv)$/i.exec(name)?.[1]?.toUpperCase();
  if (!ext) return fail('IMPORT_FILE_TYPE');
  if (input.file.length === 0) return fail('IMPORT_FILE_EMPTY');
  if (input.file.length > MAX_REGISTRATION_FILE_BYTES) return fail('IMPORT_FILE_TOO_LARGE', { maxMb: MAX_REGISTRATION_FILE_BYTES / 1024 / 1024 });
  const format = sniffFormat(input.file);
  if (format !== ext) return fail('IMPORT_FILE_TYPE');

  const now = ctx.clock.now();
  const read = await readFile(format, input.file, now);
  if (read === 'UNREADABLE') return fail('IMPORT_FILE_TYPE');
  const errors = [...read.errors, ...await checkAgainstDb(ctx, { authorityId: actor.authorityId, institutionId, sittingId: input.sittingId }, read.rows)];
  const base = { institution_id: institutionId, sitting_id: input.sittingId, requested_by: input.staff.id, format, file_name: name.slice(0, 200), rows_total: read.rowCount, created_at: now };
  if (errors.length) return ok(await reject(ctx, input, base, errors));

  try {
    return ok(await ctx.db.transaction().execute(async (trx) => {
      // Candidates in id order, as every registration of a candidate locks its row first:
      // two uploads naming the same candidates wait for each other instead of deadlocking.
      const rows = [...(read.rows as Checked[])].sort((a, b) => (a.candidateId === b.candidateId ? a.row - b.row : a.candidateId < b.candidateId ? -1 : 1));
      const refused: RowError[] = [];
      const made: InstitutionImportOutcome['registrations'] = [];
      for (const r of rows) {
        // Each row under its own savepoint: a refused row leaves nothing behind, and the rows
        // after it are still checked, so the error sheet lists every problem of the file at once.
        await sql`SAVEPOINT import_row`.execute(trx);
        let result: Result<Registered>;
        try {
          result = await registerSubjectIn(trx, now, {
            candidateId: r.candidateId, subjectId: r.subjectId, institutionId,
            ...(r.siteId !== undefined ? { siteId: r.siteId } : {}), ...(r.slotId !== undefined ? { slotId: r.slotId } : {}),
          });
        } catch (err) {
          result = seatUnavailableAsFailure(err);
        }
        if (result.ok) {
          await sql`RELEASE SAVEPOINT import_row`.execute(trx);
          made.push({ ...result.value, candidateId: r.candidateId, row: r.row });
        } else {
          await sql`ROLLBACK TO SAVEPOINT import_row`.execute(trx);
          refused.push(refusalError(r, result.error.code, result.error.details));
        }
      }
      if (refused.length) throw new Rejected(refused);
      const record = await trx.insertInto('institution_import').values({ ...base, state: 'DONE', registered: made.length })
        .returning(['id', 'institution_id', 'sitting_id', 'requested_by', 'format', 'file_name', 'state', 'rows_total', 'registered', 'error_count', 'created_at']).executeTakeFirstOrThrow();
      for (const m of made) {
        await recordAudit(trx, {
          at: now, actor: auditActor(input.staff), action: AUDIT_ACTIONS.REGISTRATION_CREATE, object: { type: 'registration', id: m.registrationId },
          summary: { after: { owner: 'INSTITUTION', institutionId, candidateId: m.candidateId, importId: record.id, row: m.row, siteId: m.seat?.siteId ?? null, slotId: m.seat?.slotId ?? null, seatNo: m.seat?.seatNo ?? null } },
          ip: input.ip,
        });
      }
      await recordAudit(trx, {
        at: now, actor: auditActor(input.staff), action: 'institution_import.apply', object: { type: 'institution_import', id: record.id },
        summary: { sittingId: input.sittingId, format, rows: read.rowCount, registered: made.length }, ip: input.ip,
      });
      return { record, errors: [], registrations: made.sort((a, b) => a.row - b.row) };
    }));
  } catch (err) {
    if (err instanceof Rejected) return ok(await reject(ctx, input, base, err.errors));
    throw err;
  }
}

type Checked = RegistrationRow & { candidateId: bigint; subjectId: bigint; siteId?: bigint; slotId?: bigint };

/** The file, row by row: the header, each row on its own, and the same candidate and subject twice. */
async function readFile(format: 'CSV' | 'XLSX', file: Buffer, now: Date): Promise<{ rows: RegistrationRow[]; errors: RowError[]; rowCount: number } | 'UNREADABLE'> {
  const rows: RegistrationRow[] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  let index: Record<string, number> | undefined;
  let count = 0;
  try {
    for await (const { rowNo, cells } of readRows(format, file)) {
      if (!index) {
        const h = mapColumns(REGISTRATION_COLUMNS, cells);
        if (!h.ok) return { rows: [], errors: h.errors, rowCount: 0 };
        index = h.index;
        continue;
      }
      count++;
      if (count > MAX_REGISTRATION_ROWS) {
        return { rows: [], errors: [{ row: rowNo, column: '', value: '', reasonZh: `一个文件最多${MAX_REGISTRATION_ROWS}行报考，请分成几个文件上传`, reasonEn: `A file holds at most ${MAX_REGISTRATION_ROWS} registrations; upload it as several files` }], rowCount: count };
      }
      const r = checkRegistrationRow(index, rowNo, cells, now);
      if (!r.ok) {
        errors.push(...r.errors);
        continue;
      }
      const key = `${r.value.idNumber}\u0000${r.value.subject}`;
      const first = firstRowOf.get(key);
      if (first !== undefined) {
        errors.push({ row: rowNo, column: `${columnHeader('idNumber')} / ${columnHeader('subject')}`, value: maskIdNumber(r.value.idNumber), reasonZh: `与第${first}行重复（同一考生同一科目）`, reasonEn: `Duplicates row ${first} (same candidate and subject)` });
      } else {
        firstRowOf.set(key, rowNo);
        rows.push(r.value);
      }
    }
  } catch {
    // Not a spreadsheet exceljs can read (a damaged or renamed file).
    return 'UNREADABLE';
  }
  if (!index) return { rows: [], errors: [{ row: 1, column: '', value: '', reasonZh: '文件中没有内容（第1行应为表头）', reasonEn: 'The file holds nothing (row 1 should be the header)' }], rowCount: 0 };
  if (count === 0) errors.push({ row: 2, column: '', value: '', reasonZh: '文件只有表头，没有数据行', reasonEn: 'The file has a header but no data rows' });
  return { rows, errors, rowCount: count };
}

/**
 * Who and what each row names: a candidate of this institution (one of another institution, or
 * no one, reads the same — nothing to probe), with the name the roster has where the row gives
 * one; a subject, site and slot of the sitting. Rows that pass carry the ids (mutated in place).
 */
async function checkAgainstDb(ctx: Ctx, scope: { authorityId: bigint; institutionId: bigint; sittingId: bigint }, rows: RegistrationRow[]): Promise<RowError[]> {
  if (rows.length === 0) return [];
  const errors: RowError[] = [];
  const hashes = rows.map((r) => idNumberHash(ctx.personalData, r.idNumber));
  const [candidates, subjects, sites, slots] = await Promise.all([
    ctx.db.selectFrom('candidate').select(['id', 'name', 'id_number_hash']).where('authority_id', '=', scope.authorityId).where('institution_id', '=', scope.institutionId)
      .where('id_number_hash', 'in', hashes).execute(),
    ctx.db.selectFrom('subject').select(['id', 'code']).where('sitting_id', '=', scope.sittingId).execute(),
    ctx.db.selectFrom('site').select(['id', 'code']).where('sitting_id', '=', scope.sittingId).execute(),
    ctx.db.selectFrom('slot').select(['id', 'code']).where('sitting_id', '=', scope.sittingId).execute(),
  ]);
  const byHash = new Map(candidates.map((c) => [c.id_number_hash.toString('hex'), c]));
  const code = (list: { id: bigint; code: string }[]) => new Map(list.map((x) => [x.code.toLowerCase(), x.id]));
  const [subjectOf, siteOf, slotOf] = [code(subjects), code(sites), code(slots)];
  rows.forEach((r, i) => {
    const at = (key: string, value: string, zh: string, en: string) => errors.push({ row: r.row, column: columnHeader(key), value, reasonZh: zh, reasonEn: en });
    const c = byHash.get(hashes[i]!.toString('hex'));
    if (!c) at('idNumber', maskIdNumber(r.idNumber), '本机构没有该证件号码的考生（考生须先在考试机构的名单中登记为本机构的考生）', 'This institution has no candidate with this ID number (the authority\'s roster must list them under this institution)');
    else if (r.name !== null && r.name !== c.name) at('name', r.name.slice(0, 20), '姓名与该证件号码的考生不一致', 'The name differs from the candidate\'s with this ID number');
    const subjectId = subjectOf.get(r.subject.toLowerCase());
    if (subjectId === undefined) at('subject', r.subject.slice(0, 40), '本考次没有这个科目代码', 'This sitting has no subject with this code');
    const siteId = r.site === null ? undefined : siteOf.get(r.site.toLowerCase());
    if (r.site !== null && siteId === undefined) at('site', r.site.slice(0, 40), '本考次没有这个考点代码', 'This sitting has no site with this code');
    const slotId = r.slot === null ? undefined : slotOf.get(r.slot.toLowerCase());
    if (r.slot !== null && slotId === undefined) at('slot', r.slot.slice(0, 40), '本考次没有这个场次代码', 'This sitting has no slot with this code');
    Object.assign(r, { candidateId: c?.id, subjectId, siteId, slotId });
  });
  return errors;
}

/** A refusal of the registration rules (REG-1 … REG-6), in the rule's own words, on its row. */
function refusalError(r: Checked, code: ErrorCode, details: Record<string, unknown> | undefined): RowError {
  const d = describeError(code, details);
  const column = columnOfRefusal(code);
  const value = column.startsWith(columnHeader('site')) ? [r.site, r.slot].filter(Boolean).join(' / ') : column ? r.subject : '';
  return { row: r.row, column, value: value.slice(0, 40), reasonZh: d.messageZh, reasonEn: d.messageEn };
}

async function reject(ctx: Ctx, input: { staff: StaffAccount; ip: string | null }, base: Omit<InstitutionImport, 'id' | 'state' | 'registered' | 'error_count' | 'error_sheet'>, errors: RowError[]): Promise<InstitutionImportOutcome> {
  errors.sort((a, b) => a.row - b.row);
  const sheet = await sheetBuffer('错误 Errors', ERROR_SHEET_HEADERS, errors.map((e) => [e.row, e.column, e.value, e.reasonZh, e.reasonEn]), [10, 28, 24, 60, 70]);
  return ctx.db.transaction().execute(async (trx) => {
    const record = await trx.insertInto('institution_import').values({ ...base, state: 'REJECTED', error_count: errors.length, error_sheet: sheet })
      .returning(['id', 'institution_id', 'sitting_id', 'requested_by', 'format', 'file_name', 'state', 'rows_total', 'registered', 'error_count', 'created_at']).executeTakeFirstOrThrow();
    await recordAudit(trx, {
      at: base.created_at, actor: auditActor(input.staff), action: 'institution_import.reject', object: { type: 'institution_import', id: record.id },
      summary: { sittingId: base.sitting_id, format: base.format, rows: base.rows_total, errors: errors.length }, ip: input.ip,
    });
    return { record, errors, registrations: [] };
  });
}

/** One upload of this institution, with its error sheet (a rejected one's). Another institution's reads as missing. */
export function findInstitutionImport(ctx: Pick<Ctx, 'db'>, institutionId: bigint, importId: bigint): Promise<InstitutionImport | undefined> {
  return ctx.db.selectFrom('institution_import').selectAll().where('id', '=', importId).where('institution_id', '=', institutionId).executeTakeFirst();
}
