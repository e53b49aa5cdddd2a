// Live: the alert feed (pushed, with sound and highlight for high severity, acknowledge and resolve) beside the map
// of grid cells coloured by coverage with cameras by state.
import { get, imageUrl, post, type Page, type Session } from '../api.ts';
import type { LiveAlert } from '../../../core/socket/events.ts';
import { alertTitle, fmtTime, t, tv } from '../i18n.ts';
import { liveSocket, onLive } from '../live.ts';
import { badge, emptyView, errorView, h, loadingView } from '../ui.ts';
import { liveMap } from './live-map.ts';
import { placeName, placesReady } from './districts.ts';
import { clipsPanel, icon, livePanel } from '../video.ts';
import { alertNames } from '../alert-names.ts';
import { alertCameras, CLIP_KINDS } from '../../../core/events/alert-cameras.ts';

const LOUD = new Set(['high', 'critical']);

export function livePage(root: HTMLElement, s: Session): () => void {
  const feed = h('ul', { class: 'alert-feed', 'data-testid': 'alert-feed', 'aria-live': 'polite' });
  const feedBox = h('div', { class: 'feed-box' }, loadingView());
  const mapBox = h('section', { class: 'map-panel' });
  root.append(h('div', { class: 'live-grid' }, h('section', { class: 'feed-panel' }, h('h2', {}, t('openAlerts')), feedBox), mapBox));
  const canAct = s.user.role !== 'supervisor';
  const shown = new Map<string, HTMLLIElement>();

  const item = (a: LiveAlert, fresh = false): HTMLLIElement => {
    const title = h('div', { class: 'alert-title' }, alertTitle(a));
    const place = (property?: string) =>
      [a.place.district, a.place.cell]
        .filter(Boolean)
        .map(placeName)
        .concat(a.propertyId ? [property ?? a.propertyId] : [])
        .join(' · ');
    const where = h('span', {}, place());
    void alertNames(a).then((names) => {
      title.textContent = alertTitle(a, names);
      if (names.property) where.textContent = place(names.property);
    });
    const li = h(
      'li',
      {
        class: `alert sev-${a.severity} state-${a.state}${fresh && LOUD.has(a.severity) ? ' flash' : ''}`,
        'data-alert-id': a.alertId,
        'data-kind': a.kind,
      },
      h(
        'div',
        { class: 'alert-head' },
        badge(tv(a.severity), `sev-${a.severity}`),
        h('strong', {}, tv(a.kind)),
        h('time', { datetime: a.ts }, fmtTime(a.ts)),
      ),
      title,
      h('div', { class: 'alert-meta' }, where, ' ', badge(tv(a.state), `state-${a.state}`)),
    );
    const snaps = ((a.evidence as { snapshots?: Array<{ cameraId?: string; path?: string }> }).snapshots ?? [])
      .map((x, i) => ({ ...x, i }))
      .filter((x) => x.path);
    if (snaps.length) {
      const shots = h('div', { class: 'alert-shots' });
      li.append(
        h(
          'div',
          { class: 'alert-evidence' },
          `${t('snapshot')}: `,
          ...snaps.map((x) =>
            h(
              'button',
              {
                class: 'link',
                onclick: async () => {
                  shots.replaceChildren(loadingView());
                  try {
                    shots.replaceChildren(
                      h('img', { src: await imageUrl(`/api/v1/alerts/${a.alertId}/snapshots/${x.i}`), alt: x.cameraId ?? '' }),
                    );
                  } catch (err) {
                    shots.replaceChildren(errorView(err));
                  }
                },
              },
              icon('image'),
              ` ${x.cameraId ?? x.i}`,
            ),
          ),
        ),
        shots,
      );
    }
    const cams = alertCameras(a);
    if (cams.length || CLIP_KINDS.has(a.kind)) {
      const videos = h('div', { class: 'alert-videos' });
      const open = (panel: HTMLElement) => videos.replaceChildren(panel);
      li.append(
        h(
          'div',
          { class: 'alert-evidence' },
          ...cams.map((c) =>
            h(
              'button',
              {
                class: 'link',
                'data-testid': 'open-live',
                'data-camera-id': c,
                title: t('liveView'),
                onclick: () => open(livePanel(c, a.alertId)),
              },
              icon('video'),
              ` ${t('liveView')} ${c}`,
            ),
          ),
          CLIP_KINDS.has(a.kind)
            ? h(
                'button',
                { class: 'link', 'data-testid': 'open-clips', onclick: () => open(clipsPanel(a.alertId)) },
                icon('film'),
                ` ${t('clips')}`,
              )
            : null,
        ),
        videos,
      );
    }
    if (canAct && a.state !== 'resolved') {
      const act = (action: 'ack' | 'resolve') => async (ev: Event) => {
        (ev.target as HTMLButtonElement).disabled = true;
        try {
          update(await post<LiveAlert>(`/api/v1/alerts/${a.alertId}/${action}`));
        } catch (err) {
          li.append(errorView(err));
        }
      };
      const buttons = h('div', { class: 'alert-actions' });
      if (a.state === 'open') buttons.append(h('button', { onclick: act('ack') }, t('ack')));
      buttons.append(h('button', { onclick: act('resolve') }, t('resolve')));
      li.append(buttons);
    }
    return li;
  };

  const refreshEmpty = () => {
    if (shown.size === 0) feedBox.replaceChildren(emptyView(t('noAlerts')));
    else if (!feed.isConnected) feedBox.replaceChildren(feed);
  };

  const add = (a: LiveAlert, fresh: boolean) => {
    if (a.state === 'resolved' || shown.has(a.alertId)) return;
    const li = item(a, fresh);
    shown.set(a.alertId, li);
    if (fresh) feed.prepend(li);
    else feed.append(li);
    refreshEmpty();
    if (fresh && LOUD.has(a.severity)) beep(a.severity === 'critical' ? 2 : 1);
  };

  const update = (a: LiveAlert) => {
    const old = shown.get(a.alertId);
    if (!old) return;
    if (a.state === 'resolved') {
      old.remove();
      shown.delete(a.alertId);
    } else {
      const li = item(a);
      old.replaceWith(li);
      shown.set(a.alertId, li);
    }
    refreshEmpty();
  };

  // Subscribe first, then load: an alert pushed while the list loads is not lost (duplicates are skipped).
  const offs = [onLive('alert', (a) => add(a, true)), onLive('alert.updated', update)];
  const loadFeed = async (quiet = false) => {
    if (!quiet) feedBox.replaceChildren(loadingView());
    try {
      await placesReady();
      const [open, acked] = await Promise.all(
        (['open', 'acknowledged'] as const).map((state) => get<Page<LiveAlert>>('/api/v1/alerts', { state, limit: 100, sort: 'severity' })),
      );
      const current = [...open.items, ...acked.items];
      // Alerts resolved while the connection was down leave the feed.
      const ids = new Set(current.map((a) => a.alertId));
      if (quiet) {
        for (const [id, li] of shown) {
          if (ids.has(id)) continue;
          li.remove();
          shown.delete(id);
        }
      }
      for (const a of current) add(a, false);
      refreshEmpty();
    } catch (err) {
      if (!quiet) feedBox.replaceChildren(errorView(err, () => void loadFeed()));
    }
  };
  void loadFeed();
  // After a reconnect, alerts pushed while away are fetched again (the list skips those already shown).
  const socket = liveSocket();
  let first = socket.connected;
  const onConnect = () => {
    if (first) void loadFeed(true);
    first = true;
  };
  socket.on('connect', onConnect);
  const map = liveMap(mapBox, { figures: s.user.role === 'admin' || s.user.role === 'supervisor' });
  return () => {
    offs.forEach((off) => off());
    socket.off('connect', onConnect);
    map.dispose();
  };
}

let audio: AudioContext | undefined;

/** A short tone (no sound file needed); browsers allow it after the first click on the page. */
function beep(times: number): void {
  try {
    audio ??= new AudioContext();
    for (let i = 0; i < times; i++) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      const at = audio.currentTime + i * 0.35;
      osc.start(at);
      osc.stop(at + 0.2);
    }
  } catch {
    /* no audio device */
  }
}
