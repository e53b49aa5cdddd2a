// What an attacker tries, each with the behaviour it must meet: forged tokens, an upload far over the limit, LIKE
// wildcards in a search, encoded path traversal and symlinks out of DATA_DIR, and a login flood from many addresses.
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import { baseUrl, bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';
import { alert, doorEvent } from './seed.ts';

const LOGIN_LIMIT = 5;
let t: GatewayTest;
let admin: string;
beforeAll(async () => {
  t = await gatewayTest({ listen: true, env: { LOGIN_RATE_LIMIT: String(LOGIN_LIMIT) } });
  admin = await t.login('admin');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const b64url = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
function signHs256(payload: object, key: string | Buffer, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

/** A GET whose path goes on the wire exactly as written (fetch and URL would resolve `%2e%2e` first). */
function rawGet(rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl(t));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: rawPath, method: 'GET', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An enrolment as a client's form sends it: a name field and one JPEG file named photo. */
function enrol(listId: string, name: string, photo: Buffer) {
  const boundary = `----gw${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${name}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/watchlists/${listId}/persons`,
    headers: { ...bearer(admin), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => !e.isDirectory())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

describe('forged tokens', () => {
  it('when a well-formed token is signed with another key, says alg none, or has its role or scope edited, then 401', async () => {
    const real = claimsOf(await t.login('manager1'));
    const asAdmin = { ...real, role: 'admin', districts: [], properties: [] };
    const forged = {
      otherKey: signHs256(asAdmin, randomBytes(32)),
      algNone: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(asAdmin)}.`,
      algNoneSigned: signHs256(asAdmin, '', { alg: 'none', typ: 'JWT' }),
      roleEdited: (() => {
        const [h, , s] = admin.split('.');
        return `${h}.${b64url({ ...claimsOf(admin), ...real, role: 'admin' })}.${s}`;
      })(),
      scopeEdited: (() => {
        const token = admin.split('.');
        const mgr = claimsOf(admin);
        return `${token[0]}.${b64url({ ...mgr, role: 'property_manager', properties: ['p1', 'p2', 'p3'] })}.${token[2]}`;
      })(),
    };
    for (const [name, token] of Object.entries(forged)) {
      for (const url of ['/api/v1/auth/me', '/api/v1/cameras', '/api/v1/watchlists']) {
        const r = await t.app.inject({ url, headers: bearer(token) });
        expect({ name, url, status: r.statusCode }).toEqual({ name, url, status: 401 });
      }
    }
    // The real token still works: the 401s are the forgeries'.
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(admin) })).json().role).toBe('admin');
  });
});

describe('upload far over the limit', () => {
  it('when a watch-list photo is 40 MiB (limit 10 MiB), then 413 and no file or person is kept', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/watchlists',
      headers: bearer(admin),
      payload: { name: 'attack', level: 'wanted', scope: { kind: 'city' } },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const before = await filesUnder(t.ctx.config.dataDir);
    const r = await enrol(id, 'Mallory', Buffer.alloc(40 * 1024 * 1024, 0xff));
    expect(r.statusCode).toBe(413);
    expect(r.json().message).toMatch(/limit|large/i);
    expect(await filesUnder(t.ctx.config.dataDir)).toEqual(before);
    expect(await new WatchlistsRepository(t.ctx.db).persons(id)).toEqual([]);
  });
});

describe('search text with LIKE wildcards', () => {
  it('when q holds %, _ or a quote, then they match only themselves', async () => {
    await t.ctx.db.query(`UPDATE cameras SET name = $1 WHERE id = 'cam-001'`, [`Lobby 100%_o'k`]);
    await t.ctx.db.query(`UPDATE doors SET name = $1 WHERE id = 'p1-door1'`, [`Gate 50%_o'k`]);
    const ids = async (url: string) => {
      const r = await t.app.inject({ url, headers: bearer(admin) });
      expect(r.statusCode).toBe(200);
      return (r.json().items as { id: string }[]).map((x) => x.id);
    };
    for (const q of ['%', '_', "'", "o'k", '100%', '%_o', '\\']) {
      const expected = q === '\\' ? [] : ['cam-001'];
      expect({ q, ids: await ids(`/api/v1/cameras?limit=100&q=${encodeURIComponent(q)}`) }).toEqual({ q, ids: expected });
    }
    for (const q of ['%', '_', "'", '50%_']) {
      expect({ q, ids: await ids(`/api/v1/doors?limit=100&q=${encodeURIComponent(q)}`) }).toEqual({ q, ids: ['p1-door1'] });
    }
    // Ordinary searches still find by part of a name.
    expect((await ids('/api/v1/cameras?limit=100&q=d2-cell')).length).toBe(6);
  });

  it('when a body, query or path value holds a NUL character, then 400 naming the field (PostgreSQL text cannot hold one)', async () => {
    const sent = [
      t.app.inject({
        method: 'POST',
        url: '/api/v1/watchlists',
        headers: bearer(admin),
        payload: { name: 'Wanted\u0000', level: 'wanted', scope: { kind: 'city' } },
      }),
      t.app.inject({ url: '/api/v1/cameras?q=%00lobby', headers: bearer(admin) }),
      t.app.inject({ url: '/api/v1/cameras/cam-001%00', headers: bearer(admin) }),
    ];
    const [body, query, params] = await Promise.all(sent);
    expect([body.statusCode, query.statusCode, params.statusCode]).toEqual([400, 400, 400]);
    expect(body.json()).toMatchObject({ error: 'Bad Request', field: 'body.name', message: expect.stringMatching(/NUL/) });
    expect(query.json()).toMatchObject({ field: 'querystring.q' });
    expect(params.json()).toMatchObject({ field: 'params.id' });
    // Nothing was created.
    const lists = await t.app.inject({ url: '/api/v1/watchlists', headers: bearer(admin) });
    expect((lists.json().items as { name: string }[]).some((l) => l.name.startsWith('Wanted\u0000'))).toBe(false);

    // Multipart text fields (an enrolment's name) are checked too.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/watchlists',
      headers: bearer(admin),
      payload: { name: 'nul', level: 'wanted', scope: { kind: 'city' } },
    });
    const id = created.json().id as string;
    const named = await enrol(id, 'Mal\u0000lory', Buffer.alloc(1024, 0xff));
    expect(named.statusCode).toBe(400);
    expect(named.json()).toMatchObject({ field: 'body.name', message: expect.stringMatching(/NUL/) });
    expect(await new WatchlistsRepository(t.ctx.db).persons(id)).toEqual([]);
  });
});

describe('path traversal', () => {
  const ENCODED = [
    '%2e%2e',
    '..%2f..%2f..',
    '%2e%2e%2f%2e%2e%2f%2e%2e',
    '%252e%252e%252f%252e%252e',
    '..%5c..%5c..',
    '.%2e/.%2e/.%2e',
    '%2e%2e%c0%af%2e%2e',
  ];

  it('when the static dashboard is asked for files outside its folder, then 404/400 and never the file', async () => {
    for (const t of ENCODED) {
      for (const p of [`/${t}/package.json`, `/assets/${t}/${t}/package.json`, `/${t}/${t}/${t}/${t}/${t}/etc/passwd`]) {
        const r = await rawGet(p);
        expect({ p, status: [400, 403, 404].includes(r.status) }).toEqual({ p, status: true });
        expect(r.body).not.toMatch(/"name": "gridwatch"|root:x:0:0/);
      }
    }
  });

  it('when a file-serving route is given an encoded path as its id, then 400/401/404 and never a file', async () => {
    const ts = encodeURIComponent(new Date().toISOString());
    const h = { authorization: `Bearer ${admin}` };
    for (const t of ENCODED) {
      const evil = `${t}%2f${t}%2fetc%2fpasswd`;
      for (const p of [
        `/api/v1/alerts/${evil}/snapshots/0`,
        `/api/v1/door-events/${evil}/image?ts=${ts}`,
        `/api/v1/face-matches/${evil}/crop`,
        `/api/v1/live/clips/${evil}`,
      ]) {
        const r = await rawGet(p, h);
        expect({ p, status: [400, 401, 404].includes(r.status) }).toEqual({ p, status: true });
        expect(r.body).not.toMatch(/root:x:0:0/);
      }
    }
  });

  it('when a stored path is a symlink (file or folder) under DATA_DIR pointing outside, then 404', async () => {
    const dataDir = t.ctx.config.dataDir;
    await mkdir(path.join(dataDir, 'snapshots', 'evil'), { recursive: true });
    await symlink('/etc/passwd', path.join(dataDir, 'snapshots', 'evil', 'cam.jpg'));
    await symlink('/etc', path.join(dataDir, 'snapshots', 'etc'));
    const a = alert({
      kind: 'door_forced',
      subjectId: 'p1-door1',
      propertyId: 'p1',
      place: { district: 'd1' },
      evidence: {
        snapshots: [
          { cameraId: 'cam-001', path: 'snapshots/evil/cam.jpg' },
          { cameraId: 'cam-002', path: 'snapshots/etc/passwd' },
          { cameraId: 'cam-003', path: '%2e%2e/%2e%2e/etc/passwd' },
        ],
      },
    });
    await new AlertsRepository(t.ctx.db).insert(a);
    for (const n of [0, 1, 2]) {
      const r = await t.app.inject({ url: `/api/v1/alerts/${a.alertId}/snapshots/${n}`, headers: bearer(admin) });
      expect({ n, status: r.statusCode }).toEqual({ n, status: 404 });
      expect(r.body).not.toMatch(/root:x:0:0/);
    }
    await mkdir(path.join(dataDir, 'captures', 'door'), { recursive: true });
    await symlink('/etc/passwd', path.join(dataDir, 'captures', 'door', 'face.jpg'));
    const e = { ...doorEvent('p1', 'p1-door1', 'face_capture'), imagePath: path.join(dataDir, 'captures', 'door', 'face.jpg') };
    await new DoorEventsRepository(t.ctx.db).insertMany([e]);
    const r = await t.app.inject({ url: `/api/v1/door-events/${e.eventId}/image?ts=${encodeURIComponent(e.ts)}`, headers: bearer(admin) });
    expect(r.statusCode).toBe(404);
    // A plain file beside it is served: the 404s are the links'.
    await writeFile(path.join(dataDir, 'captures', 'door', 'real.jpg'), 'jpeg bytes');
    const ok = { ...doorEvent('p1', 'p1-door1', 'face_capture'), imagePath: path.join(dataDir, 'captures', 'door', 'real.jpg') };
    await new DoorEventsRepository(t.ctx.db).insertMany([ok]);
    expect(
      (await t.app.inject({ url: `/api/v1/door-events/${ok.eventId}/image?ts=${encodeURIComponent(ok.ts)}`, headers: bearer(admin) }))
        .statusCode,
    ).toBe(200);
  });
});

describe('login flood', () => {
  it('when logins come from many X-Forwarded-For addresses over one connection address, then the limit still applies (429)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT + 10; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-real-ip': `198.51.100.${i + 1}` },
        payload: { username: 'admin', password: `guess-${i}` },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // The right password is refused too while limited: a flood cannot guess through.
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-for': '192.0.2.77' },
      payload: { username: 'admin', password: 'test-password-1' },
    });
    expect(r.statusCode).toBe(429);
  });
});
