// The rectification notice (整改通知): the period's figures, maintenance units ranked by overdue tickets, online rate
// and time to repair, the level-2 escalations and the uncovered key locations; one set of tables rendered as CSV
// (csv-stringify) and as PDF (pdfkit, with Noto Sans SC from the npm package @embedpdf/fonts-sc, so Chinese renders
// on any machine without a system font).
import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import { cjkFonts } from '../../reports/cjk-fonts.ts';
import type { Db } from '../../../core/db/db.ts';
import { GridRepository } from '../../../core/db/repositories/grid.repository.ts';
import { SupervisorRepository } from '../../../core/db/repositories/supervisor.repository.ts';
import { supervisorFigures, type FiguresQuery } from './figures.ts';
import { fill, noticeValue, noticeWords, type NoticeLang } from './notice-words.ts';

export interface NoticeTable {
  title: string;
  /** A paragraph between the title and the table. */
  lead?: string;
  columns: string[];
  rows: string[][];
}

export interface Notice {
  title: string;
  /** Scope, period and generation time, one line each. */
  heading: string[];
  tables: NoticeTable[];
  demand: string;
  /** The line of an empty table. */
  none: string;
}

/** One decimal, rounded down: 100% only when nothing was lost (as the dashboard shows it). */
const pct = (r: number | null) => (r === null ? '—' : `${(Math.floor(r * 1000 + 1e-9) / 10).toFixed(1)}%`);

export async function buildNotice(db: Db, q: FiguresQuery & { lang: NoticeLang; timeZone: string; days: number }): Promise<Notice> {
  const w = noticeWords(q.lang);
  const repo = new SupervisorRepository(db);
  const [fig, units, tickets, cells] = await Promise.all([
    supervisorFigures(db, q),
    repo.unitFigures(q),
    repo.levelTwoTickets(q),
    new GridRepository(db).units('cell', {}, false),
  ]);
  const zh = q.lang === 'zh-CN';
  const named = (p: { name: string; nameZh: string | null }) => (zh && p.nameZh) || p.name;
  const districtName = new Map(fig.districts.map((d) => [d.id, named(d)]));
  const district = (id: string | null) => (id ? (districtName.get(id) ?? id) : '—');
  const time = new Intl.DateTimeFormat(zh ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: q.timeZone });
  const at = (iso: string | null) => (iso ? time.format(new Date(iso)) : w.notResolved);

  // Worst first: more overdue tickets, then a lower online rate (of the unit's district), then slower repairs.
  const online = new Map(fig.districts.map((d) => [d.id, d.onlineRate]));
  const ranked = [...units].sort(
    (a, b) =>
      b.overdue - a.overdue ||
      (online.get(a.districtId ?? '') ?? 1) - (online.get(b.districtId ?? '') ?? 1) ||
      (b.mttrSeconds ?? 0) - (a.mttrSeconds ?? 0) ||
      a.unitId.localeCompare(b.unitId),
  );
  const unitName = new Map(units.map((u) => [u.unitId, named(u)]));
  const cellName = new Map(cells.map((c) => [c.id, named(c)]));
  const t = fig.total;
  return {
    title: w.title,
    heading: [
      q.district ? district(q.district) : w.scopeCity,
      `${w.period}: ${time.format(q.from)} – ${time.format(q.to)} (${w.timeZone} ${q.timeZone})`,
      `${w.generated}: ${time.format(q.now)}`,
    ],
    tables: [
      {
        title: w.summary,
        lead: fill(w.summaryLine, {
          cameras: t.cameras,
          online: pct(t.onlineRate),
          intact: pct(t.intactRate),
          key: pct(t.keyCoverage),
          covered: t.keyCovered,
          keys: t.keyLocations,
        }),
        columns: [w.district, w.cameras, w.onlineRate, w.intactRate, w.keyCoverage],
        rows: fig.districts.map((d) => [
          named(d),
          String(d.cameras),
          pct(d.onlineRate),
          pct(d.intactRate),
          `${pct(d.keyCoverage)} (${d.keyCovered}/${d.keyLocations})`,
        ]),
      },
      {
        title: w.ranking,
        columns: [w.rank, w.unit, w.district, w.overdue, w.onlineRate, w.intactRate, w.mttrHours, w.levelTwoCount],
        rows: ranked.map((u, i) => {
          const d = fig.districts.find((x) => x.id === u.districtId);
          return [
            String(i + 1),
            named(u),
            district(u.districtId),
            String(u.overdue),
            pct(d?.onlineRate ?? null),
            pct(d?.intactRate ?? null),
            u.mttrSeconds === null ? '—' : (u.mttrSeconds / 3600).toFixed(1),
            String(u.levelTwo),
          ];
        }),
      },
      {
        title: w.levelTwo,
        columns: [w.camera, w.district, w.unit, w.cause, w.openedAt, w.deadline, w.resolvedAt],
        rows: tickets.map((x) => [
          `${(zh && x.cameraNameZh) || x.cameraName} (${x.cameraId})`,
          district(x.districtId),
          x.unitId ? (unitName.get(x.unitId) ?? x.unitId) : '—',
          noticeValue(q.lang, x.cause),
          at(x.openedAt),
          at(x.deadline),
          at(x.resolvedAt),
        ]),
      },
      {
        title: w.uncovered,
        columns: [w.location, w.kind, w.district, w.cell],
        rows: fig.uncovered.map((k) => [
          named(k),
          noticeValue(q.lang, k.kind),
          district(k.districtId),
          k.cellId ? (cellName.get(k.cellId) ?? k.cellId) : '—',
        ]),
      },
    ],
    demand: fill(w.demand, { days: q.days }),
    none: w.none,
  };
}

/** UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese as Chinese. */
export function noticeCsv(n: Notice): string {
  const lines = [[n.title], ...n.heading.map((x) => [x]), []];
  for (const t of n.tables) lines.push([t.title], ...(t.lead ? [[t.lead]] : []), t.columns, ...t.rows, []);
  lines.push([n.demand]);
  return `\ufeff${stringify(lines)}`;
}

/**
 * Column widths from each column's widest text as set (bold heads, 8 pt): columns that fit keep their width, and
 * when the page is too narrow only the widest are capped (and wrap); room left over is shared out evenly.
 */
function columnWidths(doc: PDFKit.PDFDocument, t: NoticeTable, width: number): number[] {
  const PAD = 6;
  const measure = (text: string, bold: boolean) =>
    doc
      .font(bold ? 'bold' : 'body')
      .fontSize(8)
      .widthOfString(text) + PAD;
  const natural = t.columns.map((c, i) => Math.max(measure(c, true), ...t.rows.map((r) => measure(r[i] ?? '', false))));
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= width) return natural.map((w) => w + (width - total) / natural.length);
  // The cap at which the capped columns and the others just fill the width.
  let lo = 0;
  let hi = Math.max(...natural);
  for (let k = 0; k < 30; k++) {
    const cap = (lo + hi) / 2;
    if (natural.reduce((a, w) => a + Math.min(w, cap), 0) > width) hi = cap;
    else lo = cap;
  }
  return natural.map((w) => Math.min(w, lo));
}

export async function noticePdf(n: Notice): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: n.title, Creator: 'Gridwatch' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const f = cjkFonts();
  doc.registerFont('body', f.regular);
  doc.registerFont('bold', f.bold);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.font('bold').fontSize(18).text(n.title, { align: 'center' });
  doc.moveDown(0.5).font('body').fontSize(9).fillColor('#444');
  for (const line of n.heading) doc.text(line, { align: 'center' });
  doc.fillColor('#000');
  for (const t of n.tables) {
    doc.moveDown(1).font('bold').fontSize(12).text(t.title, left, doc.y, { width });
    if (t.lead) doc.moveDown(0.3).font('body').fontSize(10.5).text(t.lead, left, doc.y, { width });
    doc.moveDown(0.3);
    const widths = columnWidths(doc, t, width);
    const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const row = (cells: string[], bold: boolean) => {
      doc.font(bold ? 'bold' : 'body').fontSize(8);
      const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i] - 4 }))) + 4;
      if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
      const y = doc.y;
      cells.forEach((c, i) => doc.text(c, xs[i], y, { width: widths[i] - 4 }));
      doc.y = y + h;
      doc
        .moveTo(left, doc.y - 2)
        .lineTo(left + width, doc.y - 2)
        .strokeColor('#ccc')
        .lineWidth(0.5)
        .stroke();
    };
    row(t.columns, true);
    if (t.rows.length === 0) row([n.none], false);
    for (const r of t.rows) row(r, false);
  }
  doc.moveDown(1.5).font('body').fontSize(10.5).text(n.demand, left, doc.y, { width });
  doc.end();
  return done;
}
