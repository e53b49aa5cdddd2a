// Faces: watch lists in scope, their persons, enrolment from photos (multipart), and matches with crops.
import type { Static } from '@sinclair/typebox';
import type { Person as PersonSchema, Watchlist as WatchlistSchema } from '../../../gateway/routes/watchlists/watchlists.schema.ts';
import type { FaceMatchItem } from '../../../gateway/routes/face-matches/face-matches.schema.ts';
import { get, imageUrl, post, request, type Session } from '../api.ts';
import { fmtTime, t } from '../i18n.ts';
import { emptyView, errorView, h, load, loadingView, pagedTable } from '../ui.ts';

// Response shapes from the gateway's schemas.
type Watchlist = Static<typeof WatchlistSchema>;
type Person = Static<typeof PersonSchema>;
type Match = Static<typeof FaceMatchItem>;

export function facesPage(root: HTMLElement, s: Session): () => void {
  const lists = h('section', { class: 'faces-lists' });
  const persons = h('section', { class: 'faces-persons' }, emptyView(t('pickList')));
  const matches = h('section', { class: 'faces-matches' });
  root.append(
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        {},
        h('h2', {}, t('watchlists')),
        lists,
        createForm(s, () => void showLists()),
      ),
      h('div', {}, h('h2', {}, t('persons')), persons),
    ),
    h('h2', {}, t('matches')),
    matches,
  );

  const showLists = () =>
    load(
      lists,
      () => get<{ items: Watchlist[] }>('/api/v1/watchlists'),
      (r) =>
        r.items.length === 0
          ? emptyView()
          : h(
              'ul',
              { class: 'plain lists' },
              ...r.items.map((l) =>
                h(
                  'li',
                  {},
                  h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), void showList(l)) }, l.name),
                  ` · ${l.level} · ${l.scope.kind}${l.scope.id ? ` ${l.scope.id}` : ''} · ${l.persons}`,
                ),
              ),
            ),
    );

  const showList = (l: Watchlist) => {
    const people = h('div', {});
    persons.replaceChildren(
      h('h3', {}, l.name),
      people,
      enrolForm(l, () => void showPeople()),
    );
    const showPeople = () =>
      load(
        people,
        () => get<{ people: Person[] }>(`/api/v1/watchlists/${l.id}`),
        (r) =>
          r.people.length === 0
            ? emptyView()
            : h(
                'ul',
                { class: 'plain' },
                ...r.people.map((p) =>
                  h(
                    'li',
                    {},
                    `${p.name}${p.externalId ? ` (${p.externalId})` : ''} · ${p.photos} ${t('photos')} · ${fmtTime(p.createdAt)}`,
                  ),
                ),
              ),
      );
    void showPeople();
  };

  const matchTable = pagedTable<Match>({
    columns: [
      { title: t('time'), cell: (m) => fmtTime(m.ts) },
      { title: t('person'), cell: (m) => m.personName ?? m.personId },
      { title: t('watchlists'), cell: (m) => m.watchlistName ?? m.watchlistId },
      { title: t('distance'), cell: (m) => m.distance.toFixed(3) },
      { title: t('cameraOrDoor'), cell: (m) => (m.cameraId ? m.cameraId : m.doorId ? `${t('door')} ${m.doorId}` : '—') },
      { title: t('image'), cell: (m) => crop(m) },
    ],
    fetch: (page, limit) => get('/api/v1/face-matches', { page, limit }),
  });
  matches.append(matchTable.el);
  void showLists();
  void matchTable.reload(1);
  return () => {};
}

function crop(m: Match): Node {
  // Every match has its crop's address; one deleted by retention answers 404 and shows as '—'.
  const url = `/api/v1/face-matches/${m.matchId}/crop`;
  const box = h('span', { class: 'thumb' });
  // Crops are personal data: fetched only when asked, and the server audits each view.
  box.append(
    h(
      'button',
      {
        class: 'link',
        onclick: async () => {
          box.replaceChildren(loadingView());
          try {
            box.replaceChildren(h('img', { src: await imageUrl(url), alt: 'crop' }));
          } catch {
            box.replaceChildren('—');
          }
        },
      },
      t('showImage'),
    ),
  );
  return box;
}

function createForm(s: Session, done: () => void): HTMLElement {
  const name = h('input', { name: 'name', required: true, placeholder: t('name') });
  const level = h('select', { name: 'level' }, ...['wanted', 'banned', 'residents'].map((l) => h('option', { value: l }, l)));
  const scopeId = h('input', { name: 'scopeId', placeholder: `${t('district')}/${t('property')} id` });
  const msg = h('div', {});
  const form = h('form', { class: 'inline-form' }, name, level, scopeId, h('button', { type: 'submit' }, t('create')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const kind = level.value === 'wanted' ? (scopeId.value ? 'district' : 'city') : 'property';
    try {
      await post('/api/v1/watchlists', {
        name: name.value,
        level: level.value,
        scope: scopeId.value ? { kind, id: scopeId.value } : { kind },
      });
      msg.replaceChildren(t('saved'));
      done();
    } catch (err) {
      msg.replaceChildren(errorView(err));
    }
  });
  if (s.user.role === 'property_manager' && s.user.properties[0]) scopeId.value = s.user.properties[0];
  return form;
}

function enrolForm(l: Watchlist, done: () => void): HTMLElement {
  const name = h('input', { name: 'name', required: true, placeholder: t('name') });
  const photos = h('input', { name: 'photo', type: 'file', accept: 'image/jpeg,image/png', multiple: true, required: true });
  const msg = h('div', {});
  const form = h('form', { class: 'inline-form' }, h('h4', {}, t('enrol')), name, photos, h('button', { type: 'submit' }, t('enrol')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = new FormData();
    body.set('name', name.value);
    for (const f of photos.files ?? []) body.append('photo', f);
    msg.replaceChildren(loadingView());
    try {
      await request(`/api/v1/watchlists/${l.id}/persons`, { method: 'POST', body });
      msg.replaceChildren(t('saved'));
      form.reset();
      done();
    } catch (err) {
      msg.replaceChildren(errorView(err));
    }
  });
  return form;
}
