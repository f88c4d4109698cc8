import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { loadBill, loadCandidate, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { renderReceipt } from '../../../modules/documents/receipts.ts';
import { sheetBuffer } from '../../../modules/exports/xlsx-writer.ts';
import { findInstitutionImport, importInstitutionRegistrations } from '../../../modules/imports/institution-registrations.ts';
import { MAX_REGISTRATION_FILE_BYTES, REGISTRATION_COLUMNS } from '../../../modules/imports/institution-registration-rules.ts';
import { registrationOptions } from '../../../modules/registration/registration-options.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { describeError, type ErrorCode } from '../../../shared/errors.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, Fen, IdString, responses, Timestamp } from '../../schemas.ts';
import { fenJson } from '../candidate/bill.views.ts';
import { PdfBody, sendPdf } from '../candidate/document.routes.ts';

const PREFIX = '/api/v1/institution';
const tags = ['institution'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** Errors listed in a rejection's details; the error sheet has all of them. */
const ERRORS_IN_ANSWER = 100;

const words = (code: ErrorCode) => {
  const d = describeError(code);
  return { zh: d.messageZh, en: d.messageEn };
};

function attachment(reply: FastifyReply, fileName: string) {
  return reply.type(XLSX).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff')
    .header('content-disposition', `attachment; filename="${fileName}"`);
}

/**
 * The institution console's own needs beyond the batch bill (ORG-1, REG-8): register candidates
 * from a spreadsheet (applied whole or rejected with an error sheet), what a candidate may
 * register (to register one from the console), the sittings, and a paid batch bill's receipt
 * (DOC-1, the institution named as payer).
 */
export function institutionConsoleRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The file is the raw body (no multipart), as for the authority's imports; this plugin's routes only.
    for (const type of ['text/csv', XLSX, 'application/octet-stream']) {
      app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_REGISTRATION_FILE_BYTES }, (_req, body, done) => done(null, body));
    }

    app.post(`${PREFIX}/registration-imports`, {
      bodyLimit: MAX_REGISTRATION_FILE_BYTES,
      config: { staffAction: 'registration.create' },
      schema: {
        tags, summary: '学习中心报考 from a spreadsheet: the raw body is an .xlsx or .csv of this institution\'s candidates and subjects (one sitting); every row is registered or none (REG-8)',
        description: 'Columns (header row, Chinese or English): 证件号码 ID number *, 姓名 Name, 科目代码 Subject code *, 考点代码 Site code, 场次代码 Slot code (both where the subject has seats). '
          + 'Applied at once: 201 with the registrations made; or 422 IMPORT_ROWS_REJECTED, nothing registered, details.errorSheetUrl naming the error sheet (row, column, reason).',
        querystring: Type.Object({
          sittingId: IdString,
          fileName: Type.String({ minLength: 5, maxLength: 200, description: 'The file\'s name; must end in .xlsx or .csv' }),
        }, { additionalProperties: false }),
        response: responses(201, Type.Object({
          importId: IdString, state: Type.Literal('DONE'), fileName: Type.String(), rowsTotal: Type.Integer(), registered: Type.Integer(), createdAt: Timestamp,
          registrations: Type.Array(Type.Object({ row: Type.Integer(), registrationId: IdString, candidateId: IdString, seat: Nullable(Type.Object({ siteId: IdString, slotId: IdString, seatNo: Type.Integer() })) })),
        }), [400, 401, 403, 404, 413, 415, 422]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      // The sitting is checked before the body: another authority's reads as missing whatever was sent.
      const sitting = await loadSitting(ctx.db, staff.actor, 'registration.create', BigInt(req.query.sittingId));
      if (!sitting.ok) return sendFailure(req, reply, sitting.error);
      if (!Buffer.isBuffer(req.body)) return sendFailure(req, reply, { code: 'IMPORT_FILE_TYPE' });
      const r = await importInstitutionRegistrations(ctx, { staff: staff.account, sittingId: BigInt(req.query.sittingId), fileName: req.query.fileName, file: req.body, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      const { record, errors, registrations } = r.value;
      if (record.state === 'REJECTED') {
        return sendFailure(req, reply, {
          code: 'IMPORT_ROWS_REJECTED',
          details: {
            importId: String(record.id), errorCount: record.error_count, rowsTotal: record.rows_total, errorSheetUrl: `${PREFIX}/registration-imports/${record.id}/errors.xlsx`,
            errors: errors.slice(0, ERRORS_IN_ANSWER).map((e) => ({ row: e.row, column: e.column, value: e.value, reasonZh: e.reasonZh, reasonEn: e.reasonEn })),
          },
        });
      }
      return reply.code(201).send({
        importId: String(record.id), state: 'DONE' as const, fileName: record.file_name, rowsTotal: record.rows_total, registered: record.registered, createdAt: record.created_at.toISOString(),
        registrations: registrations.map((m) => ({
          row: m.row, registrationId: String(m.registrationId), candidateId: String(m.candidateId),
          seat: m.seat ? { siteId: String(m.seat.siteId), slotId: String(m.seat.slotId), seatNo: m.seat.seatNo } : null,
        })),
      });
    });

    app.get(`${PREFIX}/registration-imports/template.xlsx`, {
      config: { staffAction: 'registration.read' },
      schema: { tags, summary: 'An empty registration sheet with its columns (required ones marked *)', response: responses(200, Type.String({ description: XLSX }), [401, 403]) },
    }, async (_req, reply) => {
      const sheet = await sheetBuffer('报考 Registrations', REGISTRATION_COLUMNS.map((c) => `${c.zh} ${c.en}${c.required ? ' *' : ''}`), [], REGISTRATION_COLUMNS.map(() => 24));
      return attachment(reply, 'registrations-template.xlsx').send(sheet);
    });

    app.get(`${PREFIX}/registration-imports/:importId/errors.xlsx`, {
      config: { staffAction: 'registration.read' },
      schema: {
        tags, summary: 'The error sheet of a rejected registration file: row, column, value (ID numbers masked), reason in Chinese and English',
        params: Type.Object({ importId: IdString }), response: responses(200, Type.String({ description: XLSX }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const institutionId = currentStaff(req).actor.institutionId ?? -1n;
      const job = await findInstitutionImport(ctx, institutionId, BigInt(req.params.importId));
      if (!job) return sendFailure(req, reply, { code: 'IMPORT_NOT_FOUND' });
      if (!job.error_sheet) return sendFailure(req, reply, { code: 'IMPORT_NO_ERROR_SHEET' });
      return attachment(reply, `registrations-${job.id}-errors.xlsx`).send(job.error_sheet);
    });

    app.get(`${PREFIX}/sittings`, {
      config: { staffAction: 'registration.read' },
      schema: {
        tags, summary: 'The authority\'s sittings not cancelled, newest first: what the institution can register its candidates into',
        response: responses(200, Type.Array(Type.Object({ sittingId: IdString, code: Type.String(), name: Type.String(), examName: Type.String() })), [401, 403]),
      },
    }, async (req) => {
      const rows = await ctx.db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').select(['st.id', 'st.code', 'st.name', 'e.name as exam_name'])
        .where('e.authority_id', '=', currentStaff(req).actor.authorityId).where('st.cancelled_at', 'is', null).orderBy('st.id', 'desc').limit(200).execute();
      return rows.map((r) => ({ sittingId: String(r.id), code: r.code, name: r.name, examName: r.exam_name }));
    });

    app.get(`${PREFIX}/candidates/:candidateId/registration-options`, {
      config: { staffAction: 'registration.read' },
      schema: {
        tags, summary: 'What one of the institution\'s candidates can be registered for in a sitting: each subject with the rule that stops it, sites, slots and free seats',
        params: Type.Object({ candidateId: IdString }),
        querystring: Type.Object({ sittingId: IdString }, { additionalProperties: false }),
        response: responses(200, Type.Object({
          sittingId: IdString, name: Type.String(), registrationOpen: Type.Boolean(),
          subjects: Type.Array(Type.Object({
            subjectId: IdString, code: Type.String(), name: Type.String(), kind: Type.String(), feeFen: Fen,
            canRegister: Type.Boolean(), reason: Nullable(Type.String()),
            reasonText: Nullable(Type.Object({ zh: Type.String(), en: Type.String() }, { description: 'The rule that stops it, in words' })),
            choices: Type.Array(Type.Object({ siteId: IdString, siteName: Type.String(), slotId: IdString, startsAt: Type.String(), endsAt: Type.String(), free: Type.Integer() })),
          })),
        }), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const candidate = await loadCandidate(ctx.db, staff.actor, 'registration.read', BigInt(req.params.candidateId));
      if (!candidate.ok) return sendFailure(req, reply, candidate.error);
      const sitting = await loadSitting(ctx.db, staff.actor, 'registration.read', BigInt(req.query.sittingId));
      if (!sitting.ok) return sendFailure(req, reply, sitting.error);
      const o = await registrationOptions(ctx.db, { candidateId: candidate.value.id, sittingId: sitting.value.id, now: ctx.clock.now() });
      if (!o) return sendFailure(req, reply, { code: 'SITTING_NOT_FOUND' });
      return {
        sittingId: String(o.sitting.id), name: o.sitting.name, registrationOpen: o.registrationOpen,
        subjects: o.subjects.map((s) => ({
          subjectId: String(s.id), code: s.code, name: s.name, kind: s.kind, feeFen: fenJson(s.fee_fen),
          canRegister: s.verdict.ok, reason: s.verdict.ok ? null : s.verdict.code, reasonText: s.verdict.ok ? null : words(s.verdict.code),
          choices: s.choices.map((c) => ({ siteId: String(c.site_id), siteName: c.site_name, slotId: String(c.slot_id), startsAt: formatShanghai(c.starts_at), endsAt: formatShanghai(c.ends_at), free: c.free })),
        })),
      };
    });

    app.get(`${PREFIX}/batch-bills/:billNo/receipt.pdf`, {
      config: { staffAction: 'bill.read' },
      schema: {
        tags, summary: '电子缴费凭证 of a paid batch bill as PDF: the institution is the payer, each item names its candidate (DOC-1)',
        params: Type.Object({ billNo: BillNo }), response: responses(200, PdfBody, [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const bill = isValidBillNo(req.params.billNo) ? await loadBill(ctx.db, currentStaff(req).actor, 'bill.read', req.params.billNo) : undefined;
      if (!bill?.ok || bill.value.owner !== 'INSTITUTION') return sendFailure(req, reply, bill && !bill.ok ? bill.error : { code: 'BILL_NOT_FOUND' });
      const receipt = await renderReceipt(ctx, bill.value.id);
      if (!receipt.ok) return sendFailure(req, reply, receipt.error);
      return sendPdf(reply, receipt.value.pdf, `receipt-${receipt.value.receiptNo}.pdf`);
    });
  };
}
