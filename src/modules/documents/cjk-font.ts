import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * DOC-3: Chinese renders in every PDF because the font travels inside the PDF. Noto Sans SC
 * (SIL OFL) comes from the npm package @expo-google-fonts/noto-sans-sc as whole TrueType files,
 * so `npm ci` brings it and no system font is needed; pdfkit embeds only the glyphs a document
 * uses (a receipt carries a few kilobytes of font, not ten megabytes).
 */
const require = createRequire(import.meta.url);

export const CJK_FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type CjkWeight = keyof typeof CJK_FONT_FILES;

const loaded = new Map<CjkWeight, Buffer>();

/** The font file's bytes, read once per process (10 MB each; parsing them per PDF takes a few ms). */
export function cjkFont(weight: CjkWeight): Buffer {
  let font = loaded.get(weight);
  if (!font) {
    font = readFileSync(require.resolve(CJK_FONT_FILES[weight]));
    loaded.set(weight, font);
  }
  return font;
}
