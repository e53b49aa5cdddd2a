// Doors: the doors of the compounds in scope and the door events (pushed live), filtered by door and type.
import { get, imageUrl, type Page } from '../api.ts';
import type { Static } from '@sinclair/typebox';
import type { Door as DoorSchema, DoorEventItem } from '../../../gateway/schemas/resources.ts';
import { fmtTime, t, tv } from '../i18n.ts';
import { liveSocket, onLive } from '../live.ts';
import { badge, h, pagedTable, select } from '../ui.ts';
import { icon } from '../video.ts';
import { localName } from './districts.ts';

// Response shapes from the gateway's schemas.
type Door = Static<typeof DoorSchema>;
type Ev = Static<typeof DoorEventItem>;

const propertyName = (d: Door) => localName({ name: d.propertyName, nameZh: d.propertyNameZh });

const TYPES = ['granted', 'denied', 'forced_open', 'held_open', 'door_closed', 'tamper', 'face_capture'];
const ALARM = new Set(['forced_open', 'held_open', 'tamper']);

export function doorsPage(root: HTMLElement): () => void {
  const f = { q: '', door: '', type: '' };
  const search = h('input', { type: 'search', placeholder: t('search'), 'aria-label': t('search') });
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((f.q = search.value.trim()), void doors.reload(1)), 250);
  });
  const doorLabel = h('span', { class: 'chip', hidden: true });
  const type = select(
    'type',
    [['', `${t('type')}: ${t('all')}`], ...TYPES.map((x): [string, string] => [x, tv(x)])],
    '',
    (v) => ((f.type = v), void events.reload(1)),
  );

  const doors = pagedTable<Door>({
    limit: 15,
    columns: [
      { title: t('door'), cell: (d) => localName(d) },
      { title: t('property'), cell: (d) => propertyName(d) },
      { title: t('lastEvent'), cell: (d) => (d.lastEventAt ? `${tv(d.lastEventType)} · ${fmtTime(d.lastEventAt)}` : '—') },
    ],
    fetch: (page, limit) => get<Page<Door>>('/api/v1/doors', { page, limit, q: f.q, sort: 'property' }),
    onRow: (d) => {
      f.door = f.door === d.id ? '' : d.id;
      doorLabel.hidden = !f.door;
      doorLabel.textContent = `${t('door')}: ${propertyName(d)} · ${localName(d)} ✕`;
      void events.reload(1);
    },
  });
  doorLabel.addEventListener('click', () => ((f.door = ''), (doorLabel.hidden = true), void events.reload(1)));

  const events = pagedTable<Ev>({
    columns: [
      { title: t('time'), cell: (e) => h('time', { datetime: e.ts }, fmtTime(e.ts)) },
      {
        title: t('property'),
        cell: (e) => (e.propertyName ? localName({ name: e.propertyName, nameZh: e.propertyNameZh }) : e.propertyId),
      },
      { title: t('door'), cell: (e) => (e.doorName ? localName({ name: e.doorName, nameZh: e.doorNameZh }) : e.doorId) },
      { title: t('type'), cell: (e) => badge(tv(e.type), ALARM.has(e.type) ? 'sev-high' : 'neutral') },
      { title: t('direction'), cell: (e) => tv(e.direction) },
      { title: t('credential'), cell: (e) => (e.credentialKind ? `${e.credentialKind} ${e.credentialId ?? ''}` : '—') },
      { title: t('image'), cell: (e) => (e.imagePath ? imageCell(e) : '—') },
    ],
    rowClass: (e) => `door-event type-${e.type}`,
    fetch: (page, limit) => get<Page<Ev>>('/api/v1/door-events', { page, limit, door: f.door, type: f.type, sort: '-ts' }),
  });

  root.append(
    h(
      'div',
      { class: 'split wide-right' },
      h('section', {}, h('h2', {}, t('doors')), h('div', { class: 'toolbar' }, search), doors.el),
      h(
        'section',
        { 'data-testid': 'door-events' },
        h('h2', {}, t('doorEvents')),
        h('div', { class: 'toolbar' }, type, doorLabel),
        events.el,
      ),
    ),
  );
  void doors.reload(1);
  void events.reload(1);
  // Door events come only to screens that ask (there are many): ask now and after every reconnect.
  const socket = liveSocket();
  const follow = () => void socket.emit('follow', ['door.event']);
  follow();
  socket.on('connect', follow);
  let pending: ReturnType<typeof setTimeout> | undefined;
  const off = onLive('door.event', (e) => {
    if ((f.door && e.doorId !== f.door) || (f.type && e.type !== f.type)) return;
    pending ??= setTimeout(() => ((pending = undefined), void events.reload(1)), 500);
  });
  return () => {
    off();
    socket.off('connect', follow);
    socket.emit('unfollow', ['door.event']);
    clearTimeout(pending);
  };
}

function imageCell(e: Ev): HTMLElement {
  const box = h('span', { class: 'thumb' });
  const btn = h('button', { class: 'link', title: t('image'), 'aria-label': t('image') }, icon('image'));
  btn.addEventListener('click', async () => {
    try {
      box.replaceChildren(
        h('img', { src: await imageUrl(`/api/v1/door-events/${e.eventId}/image?ts=${encodeURIComponent(e.ts)}`), alt: e.type }),
      );
    } catch {
      box.replaceChildren('—');
    }
  });
  box.append(btn);
  return box;
}
