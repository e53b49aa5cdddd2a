// A private PostgreSQL 15 cluster for tests that stop and start the database (initdb + pg_ctl, trust, as user
// postgres, on another port); the shared server on 5432 stays untouched.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './mosquitto.ts';

const BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  url: string;
  port: number;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** SIGKILL to the postmaster and every backend, as in a crash (start() then runs crash recovery). */
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function asPostgres(cmd: string, args: string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'ignore' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `key = value` lines of a postgresql.conf (comments and blank lines skipped), as server settings. */
export function readPgConf(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(\w+)\s*=\s*([^#]*?)\s*(#.*)?$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/**
 * `durable` keeps fsync on, as in production (tests turn it off for speed); `settings` are passed as `-c` flags
 * (the benchmark passes deploy/postgresql.conf).
 */
export async function startPostgres(
  o: { durable?: boolean; settings?: Record<string, string>; port?: number } = {},
): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const port = o.port ?? (await freePort());
  asPostgres(`${BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const settings = { ...(o.durable ? {} : { fsync: 'off', shared_buffers: '64MB' }), ...o.settings };
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ')}`;
  const pg: TestPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
      await waitForPort(port);
    },
    async stop(mode = 'fast') {
      try {
        asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-m', mode, '-w', 'stop']);
      } catch {
        /* already stopped */
      }
    },
    async kill() {
      const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
        .toString()
        .split('\n')
        .map(Number)
        .filter(Boolean);
      for (const p of [pid, ...children]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      const until = Date.now() + 10_000;
      while (Date.now() < until && [pid, ...children].some(alive)) await new Promise((r) => setTimeout(r, 20));
    },
    async close() {
      await pg.stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
