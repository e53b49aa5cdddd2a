// Load generator for the ingest benchmark, run as a child process (fork, job as JSON in argv): door controllers publishing QoS 1 events
// at a fixed offered rate for a fixed time; each event's `ts` is its publish time (for latency at commit).
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';

interface Job {
  url: string;
  doors: { propertyId: string; id: string }[];
  perSecond: number;
  seconds: number;
  clients: number;
}

const job = JSON.parse(process.argv[2]) as Job;

async function publisher(index: number, rate: number): Promise<{ sent: number; acked: number }> {
  const client = await mqtt.connectAsync(job.url, { clientId: `gw-bench-pub-${index}-${randomUUID().slice(0, 6)}`, protocolVersion: 5, clean: true });
  let sent = 0;
  let acked = 0;
  const tick = 10;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  const pending: Promise<unknown>[] = [];
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    const ts = new Date().toISOString();
    for (; sent < due; sent++) {
      const door = job.doors[(sent * 7 + index) % job.doors.length];
      const body = `{"eventId":"${randomUUID()}","ts":"${ts}","type":"granted","direction":"in","credential":{"kind":"card","id":"card-${sent % 997}"}}`;
      pending.push(client.publishAsync(`access/${door.propertyId}/${door.id}/events`, body, { qos: 1 }).then(() => acked++));
    }
    if (pending.length > 5000) await Promise.all(pending.splice(0, pending.length - 1000));
    await new Promise((r) => setTimeout(r, tick));
  }
  process.stderr.write(`  publisher ${index}: ${sent} sent, waiting for ${sent - acked} acknowledgements\n`);
  await Promise.all(pending);
  await client.endAsync();
  return { sent, acked };
}

const results = await Promise.all(Array.from({ length: job.clients }, (_, i) => publisher(i, job.perSecond / job.clients)));
process.send!({ sent: results.reduce((a, r) => a + r.sent, 0), acked: results.reduce((a, r) => a + r.acked, 0) }, () => process.exit(0));
