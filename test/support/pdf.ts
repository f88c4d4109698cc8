import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfFont { name: string; embedded: boolean }
export interface ReadPdf {
  pages: string[];
  /** All pages' text; each text run on its own line. */
  text: string;
  /** The fonts the pages use, as pdf.js loaded them. */
  fonts: PdfFont[];
  /** BaseFont names of embedded TrueType programs (FontFile2), read from the file itself. */
  embeddedFontFiles: string[];
  title: string | undefined;
}

/**
 * Reads a PDF as a viewer would (pdf.js, the engine in Firefox): its text through each font's
 * ToUnicode map — so a glyph that was not embedded, or embedded wrong, does not come back as the
 * character that was written — and the fonts it draws with.
 */
export async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(bytes), fontExtraProperties: true, useSystemFonts: false, disableFontFace: true, verbosity: 0, isEvalSupported: false }).promise;
  const pages: string[] = [];
  const fonts = new Map<string, PdfFont>();
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : '\n') : '')).join('').replace(/\n+/g, '\n'));
    await page.getOperatorList();
    for (const id of Object.keys(content.styles)) {
      const f = page.commonObjs.get(id) as { name: string; missingFile: boolean };
      fonts.set(f.name, { name: f.name, embedded: !f.missingFile });
    }
  }
  const meta = await doc.getMetadata();
  await doc.destroy();
  const raw = Buffer.from(bytes).toString('latin1');
  const embeddedFontFiles = [...raw.matchAll(/\/FontDescriptor[\s\S]*?>>/g)]
    .map((m) => m[0])
    .filter((d) => d.includes('/FontFile2'))
    .map((d) => /\/FontName \/([^\s/]+)/.exec(d)?.[1] ?? '?');
  return { pages, text: pages.join('\n'), fonts: [...fonts.values()], embeddedFontFiles, title: (meta.info as { Title?: string }).Title };
}

