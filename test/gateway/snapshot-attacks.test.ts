// The snapshot proxy against a hostile camera: a huge declared body, an endless body and redirects. The gateway
// reads at most 8 MiB (and stops reading there), follows redirects only on the camera's own origin, and never
// asks another host.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1000, 1), Buffer.from([0xff, 0xd9])]);
const MiB = 1024 * 1024;

let t: GatewayTest;
let token: Record<string, string>;
let camera: Server;
let elsewhere: Server;
let cameraUrl: string;
let elsewhereUrl: string;
const elsewhereHits: string[] = [];
/** What the endless body sent before the gateway hung up, and when it did. */
const endless = { sent: 0, closed: undefined as Promise<void> | undefined };

/** A server on the first free port from `port` (this file's range: 24400–24499). */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port: number): Promise<Server> {
  for (let p = port; p < port + 50; p++) {
    const s = createServer(handler);
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => resolve(true));
    });
    if (ok) return s;
  }
  throw new Error(`no free port from ${port}`);
}

const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  t = await gatewayTest({ env: { HEALTH_TIMEOUT: '20s' } });
  token = bearer(await t.login('monitor1'));
  elsewhere = await listen((req, res) => {
    elsewhereHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
  }, 24450);
  elsewhereUrl = url(elsewhere);
  camera = await listen((req, res) => {
    switch (req.url) {
      case '/huge-declared':
        // Declares 20 MiB and would send it.
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(20 * MiB) });
        res.write(JPEG.subarray(0, 4));
        return;
      case '/endless': {
        // A JPEG start, then zeros for ever, without a length.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        endless.closed = new Promise((resolve) => res.on('close', resolve));
        const chunk = Buffer.alloc(64 * 1024);
        res.write(JPEG.subarray(0, 4));
        const pump = () => {
          while (!res.destroyed) {
            endless.sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        pump();
        return;
      }
      case '/to-elsewhere':
        res.writeHead(302, { location: `${elsewhereUrl}/steal` }).end();
        return;
      case '/moved':
        res.writeHead(301, { location: '/snapshot.jpg' }).end();
        return;
      case '/snapshot.jpg':
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  }, 24400);
  cameraUrl = url(camera);
}, 60_000);

afterAll(async () => {
  for (const s of [camera, elsewhere]) {
    s?.closeAllConnections();
    await new Promise((r) => s?.close(r));
  }
  await t?.close();
});

async function snapshotOf(path: string) {
  await new CamerasRepository(t.ctx.db).setMediaUris('cam-001', { snapshotUri: `${cameraUrl}${path}` });
  return t.app.inject({ url: '/api/v1/cameras/cam-001/snapshot', headers: token });
}

describe('snapshot proxy, a hostile camera', () => {
  it('when the camera declares a 20 MiB body, then 502 says it is over 8 MiB and the body is not read', async () => {
    const r = await snapshotOf('/huge-declared');
    expect(r.statusCode).toBe(502);
    expect(r.json().message).toMatch(/larger than 8 MiB/);
  });

  it('when the camera sends an endless body, then 502 says it is over 8 MiB and the gateway hangs up soon after 8 MiB', async () => {
    const r = await snapshotOf('/endless');
    expect(r.statusCode).toBe(502);
    expect(r.json().message).toMatch(/larger than 8 MiB/);
    await endless.closed;
    // What the camera got written before the hang-up: 8 MiB plus what sat in the socket buffers.
    expect(endless.sent).toBeGreaterThan(8 * MiB - 64 * 1024);
    expect(endless.sent).toBeLessThan(24 * MiB);
  });

  it('when the camera redirects to another host, then 502 and that host is never asked', async () => {
    const r = await snapshotOf('/to-elsewhere');
    expect(r.statusCode).toBe(502);
    expect(r.json().message).toMatch(/redirected to another host/);
    expect(elsewhereHits).toEqual([]);
  });

  it('when the camera redirects on its own host, then the redirect is followed and the snapshot served', async () => {
    const r = await snapshotOf('/moved');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('image/jpeg');
    expect(r.rawPayload.equals(JPEG)).toBe(true);
  });

  it('when the camera redirects to itself for ever, then 502 after a few hops', async () => {
    const r = await snapshotOf('/loop');
    expect(r.statusCode).toBe(502);
    expect(r.json().message).toMatch(/redirected too many times/);
  });
});
