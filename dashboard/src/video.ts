// Camera video in the dashboard: a camera live (fragmented MP4 through Media Source Extensions, or an MJPEG camera's
// stream in an <img>) and an alert's event clips, each opened with a short-lived ticket URL the API hands out.
import { ApiError, get, post } from './api.ts';
import type { AlertClips as Clips, LiveTicket as Ticket } from '../../gateway/schemas/video.ts';
import { fmtTime, t } from './i18n.ts';
import { emptyView, errorView, h, loadingView } from './ui.ts';

const SVG = 'http://www.w3.org/2000/svg';
const PATHS: Record<'video' | 'image' | 'film', string> = {
  video: 'M3 6h12v12H3z M15 10l6-3v10l-6-3z',
  image: 'M3 5h18v14H3z M3 16l5-5 4 4 3-3 6 6 M15.5 9.5a1.5 1.5 0 1 0 0.01 0',
  film: 'M4 4h16v16H4z M8 4v16 M16 4v16 M4 8h4 M4 12h4 M4 16h4 M16 8h4 M16 12h4 M16 16h4',
};

/** A line icon (SVG; no emoji font needed). */
export function icon(name: keyof typeof PATHS): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', PATHS[name]);
  p.setAttribute('fill', 'none');
  p.setAttribute('stroke', 'currentColor');
  p.setAttribute('stroke-width', '1.8');
  p.setAttribute('stroke-linejoin', 'round');
  svg.append(p);
  return svg;
}

function videoError(err: unknown): HTMLElement {
  if (err instanceof ApiError && err.status === 404) return h('p', { class: 'state error', role: 'alert' }, t('noStream'));
  if (err instanceof ApiError && err.status === 429) return h('p', { class: 'state error', role: 'alert' }, t('tooManyViewers'));
  if (err instanceof ApiError && err.status === 502) return h('p', { class: 'state error', role: 'alert' }, t('streamFailed'));
  return errorView(err);
}

/** A panel playing a camera live; the stream stops when the panel is closed or leaves the page. */
export function livePanel(cameraId: string, alertId?: string): HTMLElement {
  const ac = new AbortController();
  const body = h('div', { class: 'video-body' }, loadingView());
  const panel = h(
    'figure',
    { class: 'video-panel', 'data-testid': 'live-view', 'data-camera-id': cameraId },
    h(
      'figcaption',
      {},
      h('span', {}, t('liveOf', { camera: cameraId })),
      h('button', { class: 'link', onclick: () => close() }, t('close')),
    ),
    body,
  );
  const close = () => {
    ac.abort();
    panel.remove();
  };
  void (async () => {
    try {
      const ticket = await post<Ticket>(`/api/v1/live/cameras/${encodeURIComponent(cameraId)}`, alertId ? { alertId } : {});
      if (ticket.kind === 'mjpeg') {
        const img = h('img', { src: ticket.url, alt: cameraId, 'data-testid': 'live-mjpeg' });
        ac.signal.addEventListener('abort', () => img.removeAttribute('src'));
        body.replaceChildren(img);
        return;
      }
      const video = h('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'live-video' });
      video.muted = true;
      body.replaceChildren(video);
      await playFragmentedMp4(video, ticket.url, ac.signal);
    } catch (err) {
      if (!ac.signal.aborted) body.replaceChildren(videoError(err));
    }
  })();
  return panel;
}

/** An alert's event clips, each in a <video> with controls. */
export function clipsPanel(alertId: string): HTMLElement {
  const body = h('div', { class: 'video-body' }, loadingView());
  const panel = h(
    'figure',
    { class: 'video-panel', 'data-testid': 'alert-clips' },
    h('figcaption', {}, h('span', {}, t('clips')), h('button', { class: 'link', onclick: () => panel.remove() }, t('close'))),
    body,
  );
  void (async () => {
    try {
      const { items } = await get<Clips>(`/api/v1/live/alerts/${alertId}/clips`);
      if (!items.length) return body.replaceChildren(emptyView(t('noClips')));
      body.replaceChildren(
        ...items.map((c) =>
          h(
            'div',
            { class: `clip clip-${c.state}`, 'data-camera-id': c.cameraId },
            h('div', { class: 'clip-head' }, h('strong', {}, c.cameraId), ' ', h('time', { datetime: c.from }, fmtTime(c.from))),
            c.url
              ? h('video', { src: c.url, controls: true, muted: true, preload: 'auto', 'data-testid': 'clip-video' })
              : h('p', { class: 'state' }, c.state === 'recording' ? t('clipRecording') : t('clipFailed', { error: c.error ?? '' })),
          ),
        ),
      );
    } catch (err) {
      body.replaceChildren(errorView(err));
    }
  })();
  return panel;
}

/** The codec string of the first H.264 track of an init segment (its avcC box), e.g. avc1.64001f. */
export function avcCodec(init: Uint8Array): string | undefined {
  for (let i = 4; i + 8 <= init.length; i++) {
    if (init[i] === 0x61 && init[i + 1] === 0x76 && init[i + 2] === 0x63 && init[i + 3] === 0x43) {
      const hex = (b: number) => b.toString(16).padStart(2, '0');
      return `avc1.${hex(init[i + 5])}${hex(init[i + 6])}${hex(init[i + 7])}`;
    }
  }
  return undefined;
}

/**
 * Plays an endless fragmented MP4 response through a MediaSource: chunks are appended as they come, the picture is
 * kept near the live edge and the buffer behind it trimmed. Resolves when the stream ends or is aborted.
 */
async function playFragmentedMp4(video: HTMLVideoElement, url: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) {
    const msg = ((await res.json().catch(() => ({}))) as { message?: string }).message;
    throw new ApiError(res.status, msg ?? res.statusText);
  }
  const reader = res.body.getReader();
  const ms = new MediaSource();
  video.src = URL.createObjectURL(ms);
  signal.addEventListener('abort', () => {
    void reader.cancel().catch(() => {});
    URL.revokeObjectURL(video.src);
    video.removeAttribute('src');
    video.load();
  });
  await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
  let sb: SourceBuffer | undefined;
  let head = new Uint8Array(0);
  const queue: Uint8Array[] = [];
  const pump = () => {
    if (!sb || sb.updating || ms.readyState !== 'open') return;
    const b = video.buffered;
    if (b.length) {
      const start = b.start(0);
      const end = b.end(b.length - 1);
      // A viewer who fell behind (tab in the background) jumps to the live edge; the past is dropped.
      if (video.currentTime < start || end - video.currentTime > 4) video.currentTime = Math.max(start, end - 0.5);
      if (video.currentTime - start > 30) return sb.remove(start, video.currentTime - 10);
    }
    if (!queue.length) return;
    const n = queue.reduce((s, q) => s + q.length, 0);
    const all = new Uint8Array(n);
    let at = 0;
    for (const q of queue.splice(0)) {
      all.set(q, at);
      at += q.length;
    }
    sb.appendBuffer(all);
  };
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (done || signal.aborted) break;
    if (!video.isConnected) {
      await reader.cancel().catch(() => {});
      break;
    }
    if (!sb) {
      const joined = new Uint8Array(head.length + value.length);
      joined.set(head);
      joined.set(value, head.length);
      head = joined;
      const codec = avcCodec(head);
      if (!codec) continue;
      sb = ms.addSourceBuffer(`video/mp4; codecs="${codec}"`);
      sb.addEventListener('updateend', () => {
        if (video.paused) void video.play().catch(() => {});
        pump();
      });
      queue.push(head);
    } else queue.push(value);
    pump();
  }
}
