// Cameras: a searchable, filterable table; a camera's details and its health timeline (last 24 hours).
import { get, imageUrl, type Page } from '../api.ts';
import { chartIn } from '../charts.ts';
import { fmtTime, t, tv } from '../i18n.ts';
import { onLive } from '../live.ts';
import { badge, emptyView, h, load, loadingView, pagedTable, select } from '../ui.ts';
import { districtOptions, placeName, placesReady } from './districts.ts';

interface Cam { id: string; name: string; status: string; statusSince: string | null; districtId: string | null; cellId: string | null; priority: string; model: string | null; manufacturer: string | null; firmware: string | null; xaddr: string | null; lastSeen: string | null }
interface HealthPoint { ts: string; kind: string; reachable: boolean; latencyMs: number | null; errorClass: string | null }

const STATES = ['online', 'suspect', 'offline', 'recovering', 'flapping', 'unknown'];

export function camerasPage(root: HTMLElement): () => void {
  const f = { q: '', status: '', district: '' };
  const search = h('input', { type: 'search', placeholder: t('search'), 'aria-label': t('search') });
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((f.q = search.value.trim()), void table.reload(1)), 250);
  });
  const status = select('status', [['', `${t('status')}: ${t('all')}`], ...STATES.map((s): [string, string] => [s, tv(s)])], '', (v) => ((f.status = v), void table.reload(1)));
  const district = select('district', [['', `${t('district')}: ${t('all')}`]], '', (v) => ((f.district = v), void table.reload(1)));
  void districtOptions().then((opts) => district.append(...opts.map(([v, l]) => h('option', { value: v }, l))));
  const detail = h('aside', { class: 'details' }, emptyView(t('clickForDetails')));
  let disposeChart: (() => void) | undefined;

  const table = pagedTable<Cam>({
    columns: [
      { title: 'ID', cell: (c) => c.id, cls: 'mono' },
      { title: t('name'), cell: (c) => c.name },
      { title: t('status'), cell: (c) => badge(tv(c.status), `st-${c.status}`) },
      { title: t('since'), cell: (c) => fmtTime(c.statusSince) },
      { title: t('priority'), cell: (c) => tv(c.priority) },
      { title: t('district'), cell: (c) => placeName(c.districtId) },
      { title: t('cell'), cell: (c) => placeName(c.cellId) },
    ],
    fetch: async (page, limit) => {
      await placesReady();
      return get<Page<Cam>>('/api/v1/cameras', { page, limit, q: f.q, status: f.status, district: f.district, sort: 'id' });
    },
    onRow: (c) => showCamera(c),
  });

  const showCamera = (c: Cam) => {
    disposeChart?.();
    const timeline = h('div', { class: 'timeline' });
    const shot = h('div', { class: 'snapshot' });
    detail.replaceChildren(
      h('h3', {}, c.name),
      h('dl', {},
        h('dt', {}, t('status')), h('dd', {}, badge(tv(c.status), `st-${c.status}`), ' ', fmtTime(c.statusSince)),
        h('dt', {}, 'ONVIF'), h('dd', {}, [c.manufacturer, c.model, c.firmware].filter(Boolean).join(' · ') || '—'),
        h('dt', {}, t('lastSeen')), h('dd', {}, fmtTime(c.lastSeen)),
      ),
      h('h4', {}, t('healthTimeline')),
      timeline,
      h('h4', {}, t('snapshot')),
      shot,
    );
    // The snapshot is fetched from the camera when asked: it costs the camera a JPEG encode.
    shot.append(h('button', { onclick: async () => {
      shot.replaceChildren(loadingView());
      try {
        shot.replaceChildren(h('img', { src: await imageUrl(`/api/v1/cameras/${encodeURIComponent(c.id)}/snapshot`), alt: c.name }));
      } catch {
        shot.replaceChildren(emptyView(t('noSnapshot')));
      }
    } }, t('show')));
    const from = new Date(Date.now() - 24 * 3600_000).toISOString();
    void load(timeline, () => get<{ items: HealthPoint[] }>(`/api/v1/cameras/${encodeURIComponent(c.id)}/health`, { from }), (r) => {
      if (r.items.length === 0) return emptyView(t('noHealth'));
      const el = h('div', { class: 'chart small', 'data-testid': 'health-chart' });
      queueMicrotask(() => {
        const { chart, dispose } = chartIn(el);
        disposeChart = dispose;
        chart.setOption({
          tooltip: { trigger: 'axis' },
          grid: { left: 40, right: 10, top: 10, bottom: 30 },
          xAxis: { type: 'time' },
          yAxis: { type: 'value', name: 'ms' },
          series: [
            { type: 'line', name: 'latency', showSymbol: false, data: r.items.filter((p) => p.reachable).map((p) => [p.ts, p.latencyMs]) },
            { type: 'scatter', name: 'failed', symbolSize: 6, itemStyle: { color: '#d64541' }, data: r.items.filter((p) => !p.reachable).map((p) => [p.ts, 0]) },
          ],
        });
      });
      return el;
    });
  };

  root.append(h('div', { class: 'toolbar' }, search, status, district), h('div', { class: 'split' }, table.el, detail));
  void table.reload(1);
  const off = onLive('camera.status', () => {
    // A state changed somewhere in scope: refresh the visible page quietly at most every few seconds.
    refreshSoon();
  });
  let refresh: ReturnType<typeof setTimeout> | undefined;
  const refreshSoon = () => (refresh ??= setTimeout(() => ((refresh = undefined), void table.reload()), 3000));
  return () => {
    off();
    clearTimeout(refresh);
    disposeChart?.();
  };
}
