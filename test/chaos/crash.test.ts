// The short crash suite of `npm test` (the whole matrix is `npm run chaos`): door controllers publish QoS 1 for a few
// seconds while the broker, the PostgreSQL postmaster or the all-in-one is SIGKILLed mid-stream and started again; every eventId
// the broker acknowledged must then be in door_events exactly once, within the stated bound after the restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parts, runScenario, type Scenario } from './harness.ts';
import { rangeOf } from '../helpers/port-ranges.ts';

/** The bound on redelivery stated in docs/RELIABILITY.md: every acknowledged id stored this long after a restart. */
const BOUND_MS = 60_000;

describe('crash suite (short): SIGKILL mid-stream at 2,000 door events/s', () => {
  let parts: Parts;
  beforeAll(async () => {
    parts = await Parts.start(rangeOf('chaosCrash'));
  });
  afterAll(async () => {
    await parts?.close();
  });

  const run = async (s: Scenario) => {
    const o = await runScenario(parts, { ...s, boundMs: BOUND_MS });
    // Something must have been acknowledged on both sides of the crash for the run to mean anything.
    expect(o.acked).toBeGreaterThan(s.rate * (s.seconds - s.killAt[0]) * 0.5);
    expect({ lost: o.lost, twice: o.twice, sample: o.lostSample }).toEqual({ lost: 0, twice: 0, sample: [] });
  };

  it('when the broker is SIGKILLed mid-stream and restarted, then every acknowledged door event is stored exactly once', async () => {
    // Killed after Mosquitto has saved the intake's subscription (within autosave_interval + 1 s = 2 s of it with
    // deploy/mosquitto.conf): a broker killed before that loses what is published before the intake subscribes
    // again (docs/RELIABILITY.md, "Before the broker's first autosave").
    await run({ target: 'broker', rate: 2000, seconds: 8, killAt: [4], downMs: 2000 });
  }, 150_000);

  it("when the NATS JetStream server (the door controllers' MQTT broker) is SIGKILLed mid-stream and restarted, then every acknowledged door event is stored exactly once", async () => {
    // nats-server stores a QoS 1 publish in its stream before the PUBACK: unlike Mosquitto, a kill during a backlog
    // loses nothing it acknowledged (docs/RELIABILITY.md, "The broker that keeps the promise").
    await run({ target: 'broker', broker: 'nats', rate: 2000, seconds: 8, killAt: [4], downMs: 2000 });
  }, 150_000);

  it('when the PostgreSQL postmaster is SIGKILLed mid-stream and restarted, then every acknowledged door event is stored exactly once', async () => {
    await run({ target: 'postgres', rate: 2000, seconds: 6, killAt: [2], downMs: 2000 });
  }, 150_000);

  it('when the all-in-one on its embedded broker (npm start) is SIGKILLed mid-stream and restarted, then every acknowledged door event is stored exactly once', async () => {
    // Broker and intake die together: only a PUBACK that follows the commit keeps the promise (docs/RELIABILITY.md,
    // "Embedded mode").
    await run({ target: 'ingest', embedded: true, rate: 2000, seconds: 10, killAt: [5], downMs: 2000 });
  }, 240_000);
});
