// `prestart` and the browser tests: builds dashboard/dist when it is missing or older than the dashboard's sources,
// so `npm ci && npm start` serves the dashboard on a fresh clone. One build at a time (a lock directory).
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
  }
  return t;
}

async function stale(): Promise<boolean> {
  const built = await stat(path.join(root, 'dist', 'index.html'))
    .then((s) => s.mtimeMs)
    .catch(() => 0);
  if (!built) return true;
  const sources = Math.max(
    await newest(path.join(root, 'src')),
    (await stat(path.join(root, 'index.html'))).mtimeMs,
    await newest(path.join(root, '..', 'core', 'socket')),
  );
  return sources > built;
}

export async function ensureDashboardBuilt(log: (s: string) => void = () => {}): Promise<void> {
  if (!(await stale())) return;
  const lock = path.join(root, '.build-lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Someone else is building: wait, then see whether their build is enough.
      await new Promise((r) => setTimeout(r, 300));
      if (!(await stale())) return;
      const age = await stat(lock)
        .then((s) => Date.now() - s.mtimeMs)
        .catch(() => 0);
      if (age > 120_000) await rmdir(lock).catch(() => {});
    }
  }
  try {
    if (!(await stale())) return;
    log('dashboard: building dashboard/dist…');
    const { build } = await import('vite');
    await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    await rmdir(lock).catch(() => {});
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await ensureDashboardBuilt((s) => console.log(s));
}
