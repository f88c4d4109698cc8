import ExcelJS from 'exceljs';

/** The first sheet of an xlsx file as rows of cell values (exceljs's 1-based row arrays made 0-based). */
export async function sheetRows(file: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

/** An xlsx file of one sheet with these rows, as a staff member's spreadsheet would be. */
export async function xlsxOf(rows: (string | number | null)[][], sheetName = 'Sheet1'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
