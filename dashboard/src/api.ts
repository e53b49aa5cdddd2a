// The API client: bearer token from the login, JSON in and out, errors as readable messages.
import type { Static, TUnsafe } from '@sinclair/typebox';
import type { Token } from '../../gateway/routes/auth/auth.schema.ts';
import type { Paged } from '../../gateway/schemas/common.ts';

/** What the dashboard keeps of the login's answer: the token and who it is for. */
export type Session = Pick<Static<typeof Token>, 'token' | 'user'>;

/** A page of a list, as the gateway's `Paged(item)` schema answers it. */
export type Page<T> = Static<ReturnType<typeof Paged<TUnsafe<T>>>>;

const KEY = 'gridwatch.session';

export function session(): Session | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return s ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Called when a request is answered 401: the session is over. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const s = session();
  const headers = new Headers(init.headers);
  if (s) headers.set('authorization', `Bearer ${s.token}`);
  if (init.body && typeof init.body === 'string') headers.set('content-type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!res.ok) {
    let body: { message?: string; field?: string } = {};
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    if (res.status === 401 && s) onUnauthorized();
    throw new ApiError(res.status, body.message ?? res.statusText, body.field);
  }
  return res;
}

export async function get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return (await request(qs ? `${path}?${qs}` : path)).json() as Promise<T>;
}

export async function post<T>(path: string, body?: unknown): Promise<T> {
  return (await request(path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<T>;
}

export async function login(username: string, password: string): Promise<Session> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.message ?? res.statusText, body.field);
  const s = { token: body.token, user: body.user } as Session;
  saveSession(s);
  return s;
}

/** Downloads a file the API produces (CSV, PDF) with the bearer token. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An image the API serves behind the token, as an object URL for an <img>. */
export async function imageUrl(path: string): Promise<string> {
  return URL.createObjectURL(await (await request(path)).blob());
}
