// Cameras: a searchable, filterable table; a camera's details and its health timeline (last 24 hours); for
// administrators the ONVIF authentication state and a form to set a camera's credentials.
import type { Static } from '@sinclair/typebox';
import type { Camera, HealthPoint as HealthPointSchema } from '../../../gateway/schemas/resources.ts';
import { ApiError, get, imageUrl, request, type Page, type Session } from '../api.ts';
import { chartIn } from '../charts.ts';
import { fmtTime, t, tv } from '../i18n.ts';
import { onLive } from '../live.ts';
import { badge, emptyView, errorView, h, load, loadingView, pagedTable, select, type Column } from '../ui.ts';
import { districtOptions, localName, placeName, placesReady } from './districts.ts';
import { icon, livePanel } from '../video.ts';

// Response shapes from the gateway's schemas (the same ones that document and serialise the API).
type Cam = Static<typeof Camera>;
type HealthPoint = Static<typeof HealthPointSchema>;

const STATES = ['online', 'suspect', 'offline', 'recovering', 'flapping', 'unknown'];

export function camerasPage(root: HTMLElement, s: Session): () => void {
  const admin = s.user.role === 'admin';
  const f = { q: '', status: '', district: '' };
  const search = h('input', { type: 'search', placeholder: t('search'), 'aria-label': t('search') });
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((f.q = search.value.trim()), void table.reload(1)), 250);
  });
  const status = select(
    'status',
    [['', `${t('status')}: ${t('all')}`], ...STATES.map((s): [string, string] => [s, tv(s)])],
    '',
    (v) => ((f.status = v), void table.reload(1)),
  );
  const district = select('district', [['', `${t('district')}: ${t('all')}`]], '', (v) => ((f.district = v), void table.reload(1)));
  void districtOptions().then((opts) => district.append(...opts.map(([v, l]) => h('option', { value: v }, l))));
  const detail = h('aside', { class: 'details' }, emptyView(t('clickCameraForDetails')));
  let disposeChart: (() => void) | undefined;

  // Administrators see which cameras refuse their credentials, and set them from the row.
  const adminColumns: Column<Cam>[] = [
    {
      title: t('auth'),
      cell: (c) =>
        h(
          'span',
          { class: 'auth-cell' },
          authBadge(c),
          h(
            'button',
            { class: 'small set-credentials', onclick: (e: Event) => (e.stopPropagation(), showCredentials(c)) },
            t('setCredentials'),
          ),
        ),
    },
  ];
  const table = pagedTable<Cam>({
    columns: [
      { title: 'ID', cell: (c) => c.id, cls: 'mono' },
      { title: t('name'), cell: (c) => localName(c) },
      { title: t('status'), cell: (c) => badge(tv(c.status), `st-${c.status}`) },
      { title: t('since'), cell: (c) => fmtTime(c.statusSince) },
      { title: t('priority'), cell: (c) => tv(c.priority) },
      { title: t('district'), cell: (c) => placeName(c.districtId) },
      { title: t('cell'), cell: (c) => placeName(c.cellId) },
      ...(admin ? adminColumns : []),
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
    const live = h('div', { class: 'live-slot' });
    detail.replaceChildren(
      h('h3', {}, localName(c)),
      h(
        'p',
        {},
        h(
          'button',
          {
            class: 'link',
            'data-testid': 'open-live',
            'data-camera-id': c.id,
            onclick: () => live.replaceChildren(livePanel(c.id)),
          },
          icon('video'),
          ` ${t('openLive')}`,
        ),
      ),
      live,
      h(
        'dl',
        {},
        h('dt', {}, t('status')),
        h('dd', {}, badge(tv(c.status), `st-${c.status}`), ' ', fmtTime(c.statusSince)),
        h('dt', {}, 'ONVIF'),
        h('dd', {}, [c.manufacturer, c.model, c.firmware].filter(Boolean).join(' · ') || '—'),
        h('dt', {}, t('lastSeen')),
        h('dd', {}, fmtTime(c.lastSeen)),
        // What the last ONVIF inventory could not read (the rest is kept), and optional services the camera lacks.
        h('dt', {}, t('inventory')),
        h('dd', { 'data-testid': 'inventory' }, ...inventoryLines(c)),
        admin ? h('dt', {}, t('auth')) : null,
        admin
          ? h('dd', {}, authBadge(c), ' ', h('button', { class: 'link', onclick: () => showCredentials(c) }, t('setCredentials')))
          : null,
      ),
      h('h4', {}, t('healthTimeline')),
      timeline,
      h('h4', {}, t('snapshot')),
      shot,
    );
    // The snapshot is fetched from the camera when asked: it costs the camera a JPEG encode.
    shot.append(
      h(
        'button',
        {
          onclick: async () => {
            shot.replaceChildren(loadingView());
            try {
              shot.replaceChildren(
                h('img', { src: await imageUrl(`/api/v1/cameras/${encodeURIComponent(c.id)}/snapshot`), alt: localName(c) }),
              );
            } catch {
              shot.replaceChildren(emptyView(t('noSnapshot')));
            }
          },
        },
        t('show'),
      ),
    );
    const from = new Date(Date.now() - 24 * 3600_000).toISOString();
    void load(
      timeline,
      () => get<{ items: HealthPoint[] }>(`/api/v1/cameras/${encodeURIComponent(c.id)}/health`, { from }),
      (r) => {
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
              {
                type: 'line',
                name: 'latency',
                showSymbol: false,
                data: r.items.filter((p) => p.reachable).map((p) => [p.ts, p.latencyMs]),
              },
              {
                type: 'scatter',
                name: 'failed',
                symbolSize: 6,
                itemStyle: { color: '#d64541' },
                data: r.items.filter((p) => !p.reachable).map((p) => [p.ts, 0]),
              },
            ],
          });
        });
        return el;
      },
    );
  };

  const inventoryLines = (c: Cam) => {
    const lines = (c.inventoryErrors ?? []).map((e) =>
      h('div', { class: 'inventory-error' }, t('inventoryFailed', { call: e.call, errorClass: tv(e.errorClass), message: e.message })),
    );
    const lacks = Object.entries(c.capabilities ?? {})
      .filter(([, has]) => !has)
      .map(([what]) => h('div', { class: 'muted' }, t('lacks', { what })));
    return lines.length || lacks.length ? [...lines, ...lacks] : [t('inventoryComplete')];
  };

  // The password goes to the API once and is not kept: the inputs are emptied whatever the answer.
  const showCredentials = (c: Cam) => {
    disposeChart?.();
    disposeChart = undefined;
    const username = h('input', { name: 'username', autocomplete: 'off', placeholder: t('username'), 'aria-label': t('username') });
    const password = h('input', {
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      placeholder: t('password'),
      'aria-label': t('password'),
    });
    const msg = h('div', { class: 'credentials-result' });
    const submit = h('button', { type: 'submit' }, t('save'));
    // No browser-side length rules: the API's schema is the one source and its 400 names the field.
    const form = h(
      'form',
      { class: 'inline-form credentials', novalidate: true, autocomplete: 'off' },
      username,
      password,
      submit,
      h('button', { type: 'button', onclick: () => showCamera(c) }, t('cancel')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      msg.replaceChildren();
      const body = JSON.stringify({ username: username.value, password: password.value });
      password.value = '';
      try {
        await request(`/api/v1/cameras/${encodeURIComponent(c.id)}/credentials`, { method: 'PUT', body });
        username.value = '';
        msg.replaceChildren(h('p', { class: 'state ok', role: 'status' }, t('credentialsSaved', { camera: localName(c) })));
        void table.reload();
      } catch (err) {
        msg.replaceChildren(
          err instanceof ApiError && err.status === 400 ? h('div', { class: 'state error', role: 'alert' }, err.message) : errorView(err),
        );
      } finally {
        submit.disabled = false;
      }
    });
    detail.replaceChildren(
      h('h3', {}, t('credentialsFor', { camera: localName(c) })),
      h('p', {}, h('span', { class: 'mono' }, c.id), ' ', authBadge(c)),
      form,
      h('p', { class: 'note' }, t('credentialsHint')),
      msg,
    );
    username.focus();
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

function authBadge(c: Cam): HTMLElement {
  return badge(tv(c.authState), `auth-${c.authState}`);
}
