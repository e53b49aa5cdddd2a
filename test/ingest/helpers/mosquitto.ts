// A private Mosquitto for tests that stop or restart the broker: the repo's deploy/mosquitto.conf with another
// port and its own persistence directory, so the shared broker on 1883 stays untouched.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} did not open`);
}

export interface TestBroker {
  url: string;
  port: number;
  /** Stops the broker (SIGTERM saves its persistence, like a service stop). */
  stop(): Promise<void>;
  /** SIGKILL: no autosave, as in a crash; what it held in memory only is gone. */
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The running broker's process id (CPU figures of the benchmarks). */
  pid(): number | undefined;
}

/** `settings`: lines of deploy/mosquitto.conf replaced (or added) by key, e.g. `{ autosave_interval: '1' }`. */
export async function startMosquitto(o: { port?: number; settings?: Record<string, string> } = {}): Promise<TestBroker> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-mosq-'));
  const port = o.port ?? (await freePort());
  let conf = readFileSync(new URL('../../../deploy/mosquitto.conf', import.meta.url), 'utf8')
    .replace(/^listener \d+.*$/m, `listener ${port} 127.0.0.1`)
    .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`);
  for (const [k, v] of Object.entries(o.settings ?? {})) {
    const line = new RegExp(`^${k} .*$`, 'm');
    conf = line.test(conf) ? conf.replace(line, `${k} ${v}`) : `${conf}\n${k} ${v}\n`;
  }
  if (process.env.GW_MOSQ_LOG) conf += `\nlog_dest file ${process.env.GW_MOSQ_LOG}\nlog_type all\n`;
  const file = path.join(dir, 'mosquitto.conf');
  writeFileSync(file, conf);
  // Started as root, mosquitto drops to its own user, which must own the persistence directory.
  if (userInfo().uid === 0) {
    const { execFileSync } = await import('node:child_process');
    const uid = Number(execFileSync('id', ['-u', 'mosquitto']).toString());
    const gid = Number(execFileSync('id', ['-g', 'mosquitto']).toString());
    chownSync(dir, uid, gid);
  }
  let child: ChildProcess | undefined;
  const broker: TestBroker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: () => child?.pid,
    async start() {
      child = spawn('/usr/sbin/mosquitto', ['-c', file], { stdio: 'ignore' });
      await waitForPort(port);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await gone;
      child = undefined;
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
      child = undefined;
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
