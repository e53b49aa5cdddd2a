// Dead letters (administrators): input the services refused, newest arrival first, with the reason and the raw payload.
import type { Static } from '@sinclair/typebox';
import type { DeadLetter as DeadLetterSchema } from '../../../gateway/schemas/resources.ts';
import { get, type Page } from '../api.ts';
import { chartIn } from '../charts.ts';
import { fmtTime, t } from '../i18n.ts';
import { badge, h, pagedTable } from '../ui.ts';

/** The API's item, typed from its schema. */
type DeadLetter = Static<typeof DeadLetterSchema>;

export function deadLettersPage(root: HTMLElement): () => void {
  const f = { source: '' };
  const source = h('input', {
    type: 'search',
    name: 'source',
    placeholder: t('sourceFilter'),
    'aria-label': t('source'),
    list: 'dead-letter-sources',
  });
  const seen = h('datalist', { id: 'dead-letter-sources' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  source.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((f.source = source.value.trim()), void table.reload(1)), 250);
  });

  const chartEl = h('div', { class: 'chart small', 'data-testid': 'reason-chart' });
  const chartBox = h('section', { hidden: true }, h('h4', {}, t('byReason')), chartEl);
  let chart: ReturnType<typeof chartIn> | undefined;
  // Arrivals (occurrences) by reason class on the page shown: which kind of refusal dominates.
  const drawChart = (items: DeadLetter[]) => {
    chartBox.hidden = items.length === 0;
    if (!items.length) return;
    const counts = new Map<string, number>();
    for (const x of items) counts.set(x.reasonClass, (counts.get(x.reasonClass) ?? 0) + x.occurrences);
    const rows = [...counts].sort((a, b) => b[1] - a[1]);
    chart ??= chartIn(chartEl);
    chart.chart.setOption({
      tooltip: { trigger: 'axis' },
      grid: { left: 150, right: 20, top: 10, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: rows.map(([k]) => k) },
      series: [{ type: 'bar', name: t('occurrences'), data: rows.map(([, n]) => n), itemStyle: { color: '#d64541' } }],
    });
  };

  const table = pagedTable<DeadLetter>({
    emptyText: t('noDeadLetters'),
    columns: [
      {
        title: t('lastArrival'),
        cell: (x) => h('time', { datetime: x.lastTs, title: t('firstArrival', { time: fmtTime(x.ts) }) }, fmtTime(x.lastTs)),
      },
      { title: t('source'), cell: (x) => x.source },
      { title: t('topic'), cell: (x) => x.topic ?? '—', cls: 'mono' },
      {
        title: t('reason'),
        cell: (x) => h('span', { class: 'reason' }, badge(x.reasonClass, 'sev-medium'), ' ', h('span', { class: 'reason-text' }, x.reason)),
        cls: 'wrap',
      },
      { title: t('occurrences'), cell: (x) => x.occurrences, cls: 'num occurrences' },
      { title: t('size'), cell: (x) => `${x.size} ${t('bytes')}`, cls: 'num size' },
      { title: t('payload'), cell: payloadCell, cls: 'wrap' },
    ],
    rowClass: () => 'dead-letter',
    fetch: async (page, limit) => {
      const r = await get<Page<DeadLetter>>('/api/v1/dead-letters', { page, limit, source: f.source, sort: '-ts' });
      for (const s of new Set(r.items.map((x) => x.source))) {
        if (![...seen.options].some((o) => o.value === s)) seen.append(h('option', { value: s }));
      }
      queueMicrotask(() => drawChart(r.items));
      return r;
    },
  });

  root.append(
    h('h2', {}, t('deadLetters')),
    h('div', { class: 'toolbar' }, source, seen),
    chartBox,
    h('section', { 'data-testid': 'dead-letters' }, table.el),
  );
  void table.reload(1);
  return () => {
    clearTimeout(timer);
    chart?.dispose();
  };
}

function payloadCell(x: DeadLetter): HTMLElement | string {
  if (x.payload === null || x.payload === '') return '—';
  const cut = x.storedBytes < x.size;
  const preview = x.payload.length > 40 ? `${x.payload.slice(0, 40)}…` : x.payload;
  return h(
    'details',
    { class: 'payload' },
    h('summary', { class: 'mono' }, preview),
    h('pre', { class: 'mono' }, x.payload),
    cut ? h('small', {}, t('truncated', { n: x.storedBytes })) : null,
  );
}
