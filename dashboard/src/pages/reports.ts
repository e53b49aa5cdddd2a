// Reports (supervisors): outages and coverage from /api/v1/reports/* as charts and tables, plus the same numbers
// as CSV and PDF downloads. The report's shape is read from the answer, so new figures show without a release.
import type { Static } from '@sinclair/typebox';
import type {
  ReportBody,
  ReportRow as ReportRowSchema,
  ReportTable as ReportTableSchema,
} from '../../../gateway/routes/reports/reports.schema.ts';
import { download, get } from '../api.ts';
import { chartIn } from '../charts.ts';
import { currentLang, fmtNumber, fmtTime, t } from '../i18n.ts';
import { emptyView, errorView, h, load, select } from '../ui.ts';
import { districtOptions } from './districts.ts';

// Response shapes from the gateway's schema.
type Report = Static<typeof ReportBody>;
type ReportTable = Static<typeof ReportTableSchema>;
type Row = Static<typeof ReportRowSchema>;

export function reportsPage(root: HTMLElement): () => void {
  const day = 86_400_000;
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const from = h('input', { type: 'date', name: 'from', value: iso(new Date(Date.now() - 7 * day)) });
  const to = h('input', { type: 'date', name: 'to', value: iso(new Date(Date.now() + day)) });
  const district = select('district', [['', `${t('district')}: ${t('all')}`]]);
  void districtOptions().then((opts) => district.append(...opts.map(([v, l]) => h('option', { value: v }, l))));
  const kind = select('report', [
    ['outages', t('outages')],
    ['coverage', t('coverage')],
  ]);
  const out = h('div', { class: 'report', 'data-testid': 'report' });
  const disposers: Array<() => void> = [];
  const query = () => {
    // Titles and column heads come from the server, in the viewer's language (the CSV and PDF too).
    const q = new URLSearchParams({ from: new Date(from.value).toISOString(), to: new Date(to.value).toISOString(), lang: currentLang() });
    if (district.value) q.set('district', district.value);
    return q;
  };
  const path = (format: string) => {
    const q = query();
    q.set('format', format);
    return `/api/v1/reports/${kind.value}?${q}`;
  };
  const show = () => {
    disposers.splice(0).forEach((d) => d());
    void load(
      out,
      () => get<Report>(path('json')),
      (report) => renderReport(report, disposers),
    );
  };
  const dl = (format: 'csv' | 'pdf') => async () => {
    try {
      await download(path(format), `gridwatch-${kind.value}-${from.value}-${to.value}.${format}`);
    } catch (err) {
      out.prepend(errorView(err));
    }
  };
  root.append(
    h(
      'div',
      { class: 'toolbar' },
      kind,
      h('label', {}, t('from'), ' ', from),
      h('label', {}, t('to'), ' ', to),
      district,
      h('button', { onclick: show }, t('show')),
      h('button', { onclick: dl('csv'), 'data-testid': 'download-csv' }, t('downloadCsv')),
      h('button', { onclick: dl('pdf'), 'data-testid': 'download-pdf' }, t('downloadPdf')),
    ),
    out,
  );
  show();
  return () => disposers.forEach((d) => d());
}

/** The API's report: a title, the period, and named tables (the same tables the CSV and PDF hold). */
function renderReport(report: Report, disposers: Array<() => void>): Node {
  const box = h('div', {});
  const tables = report.tables;
  box.append(h('h2', {}, report.title));
  box.append(h('p', { class: 'note' }, `${fmtTime(report.from)} – ${fmtTime(report.to)}${report.district ? ` · ${report.district}` : ''}`));
  if (tables.every((tb) => tb.rows.length === 0)) return (box.append(emptyView()), box);
  for (const tb of tables) {
    box.append(h('h3', {}, tb.title));
    if (tb.rows.length === 0) {
      box.append(emptyView());
      continue;
    }
    const numeric = tb.columns.filter((c) => tb.rows.every((r) => typeof r[c.key] === 'number' || r[c.key] === null));
    const texts = tb.columns.filter((c) => !numeric.includes(c));
    // Label bars by the text columns that differ between rows (a district repeated on every row says nothing).
    const varying = texts.filter((c) => new Set(tb.rows.map((r) => r[c.key])).size > 1);
    const labelCols = varying.length ? varying : texts.slice(0, 1);
    if (labelCols.length && numeric.length && tb.rows.length > 1) box.append(chartOf(tb, labelCols, numeric, disposers));
    box.append(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-table': tb.name },
          h('thead', {}, h('tr', {}, ...tb.columns.map((c) => h('th', {}, c.title)))),
          h(
            'tbody',
            {},
            ...tb.rows.map((r) =>
              h('tr', {}, ...tb.columns.map((c) => h('td', { 'data-key': c.key, 'data-value': String(r[c.key] ?? '') }, fmt(r[c.key])))),
            ),
          ),
        ),
      ),
    );
  }
  return box;
}

function chartOf(
  tb: ReportTable,
  labelCols: Array<{ key: string }>,
  numeric: Array<{ key: string; title: string }>,
  disposers: Array<() => void>,
): HTMLElement {
  const labelOf = (r: Row) => labelCols.map((c) => String(r[c.key] ?? '—')).join(' · ');
  const labelCol = labelCols[0];
  const el = h('div', { class: 'chart' });
  queueMicrotask(() => {
    const { chart, dispose } = chartIn(el);
    disposers.push(dispose);
    const timeAxis = labelCols.length === 1 && /^(ts|time|bucket|date|day|hour)$/i.test(labelCol.key);
    // Rates (0–1 or percentages) and counts do not share an axis well: chart the first few columns of one kind.
    const series = numeric.slice(0, 4);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      // At the top: at the bottom the legend sat on the category labels.
      legend: { type: 'scroll', top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: timeAxis ? { type: 'time' } : { type: 'category', data: tb.rows.map(labelOf) },
      yAxis: { type: 'value' },
      series: series.map((c) => ({
        type: timeAxis ? 'line' : 'bar',
        name: c.title,
        data: timeAxis ? tb.rows.map((r) => [r[labelCol.key], r[c.key]]) : tb.rows.map((r) => r[c.key]),
      })),
    });
  });
  return el;
}

/** An instant as the API writes it (ISO 8601 with a zone). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A cell as the viewer reads it: numbers grouped and rounded, instants in the viewer's zone (the raw value stays in data-value). */
function fmt(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return fmtNumber(v);
  if (typeof v === 'string' && INSTANT.test(v)) return fmtTime(v);
  return String(v);
}
