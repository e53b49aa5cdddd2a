// Issue 2's start target: `npm start` on a fresh DATA_DIR with no servers, until /api/v1/health answers 200.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Row } from './main.ts';
import { startAllInOne } from '../test/helpers/run.ts';

async function once(dataDir: string, port: number): Promise<number> {
  const started = performance.now();
  const p = startAllInOne(dataDir, port, { LOG_LEVEL: 'warn' });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (p.child.exitCode !== null) throw new Error(`exited: ${p.output().slice(-2000)}`);
      if (performance.now() - started > 180_000) throw new Error('no health within 180 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await p.stop('SIGTERM');
  }
}

export async function run(): Promise<Row[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gw-bench-start-'));
  const port = 29000 + Math.floor(Math.random() * 500);
  try {
    const fresh = await once(dataDir, port);
    const again = await once(dataDir, port);
    return [
      {
        name: 'npm start → health 200, fresh DATA_DIR (PGlite + aedes + 200-camera simulated district)',
        value: `${(fresh / 1000).toFixed(1)} s`,
        target: '≤ 20 s',
      },
      { name: 'npm start → health 200, second start on the same DATA_DIR', value: `${(again / 1000).toFixed(1)} s`, target: '≤ 20 s' },
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
