// Issue 16's camera rows: three ingest processes share N simulated cameras through leases (production lease and
// heartbeat settings); one is killed with SIGKILL ten times: time until each of its cameras has a heartbeat from a
// survivor, and the gap when the restarted instance takes its share back; CPU per instance per 10,000 cameras.
// BENCH_FAILOVER_ONLY=cpu: instead, the CPU of 1 or 2 instances holding a real 10,000 cameras between them (runCpu).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Row } from './main.ts';
import { simProcess } from './camera-sim.ts';
import { freshPgDb } from '../test/helpers/db.ts';
import { startMosquitto } from '../test/ingest/helpers/mosquitto.ts';
import { until } from '../test/ingest/helpers/wait.ts';
import { doubleWatches, IngestInstance, watchersNow } from '../test/ingest/helpers/ingest-fleet.ts';
import { generateCity } from '../fixtures/index.ts';
import { CityRepository } from '../core/db/repositories/city.repository.ts';
import { CamerasRepository } from '../core/db/repositories/cameras.repository.ts';
import { CameraHealthRepository } from '../core/db/repositories/camera-health.repository.ts';
import { Limit } from '../ingest/limit.ts';
import { portIn } from '../test/chaos/harness.ts';

const N = Number(process.env.BENCH_FAILOVER_CAMERAS ?? 1500);
const RUNS = Number(process.env.BENCH_FAILOVER_RUNS ?? 10);
const TTL_S = 15;
const RENEW_S = 5;
const HEALTH_TIMEOUT_S = 3;
const HEALTH_INTERVAL_S = 30;
const CAMERAS_PER_SIM = 2_500;
const progress = (text: string) => process.stderr.write(`  ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `cpu`: only the CPU rows of runCpu(). */
const ONLY = process.env.BENCH_FAILOVER_ONLY;
/** BENCH_PORTS=lo-hi: the ports the bench's servers and (runCpu) simulated cameras take; default: any free port. */
const PORTS = process.env.BENCH_PORTS?.split('-').map(Number) as [number, number] | undefined;

export function run(): Promise<Row[]> {
  return ONLY === 'cpu' ? runCpu() : runFailover();
}

/** CPU seconds (user + system) of one process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** An ingest instance of this bench: its own DATA_DIR, the stated lease and heartbeat timings, no discovery rounds. */
function ingestEnv(databaseUrl: string, mqttUrl: string, name: string, extra: Record<string, string>): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    MQTT_URL: mqttUrl,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), `gw-bench-${name}-`)),
    CAMERA_PASSWORD: 'bench-pw',
    CREDENTIAL_KEY: 'bench-failover-key',
    CAMERA_LEASE_TTL: `${TTL_S}s`,
    CAMERA_LEASE_RENEW: `${RENEW_S}s`,
    HEALTH_INTERVAL: `${HEALTH_INTERVAL_S}s`,
    HEALTH_TIMEOUT: `${HEALTH_TIMEOUT_S}s`,
    DISCOVERY_INTERVAL: '1h',
    STREAM_CHECK_INTERVAL: '1h',
    ...extra,
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function runFailover(): Promise<Row[]> {
  const [t, broker] = await Promise.all([freshPgDb({ poolSize: 8 }), startMosquitto()]);
  const sims: ChildProcess[] = [];
  const instances: IngestInstance[] = [];
  try {
    const city = generateCity({ seed: 5, cameras: N, doors: 0 });
    await new CityRepository(t.db).importCity(city);
    const procs = Math.max(1, Math.ceil(N / CAMERAS_PER_SIM));
    const started = await Promise.all(Array.from({ length: procs }, (_, k) => simProcess(city.cameras.filter((_c, i) => i % procs === k))));
    sims.push(...started.map((s) => s.child));
    const repo = new CamerasRepository(t.db);
    const limit = new Limit(8);
    await Promise.all(started.flatMap((s) => s.cameras).map((c) => limit.run(() => repo.recordSeen(c.urn, c.xaddr, c.id, new Date()))));
    progress(`${N} simulated cameras in ${procs} process(es)`);
    const env = (name: string) => ingestEnv(t.url!, broker.url, name, { CAMERA_SHARING: 'on' });
    const names = ['gw-bench-ingest-a', 'gw-bench-ingest-b', 'gw-bench-ingest-c'];
    const byName = new Map(names.map((n) => [n, IngestInstance.start(n, env(n))]));
    instances.push(...byName.values());
    const current = () => names.map((n) => byName.get(n)!);
    // The killed instance stays in `current()` until it is restarted: only the live ones must each have a share.
    const live = () => current().filter((i) => i.killedAt === undefined);
    const settled = (what: string) =>
      until(
        () => watchersNow(current()),
        (m) => m.size === N && [...m.values()].every((w) => w.length === 1) && live().every((i) => i.watching().size > 0),
        300_000,
        what,
      );
    await settled('every camera watched once');
    progress('three instances share the cameras');

    // CPU of each instance over one heartbeat interval in the steady state.
    await sleep(HEALTH_INTERVAL_S * 1000);
    const cpu0 = current().map((i) => cpuSeconds(i.proc.child.pid!));
    const t0 = Date.now();
    await sleep(HEALTH_INTERVAL_S * 1000);
    const cores = current().map((i, k) => (cpuSeconds(i.proc.child.pid!) - cpu0[k]) / ((Date.now() - t0) / 1000));
    const shares = current().map((i) => i.watching().size);
    const per10k = cores.map((c, k) => (c / shares[k]) * 10_000);
    progress(`CPU per instance ${cores.map((c) => c.toFixed(3)).join(', ')} cores for ${shares.join(', ')} cameras`);

    const health = new CameraHealthRepository(t.db);
    const takeovers: number[] = [];
    const joinGaps: number[] = [];
    let doubles = 0;
    for (let r = 0; r < RUNS; r++) {
      const victimName = names[r % names.length];
      const victim = byName.get(victimName)!;
      const orphaned = [...victim.watching()];
      const killedAt = await victim.kill();
      await settled(`run ${r + 1}: cameras of the killed instance watched again`);
      let worst = 0;
      await Promise.all(
        orphaned.map((camera) =>
          limit.run(async () => {
            const first = await until(
              async () =>
                (await health.list({ camera, kind: 'heartbeat', from: new Date(killedAt).toISOString(), limit: 1000 })).items.at(-1),
              Boolean,
              120_000,
              `a heartbeat of ${camera}`,
            );
            worst = Math.max(worst, Date.parse(first!.ts) - killedAt);
          }),
        ),
      );
      takeovers.push(worst);
      doubles += doubleWatches(instances).length;
      // The same name again: the survivors stop watching its share and hand it over.
      const back = IngestInstance.start(victimName, env(victimName));
      const restartedAt = Date.now();
      byName.set(victimName, back);
      instances.push(back);
      await settled(`run ${r + 1}: the restarted instance has its share back`);
      const lets = current()
        .flatMap((i) => i.events())
        .filter((e) => !e.on && e.at >= restartedAt);
      let gap = 0;
      for (const e of back.events().filter((x) => x.on)) {
        const before = lets.filter((l) => l.camera === e.camera && l.at <= e.at).map((l) => l.at);
        if (before.length) gap = Math.max(gap, e.at - Math.max(...before));
      }
      joinGaps.push(gap);
      doubles += doubleWatches(instances).length;
      progress(`run ${r + 1}: ${orphaned.length} cameras taken over, the last after ${s1(worst)}; rejoin gap max ${gap} ms`);
    }
    const bound = TTL_S + RENEW_S + HEALTH_TIMEOUT_S;
    return [
      {
        name: `camera failover: SIGKILL of 1 of 3 ingest instances → its cameras heart-beaten again (${N} cameras, ${RUNS} runs)`,
        value: `p50 ${s1(pct(takeovers, 50))}, max ${s1(Math.max(...takeovers))}`,
        target: `≤ TTL + renew + timeout = ${bound} s (< HEALTH_INTERVAL ${HEALTH_INTERVAL_S} s)`,
        note: `lease TTL ${TTL_S} s, renewal ${RENEW_S} s; per run the time until the LAST of the dead instance's cameras had a heartbeat from a survivor; runs ${takeovers.map((x) => (x / 1000).toFixed(1)).join(', ')} s; cameras watched twice at any moment (from the instances' logs): ${doubles}`,
      },
      {
        name: 'camera failover: instance (re)joins → its share handed over (stop, then hand over)',
        value: `gap p50 ${pct(joinGaps, 50)} ms, max ${Math.max(...joinGaps)} ms`,
        target: '< CAMERA_LEASE_RENEW, no double watch',
        note: 'gap = one camera stopped by its old holder → started by the joining one (largest per run); the joiner renews every renew/5 after a change',
      },
      {
        name: `camera sharing: CPU per instance per 10,000 cameras (3 instances, ${N} cameras, heartbeat 30 s + PullPoint per camera, leases renewed every 5 s)`,
        value: `${Math.max(...per10k).toFixed(2)} cores (max of 3)`,
        target: '< 0.5 core',
        note: `measured ${cores.map((c, k) => `${c.toFixed(3)} cores for ${shares[k]}`).join(', ')} cameras over one interval, scaled to 10,000 (the single-instance 10,000-camera row is in camera-health)`,
      },
    ];
  } finally {
    await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
    for (const s of sims) s.disconnect();
    await broker.close();
    await t.close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * CPU per instance per 10,000 cameras measured at that size: BENCH_FAILOVER_INSTANCES (default 2) ingest processes
 * hold BENCH_FAILOVER_CAMERAS (default 10,000) simulated cameras between them, CAMERA_SHARING as BENCH_FAILOVER_SHARING
 * (default on; `off` with one instance is the same run without leases), heartbeat 30 s + PullPoint as camera-health.
 * Each process's CPU time over two heartbeat intervals once every camera is prepared and a round has passed.
 * With BENCH_PORTS the cameras listen on that range only, one loopback address (127.26.k.j) per range's worth.
 */
async function runCpu(): Promise<Row[]> {
  const n = Number(process.env.BENCH_FAILOVER_INSTANCES ?? 2);
  const sharing = process.env.BENCH_FAILOVER_SHARING ?? 'on';
  const prepareMaxMs = Number(process.env.BENCH_CAMERAS_PREPARE_MS ?? 900_000);
  /** BENCH_FAILOVER_PROFILE=dir: a CPU profile of each instance over the measured window (<dir>/ingest-<k>.cpuprofile). */
  const profileDir = process.env.BENCH_FAILOVER_PROFILE;
  const N10 = Number(process.env.BENCH_FAILOVER_CAMERAS ?? 10_000);
  const [t, broker] = await Promise.all([
    freshPgDb({ poolSize: 8 }),
    PORTS ? portIn(PORTS).then((port) => startMosquitto({ port })) : startMosquitto(),
  ]);
  const sims: ChildProcess[] = [];
  const instances: IngestInstance[] = [];
  try {
    const city = generateCity({ seed: 3, cameras: N10, doors: 0 });
    await new CityRepository(t.db).importCity(city);
    const procs = Math.max(2, Math.ceil(N10 / CAMERAS_PER_SIM));
    const perHost = PORTS ? PORTS[1] - PORTS[0] + 1 : CAMERAS_PER_SIM;
    const started = await Promise.all(
      Array.from({ length: procs }, (_, k) => {
        const mine = city.cameras.filter((_c, i) => i % procs === k);
        const hosts = Array.from({ length: Math.ceil(mine.length / perHost) }, (_h, j) => `127.26.${k + 1}.${j + 1}`);
        return simProcess(mine, PORTS ? { hosts, ports: PORTS } : undefined);
      }),
    );
    sims.push(...started.map((s) => s.child));
    const repo = new CamerasRepository(t.db);
    const limit = new Limit(8);
    await Promise.all(started.flatMap((s) => s.cameras).map((c) => limit.run(() => repo.recordSeen(c.urn, c.xaddr, c.id, new Date()))));
    progress(`${N10} simulated cameras in ${procs} processes; ${n} instance(s), CAMERA_SHARING=${sharing}`);
    const since = (await t.db.query<{ now: Date }>('SELECT now()')).rows[0].now;
    const env = (name: string) => ingestEnv(t.url!, broker.url, name, { CAMERA_SHARING: sharing, GB_SIP_PORT: '0' });
    for (let k = 0; k < n; k++) {
      const profile: Record<string, string> = profileDir ? { GW_CPU_PROFILE: path.resolve(profileDir, `ingest-${k}.cpuprofile`) } : {};
      instances.push(IngestInstance.start(`gw-bench-cpu-${k}`, { ...env(`cpu-${k}`), ...profile }));
    }
    // Prepared = connected and inventoried (the inventory writes the row): every camera, or what is ready when the count
    // has not moved for a minute or at the limit (the row says how many).
    const prepStart = Date.now();
    let prepared = 0;
    for (let shown = prepStart, moved = prepStart; Date.now() - prepStart < prepareMaxMs && Date.now() - moved < 60_000;) {
      await sleep(2000);
      const r = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cameras WHERE auth_state = 'ok' AND updated_at >= $1`, [
        since,
      ]);
      if (r.rows[0].n !== prepared) moved = Date.now();
      prepared = r.rows[0].n;
      if (prepared >= N10) break;
      if (Date.now() - shown >= 10_000) {
        shown = Date.now();
        progress(`preparing: ${prepared} inventoried after ${((shown - prepStart) / 1000).toFixed(0)} s`);
      }
    }
    const prepMs = Date.now() - prepStart;
    progress(`${prepared} cameras inventoried in ${(prepMs / 1000).toFixed(0)} s; one more round before measuring`);
    // A heartbeat round after the last camera was prepared, so every pull loop is live and every camera heart-beaten.
    await sleep((HEALTH_INTERVAL_S + 10) * 1000);
    const pids = instances.map((i) => i.proc.child.pid!);
    if (profileDir) for (const pid of pids) process.kill(pid, 'SIGUSR2');
    const cpu0 = pids.map(cpuSeconds);
    const t0 = Date.now();
    const from = new Date();
    await sleep(2 * HEALTH_INTERVAL_S * 1000);
    const wall = (Date.now() - t0) / 1000;
    const cores = pids.map((pid, k) => (cpuSeconds(pid) - cpu0[k]) / wall);
    if (profileDir) {
      for (const pid of pids) process.kill(pid, 'SIGUSR2');
      await until(async () => instances.every((i) => i.times('cpu profile written').length > 0), Boolean, 60_000, 'the CPU profiles');
      progress(`CPU profiles in ${profileDir}`);
    }
    const load = (await import('node:os')).loadavg();
    const samples = await t.db.query<{ n: number; cams: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT camera_id)::int AS cams FROM camera_health WHERE kind = 'heartbeat' AND reachable AND ts >= $1 AND ts < $2`,
      [from, new Date(t0 + wall * 1000)],
    );
    const shares =
      sharing === 'off'
        ? [N10]
        : await t.db
            .query<{ instance: string; n: number }>('SELECT instance, count(*)::int AS n FROM camera_watchers GROUP BY instance')
            .then((r) => instances.map((i) => r.rows.find((x) => x.instance === i.name)?.n ?? 0));
    const per10k = cores.map((c, k) => (c / Math.max(1, shares[k])) * 10_000);
    const total = cores.reduce((a, c) => a + c, 0);
    progress(
      `CPU ${cores.map((c, k) => `${c.toFixed(3)} cores for ${shares[k]}`).join(', ')} cameras; ${samples.rows[0].n} heartbeats of ${samples.rows[0].cams} cameras in ${wall.toFixed(0)} s; load ${load.map((x) => x.toFixed(1)).join(' ')}`,
    );
    const what = sharing === 'off' ? 'no leases (CAMERA_SHARING=off)' : `leases renewed every ${RENEW_S} s`;
    return [
      {
        name: `camera CPU at size: ${n} ingest instance${n > 1 ? 's' : ''} holding ${fmt(N10)} cameras, ${what}, heartbeat ${HEALTH_INTERVAL_S} s + PullPoint`,
        value: `${Math.max(...per10k).toFixed(2)} cores per 10,000 cameras per instance${n > 1 ? ' (max)' : ''}`,
        target: '< 0.5 core',
        note:
          `measured ${cores.map((c, k) => `${c.toFixed(3)} cores for ${fmt(shares[k])}`).join(', ')} cameras (process CPU time / ${wall.toFixed(0)} s wall, 2 heartbeat intervals), ${total.toFixed(2)} cores in all; ` +
          `${fmt(prepared)} inventoried in ${(prepMs / 1000).toFixed(0)} s; ${fmt(samples.rows[0].n)} reachable heartbeats of ${fmt(samples.rows[0].cams)} cameras in the window; load average ${load[0].toFixed(1)}`,
      },
    ];
  } finally {
    await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
    // Each instance's log, to see why a camera was slow to prepare.
    const logs = mkdtempSync(path.join(tmpdir(), 'gw-bench-cpu-logs-'));
    for (const i of instances) writeFileSync(path.join(logs, `${i.name}.log`), i.proc.output());
    if (instances.length) progress(`instance logs in ${logs}`);
    for (const s of sims) s.disconnect();
    await broker.close();
    await t.close();
  }
}
