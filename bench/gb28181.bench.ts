// GB/T 28181 rows: 10,000 registered devices at the standard 60-s keepalive (ingest CPU; last keepalive to the
// offline-making failed check), a re-register storm of all of them within 10 s, and a 32-channel NVR's catalog end to
// end. The SIP server runs here; the simulated devices in a child process of their own, over loopback UDP and TCP.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Row } from './main.ts';
import { freshPgDb } from '../test/helpers/db.ts';
import { startMosquitto } from '../test/ingest/helpers/mosquitto.ts';
import { importTestCity, testContext } from '../test/ingest/helpers/context.ts';
import { freeSipPort } from '../test/gb28181/sip-port.ts';
import { GbPlatform } from '../ingest/gb28181/gb-platform.ts';
import { GbFleet } from '../fixtures/gb28181/gb-fleet.ts';
import { GbDevicesRepository } from '../core/db/repositories/gb-devices.repository.ts';

const N = Number(process.env.BENCH_GB_DEVICES ?? 10_000);
const KEEPALIVE_S = Number(process.env.BENCH_GB_KEEPALIVE_S ?? 60);
const STORM_MS = 10_000;
const PASSWORD = 'bench-gb';
const progress = (text: string) => process.stderr.write(`  ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Cmd = { cmd: 'start'; port: number } | { cmd: 'stop_keepalive'; id: string } | { cmd: 'storm' } | { cmd: 'stop' };

// The device side, in a child process: the fleet answers the parent's commands.
if (process.env.BENCH_GB_CHILD) {
  let fleet: GbFleet | undefined;
  process.on('message', async (m: Cmd) => {
    if (m.cmd === 'start') {
      fleet = new GbFleet({
        count: N,
        server: { host: '127.0.0.1', port: m.port, id: '35030000002000000001', domain: '3503000000' },
        password: PASSWORD,
        keepaliveMs: KEEPALIVE_S * 1000,
        nvrShare: 0.05,
        tcpEvery: 5,
        spreadMs: 60_000,
        districtKeys: ['chengxiang'],
      });
      const r = await fleet.start();
      const nvr = fleet.devices.find((d) => d.channels.length === 32)!;
      process.send!({
        ...r,
        channels: fleet.channelCount,
        nvr32: nvr.id,
        ipc: fleet.devices[0].id,
        ipcChannel: fleet.devices[0].channels[0].id,
      });
    } else if (m.cmd === 'stop_keepalive') {
      const d = fleet!.device(m.id)!;
      d.keepaliveStopped = true;
      process.send!({ lastKeepaliveAt: d.lastKeepaliveAt });
    } else if (m.cmd === 'storm') {
      process.send!(await fleet!.reRegisterStorm(STORM_MS));
    } else {
      await fleet?.stop();
      process.send!({ stopped: true }, () => process.exit(0));
    }
  });
}

function ask<T>(child: ChildProcess, m: Cmd): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (r) => resolve(r as T));
    child.send(m);
  });
}

export async function run(): Promise<Row[]> {
  const [t, broker] = await Promise.all([freshPgDb({ poolSize: 10 }), startMosquitto()]);
  await importTestCity(t.db, { cameras: 200, doors: 2 });
  const port = await freeSipPort();
  const ctx = await testContext(t.db, broker.url, {
    GB_SIP_PORT: String(port),
    GB_SIP_HOST: '127.0.0.1',
    GB_SIP_PASSWORD: PASSWORD,
    GB_QUERY_TIMEOUT: '30s',
    OFFLINE_AFTER_FAILURES: '2',
    CREDENTIAL_KEY: 'bench',
    DATA_DIR: '/tmp',
  });
  const gb = new GbPlatform(ctx);
  await gb.start();
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: process.execArgv, env: { ...process.env, BENCH_GB_CHILD: '1' } });
  child.on('error', () => undefined);
  const rows: Row[] = [];
  try {
    progress(`registering ${N} GB devices over 60 s…`);
    const started = await ask<{ registered: number; refused: number; channels: number; nvr32: string; ipc: string; ipcChannel: string }>(
      child,
      { cmd: 'start', port },
    );
    progress(`registered ${started.registered} (${started.refused} refused), ${started.channels} channels; waiting for inventories…`);
    const until = Date.now() + 180_000;
    while (gb.stats().channels !== started.channels && Date.now() < until) await sleep(1000);
    progress(`${gb.stats().channels} channels tracked; measuring one ${KEEPALIVE_S}-s keepalive interval…`);

    const cpu0 = process.cpuUsage();
    const ka0 = gb.counts.keepalives;
    const t0 = performance.now();
    await sleep(KEEPALIVE_S * 1000);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const cores = (cpu.user + cpu.system) / 1000 / wall;
    rows.push({
      name: `${started.registered} GB devices (${gb.stats().channels} channels) at ${KEEPALIVE_S}-s keepalive: ingest CPU`,
      value: `${cores.toFixed(3)} cores`,
      note: `${gb.counts.keepalives - ka0} keepalives in ${(wall / 1000).toFixed(0)} s; SIP server, health samples to PostgreSQL and MQTT; devices in another process`,
    });

    // Last keepalive → the failed check that makes the channel offline (3 missed intervals, the standard).
    const { lastKeepaliveAt } = await ask<{ lastKeepaliveAt: number }>(child, { cmd: 'stop_keepalive', id: started.ipc });
    progress(`keepalives of ${started.ipc} stopped; waiting for offline (about ${3 * KEEPALIVE_S} s)…`);
    let offlineAt = 0;
    const deadline = Date.now() + (3 * KEEPALIVE_S + 60) * 1000;
    while (Date.now() < deadline) {
      const ch = gb.liveness.devices.get(started.ipc)?.channels.get(started.ipcChannel);
      if (ch && ch.emitted >= 2) {
        offlineAt = Date.now();
        break;
      }
      await sleep(100);
    }
    rows.push({
      name: 'GB last keepalive → channel offline (failed check sent)',
      value: offlineAt ? `${((offlineAt - lastKeepaliveAt) / 1000).toFixed(1)} s` : 'not reached',
      target: `${3 * KEEPALIVE_S} s (3 × keepalive)`,
      note: 'analytics then marks it offline on arrival',
    });

    // A 32-channel NVR's catalog: query, 16 pages of 2 items, channels written as cameras.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const n = await gb.refreshCatalogOf(started.nvr32);
      times.push(performance.now() - s);
      if (n !== 32) throw new Error(`catalog of the 32-channel NVR gave ${n} channels`);
    }
    times.sort((a, b) => a - b);
    rows.push({
      name: 'GB catalog of a 32-channel NVR end to end (16 pages → cameras rows)',
      value: `${times[2].toFixed(0)} ms median`,
      note: `5 runs: ${times.map((x) => x.toFixed(0)).join(', ')} ms, with the fleet keeping alive`,
    });

    // Re-register storm: every device loses its socket and registers again from a new port within 10 s.
    const devices = new GbDevicesRepository(t.db);
    const regs0 = gb.counts.registers;
    const cpuS = process.cpuUsage();
    const s0 = performance.now();
    progress(`re-register storm of ${N} devices within ${STORM_MS / 1000} s…`);
    const storm = await ask<{ registered: number; ms: number }>(child, { cmd: 'storm' });
    const cpuStorm = process.cpuUsage(cpuS);
    const stormWall = performance.now() - s0;
    const online = (await devices.registered(new Date())).length;
    rows.push({
      name: `GB re-register storm: ${N} devices within ${STORM_MS / 1000} s`,
      value: `${storm.registered}/${N} registered in ${(storm.ms / 1000).toFixed(1)} s`,
      note: `ingest ${((cpuStorm.user + cpuStorm.system) / 1000 / stormWall || 0).toFixed(2)} cores over the storm; ${gb.counts.registers - regs0} REGISTERs (401 + 200); ${online} registrations valid after`,
    });
  } finally {
    await ask(child, { cmd: 'stop' }).catch(() => undefined);
    await gb.stop();
    await ctx.bus.close();
    await broker.close();
    await t.close();
  }
  return rows;
}
