import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { findCandidateBill } from '../../../modules/billing/bill-queries.ts';
import { renderCandidateTicket, ticketOverview } from '../../../modules/documents/admission-tickets.ts';
import { renderReceipt } from '../../../modules/documents/receipts.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, IdString, responses, Timestamp } from '../../schemas.ts';

export const PdfBody = Type.String({ description: 'application/pdf (the document itself)' });
const TicketKindPath = Type.Union([Type.Literal('written'), Type.Literal('oral')], { description: 'written = 笔试准考证, oral = 口试准考证' });
const KIND = { written: 'WRITTEN', oral: 'ORAL' } as const;

/** A PDF answer: shown in the browser's own viewer (no pop-up), never cached (it names a person). */
export function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string): FastifyReply {
  return reply.type('application/pdf').header('content-disposition', `inline; filename="${filename}"`).header('cache-control', 'no-store').send(pdf);
}

/** DOC-1 and DOC-2 for the signed-in candidate: the receipt of a paid bill, admission tickets. */
export function documentRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCandidate(ctx, config.session));

    app.get('/api/v1/bills/:billNo/receipt.pdf', {
      // Someone who just paid with a PAY-6 pass gets the receipt of what they paid.
      config: { paymentPass: true },
      schema: {
        tags: ['candidate'], summary: '电子缴费凭证: the receipt of a paid bill as PDF, with its verification QR (DOC-1)',
        description: 'Only the bill\'s owner. PAID, PARTIALLY_REFUNDED and REFUNDED bills have one (refunds are marked on it); other states get RECEIPT_NOT_AVAILABLE (409). The receipt number is given at the first download and never changes.',
        params: Type.Object({ billNo: BillNo }),
        response: responses(200, PdfBody, [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const bill = isValidBillNo(req.params.billNo) ? await findCandidateBill(ctx.db, currentCandidate(req).id, req.params.billNo) : undefined;
      if (!bill) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      const receipt = await renderReceipt(ctx, bill.id);
      if (!receipt.ok) return sendFailure(req, reply, receipt.error);
      return sendPdf(reply, receipt.value.pdf, `receipt-${receipt.value.receiptNo}.pdf`);
    });

    app.get('/api/v1/sittings/:sittingId/admission-tickets', {
      schema: {
        tags: ['candidate'], summary: '准考证: which admission tickets I have in a sitting, and the print windows (DOC-2)',
        description: 'A ticket per kind (WRITTEN = 笔试, ORAL = 口试) of which the candidate has a paid subject. offered=false: this sitting prints no tickets here. ticketNo is null until the first print.',
        params: Type.Object({ sittingId: IdString }),
        response: responses(200, Type.Object({
          sittingId: IdString,
          sittingName: Type.String(),
          offered: Type.Boolean(),
          printOpen: Type.Boolean(),
          printWindows: Type.Array(Type.Object({ opensAt: Timestamp, closesAt: Timestamp, opensAtShanghai: Type.String(), closesAtShanghai: Type.String() })),
          tickets: Type.Array(Type.Object({
            kind: Type.Union([Type.Literal('WRITTEN'), Type.Literal('ORAL')]),
            ticketNo: Type.Union([Type.String(), Type.Null()]),
            subjects: Type.Array(Type.String()),
            pdfUrl: Type.String(),
          })),
        }), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const o = await ticketOverview(ctx, { candidateId: currentCandidate(req).id, sittingId: BigInt(req.params.sittingId) });
      if (!o) return sendFailure(req, reply, { code: 'SITTING_NOT_FOUND' });
      return {
        sittingId: String(o.sittingId), sittingName: o.sittingName, offered: o.offered, printOpen: o.printOpen,
        printWindows: o.printWindows.map((w) => ({ opensAt: w.opensAt.toISOString(), closesAt: w.closesAt.toISOString(), opensAtShanghai: formatShanghai(w.opensAt), closesAtShanghai: formatShanghai(w.closesAt) })),
        tickets: o.tickets.map((t) => ({ ...t, pdfUrl: `/api/v1/sittings/${o.sittingId}/admission-tickets/${t.kind.toLowerCase()}.pdf` })),
      };
    });

    app.get('/api/v1/sittings/:sittingId/admission-tickets/:kind.pdf', {
      schema: {
        tags: ['candidate'], summary: '打印准考证: my written or oral admission ticket as PDF, inside the print window only (DOC-2)',
        description: 'Outside the print window: WINDOW_CLOSED (409) with details.windows (Beijing time). A sitting without a print window: ADMISSION_TICKETS_NOT_OFFERED (404). No paid subject of that kind: ADMISSION_TICKET_NOT_FOUND (404).',
        params: Type.Object({ sittingId: IdString, kind: TicketKindPath }),
        response: responses(200, PdfBody, [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const ticket = await renderCandidateTicket(ctx, { candidateId: currentCandidate(req).id, sittingId: BigInt(req.params.sittingId), kind: KIND[req.params.kind] });
      if (!ticket.ok) return sendFailure(req, reply, ticket.error);
      return sendPdf(reply, ticket.value.pdf, `admission-ticket-${ticket.value.ticketNo}.pdf`);
    });
  };
}
