import { buildPdf, fieldRow, FONT, qrPng, table } from './pdf-kit.ts';
import type { ReceiptContent } from './receipt-content.ts';

/** Draws a receipt's content on one A4 page (DOC-1). Nothing is decided here. */
export async function receiptPdf(content: ReceiptContent, createdAt: Date): Promise<Buffer> {
  const qr = await qrPng(content.verify.url);
  return buildPdf({ title: content.documentTitle, subject: content.subtitle, createdAt }, (doc) => {
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;

    doc.font(FONT.bold).fontSize(20).text(content.title, left, doc.page.margins.top, { width, align: 'center' });
    doc.font(FONT.regular).fontSize(10).fillColor('#555555').text(content.subtitle, { width, align: 'center' });
    doc.fillColor('#000000').moveDown(1);

    // The QR sits at the top right, beside the fields; the fields keep clear of it.
    const qrSize = 110;
    const top = doc.y;
    doc.image(qr, left + width - qrSize, top, { width: qrSize, height: qrSize });
    doc.y = top;
    for (const f of content.fields) fieldRow(doc, left, width - qrSize - 12, f.label, f.value, 140);
    doc.y = Math.max(doc.y, top + qrSize) + 10;

    const tableTop = doc.y;
    const shares = content.columns.reduce((s, c) => s + c.share, 0);
    table(doc, left, content.columns.map((c) => ({ title: c.title, align: c.align, width: (width * c.share) / shares })), content.rows);
    doc.moveDown(0.6);
    doc.font(FONT.bold).fontSize(13).text(content.total, left, doc.y, { width, align: 'right' });
    if (content.refundNote) doc.font(FONT.regular).fontSize(10).fillColor('#b00020').text(content.refundNote, left, doc.y + 4, { width, align: 'right' }).fillColor('#000000');

    if (content.stamp) {
      // Across the items and total, so a copy of a refunded receipt cannot pass for a plain paid one.
      const after = doc.y;
      doc.save();
      doc.rotate(-12, { origin: [left + width / 2, tableTop + 30] });
      doc.font(FONT.bold).fontSize(28).fillColor('#b00020').opacity(0.3).text(content.stamp, left, tableTop + 10, { width, align: 'center' });
      doc.restore();
      doc.opacity(1).fillColor('#000000');
      doc.y = after;
    }

    doc.moveDown(2);
    doc.font(FONT.regular).fontSize(9).fillColor('#333333');
    for (const line of content.verify.lines) doc.text(line, left, doc.y, { width });
    doc.font(FONT.regular).fontSize(10).fillColor('#0b57d0').text(content.verify.url, left, doc.y + 2, { width, link: content.verify.url });
    doc.moveDown(1.5);
    doc.font(FONT.regular).fontSize(8).fillColor('#777777').text(content.footer, left, doc.y, { width, align: 'center' });
  });
}
