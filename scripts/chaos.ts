// `npm run chaos`: the crash matrix (each part SIGKILLed mid-stream at several rates and moments); prints one line of
// figures per run. CHAOS_ONLY=<substring>[|<substring>…] runs only the matching rows; CHAOS_BOUND_S the seconds after the restart
// within which every acknowledged id must be stored (default 60); CHAOS_PORTS the port range; CHAOS_PROCESS=all-in-one runs `npm start` as intake.
import { Parts, runScenario, describeScenario, type Scenario } from '../test/chaos/harness.ts';

const only = process.env.CHAOS_ONLY;
const matrix: Scenario[] = [];
for (const rate of [2000, 8000, 20000]) {
  matrix.push({ target: 'broker', rate, seconds: 30, killAt: [10] });
  matrix.push({ target: 'postgres', rate, seconds: 30, killAt: [10] });
  matrix.push({ target: 'ingest', rate, seconds: 30, killAt: [10] });
}
// The other parts (the intake must not notice them go), other moments: mid-batch (a write of door_events open at the
// kill), twice in one run, and the broker before its first autosave (a fresh broker, killed 2 s into the stream).
for (const rate of [2000, 8000, 20000]) {
  for (const target of ['analytics', 'gateway', 'redis'] as const) matrix.push({ target, rate, seconds: 30, killAt: [10] });
  for (const target of ['ingest', 'postgres'] as const) matrix.push({ target, rate, seconds: 30, killAt: [10], moment: 'mid-batch' });
  for (const target of ['broker', 'postgres', 'ingest'] as const) matrix.push({ target, rate, seconds: 30, killAt: [8, 18] });
  matrix.push({ target: 'broker', rate, seconds: 30, killAt: [2], freshBroker: true });
  // The same with Mosquitto saving every second (the measured alternative to deploy/mosquitto.conf's 10 s).
  matrix.push({ target: 'broker', rate, seconds: 30, killAt: [2], freshBroker: true, brokerSettings: { autosave_interval: '1' } });
}
// The broker that stores before it acknowledges: nats-server with JetStream (one node, MQTT listener for the
// controllers, ingest on the JetStream bus), killed at each rate, twice, and beside the other parts' kills.
for (const rate of [2000, 8000, 20000]) {
  matrix.push({ target: 'broker', broker: 'nats', rate, seconds: 30, killAt: [10] });
  matrix.push({ target: 'broker', broker: 'nats', rate, seconds: 30, killAt: [8, 18] });
}
for (const target of ['ingest', 'postgres'] as const) matrix.push({ target, broker: 'nats', rate: 8000, seconds: 30, killAt: [10] });
// The embedded default: the all-in-one with aedes in-process, SIGKILLed (broker and intake die together).
for (const rate of [2000]) matrix.push({ target: 'ingest', rate, seconds: 30, killAt: [10], embedded: true });
if (process.env.CHAOS_PROCESS === 'all-in-one') for (const s of matrix) s.process = 'all-in-one';
const rows = matrix.filter((s) => !only || only.split('|').some((o) => describeScenario(s).includes(o)));
// CHAOS_PORTS=lo-hi: the ports its servers take (each engineer on a shared machine has a range).
const ports = (process.env.CHAOS_PORTS ?? '21000-21999').split('-').map(Number) as [number, number];
const parts = await Parts.start(ports);
let failed = 0;
try {
  for (const s of rows) {
    const o = await runScenario(parts, {
      ...s,
      boundMs: Number(process.env.CHAOS_BOUND_S ?? 60) * 1000,
      log: (l) => process.stderr.write(`  ${l}\n`),
    });
    const ok = o.lost === 0 && o.twice === 0;
    if (!ok) failed++;
    console.log(
      `${ok ? 'PASS' : 'FAIL'} | ${o.scenario} | offered ${o.offered} | acked ${o.acked} | stored ${o.stored} | lost ${o.lost} | twice ${o.twice} | settled ${o.settledMs} ms | ${o.killNotes.join(', ')} | sample ${o.lostSample.join(',')}`,
    );
  }
} finally {
  await parts.close();
}
process.exit(failed ? 1 : 0);
