import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Cell } from './import-rules.ts';

/**
 * Rows of an uploaded file, one at a time (ADM-2): the first sheet of an .xlsx (read with
 * exceljs's streaming reader, so 100,000 rows never sit in memory as a workbook) or a .csv.
 * Each row comes with its number as the sheet shows it; wholly empty rows are skipped.
 */
export interface SheetRow { rowNo: number; cells: Cell[] }

export type FileFormat = 'CSV' | 'XLSX';

/** What the bytes are: an xlsx is a zip ("PK\3\4"); anything else is read as CSV text. */
export function sniffFormat(file: Buffer): FileFormat {
  return file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04 ? 'XLSX' : 'CSV';
}

export function readRows(format: FileFormat, file: Buffer): AsyncIterable<SheetRow> {
  return format === 'XLSX' ? readXlsx(file) : toAsync(parseCsv(decodeCsv(file)));
}

/**
 * CSV text: UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GB18030 —
 * what Excel for Chinese Windows writes when told "CSV".
 */
export function decodeCsv(file: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    text = iconv.decode(file, 'gb18030');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** RFC 4180: commas, double-quoted fields with "" inside, CRLF or LF line ends, newlines inside quotes. */
export function* parseCsv(text: string): Generator<SheetRow> {
  let field = '';
  let cells: string[] = [];
  let quoted = false;
  let rowNo = 1;
  let rowStart = 1;
  const emit = (): SheetRow | undefined => {
    cells.push(field);
    const row = cells;
    cells = [];
    field = '';
    return row.some((c) => c.trim() !== '') ? { rowNo: rowStart, cells: row.map((c) => (c === '' ? null : c)) } : undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (ch === '\n') rowNo++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { cells.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      const row = emit();
      if (row) yield row;
      rowNo++;
      rowStart = rowNo;
    } else field += ch;
  }
  if (field !== '' || cells.length) {
    const row = emit();
    if (row) yield row;
  }
}

async function* toAsync<T>(it: Iterable<T>): AsyncIterable<T> {
  yield* it;
}

async function* readXlsx(file: Buffer): AsyncIterable<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([file]), { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit' });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = row.values as unknown[];
      const cells: Cell[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
      if (cells.some((c) => c !== null && String(c).trim() !== '')) yield { rowNo: row.number, cells };
    }
    // Only the first sheet is the data; a second one (notes, a legend) is not read.
    return;
  }
}

function cellValue(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.result !== undefined) return cellValue(o.result);
    if (o.text !== undefined) return cellValue(o.text);
    if (o.error !== undefined) return String(o.error);
  }
  return String(v as string);
}
