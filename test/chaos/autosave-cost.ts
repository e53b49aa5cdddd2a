// What Mosquitto's autosave settings cost at the door intake's rate (docs/RELIABILITY.md, "Before the broker's first
// autosave"): for each variant of deploy/mosquitto.conf, 4 QoS 1 publishers offer AUTOSAVE_RATE door events/s
// (default 8,000) for 20 s to a persistent QoS 1 subscriber (mosquitto_sub, MQTT 5) that keeps up, then 20 s with the
// subscriber away (a backlog the broker must save each time). Prints the broker's CPU and what was acknowledged.
// Run: node --import tsx test/chaos/autosave-cost.ts  (AUTOSAVE_PORTS=30000-30999 by default)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMosquitto } from '../ingest/helpers/mosquitto.ts';
import { portIn } from './harness.ts';
import type { PublisherJob, PublisherResult } from './acked-publisher.ts';
import { publishDoors } from './publisher-process.ts';

const [lo, hi] = (process.env.AUTOSAVE_PORTS ?? '30000-30999').split('-').map(Number);
const rate = Number(process.env.AUTOSAVE_RATE ?? 8000);
/** Seconds of the backlog phase (AUTOSAVE_BACKLOG_S): the store each autosave writes grows by `rate` a second. */
const backlogS = Number(process.env.AUTOSAVE_BACKLOG_S ?? 20);

const variants: Record<string, Record<string, string>> = {
  'autosave_interval 10 (deploy)': {},
  'autosave_interval 1': { autosave_interval: '1' },
  'autosave_interval 2': { autosave_interval: '2' },
  'autosave_on_changes true, autosave_interval 1 (every change)': { autosave_on_changes: 'true', autosave_interval: '1' },
  'autosave_on_changes true, autosave_interval 1000': { autosave_on_changes: 'true', autosave_interval: '1000' },
};

/** utime + stime of a process in seconds. */
function cpu(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const publish = (job: PublisherJob): Promise<PublisherResult> => publishDoors(job);

const only = process.env.AUTOSAVE_ONLY;
for (const [name, settings] of Object.entries(variants)) {
  if (only && !only.split(',').some((o) => name.startsWith(o))) continue;
  const broker = await startMosquitto({ port: await portIn([lo, hi]), settings });
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-autosave-'));
  const sub = (): ChildProcess =>
    spawn(
      'mosquitto_sub',
      ['-h', '127.0.0.1', '-p', String(broker.port), '-V', 'mqttv5', '-q', '1', '-c', '-x', '3600', '-i', 'cost-sub', '-t', 'access/#'],
      {
        stdio: 'ignore',
      },
    );
  try {
    let consumer = sub();
    await new Promise((r) => setTimeout(r, 500));
    const pid = broker.pid()!;
    const doors = Array.from({ length: 200 }, (_, i) => ({ propertyId: 'prop-0001', id: `door-${i}` }));
    const job = (seconds: number): PublisherJob => ({
      url: broker.url,
      doors,
      perSecond: rate,
      seconds,
      clients: 4,
      protocolVersion: 5,
      ackedFile: path.join(dir, 'acked.txt'),
      drainMs: 30_000,
    });
    let c0 = cpu(pid);
    let t0 = Date.now();
    const a = await publish(job(20));
    const keep = { cpu: (cpu(pid) - c0) / ((Date.now() - t0) / 1000), ...a, s: (Date.now() - t0) / 1000 };
    consumer.kill('SIGKILL');
    await new Promise((r) => consumer.once('exit', r));
    c0 = cpu(pid);
    t0 = Date.now();
    const b = await publish(job(backlogS));
    // The store each autosave writes now: the backlog, saved whole (mosquitto.db in the broker's persistence directory).
    const conf = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[2];
    await new Promise((r) => setTimeout(r, Number(settings.autosave_interval ?? 10) * 1000 + 1500));
    const storeMb = statSync(path.join(path.dirname(conf), 'mosquitto.db'), { throwIfNoEntry: false })?.size ?? 0;
    const backlog = { cpu: (cpu(pid) - c0) / ((Date.now() - t0) / 1000), ...b, s: (Date.now() - t0) / 1000 };
    consumer = sub();
    consumer.kill('SIGKILL');
    const fmt = (x: typeof keep, secs: number) =>
      `offered ${x.offered} (${Math.round(x.offered / secs)}/s), acked ${x.acked} in ${x.s.toFixed(1)} s, broker CPU ${(x.cpu * 100).toFixed(0)} %`;
    const store = `store after the backlog ${(storeMb / 1e6).toFixed(0)} MB`;
    console.log(
      `${name} | subscriber keeping up: ${fmt(keep, 20)} | subscriber away (backlog, ${backlogS} s): ${fmt(backlog, backlogS)} | ${store}`,
    );
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
