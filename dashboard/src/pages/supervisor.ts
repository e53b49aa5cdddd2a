// Supervision: the three figures a supervisor is judged on (online rate, intact rate, key-location coverage) for a
// period, per district and town as bars, the uncovered key locations, and the rectification notice as PDF or CSV.
import { download, get } from '../api.ts';
import type { Figures, Rates } from '../../../gateway/routes/supervisor/supervisor.schema.ts';
import { chartIn } from '../charts.ts';
import { currentLang, fmtNumber, fmtTime, t, tv, viewerZone } from '../i18n.ts';
import { emptyView, errorView, h, load, select } from '../ui.ts';
import { districtOptions, localName, placeName, placesReady } from './districts.ts';

const HOUR = 3_600_000;
const PERIODS: Array<[string, () => string, number]> = [
  ['24h', () => t('last24h'), 24 * HOUR],
  ['7d', () => t('last7d'), 7 * 24 * HOUR],
  ['30d', () => t('last30d'), 30 * 24 * HOUR],
];
const FIGURES = ['onlineRate', 'intactRate', 'keyCoverage'] as const;
const COLOURS = { onlineRate: '#2e6fd6', intactRate: '#2e9d57', keyCoverage: '#e67e22' };

/**
 * A fraction as a percentage with one decimal, rounded down so that 100% means every camera-second (99.97% reads
 * 99.9%, not 100%); — when there is nothing to measure.
 */
const pct = (r: number | null) => (r === null ? '—' : `${fmtNumber(Math.floor(r * 1000 + 1e-9) / 10)}%`);

export function supervisorPage(root: HTMLElement): () => void {
  // A link from a level-2 ticket names its district: #/supervision?district=…
  const asked = new URLSearchParams(location.hash.split('?')[1] ?? '').get('district') ?? '';
  const f = { period: '7d', district: asked };
  const disposers: Array<() => void> = [];
  const disposeCharts = () => disposers.splice(0).forEach((d) => d());
  const body = h('div', { class: 'supervisor', 'data-testid': 'supervisor' });

  // Any period: a preset, or from/to picked in the viewer's own time (datetime-local is local time, sent as UTC).
  const fromInput = h('input', { type: 'datetime-local', name: 'from', 'aria-label': t('from'), hidden: true });
  const toInput = h('input', { type: 'datetime-local', name: 'to', 'aria-label': t('to'), hidden: true });
  const query = () => {
    const preset = PERIODS.find(([id]) => id === f.period);
    if (!preset && fromInput.value && toInput.value)
      return {
        from: new Date(fromInput.value).toISOString(),
        to: new Date(toInput.value).toISOString(),
        district: f.district || undefined,
      };
    const to = new Date();
    const span = (preset ?? PERIODS[1])[2];
    return { from: new Date(to.getTime() - span).toISOString(), to: to.toISOString(), district: f.district || undefined };
  };
  let shown = query();

  /** yyyy-MM-ddTHH:mm in the viewer's zone, for a datetime-local input. */
  const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const period = select(
    'period',
    [...PERIODS.map(([id, label]): [string, string] => [id, label()]), ['custom', t('customPeriod')]],
    f.period,
    (v) => {
      f.period = v;
      const custom = v === 'custom';
      if (custom && !fromInput.value) {
        fromInput.value = local(new Date(shown.from));
        toInput.value = local(new Date(shown.to));
      }
      fromInput.hidden = toInput.hidden = !custom;
      reload();
    },
  );
  for (const input of [fromInput, toInput]) input.addEventListener('change', () => reload());
  const district = select('district', [['', `${t('district')}: ${t('all')}`]], '', (v) => ((f.district = v), reload()));
  void districtOptions().then((opts) => {
    district.append(...opts.map(([v, l]) => h('option', { value: v }, l)));
    district.value = f.district;
  });
  const noticeQuery = (format: 'pdf' | 'csv') =>
    new URLSearchParams({
      from: shown.from,
      to: shown.to,
      ...(shown.district ? { district: shown.district } : {}),
      format,
      lang: currentLang(),
      tz: viewerZone(),
    }).toString();
  const noticeButton = (format: 'pdf' | 'csv') => {
    const b = h('button', { 'data-testid': `notice-${format}` }, format === 'pdf' ? t('noticePdf') : t('noticeCsv'));
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await download(`/api/v1/supervisor/notice?${noticeQuery(format)}`, `notice-${shown.to.slice(0, 10)}.${format}`);
      } catch (err) {
        body.prepend(errorView(err));
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };

  const reload = () => {
    disposeCharts();
    shown = query();
    void load(
      body,
      async () => {
        await placesReady();
        return get<Figures>('/api/v1/supervisor/figures', shown);
      },
      render,
    );
  };

  const render = (fig: Figures): Node => {
    if (fig.total.cameras === 0 && fig.total.keyLocations === 0) return emptyView(t('noFigures'));
    const kpi = (key: (typeof FIGURES)[number], hint: string, sub: string) =>
      h(
        'div',
        { class: 'kpi', 'data-testid': `kpi-${key}`, 'data-value': String(fig.total[key] ?? '') },
        h('div', { class: 'kpi-label' }, t(key)),
        h('div', { class: 'kpi-value', style: `color:${COLOURS[key]}` }, pct(fig.total[key])),
        h('div', { class: 'kpi-sub' }, sub),
        h('div', { class: 'kpi-hint' }, hint),
      );
    const head = h(
      'div',
      { class: 'kpis' },
      kpi('onlineRate', t('onlineRateHint'), t('camerasCounted', { cameras: fmtNumber(fig.total.cameras) })),
      kpi('intactRate', t('intactRateHint'), t('camerasCounted', { cameras: fmtNumber(fig.total.cameras) })),
      kpi(
        'keyCoverage',
        t('keyCoverageHint'),
        t('keyCoveredOf', { covered: fmtNumber(fig.total.keyCovered), total: fmtNumber(fig.total.keyLocations) }),
      ),
    );
    const when = h(
      'p',
      { class: 'period', 'data-testid': 'period' },
      t('periodFromTo', { from: fmtTime(fig.from), to: fmtTime(fig.to) }),
      ' · ',
      t('generatedAt', { time: fmtTime(fig.generatedAt) }),
      ' · ',
      t('timezone', { tz: viewerZone() }),
    );
    // One district chosen: its towns are what separate; otherwise the districts.
    const rows = f.district ? fig.towns : fig.districts;
    const title = f.district ? t('byTown') : t('byDistrict');
    return h(
      'div',
      {},
      head,
      when,
      h('h3', {}, title),
      barChart(
        rows.map((r) => localName(r)),
        rows,
      ),
      ratesTable(f.district ? 'towns' : 'districts', f.district ? t('town') : t('district'), rows),
      h('h3', {}, t('byKind')),
      fig.keyKinds.length ? kindChart(fig) : emptyView(t('noKeyLocations')),
      h('h3', {}, t('uncoveredKeys')),
      uncoveredTable(fig),
    );
  };

  const barChart = (labels: string[], rows: Rates[]) => {
    const el = h('div', { class: 'chart', 'data-testid': 'rates-chart', style: `height:${Math.max(220, 60 + labels.length * 44)}px` });
    queueMicrotask(() => {
      const { chart, dispose } = chartIn(el);
      disposers.push(dispose);
      chart.setOption({
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => (v === null || v === undefined ? '—' : `${v}%`) },
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        yAxis: { type: 'category', data: labels, inverse: true },
        series: FIGURES.map((key) => ({
          type: 'bar',
          name: t(key),
          itemStyle: { color: COLOURS[key] },
          data: rows.map((r) => (r[key] === null ? null : Math.floor(r[key]! * 1000 + 1e-9) / 10)),
        })),
      });
    });
    return el;
  };

  const kindChart = (fig: Figures) => {
    const el = h('div', { class: 'chart small', 'data-testid': 'kinds-chart' });
    queueMicrotask(() => {
      const { chart, dispose } = chartIn(el);
      disposers.push(dispose);
      chart.setOption({
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: fig.keyKinds.map((k) => tv(k.kind)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { type: 'bar', name: t('covered'), stack: 'k', itemStyle: { color: '#2e9d57' }, data: fig.keyKinds.map((k) => k.covered) },
          {
            type: 'bar',
            name: t('notCovered'),
            stack: 'k',
            itemStyle: { color: '#d64541' },
            data: fig.keyKinds.map((k) => k.total - k.covered),
          },
        ],
      });
    });
    return el;
  };

  root.append(
    h('h2', {}, t('supervisionTitle')),
    h('div', { class: 'toolbar' }, period, fromInput, toInput, district, noticeButton('pdf'), noticeButton('csv')),
    body,
  );
  reload();
  return disposeCharts;
}

/** The rates per place, each cell carrying its raw value (data-value) beside the text as read. */
function ratesTable(name: string, placeTitle: string, rows: Array<Rates & { id: string; name: string; nameZh: string | null }>): Node {
  if (rows.length === 0) return emptyView();
  const cell = (v: number | null, text = pct(v)) => h('td', { 'data-value': v === null ? '' : String(v), class: 'num' }, text);
  return h(
    'table',
    { 'data-table': name },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, placeTitle),
        h('th', { class: 'num' }, t('cameras')),
        ...FIGURES.map((k) => h('th', { class: 'num' }, t(k))),
        h('th', { class: 'num' }, t('keyLocations')),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-id': r.id },
          h('td', { 'data-value': r.id }, localName(r)),
          cell(r.cameras, fmtNumber(r.cameras)),
          ...FIGURES.map((k) => cell(r[k])),
          h('td', { class: 'num' }, `${fmtNumber(r.keyCovered)}/${fmtNumber(r.keyLocations)}`),
        ),
      ),
    ),
  );
}

function uncoveredTable(fig: Figures): Node {
  if (fig.total.keyLocations === 0) return emptyView(t('noKeyLocations'));
  if (fig.uncovered.length === 0) return h('p', { class: 'state ok' }, t('allKeysCovered'));
  return h(
    'table',
    { 'data-table': 'uncovered' },
    h('thead', {}, h('tr', {}, h('th', {}, t('name')), h('th', {}, t('kind')), h('th', {}, t('district')), h('th', {}, t('cell')))),
    h(
      'tbody',
      {},
      ...fig.uncovered.map((k) =>
        h(
          'tr',
          { 'data-id': k.id },
          h('td', {}, localName(k)),
          h('td', {}, tv(k.kind)),
          h('td', {}, placeName(k.districtId)),
          h('td', {}, placeName(k.cellId)),
        ),
      ),
    ),
  );
}
