// Small DOM helpers: elements, the loading/empty/error states, and a paged, searchable table.
import { ApiError, type Page } from './api.ts';
import { t } from './i18n.ts';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** The words for an error: missing API, forbidden, unreachable, or the server's message. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404) return t('notAvailable');
    if (err.status === 403) return t('forbidden');
    if (err.status === 0) return t('network');
    return `${t('errorPrefix')}: ${err.message}${err.field ? ` (${err.field})` : ''}`;
  }
  return `${t('errorPrefix')}: ${err instanceof Error ? err.message : String(err)}`;
}

export function loadingView(): HTMLElement {
  return h('p', { class: 'state loading', role: 'status' }, t('loading'));
}

export function emptyView(text = t('empty')): HTMLElement {
  return h('p', { class: 'state empty' }, text);
}

export function errorView(err: unknown, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('span', {}, errorText(err)),
    retry ? h('button', { onclick: () => retry() }, t('retry')) : null,
  );
}

/** Shows loading, then the rendered result, or the error with a retry button. */
export async function load<T>(into: HTMLElement, fetcher: () => Promise<T>, render: (v: T) => Node): Promise<T | undefined> {
  into.replaceChildren(loadingView());
  try {
    const v = await fetcher();
    into.replaceChildren(render(v));
    return v;
  } catch (err) {
    into.replaceChildren(errorView(err, () => void load(into, fetcher, render)));
    return undefined;
  }
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
  cls?: string;
}

/** A table over a paged API: filters come from `query()`, rows can be clicked. */
export function pagedTable<T>(opts: {
  columns: Column<T>[];
  fetch: (page: number, limit: number) => Promise<Page<T>>;
  onRow?: (row: T, tr: HTMLTableRowElement) => void;
  rowClass?: (row: T) => string;
  limit?: number;
  emptyText?: string;
}): { el: HTMLElement; reload: (page?: number) => Promise<void> } {
  const el = h('div', { class: 'table-wrap' });
  const limit = opts.limit ?? 25;
  let page = 1;
  const reload = async (p = page) => {
    page = p;
    await load(
      el,
      () => opts.fetch(page, limit),
      (res) => {
        if (res.items.length === 0) return emptyView(opts.emptyText);
        const pages = Math.max(1, Math.ceil(res.total / res.limit));
        const body = h('tbody');
        for (const row of res.items) {
          const tr = h(
            'tr',
            { class: opts.rowClass?.(row) ?? '' },
            ...opts.columns.map((c) => h('td', { class: c.cls ?? '' }, c.cell(row))),
          );
          if (opts.onRow) {
            tr.classList.add('clickable');
            tr.addEventListener('click', () => {
              body.querySelectorAll('tr.selected').forEach((x) => x.classList.remove('selected'));
              tr.classList.add('selected');
              opts.onRow!(row, tr);
            });
          }
          body.append(tr);
        }
        return h(
          'div',
          {},
          h('table', {}, h('thead', {}, h('tr', {}, ...opts.columns.map((c) => h('th', {}, c.title)))), body),
          h(
            'div',
            { class: 'pager' },
            h('button', { onclick: () => void reload(page - 1), disabled: page <= 1 }, t('prev')),
            h('span', { class: 'page-info' }, t('pageOf', { page, pages, total: res.total })),
            h('button', { onclick: () => void reload(page + 1), disabled: page >= pages }, t('next')),
          ),
        );
      },
    );
  };
  return { el, reload };
}

export function badge(text: string, kind: string): HTMLElement {
  return h('span', { class: `badge ${kind}` }, text);
}

export function select(name: string, options: Array<[string, string]>, value = '', onchange?: (v: string) => void): HTMLSelectElement {
  const s = h('select', { name, 'aria-label': name }, ...options.map(([v, label]) => h('option', { value: v }, label)));
  // An empty value keeps the first option selected rather than none.
  if (value !== '' || options.some(([v]) => v === '')) s.value = value;
  if (onchange) s.addEventListener('change', () => onchange(s.value));
  return s;
}
