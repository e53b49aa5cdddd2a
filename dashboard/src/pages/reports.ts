// Reports (supervisors): outages and coverage from /api/v1/reports/* as charts and tables, plus the same numbers
// as CSV and PDF downloads. The report's shape is read from the answer, so new figures show without a release.
import { download, get } from '../api.ts';
import { chartIn } from '../charts.ts';
import { t } from '../i18n.ts';
import { emptyView, errorView, h, load, select } from '../ui.ts';
import { districtOptions } from './districts.ts';

type Row = Record<string, unknown>;

export function reportsPage(root: HTMLElement): () => void {
  const day = 86_400_000;
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const from = h('input', { type: 'date', name: 'from', value: iso(new Date(Date.now() - 7 * day)) });
  const to = h('input', { type: 'date', name: 'to', value: iso(new Date(Date.now() + day)) });
  const district = select('district', [['', `${t('district')}: ${t('all')}`]]);
  void districtOptions().then((opts) => district.append(...opts.map(([v, l]) => h('option', { value: v }, l))));
  const kind = select('report', [['outages', t('outages')], ['coverage', t('coverage')]]);
  const out = h('div', { class: 'report', 'data-testid': 'report' });
  const disposers: Array<() => void> = [];
  const query = () => {
    const q = new URLSearchParams({ from: new Date(from.value).toISOString(), to: new Date(to.value).toISOString() });
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
    void load(out, () => get<Row>(path('json')), (report) => renderReport(report, disposers));
  };
  const dl = (format: 'csv' | 'pdf') => async () => {
    try {
      await download(path(format), `gridwatch-${kind.value}-${from.value}-${to.value}.${format}`);
    } catch (err) {
      out.prepend(errorView(err));
    }
  };
  root.append(
    h('div', { class: 'toolbar' },
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

function renderReport(report: Row, disposers: Array<() => void>): Node {
  const box = h('div', {});
  const scalars = Object.entries(report).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  if (scalars.length) box.append(h('dl', { class: 'figures' }, ...scalars.flatMap(([k, v]) => [h('dt', {}, label(k)), h('dd', { 'data-figure': k }, fmt(v))])));
  const tables = Object.entries(report).filter(([, v]) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') as Array<[string, Row[]]>;
  for (const [name, rows] of tables) {
    box.append(h('h3', {}, label(name)));
    const cols = Object.keys(rows[0]).filter((c) => rows.some((r) => typeof r[c] !== 'object' || r[c] === null));
    const numeric = cols.filter((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === null));
    const labelCol = cols.find((c) => !numeric.includes(c));
    if (labelCol && numeric.length) {
      const el = h('div', { class: 'chart' });
      box.append(el);
      queueMicrotask(() => {
        const { chart, dispose } = chartIn(el);
        disposers.push(dispose);
        const timeAxis = /ts|time|bucket|date|day|hour/i.test(labelCol);
        chart.setOption({
          tooltip: { trigger: 'axis' },
          legend: { type: 'scroll' },
          grid: { left: 50, right: 20, top: 40, bottom: 40 },
          xAxis: timeAxis ? { type: 'time' } : { type: 'category', data: rows.map((r) => String(r[labelCol])) },
          yAxis: { type: 'value' },
          series: numeric.slice(0, 4).map((c) => ({
            type: timeAxis ? 'line' : 'bar',
            name: label(c),
            data: timeAxis ? rows.map((r) => [r[labelCol], r[c]]) : rows.map((r) => r[c]),
          })),
        });
      });
    }
    box.append(
      h('div', { class: 'table-wrap' },
        h('table', {},
          h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', {}, label(c))))),
          h('tbody', {}, ...rows.map((r) => h('tr', {}, ...cols.map((c) => h('td', {}, fmt(r[c])))))),
        ),
      ),
    );
  }
  return box.childNodes.length ? box : emptyView();
}

function label(k: string): string {
  return k.replace(/([a-z])([A-Z])/g, '$1 $2').replaceAll('_', ' ');
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return String(v);
}
