import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { ImportJob } from '../../db/schema.ts';
import { maskIdNumber } from '../../shared/id-document.ts';
import { idNumberHash } from '../accounts/candidate-identity.ts';
import { recordAudit, type AuditEntry } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import type { AuditRow, AuditStatus, Cet4Row, RowError } from './import-rules.ts';

/**
 * The database half of the two eligibility imports (ADM-2, docs/imports-exports.md): CET4
 * results (REG-4) and 资格审核结果 (REG-9). imports.ts runs them through the same pipeline as
 * rosters and standings — read, check, then all rows in one transaction or none; these are
 * only the kinds' own checks against the database and their own writes. Both are upserts:
 * loading a corrected list again is how an authority fixes a ticket or changes an audit result.
 */

type Ctx = Pick<AppContext, 'db' | 'personalData'>;
type Progress = (p: { rows_validated: number }) => Promise<unknown>;
/** The CET4 row with its ID number sealed (sealIdNumber, the one door for ID numbers). */
export type SealedCet4Row = { r: Cet4Row; id_number_sealed: Buffer; id_number_hash: Buffer };
export type ResolvedAuditRow = AuditRow & { candidateId: bigint };

/** What a write changed, for the import.apply entry of the audit log. */
export interface WriteCounts { created: number; updated: number }

/**
 * An AUDIT row must name a candidate on the roster of the sitting's exam (an e-mail account
 * counts in every e-mail exam of its authority, as accountExamIds says). Rows are looked up
 * `chunk` at a time with one bytea[] parameter; each found row gets its candidateId.
 */
export async function checkAuditAgainstDb(ctx: Ctx, job: ImportJob, rows: AuditRow[], chunk: number, progress: Progress): Promise<RowError[]> {
  const errors: RowError[] = [];
  const exam = await ctx.db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').select(['e.id', 'e.account_style'])
    .where('st.id', '=', job.sitting_id!).executeTakeFirstOrThrow();
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const hashes = part.map((r) => idNumberHash(ctx.personalData, r.idNumber));
    const found = await ctx.db.selectFrom('candidate').select(['id', 'id_number_hash'])
      .where('authority_id', '=', job.authority_id).where(sql<boolean>`id_number_hash = ANY(${hashes}::bytea[])`)
      .where((eb) => eb.or([eb('exam_id', '=', exam.id), ...(exam.account_style === 'EMAIL' ? [eb('login', '=', 'EMAIL')] : [])]))
      .execute();
    const byHash = new Map(found.map((c) => [c.id_number_hash.toString('hex'), c.id]));
    part.forEach((r, j) => {
      const candidateId = byHash.get(hashes[j]!.toString('hex'));
      if (candidateId === undefined) {
        errors.push({ row: r.row, column: '证件号码 ID number', value: maskIdNumber(r.idNumber), reasonZh: '本考试的名单中没有该证件号码的考生（请先导入考生名单）', reasonEn: "No candidate on this exam's roster has this ID number (import the roster first)" });
      } else (r as ResolvedAuditRow).candidateId = candidateId;
    });
    await progress({ rows_validated: Math.min(rows.length, i + chunk) });
  }
  return errors;
}

/** One batch of CET4 results, inserted or — a ticket number already loaded — replaced (REG-4 reads them as they are now). */
export async function writeCet4Batch(trx: Trx, job: ImportJob, sealed: SealedCet4Row[]): Promise<WriteCounts> {
  const { rows } = await sql<{ inserted: boolean }>`INSERT INTO cet4_score (authority_id, ticket_no, id_number_sealed, id_number_hash, name, score)
    SELECT ${job.authority_id}, t.ticket_no, t.id_sealed, t.id_hash, t.name, t.score
    FROM unnest(${sealed.map((x) => x.r.ticketNo)}::text[], ${sealed.map((x) => x.id_number_sealed)}::bytea[], ${sealed.map((x) => x.id_number_hash)}::bytea[],
                ${sealed.map((x) => x.r.name)}::text[], ${sealed.map((x) => x.r.score)}::int[]) AS t(ticket_no, id_sealed, id_hash, name, score)
    ON CONFLICT (authority_id, ticket_no) DO UPDATE SET id_number_sealed = EXCLUDED.id_number_sealed, id_number_hash = EXCLUDED.id_number_hash, name = EXCLUDED.name, score = EXCLUDED.score
    RETURNING (xmax = 0) AS inserted`.execute(trx);
  const created = rows.filter((r) => r.inserted).length;
  return { created, updated: rows.length - created };
}

/**
 * One batch of audit results, upserted per (candidate, sitting). Each status a row changes is
 * its own entry in the audit log (the candidate, from, to, the import), in the writing
 * transaction: whether a candidate may pay (REG-9) turns on it, so the log says who changed it
 * when. A row that repeats the status on record changes nothing and logs nothing.
 */
export async function writeAuditBatch(trx: Trx, job: ImportJob, rows: ResolvedAuditRow[], actor: AuditEntry['actor'], at: Date): Promise<WriteCounts> {
  const ids = rows.map((r) => r.candidateId);
  const before = new Map((await trx.selectFrom('candidate_audit').select(['candidate_id', 'status'])
    .where('sitting_id', '=', job.sitting_id!).where('candidate_id', 'in', ids).forUpdate().execute()).map((a) => [a.candidate_id, a.status]));
  await sql`INSERT INTO candidate_audit (candidate_id, sitting_id, status)
    SELECT t.candidate_id, ${job.sitting_id}, t.status FROM unnest(${ids.map(String)}::bigint[], ${rows.map((r) => r.status)}::text[]) AS t(candidate_id, status)
    ON CONFLICT (candidate_id, sitting_id) DO UPDATE SET status = EXCLUDED.status WHERE candidate_audit.status IS DISTINCT FROM EXCLUDED.status`.execute(trx);
  let created = 0;
  let updated = 0;
  for (const r of rows) {
    const from: AuditStatus | undefined = before.get(r.candidateId);
    if (from === undefined) created++;
    else if (from !== r.status) {
      updated++;
      await recordAudit(trx, {
        at, actor, action: 'candidate_audit.change', object: { type: 'candidate', id: r.candidateId },
        summary: { sittingId: job.sitting_id, from, to: r.status, importId: job.id },
      });
    }
  }
  return { created, updated };
}
