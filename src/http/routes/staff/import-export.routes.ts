import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { listScope } from '../../../modules/accounts/authorization.ts';
import { loadSitting, loadSubject } from '../../../modules/accounts/staff-scope.ts';
import { EXPORT_KINDS, exportRange, writeExport, type ExportFilters, type ExportKind } from '../../../modules/exports/exports.ts';
import { exportFilterOptions } from '../../../modules/exports/filter-options.ts';
import { sheetBuffer } from '../../../modules/exports/xlsx-writer.ts';
import { COLUMNS } from '../../../modules/imports/import-rules.ts';
import { checkImportTarget, createImport, findImport, IMPORT_MAX_BYTES, importPercent, importTarget, listImports, type ImportSummary } from '../../../modules/imports/imports.ts';
import type { ImportKind as ImportKindName } from '../../../db/schema.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';
import { Limit } from './staff-read.routes.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ImportKind = Type.Union([Type.Literal('ROSTER'), Type.Literal('STANDING'), Type.Literal('CET4_SCORE'), Type.Literal('AUDIT')]);
/** The template's sheet and file names per kind. */
const TEMPLATES: Record<ImportKindName, { sheet: string; file: string }> = {
  ROSTER: { sheet: '考生名单 Roster', file: 'roster' }, STANDING: { sheet: '报考资格 Standing', file: 'standing' },
  CET4_SCORE: { sheet: 'CET4成绩 CET4 scores', file: 'cet4-scores' }, AUDIT: { sheet: '资格审核结果 Audit', file: 'audit' },
};
const ImportState = Type.Union([Type.Literal('QUEUED'), Type.Literal('RUNNING'), Type.Literal('DONE'), Type.Literal('REJECTED'), Type.Literal('FAILED')]);

export const ImportView = Type.Object({
  importId: IdString, kind: ImportKind, state: ImportState, format: Type.Union([Type.Literal('CSV'), Type.Literal('XLSX')]), fileName: Type.String(),
  examId: Type.Union([IdString, Type.Null()]), sittingId: Type.Union([IdString, Type.Null()]),
  rowsTotal: Type.Union([Type.Integer(), Type.Null()]), rowsRead: Type.Integer(), rowsValidated: Type.Integer(), rowsWritten: Type.Integer(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }), errorCount: Type.Integer(), failure: Type.Union([Type.String(), Type.Null()]),
  errorSheetUrl: Type.Union([Type.String(), Type.Null()]), createdAt: Timestamp, startedAt: NullableTimestamp, finishedAt: NullableTimestamp,
});

const importView = (prefix: string, j: ImportSummary) => ({
  importId: String(j.id), kind: j.kind, state: j.state, format: j.format, fileName: j.file_name,
  examId: j.exam_id === null ? null : String(j.exam_id), sittingId: j.sitting_id === null ? null : String(j.sitting_id),
  rowsTotal: j.rows_total, rowsRead: j.rows_read, rowsValidated: j.rows_validated, rowsWritten: j.rows_written, percent: importPercent(j),
  errorCount: j.error_count, failure: j.failure, errorSheetUrl: j.state === 'REJECTED' ? `${prefix}/imports/${j.id}/errors.xlsx` : null,
  createdAt: j.created_at.toISOString(), startedAt: j.started_at?.toISOString() ?? null, finishedAt: j.finished_at?.toISOString() ?? null,
});

const Day = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'Beijing calendar date yyyy-mm-dd (inclusive)' });
const ExportQuery = Type.Object({
  sittingId: Type.Optional(IdString), subjectId: Type.Optional(IdString), siteId: Type.Optional(IdString),
  state: Type.Optional(Type.String({ pattern: '^[A-Z_]{2,24}$', description: 'Per export: see docs/imports-exports.md' })),
  from: Type.Optional(Day), to: Type.Optional(Day),
}, { additionalProperties: false });

/** The states each export filters on (the same words its State column shows). */
const EXPORT_STATES: Record<ExportKind, readonly string[]> = {
  registrations: ['UNPAID', 'PAID', 'CANCELLED'],
  bills: ['UNPAID', 'PAYING', 'PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'],
  payments: ['SETTLED', 'DUPLICATE', 'LATE'],
  refunds: ['PENDING', 'SUCCEEDED', 'FAILED'],
  reconciliation: ['OPEN', 'AUTO_SETTLED', 'AUTO_REFUNDED', 'RESOLVED_BY_STAFF'],
};

function attachment(reply: FastifyReply, fileName: string) {
  return reply.type(XLSX).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff')
    .header('content-disposition', `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
}

/**
 * Imports (authority admin) under /api/v1/admin, exports under /api/v1/admin and — for an
 * institution's own candidates — /api/v1/institution (ADM-2, docs/imports-exports.md).
 */
export function importExportRoutes(prefix: '/api/v1/admin' | '/api/v1/institution', { ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  const tags = [prefix.endsWith('/admin') ? 'staff' : 'institution'];
  return async (app) => {
    if (prefix === '/api/v1/admin') {
      // The file is the raw body (no multipart): one file per request, and the size limit is this route's alone.
      for (const type of ['text/csv', XLSX, 'application/octet-stream']) {
        app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (_req, body, done) => done(null, body));
      }

      app.post(`${prefix}/imports`, {
        bodyLimit: IMPORT_MAX_BYTES,
        config: { staffAction: 'import.run' },
        schema: {
          tags, summary: 'Upload a roster (ROSTER, needs examId), student-record / eligibility file (STANDING, needs sittingId), audit results (AUDIT, needs sittingId) or CET4 results (CET4_SCORE, neither) as the raw body (text/csv, xlsx or application/octet-stream); it is checked and applied by a background job — poll GET /imports/:importId',
          querystring: Type.Object({
            kind: ImportKind, examId: Type.Optional(IdString), sittingId: Type.Optional(IdString),
            fileName: Type.String({ minLength: 5, maxLength: 200, description: 'The file\'s name; must end in .xlsx or .csv' }),
          }, { additionalProperties: false }),
          response: responses(202, ImportView, [400, 401, 403, 404, 413, 415]),
        },
      }, async (req, reply) => {
        const staff = currentStaff(req);
        const q = req.query;
        const needs = importTarget(q.kind);
        if ((needs === 'exam') !== Boolean(q.examId) || (needs === 'sitting') !== Boolean(q.sittingId)) {
          return sendFailure(req, reply, { code: 'IMPORT_TARGET_INVALID', details: { kind: q.kind, needs: needs === 'exam' ? 'examId' : needs === 'sitting' ? 'sittingId' : 'none' } });
        }
        // The exam or sitting named is checked before the body: another authority's reads as missing whatever was sent.
        const target = await checkImportTarget(ctx, staff.actor, q.kind, q.examId ? BigInt(q.examId) : undefined, q.sittingId ? BigInt(q.sittingId) : undefined);
        if (!target.ok) return sendFailure(req, reply, target.error);
        if (!Buffer.isBuffer(req.body)) return sendFailure(req, reply, { code: 'IMPORT_FILE_TYPE' });
        const job = await createImport(ctx, staff.actor, {
          kind: q.kind, ...(q.examId ? { examId: BigInt(q.examId) } : {}), ...(q.sittingId ? { sittingId: BigInt(q.sittingId) } : {}), fileName: q.fileName, file: req.body, ip: req.ip,
        });
        if (!job.ok) return sendFailure(req, reply, job.error);
        return reply.code(202).send(importView(prefix, job.value));
      });

      app.get(`${prefix}/imports`, {
        config: { staffAction: 'import.read' },
        schema: { tags, summary: "The authority's imports, newest first", querystring: Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false }), response: responses(200, Type.Array(ImportView), [401, 403]) },
      }, async (req) => (await listImports(ctx, currentStaff(req).actor, Number(req.query.limit ?? 50))).map((j) => importView(prefix, j)));

      app.get(`${prefix}/imports/template.xlsx`, {
        config: { staffAction: 'import.read' },
        schema: { tags, summary: 'An empty sheet with the columns a file of the kind takes (required ones marked *)', querystring: Type.Object({ kind: ImportKind }, { additionalProperties: false }), response: responses(200, Type.String({ description: XLSX }), [401, 403]) },
      }, async (req, reply) => {
        const cols = COLUMNS[req.query.kind];
        const template = TEMPLATES[req.query.kind];
        const sheet = await sheetBuffer(template.sheet, cols.map((c) => `${c.zh} ${c.en}${c.required ? ' *' : ''}`), [], cols.map(() => 24));
        return attachment(reply, `${template.file}-template.xlsx`).send(sheet);
      });

      app.get(`${prefix}/imports/:importId`, {
        config: { staffAction: 'import.read' },
        schema: { tags, summary: 'One import and its progress (poll while QUEUED or RUNNING)', params: Type.Object({ importId: IdString }), response: responses(200, ImportView, [401, 403, 404]) },
      }, async (req, reply) => {
        const job = await findImport(ctx, currentStaff(req).actor, BigInt(req.params.importId));
        if (!job) return sendFailure(req, reply, { code: 'IMPORT_NOT_FOUND' });
        return importView(prefix, job);
      });

      app.get(`${prefix}/imports/:importId/errors.xlsx`, {
        config: { staffAction: 'import.read' },
        schema: { tags, summary: 'The error sheet of a REJECTED import: row, column, value (ID numbers masked), reason in Chinese and English', params: Type.Object({ importId: IdString }), response: responses(200, Type.String({ description: XLSX }), [401, 403, 404, 409]) },
      }, async (req, reply) => {
        const job = await findImport(ctx, currentStaff(req).actor, BigInt(req.params.importId));
        if (!job) return sendFailure(req, reply, { code: 'IMPORT_NOT_FOUND' });
        if (!job.error_sheet) return sendFailure(req, reply, { code: 'IMPORT_NO_ERROR_SHEET' });
        return attachment(reply, `import-${job.id}-errors.xlsx`).send(job.error_sheet);
      });
    }

    if (prefix === '/api/v1/admin') {
      // The exports page's choices: finance and read-only export but may not read the exams' configuration.
      const Named = { code: Type.String(), name: Type.String() };
      app.get(`${prefix}/exports/filters`, {
        config: { staffAction: 'export.read' },
        schema: {
          tags, summary: "The filters the exports take: the authority's sittings (newest first) with their exam, subjects and sites",
          response: responses(200, Type.Object({
            sittings: Type.Array(Type.Object({
              sittingId: IdString, ...Named, examCode: Type.String(), examName: Type.String(), cancelled: Type.Boolean(),
              subjects: Type.Array(Type.Object({ subjectId: IdString, ...Named })), sites: Type.Array(Type.Object({ siteId: IdString, ...Named })),
            })),
          }), [401, 403]),
        },
      }, async (req) => {
        const o = await exportFilterOptions(ctx.db, currentStaff(req).actor.authorityId);
        return {
          sittings: o.sittings.map((s) => ({
            ...s, sittingId: String(s.sittingId), subjects: s.subjects.map((x) => ({ ...x, subjectId: String(x.subjectId) })), sites: s.sites.map((x) => ({ ...x, siteId: String(x.siteId) })),
          })),
        };
      });
    }

    const kinds = prefix === '/api/v1/admin' ? EXPORT_KINDS : EXPORT_KINDS.filter((k) => k !== 'reconciliation');
    for (const kind of kinds) {
      app.get(`${prefix}/exports/${kind}.xlsx`, {
        config: { staffAction: 'export.read' },
        schema: {
          tags, summary: `Export ${kind} as xlsx (streamed; ID numbers masked; last row = totals), with the console's filters; state ∈ ${EXPORT_STATES[kind].join(', ')}`,
          querystring: ExportQuery, response: responses(200, Type.String({ description: XLSX }), [401, 403, 404]),
        },
      }, async (req, reply) => {
        const staff = currentStaff(req);
        const q = req.query;
        if (q.state !== undefined && !EXPORT_STATES[kind].includes(q.state)) {
          return sendFailure(req, reply, { code: 'VALIDATION_FAILED', details: { problems: [`state must be one of ${EXPORT_STATES[kind].join(', ')}`] } });
        }
        const range = exportRange(q);
        if (!range.ok) return sendFailure(req, reply, range.error);
        // Every id filter must name something the caller may see: another authority's reads as missing.
        if (q.sittingId) {
          const s = await loadSitting(ctx.db, staff.actor, 'export.read', BigInt(q.sittingId));
          if (!s.ok) return sendFailure(req, reply, s.error);
        }
        if (q.subjectId) {
          const s = await loadSubject(ctx.db, staff.actor, 'export.read', BigInt(q.subjectId));
          if (!s.ok) return sendFailure(req, reply, s.error);
        }
        if (q.siteId) {
          const site = await ctx.db.selectFrom('site').innerJoin('sitting as st', 'st.id', 'site.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id').select('site.id')
            .where('site.id', '=', BigInt(q.siteId)).where('e.authority_id', '=', staff.actor.authorityId).executeTakeFirst();
          if (!site) return sendFailure(req, reply, { code: 'SITTING_NOT_FOUND' });
        }
        const filters: ExportFilters = {
          ...(q.sittingId ? { sittingId: BigInt(q.sittingId) } : {}), ...(q.subjectId ? { subjectId: BigInt(q.subjectId) } : {}), ...(q.siteId ? { siteId: BigInt(q.siteId) } : {}),
          ...(q.state ? { state: q.state } : {}),
        };
        const now = ctx.clock.now();
        // A read, like every staff read: logged (ids and filters only), not in the audit log of changes.
        req.log.info({ staffId: String(staff.actor.staffId), export: kind, filters: q }, 'export');
        const out = new PassThrough();
        writeExport(ctx.db, ctx.personalData, listScope(staff.actor), kind, filters, range.value, out).catch((err: unknown) => {
          ctx.log.error({ err, export: kind }, 'export failed mid-stream');
          out.destroy(err instanceof Error ? err : new Error('export failed'));
        });
        const stamp = formatShanghai(now).replace(/[-: ]/g, '').slice(0, 12);
        return attachment(reply, `${kind}-${stamp}.xlsx`).send(out);
      });
    }
  };
}
