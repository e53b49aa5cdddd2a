// Load generator for the ingest benchmark, run as a child process (fork, job as JSON in argv): door controllers publishing QoS 1 events
// at a fixed offered rate for a fixed time; each event's `ts` is its publish time (for latency at commit).
// Each publisher is one MQTT 5 connection written with mqtt-packet directly: the packets of a 10 ms tick go out in one
// socket write and PUBACKs are only counted. Real controllers are separate devices; here they share the benchmark's
// two cores with the broker, the database and ingest, so the harness is kept as light as the protocol allows.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

interface Job {
  url: string;
  doors: { propertyId: string; id: string }[];
  perSecond: number;
  seconds: number;
  clients: number;
}

const job = JSON.parse(process.argv[2]) as Job;
const OPTS = { protocolVersion: 5 } as const;
/** Below the broker's Receive Maximum (65,535): packet ids are reused only once acknowledged. */
const MAX_IN_FLIGHT = 60_000;

async function publisher(index: number, rate: number): Promise<{ sent: number; acked: number }> {
  const { hostname, port } = new URL(job.url);
  const socket = net.connect(Number(port), hostname);
  socket.setNoDelay(true);
  const parser = mqttPacket.parser(OPTS);
  let acked = 0;
  let connected: () => void = () => {};
  const ready = new Promise<void>((r) => (connected = r));
  parser.on('packet', (p) => {
    if (p.cmd === 'puback') acked++;
    else if (p.cmd === 'connack') connected();
  });
  parser.on('error', (err) => process.stderr.write(`  publisher ${index}: ${err.message}\n`));
  socket.on('data', (buf) => parser.parse(buf));
  socket.write(
    mqttPacket.generate(
      {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clean: true,
        keepalive: 60,
        clientId: `gw-bench-pub-${index}-${randomUUID().slice(0, 6)}`,
      },
      OPTS,
    ),
  );
  await ready;

  let sent = 0;
  const tick = 10;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  while (performance.now() < end) {
    const due = Math.min(Math.floor(((performance.now() - start) / 1000) * rate), acked + MAX_IN_FLIGHT);
    const ts = new Date().toISOString();
    const packets: Buffer[] = [];
    for (; sent < due; sent++) {
      const door = job.doors[(sent * 7 + index) % job.doors.length];
      const payload = `{"eventId":"${randomUUID()}","ts":"${ts}","type":"granted","direction":"in","credential":{"kind":"card","id":"card-${sent % 997}"}}`;
      packets.push(
        mqttPacket.generate(
          {
            cmd: 'publish',
            qos: 1,
            dup: false,
            retain: false,
            messageId: (sent % 65_535) + 1,
            topic: `access/${door.propertyId}/${door.id}/events`,
            payload,
          },
          OPTS,
        ),
      );
    }
    if (packets.length) socket.write(Buffer.concat(packets));
    await new Promise((r) => setTimeout(r, tick));
  }
  process.stderr.write(`  publisher ${index}: ${sent} sent, waiting for ${sent - acked} acknowledgements\n`);
  while (acked < sent && !socket.destroyed) await new Promise((r) => setTimeout(r, 20));
  socket.end(mqttPacket.generate({ cmd: 'disconnect' }, OPTS));
  return { sent, acked };
}

const results = await Promise.all(Array.from({ length: job.clients }, (_, i) => publisher(i, job.perSecond / job.clients)));
process.send!({ sent: results.reduce((a, r) => a + r.sent, 0), acked: results.reduce((a, r) => a + r.acked, 0) }, () => process.exit(0));
