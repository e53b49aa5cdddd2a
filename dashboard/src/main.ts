// The dashboard shell: login, header with language and live state, role-filtered navigation, hash routes.
import './style.css';
import { saveSession, session, whenUnauthorized, type Session } from './api.ts';
import { currentLang, setLang, t, tv, viewerZone } from './i18n.ts';
import { closeLive, liveSocket } from './live.ts';
import { h } from './ui.ts';
import { loginPage } from './pages/login.ts';
import { livePage } from './pages/live.ts';
import { repairsPage } from './pages/repairs.ts';
import { camerasPage } from './pages/cameras.ts';
import { doorsPage } from './pages/doors.ts';
import { reportsPage } from './pages/reports.ts';
import { facesPage } from './pages/faces.ts';
import { deadLettersPage } from './pages/dead-letters.ts';
import { supervisorPage } from './pages/supervisor.ts';

export type Role = Session['user']['role'];
export type PageFn = (root: HTMLElement, s: Session) => (() => void) | void;

const PAGES: Array<{ id: string; label: () => string; roles: Role[]; page: PageFn }> = [
  { id: 'live', label: () => t('live'), roles: ['admin', 'monitor', 'property_manager', 'supervisor'], page: livePage },
  { id: 'repairs', label: () => t('repairs'), roles: ['admin', 'monitor', 'supervisor'], page: repairsPage },
  { id: 'cameras', label: () => t('cameras'), roles: ['admin', 'monitor', 'supervisor'], page: camerasPage },
  { id: 'doors', label: () => t('doors'), roles: ['admin', 'monitor', 'property_manager'], page: doorsPage },
  { id: 'supervision', label: () => t('supervision'), roles: ['admin', 'supervisor'], page: supervisorPage },
  { id: 'reports', label: () => t('reports'), roles: ['admin', 'supervisor', 'monitor'], page: reportsPage },
  { id: 'faces', label: () => t('faces'), roles: ['admin', 'monitor'], page: facesPage },
  { id: 'dead-letters', label: () => t('deadLetters'), roles: ['admin'], page: deadLettersPage },
];

const app = document.getElementById('app')!;
let leave: (() => void) | void;

function logout(): void {
  saveSession(undefined);
  closeLive();
  location.hash = '#/login';
  render();
}
whenUnauthorized(logout);

function render(): void {
  leave?.();
  leave = undefined;
  document.documentElement.lang = currentLang();
  const s = session();
  if (!s) {
    app.replaceChildren(
      loginPage(() => {
        location.hash = '#/live';
        render();
      }),
    );
    return;
  }
  const allowed = PAGES.filter((p) => p.roles.includes(s.user.role));
  const wanted = location.hash.replace(/^#\/?/, '').split('?')[0];
  const current = allowed.find((p) => p.id === wanted) ?? allowed[0];
  if (wanted !== current.id) history.replaceState(null, '', `#/${current.id}`);

  const liveState = h('span', { class: 'live-state', 'data-testid': 'live-state' }, '…');
  const socket = liveSocket();
  const showState = () => {
    liveState.textContent = socket.connected ? t('connected') : t('disconnected');
    liveState.className = `live-state ${socket.connected ? 'on' : 'off'}`;
  };
  socket.on('connect', showState);
  socket.on('disconnect', showState);
  const refused = (err: Error) => {
    if (err.message === 'unauthorized') logout();
  };
  socket.on('connect_error', refused);
  showState();

  const langSwitch = h(
    'button',
    {
      class: 'lang',
      onclick: () => {
        setLang(currentLang() === 'en' ? 'zh-CN' : 'en');
        render();
      },
    },
    currentLang() === 'en' ? '中文' : 'English',
  );
  const header = h(
    'header',
    {},
    h('strong', { class: 'brand' }, t('appName')),
    h('nav', {}, ...allowed.map((p) => h('a', { href: `#/${p.id}`, class: p.id === current.id ? 'active' : '' }, p.label()))),
    h('span', { class: 'spacer' }),
    h('span', { class: 'tz' }, t('timezone', { tz: viewerZone() })),
    liveState,
    h('span', { class: 'who' }, `${s.user.username} · ${tv(s.user.role)}`),
    langSwitch,
    h('button', { onclick: logout }, t('logout')),
  );
  const main = h('main', { id: `page-${current.id}` });
  app.replaceChildren(header, main);
  const cleanup = current.page(main, s);
  leave = () => {
    socket.off('connect', showState);
    socket.off('disconnect', showState);
    socket.off('connect_error', refused);
    cleanup?.();
  };
}

window.addEventListener('hashchange', render);
render();
