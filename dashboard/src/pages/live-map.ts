// The live map: grid cells from the API's GeoJSON (no tile server), coloured by coverage, cameras by state,
// updated by camera.status pushes; click a cell or a camera for details and the latest snapshot.
import { get, imageUrl, type Page } from '../api.ts';
import { chartIn, echarts, STATUS_COLOURS } from '../charts.ts';
import { currentLang, fmtTime, t, tv } from '../i18n.ts';
import { onLive } from '../live.ts';
import { badge, emptyView, errorView, h, loadingView, select } from '../ui.ts';
import type { Static } from '@sinclair/typebox';
import type { Figures } from '../../../gateway/routes/supervisor/supervisor.schema.ts';
import type { Camera } from '../../../gateway/schemas/resources.ts';
import type { FeatureCollection as FeatureCollectionSchema } from '../../../gateway/routes/grid/grid.schema.ts';
import type { CoverageItem as CoverageItemSchema, CoverageList } from '../../../gateway/routes/coverage/coverage.schema.ts';
import { icon, livePanel } from '../video.ts';
import { localName } from './districts.ts';

type FeatureCollection = Static<typeof FeatureCollectionSchema>;
/** The map's use of the gateway's Camera schema. */
type Cam = Pick<
  Static<typeof Camera>,
  'id' | 'name' | 'nameZh' | 'lon' | 'lat' | 'status' | 'statusSince' | 'cellId' | 'priority' | 'model'
>;
type CoverageItem = Static<typeof CoverageItemSchema>;

type ColourBy = 'coverage' | 'onlineRate' | 'intactRate' | 'keyCoverage';

/**
 * The colour scale of the map: from the lowest to the highest value shown (rounded out to 5 %, at least 10 % wide), so
 * cells that differ look different even when all are low (a city at 14 % area coverage is not one red).
 */
export function scaleOf(values: number[]): { min: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  let min = Math.floor(Math.min(...values) / 5) * 5;
  let max = Math.ceil(Math.max(...values) / 5) * 5;
  if (max - min < 10) {
    max = Math.min(100, min + 10);
    min = Math.max(0, max - 10);
  }
  return { min, max };
}

/** The map; `figures`: the viewer may colour cells by the supervisors' figures too (admins, supervisors). */
export function liveMap(box: HTMLElement, opts: { figures?: boolean } = {}): { dispose: () => void } {
  const chartEl = h('div', { class: 'map', 'data-testid': 'map' });
  const note = h('p', { class: 'note' });
  const details = h('aside', { class: 'details', 'data-testid': 'map-details' }, h('p', { class: 'state empty' }, t('clickForDetails')));
  const body = h('div', { class: 'map-body' }, loadingView());
  let colourBy: (by: ColourBy) => Promise<void> = async () => {};
  const by = opts.figures
    ? select(
        'colour-by',
        (['coverage', 'onlineRate', 'intactRate', 'keyCoverage'] as const).map((k): [string, string] => [k, `${t('colourBy')}: ${t(k)}`]),
        'coverage',
        (v) => void colourBy(v as ColourBy),
      )
    : null;
  box.append(h('h2', {}, t('map')), ...(by ? [h('div', { class: 'toolbar' }, by)] : []), body, note);
  let disposeChart: (() => void) | undefined;
  let off: (() => void) | undefined;
  let disposed = false;

  const start = async () => {
    body.replaceChildren(loadingView());
    try {
      const [fc, cams] = await Promise.all([get<FeatureCollection>('/api/v1/grid/cells.geojson'), allCameras()]);
      if (disposed) return;
      const coverage = await get<Static<typeof CoverageList>>('/api/v1/coverage', { level: 'cell' })
        .then((r) => r.items)
        .catch(() => undefined);
      // The page may have been left while loading: drawing into a detached element makes ECharts fail.
      if (disposed) return;
      note.textContent = coverage ? '' : t('coverageUnavailable');
      if (fc.features.length === 0 && cams.length === 0) {
        body.replaceChildren(emptyView());
        return;
      }
      body.replaceChildren(chartEl, details);
      draw(fc, cams, new Map((coverage ?? []).map((c) => [c.unitId, c])));
    } catch (err) {
      body.replaceChildren(errorView(err, () => void start()));
    }
  };

  const draw = (fc: FeatureCollection, cams: Cam[], coverage: Map<string, CoverageItem>) => {
    const { chart, dispose } = chartIn(chartEl);
    disposeChart = dispose;
    const cells = new Map(fc.features.map((f) => [f.id, f.properties]));
    // ECharts matches regions by properties.name: use the cell id, show names in labels.
    const geo = { type: 'FeatureCollection', features: fc.features.map((f) => ({ ...f, properties: { ...f.properties, name: f.id } })) };
    {
      echarts.registerMap('gridwatch-cells', geo as never);
      const byId = new Map(cams.map((c) => [c.id, c]));
      const camData = () =>
        [...byId.values()]
          .filter((c) => c.lon !== null && c.lat !== null)
          .map((c) => ({ name: c.id, value: [c.lon, c.lat], itemStyle: { color: STATUS_COLOURS[c.status] ?? '#888' } }));
      const cellName = (id: string) => {
        const c = cells.get(id);
        return (currentLang() === 'zh-CN' && c?.nameZh) || c?.name || id;
      };
      // Cell colours: area coverage now, or a supervisor's figure over the last 7 days, in percent.
      let shownBy: ColourBy = 'coverage';
      let values = new Map([...coverage].map(([id, c]) => [id, c.rate * 100]));
      const cellData = () => fc.features.map((f) => ({ name: f.id, value: values.get(f.id) ?? NaN }));
      const visualMap = () => {
        const range = scaleOf([...values.values()].filter((v) => !Number.isNaN(v)));
        chartEl.dataset.colourBy = shownBy;
        chartEl.dataset.scale = range ? `${range.min}-${range.max}` : '';
        return range
          ? {
              ...range,
              left: 8,
              bottom: 8,
              text: [`${range.max}%`, `${range.min}%`],
              calculable: false,
              seriesIndex: 0,
              inRange: { color: ['#d64541', '#f0a30a', '#2e9d57'] },
            }
          : undefined;
      };
      let figures: Promise<Figures> | undefined;
      colourBy = async (key) => {
        if (key === 'coverage') values = new Map([...coverage].map(([id, c]) => [id, c.rate * 100]));
        else {
          figures ??= get<Figures>('/api/v1/supervisor/figures', { cells: true });
          try {
            const f = await figures;
            values = new Map((f.cells ?? []).filter((c) => c[key] !== null).map((c) => [c.id, c[key]! * 100]));
          } catch (err) {
            figures = undefined;
            note.replaceChildren(errorView(err));
            return;
          }
        }
        shownBy = key;
        const vm = visualMap();
        chart.setOption({ visualMap: vm ?? { show: false }, series: [{ data: cellData() }, {}] });
      };
      chart.setOption({
        tooltip: {
          trigger: 'item',
          formatter: (p: { seriesType: string; name: string; value: unknown }) =>
            p.seriesType === 'scatter'
              ? `${byId.has(p.name) ? localName(byId.get(p.name)!) : p.name}<br>${tv(byId.get(p.name)?.status)}`
              : `${cellName(p.name)}<br>${t(shownBy)}: ${typeof p.value === 'number' && !Number.isNaN(p.value) ? `${p.value.toFixed(1)}%` : '—'}`,
        },
        geo: {
          map: 'gridwatch-cells',
          roam: true,
          itemStyle: { areaColor: '#e8ecf2', borderColor: '#5b6b82' },
          emphasis: { label: { show: false } },
        },
        visualMap: visualMap(),
        series: [
          {
            type: 'map',
            geoIndex: 0,
            data: cellData(),
          },
          { type: 'scatter', coordinateSystem: 'geo', symbolSize: 7, data: camData(), z: 5 },
        ],
      });
      chart.on('click', (p) => {
        const params = p as unknown as { seriesType?: string; componentType?: string; name: string };
        if (params.seriesType === 'scatter') void showCamera(params.name);
        else showCell(params.name);
      });
      const showCell = (id: string) => {
        const cov = coverage.get(id);
        const inCell = [...byId.values()].filter((c) => c.cellId === id);
        details.replaceChildren(
          h('h3', {}, cellName(id)),
          h('p', {}, `${t('coverage')}: ${cov ? `${(cov.rate * 100).toFixed(1)}%` : '—'}`),
          h('p', {}, `${t('cameras')}: ${inCell.length} (${inCell.filter((c) => c.status === 'online').length} ${tv('online')})`),
          h(
            'ul',
            { class: 'plain' },
            ...inCell.map((c) =>
              h(
                'li',
                {},
                h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), void showCamera(c.id)) }, localName(c)),
                ' ',
                badge(tv(c.status), `st-${c.status}`),
              ),
            ),
          ),
        );
      };
      const showCamera = async (id: string) => {
        const c = byId.get(id);
        if (!c) return;
        const img = h('div', { class: 'snapshot' }, loadingView());
        const live = h('div', { class: 'live-slot' });
        details.replaceChildren(
          h('h3', {}, localName(c)),
          h('p', {}, badge(tv(c.status), `st-${c.status}`), ' ', `${t('since')} ${fmtTime(c.statusSince)}`),
          h('p', {}, `${t('cell')}: ${c.cellId ? cellName(c.cellId) : '—'} · ${t('priority')}: ${tv(c.priority)}`),
          h(
            'p',
            {},
            h(
              'button',
              { class: 'link', 'data-testid': 'open-live', 'data-camera-id': c.id, onclick: () => live.replaceChildren(livePanel(c.id)) },
              icon('video'),
              ` ${t('openLive')}`,
            ),
          ),
          live,
          h('h4', {}, t('snapshot')),
          img,
        );
        try {
          img.replaceChildren(h('img', { src: await imageUrl(`/api/v1/cameras/${encodeURIComponent(id)}/snapshot`), alt: localName(c) }));
        } catch {
          img.replaceChildren(emptyView(t('noSnapshot')));
        }
      };
      let pending: ReturnType<typeof setTimeout> | undefined;
      off = onLive('camera.status', (s) => {
        const c = byId.get(s.cameraId);
        if (!c) return;
        c.status = s.to;
        c.statusSince = s.ts;
        // Many cameras can change at once (a district loses power): redraw at most a few times a second.
        pending ??= setTimeout(() => {
          pending = undefined;
          chart.setOption({ series: [{}, { data: camData() }] });
        }, 250);
      });
    }
  };

  void start();
  return {
    dispose: () => {
      disposed = true;
      off?.();
      disposeChart?.();
    },
  };
}

/** Every camera in scope, page by page (the map shows them all). */
async function allCameras(): Promise<Cam[]> {
  const out: Cam[] = [];
  for (let page = 1; page <= 50; page++) {
    const r = await get<Page<Cam>>('/api/v1/cameras', { page, limit: 1000 });
    out.push(...r.items);
    if (out.length >= r.total || r.items.length === 0) break;
  }
  return out;
}
