import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * A one-sheet xlsx written row by row to a stream (exceljs's WorkbookWriter): each row is
 * committed as it is added, so a large export or error sheet never sits in memory whole.
 */
export interface SheetWriter {
  add(values: readonly (string | number | null)[]): void;
  /** Lets the writer's stream drain every `every` rows (big exports). */
  breathe(): Promise<void>;
  finish(): Promise<void>;
}

export function sheetWriter(stream: Writable, sheetName: string, headers: readonly string[], widths?: readonly number[]): SheetWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = headers.map((h, i) => ({ header: h, width: widths?.[i] ?? Math.max(12, Math.min(40, h.length + 4)) }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  return {
    add(values) {
      ws.addRow(values as (string | number | null)[]).commit();
    },
    async breathe() {
      if (stream.writableNeedDrain) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    },
    async finish() {
      ws.commit();
      await wb.commit();
    },
  };
}

/** The same, collected into a Buffer (error sheets, stored with their import). */
export async function sheetBuffer(sheetName: string, headers: readonly string[], rows: Iterable<readonly (string | number | null)[]>, widths?: readonly number[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { out.on('end', resolve); out.on('error', reject); });
  const w = sheetWriter(out, sheetName, headers, widths);
  for (const r of rows) w.add(r);
  await w.finish();
  await done;
  return Buffer.concat(chunks);
}
