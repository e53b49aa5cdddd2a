// Serves the built dashboard (dashboard/dist) at the root, with the SPA's index.html for unknown page paths; API,
// docs, socket.io and metrics paths keep their JSON 404. Without a build, a page says how to make one.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard/dist');
const NOT_PAGES = /^\/(api|docs|socket\.io|metrics)(\/|$)/;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Gridwatch</title>
<p>The dashboard is not built. Run <code>npm run build:dashboard</code> (or <code>npm start</code>, which builds it when missing).</p>
<p>仪表盘尚未构建：请运行 <code>npm run build:dashboard</code>。</p><p><a href="/docs">API docs</a></p>`;

export default fp(
  async (app: FastifyInstance) => {
    const built = existsSync(path.join(DIST, 'index.html'));
    if (built) {
      await app.register(fastifyStatic, {
        root: DIST,
        prefix: '/',
        wildcard: false,
        decorateReply: false,
        index: false,
        // Hashed asset names never change: cache them; index.html is revalidated.
        setHeaders: (reply, file) =>
          reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
      });
    }
    const index = async () => (built ? readFile(path.join(DIST, 'index.html'), 'utf8') : NOT_BUILT);

    app.setNotFoundHandler(async (request, reply) => {
      const url = request.url.split('?')[0];
      if (request.method === 'GET' && !NOT_PAGES.test(url) && !path.extname(url) && !traversal(url)) {
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(await index());
      }
      return reply.code(404).send({ error: 'Not Found', message: `${request.method} ${url} not found` });
    });
  },
  { name: 'dashboard', fastify: '5.x' },
);

/** A page path that climbs (`..`, a backslash or NUL), however many times encoded, is no page: 404, not index.html. */
export function traversal(url: string): boolean {
  let u = url;
  for (let i = 0; i < 4; i++) {
    if (/(^|[\\/])\.\.([\\/]|$)|\\|\0/.test(u)) return true;
    let next: string;
    try {
      next = decodeURIComponent(u);
    } catch {
      return true;
    }
    if (next === u) return false;
    u = next;
  }
  return true;
}
