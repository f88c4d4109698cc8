import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { cjkFont } from './cjk-font.ts';

/** The two faces every ExamPay document writes with (DOC-3). */
export const FONT = { regular: 'NotoSansSC', bold: 'NotoSansSC-Bold' } as const;

export type Pdf = PDFKit.PDFDocument;

/**
 * A new A4 document with the CJK faces registered, and its bytes once `draw` has finished.
 * `CreationDate` is given (the injected clock's now), so the same facts give the same file.
 */
export async function buildPdf(meta: { title: string; subject: string; createdAt: Date }, draw: (doc: Pdf) => Promise<void> | void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', margin: 48,
    info: { Title: meta.title, Subject: meta.subject, Author: 'ExamPay', Creator: 'ExamPay', Producer: 'ExamPay', CreationDate: meta.createdAt },
    lang: 'zh-CN', displayTitle: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont(FONT.regular, cjkFont('regular'));
  doc.registerFont(FONT.bold, cjkFont('bold'));
  doc.font(FONT.regular);
  await draw(doc);
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}

/** A QR code as PNG bytes for pdfkit's image(): medium error correction survives a smudged print. */
export async function qrPng(text: string, sizePx = 240): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: sizePx });
}

/** Label and value side by side; the value wraps inside its column. */
export function fieldRow(doc: Pdf, x: number, width: number, label: string, value: string, labelWidth = 150): void {
  const y = doc.y;
  doc.font(FONT.regular).fontSize(9).fillColor('#555555').text(label, x, y, { width: labelWidth - 8 });
  const labelBottom = doc.y;
  doc.font(FONT.regular).fontSize(11).fillColor('#000000').text(value, x + labelWidth, y, { width: width - labelWidth });
  doc.y = Math.max(doc.y, labelBottom) + 4;
  doc.x = x;
}

/** A simple ruled table: header row in bold, then rows; columns by width, text right-aligned where asked. */
export function table(doc: Pdf, x: number, columns: { title: string; width: number; align?: 'left' | 'right' }[], rows: string[][]): void {
  const totalWidth = columns.reduce((s, c) => s + c.width, 0);
  const drawRow = (cells: string[], bold: boolean) => {
    const y = doc.y;
    let cx = x;
    let bottom = y;
    cells.forEach((cell, i) => {
      const col = columns[i]!;
      doc.font(bold ? FONT.bold : FONT.regular).fontSize(bold ? 9 : 10.5).fillColor('#000000')
        .text(cell, cx + 4, y + 4, { width: col.width - 8, align: col.align ?? 'left' });
      bottom = Math.max(bottom, doc.y);
      cx += col.width;
    });
    doc.moveTo(x, bottom + 3).lineTo(x + totalWidth, bottom + 3).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.y = bottom + 4;
  };
  doc.moveTo(x, doc.y).lineTo(x + totalWidth, doc.y).lineWidth(1).strokeColor('#333333').stroke();
  drawRow(columns.map((c) => c.title), true);
  for (const r of rows) drawRow(r, false);
  doc.x = x;
}
