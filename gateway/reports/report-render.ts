// Renders a report as CSV (one section per table) or as a PDF (pdfkit), from the same tables the JSON carries.
import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import type { Report } from './report-data.ts';
import { reportWords } from './report-words.ts';
import { cjkFonts } from './cjk-fonts.ts';

type Fonts = (text: string, bold?: boolean) => string;

/**
 * Latin text in the PDF's built-in Helvetica (not embedded, so the same report always has the same size); text with
 * other scripts in the embedded CJK font.
 */
function useFonts(doc: PDFKit.PDFDocument): Fonts {
  const cjk = cjkFonts();
  doc.registerFont('cjk', cjk.regular);
  doc.registerFont('cjk-bold', cjk.bold);
  return (text, bold = false) => {
    if (/[^ -\u00ff–—·]/.test(text)) return bold ? 'cjk-bold' : 'cjk';
    return bold ? 'Helvetica-Bold' : 'Helvetica';
  };
}

export function reportCsv(r: Report): string {
  const parts: string[] = [];
  for (const t of r.tables) {
    parts.push(`# ${t.title}\n`);
    parts.push(
      stringify(
        t.rows.map((row) => t.columns.map((c) => row[c.key] ?? '')),
        { header: true, columns: t.columns.map((c) => c.title) },
      ),
    );
    parts.push('\n');
  }
  return `# ${r.title}, ${r.from} – ${r.to}${r.district ? `, ${reportWords(r.lang).districtLine} ${r.district}` : ''}\n${parts.join('')}`;
}

export async function reportPdf(r: Report): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: r.title, Creator: 'Gridwatch' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const font = useFonts(doc);
  doc.font(font(r.title)).fontSize(16).text(r.title);
  const w = reportWords(r.lang);
  const sub = `${r.from} – ${r.to}${r.district ? ` · ${w.districtLine} ${r.district}` : ''} · ${w.generated} ${r.generatedAt}`;
  doc.font(font(sub)).fontSize(9).fillColor('#555').text(sub);
  doc.fillColor('#000');
  const width = doc.page.width - 72;
  for (const t of r.tables) {
    doc.moveDown(1).font(font(t.title)).fontSize(12).text(t.title, 36);
    const colW = width / Math.max(1, t.columns.length);
    const line = (cells: string[], bold = false) => {
      if (doc.y > doc.page.height - 60) doc.addPage();
      const y = doc.y;
      doc.fontSize(8);
      cells.forEach((c, i) => doc.font(font(c, bold)).text(c, 36 + i * colW, y, { width: colW - 4, lineBreak: false, ellipsis: true }));
      doc.y = y + 12;
    };
    line(
      t.columns.map((c) => c.title),
      true,
    );
    if (t.rows.length === 0) line([w.none]);
    for (const row of t.rows) line(t.columns.map((c) => (row[c.key] === null || row[c.key] === undefined ? '—' : String(row[c.key]))));
  }
  doc.end();
  return done;
}
