import { buildPdf, fieldRow, FONT, table, type Pdf } from './pdf-kit.ts';
import type { TicketContent } from './admission-ticket-content.ts';

/** Draws admission tickets, one A4 page each (DOC-2); quick print may hand over several sittings at once. */
export async function admissionTicketsPdf(tickets: TicketContent[], createdAt: Date): Promise<Buffer> {
  if (tickets.length === 0) throw new Error('admissionTicketsPdf: no ticket');
  return buildPdf({ title: tickets.map((t) => t.documentTitle).join('；'), subject: tickets[0]!.subtitle, createdAt }, (doc) => {
    tickets.forEach((t, i) => {
      if (i > 0) doc.addPage();
      drawTicket(doc, t);
    });
  });
}

function drawTicket(doc: Pdf, t: TicketContent): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.font(FONT.bold).fontSize(18).fillColor('#000000').text(t.title, left, doc.page.margins.top, { width, align: 'center' });
  doc.font(FONT.regular).fontSize(10).fillColor('#555555').text(t.subtitle, { width, align: 'center' });
  doc.fillColor('#000000').moveDown(1);

  // No photos are kept in ExamPay: a framed box where the candidate's photo goes.
  const photo = { w: 90, h: 120 };
  const top = doc.y;
  doc.rect(left + width - photo.w, top, photo.w, photo.h).lineWidth(0.8).strokeColor('#555555').stroke();
  doc.font(FONT.regular).fontSize(9).fillColor('#777777').text(t.photoBox, left + width - photo.w, top + photo.h / 2 - 12, { width: photo.w, align: 'center' });
  doc.fillColor('#000000');
  doc.y = top;
  for (const f of t.fields) fieldRow(doc, left, width - photo.w - 16, f.label, f.value, 130);
  doc.y = Math.max(doc.y, top + photo.h) + 14;

  const shares = t.columns.reduce((s, c) => s + c.share, 0);
  table(doc, left, t.columns.map((c) => ({ title: c.title, width: (width * c.share) / shares })), t.rows);
  doc.moveDown(1.2);
  doc.font(FONT.regular).fontSize(9.5).fillColor('#000000');
  for (const line of t.rules) doc.text(line, left, doc.y, { width }).moveDown(0.3);
  doc.moveDown(1.5);
  doc.font(FONT.regular).fontSize(8).fillColor('#777777').text(t.footer, left, doc.y, { width, align: 'center' });
  doc.fillColor('#000000');
}
