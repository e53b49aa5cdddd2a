// The CJK font of every PDF the gateway draws: Noto Sans SC from the npm package @embedpdf/fonts-sc, so Chinese renders
// on a fresh clone with no system font installed. Read once, on the first PDF (8 MB each); pdfkit embeds only the
// glyphs used.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const FONT_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')), '..', 'fonts');
let fonts: { regular: Buffer; bold: Buffer } | undefined;

export function cjkFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(path.join(FONT_DIR, 'NotoSansHans-Regular.otf')),
    bold: readFileSync(path.join(FONT_DIR, 'NotoSansHans-Bold.otf')),
  };
  return fonts;
}
