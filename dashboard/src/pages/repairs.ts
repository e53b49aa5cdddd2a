// Repairs (限期整改): tickets overdue first, time left or overdue by, escalation level, and state changes.
import type { Static } from '@sinclair/typebox';
import type { TicketItem } from '../../../gateway/routes/repairs/repairs.schema.ts';
import { get, post, request, type Page, type Session } from '../api.ts';
import { fmtDuration, fmtTime, t, tv } from '../i18n.ts';
import { onLive } from '../live.ts';
import { badge, emptyView, errorView, h, load, pagedTable, select } from '../ui.ts';
import { districtOptions, localName, placeName, placesReady } from './districts.ts';

// A ticket as the API answers it: the ticket, overdue, its unit's names, and (alone) its camera and history.
type Ticket = Static<typeof TicketItem>;
const unitName = (x: Ticket) => (x.unitName ? localName({ name: x.unitName, nameZh: x.unitNameZh }) : (x.unit ?? '—'));
const STATES = ['open', 'dispatched', 'in_progress', 'resolved', 'closed'];
const NEXT: Record<string, string[]> = {
  open: ['dispatched', 'in_progress', 'closed'],
  dispatched: ['in_progress', 'closed'],
  in_progress: ['resolved', 'closed'],
  resolved: ['closed'],
};

export function repairsPage(root: HTMLElement, s: Session): () => void {
  const f = { state: '', overdue: false, district: '' };
  const state = select(
    'state',
    [['', `${t('state')}: ${t('all')}`], ...STATES.map((x): [string, string] => [x, tv(x)])],
    '',
    (v) => ((f.state = v), void table.reload(1)),
  );
  const overdue = h('input', { type: 'checkbox', name: 'overdue' });
  overdue.addEventListener('change', () => ((f.overdue = overdue.checked), void table.reload(1)));
  const district = select('district', [['', `${t('district')}: ${t('all')}`]], '', (v) => ((f.district = v), void table.reload(1)));
  void districtOptions().then((opts) => district.append(...opts.map(([v, l]) => h('option', { value: v }, l))));
  const canChange = s.user.role !== 'property_manager';

  const timeCell = (x: Ticket) => {
    if (x.state === 'resolved' || x.state === 'closed')
      return x.repairSeconds !== undefined ? `${t('repairTime')} ${fmtDuration(x.repairSeconds * 1000)}` : '—';
    const left = new Date(x.deadline).getTime() - Date.now();
    return left >= 0
      ? h('span', { class: 'ok' }, `${t('timeLeft')} ${fmtDuration(left)}`)
      : h('span', { class: 'late' }, `${t('overdueBy')} ${fmtDuration(left)}`);
  };

  const table = pagedTable<Ticket>({
    columns: [
      { title: t('camera'), cell: (x) => (x.camera ? localName(x.camera) : x.cameraId) },
      { title: t('district'), cell: (x) => placeName(x.district) },
      { title: t('state'), cell: (x) => badge(tv(x.state), `state-${x.state}`) },
      { title: t('deadline'), cell: (x) => fmtTime(x.deadline) },
      { title: `${t('timeLeft')} / ${t('overdueBy')}`, cell: timeCell },
      {
        title: t('escalation'),
        cell: (x) => (x.escalationLevel ? badge(`L${x.escalationLevel}`, x.escalationLevel > 1 ? 'sev-critical' : 'sev-high') : '—'),
      },
      { title: t('unit'), cell: (x) => unitName(x) },
      { title: t('setState'), cell: (x) => (canChange && NEXT[x.state] ? stateChanger(x) : '') },
    ],
    rowClass: (x) => (x.overdue ? 'overdue' : ''),
    onRow: (x) => showTicket(x.ticketId),
    fetch: async (page, limit) => {
      await placesReady();
      const query = { state: f.state, district: f.district };
      const r = await get<Page<Ticket>>('/api/v1/repairs', { ...query, page, limit, overdue: f.overdue || undefined });
      // Overdue first: the first page opens with every overdue ticket (most overdue first), then the list.
      if (page === 1 && !f.overdue && (!f.state || ['open', 'dispatched', 'in_progress'].includes(f.state))) {
        const late = await get<Page<Ticket>>('/api/v1/repairs', { ...query, overdue: true, limit: 200 });
        const lateIds = new Set(late.items.map((x) => x.ticketId));
        r.items = [...late.items.sort((a, b) => a.deadline.localeCompare(b.deadline)), ...r.items.filter((x) => !lateIds.has(x.ticketId))];
      }
      return r;
    },
  });

  const stateChanger = (x: Ticket) => {
    const box = h('span', {});
    const sel = select('next', [['', '…'], ...NEXT[x.state].map((n): [string, string] => [n, tv(n)])], '', async (v) => {
      if (!v) return;
      sel.disabled = true;
      try {
        await request(`/api/v1/repairs/${x.ticketId}`, { method: 'PATCH', body: JSON.stringify({ state: v }) });
        void table.reload();
      } catch (err) {
        box.append(errorView(err));
        sel.disabled = false;
      }
    });
    box.append(sel);
    return box;
  };

  const detail = h('aside', { class: 'details', 'data-testid': 'ticket' }, emptyView(t('pickTicket')));
  // One ticket: its history (who changed what, escalations) and a note anyone who may change it can add.
  const showTicket = (id: string) =>
    load(
      detail,
      () => get<Ticket>(`/api/v1/repairs/${id}`),
      (x) => {
        const note = h('input', { name: 'note', placeholder: t('note'), maxlength: 2000 });
        const msg = h('div', {});
        const form = h('form', { class: 'inline-form' }, note, h('button', { type: 'submit' }, t('addNote')), msg);
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          if (!note.value.trim()) return;
          try {
            await post(`/api/v1/repairs/${id}/notes`, { note: note.value.trim() });
            void showTicket(id);
          } catch (err) {
            msg.replaceChildren(errorView(err));
          }
        });
        return h(
          'div',
          {},
          h('h3', {}, x.camera ? localName(x.camera) : x.cameraId),
          h(
            'dl',
            {},
            h('dt', {}, t('state')),
            h('dd', {}, badge(tv(x.state), `state-${x.state}`)),
            h('dt', {}, t('deadline')),
            h('dd', {}, fmtTime(x.deadline)),
            h('dt', {}, t('escalation')),
            // Level 2 is the public notice (通报): supervisors draw up the rectification notice on the Supervision page.
            h(
              'dd',
              {},
              String(x.escalationLevel),
              x.escalationLevel >= 2 && (s.user.role === 'supervisor' || s.user.role === 'admin')
                ? h(
                    'a',
                    { href: `#/supervision${x.district ? `?district=${encodeURIComponent(x.district)}` : ''}`, 'data-testid': 'to-notice' },
                    ` · ${t('noticePdf')}`,
                  )
                : null,
            ),
            h('dt', {}, t('unit')),
            h('dd', {}, unitName(x)),
          ),
          h('h4', {}, t('history')),
          h(
            'ul',
            { class: 'plain history' },
            ...(x.history ?? []).map((e) =>
              h(
                'li',
                {},
                h('time', { datetime: e.ts }, fmtTime(e.ts)),
                ` · ${e.actor}`,
                e.to ? ` · ${tv(e.from)} → ${tv(e.to)}` : '',
                e.note ? ` · ${e.note}` : '',
              ),
            ),
          ),
          canChange ? form : null,
        );
      },
    );
  root.append(
    h('div', { class: 'toolbar' }, state, h('label', {}, overdue, t('overdueOnly')), district),
    h('div', { class: 'split' }, table.el, detail),
  );
  void table.reload(1);
  let pending: ReturnType<typeof setTimeout> | undefined;
  const off = onLive('repair.updated', () => (pending ??= setTimeout(() => ((pending = undefined), void table.reload()), 1000)));
  // Time left changes by itself: redraw each minute.
  const tick = setInterval(() => void table.reload(), 60_000);
  return () => {
    off();
    clearInterval(tick);
    clearTimeout(pending);
  };
}
