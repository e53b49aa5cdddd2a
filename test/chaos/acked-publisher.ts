// Door controllers for the crash suite, run as a child process (fork, job as JSON in argv): QoS 1 door events at a
// fixed offered rate from persistent sessions that reconnect and resend what is unacknowledged (as a controller
// keeps its copy until the PUBACK). Every eventId the broker acknowledged is written, one a line, to `ackedFile`.
// Raw mqtt-packet on a socket (as bench's door-load.ts) so that 20,000/s fits beside the broker, ingest and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

export interface PublisherJob {
  url: string;
  doors: { propertyId: string; id: string }[];
  perSecond: number;
  seconds: number;
  clients: number;
  protocolVersion: 4 | 5;
  ackedFile: string;
  /** Give up waiting for the last acknowledgements after this long (the run then reports them unacknowledged). */
  drainMs: number;
}

export interface PublisherResult {
  offered: number;
  acked: number;
  reconnects: number;
}

/** Unacknowledged messages per connection: below the broker's Receive Maximum, ids are never reused in flight. */
const MAX_IN_FLIGHT = 10_000;

class Controller {
  private socket: net.Socket | undefined;
  private connected = false;
  /** messageId → its event and encoded PUBLISH, in send order (Map keeps insertion order). */
  private readonly inflight = new Map<number, { eventId: string; packet: Record<string, unknown> }>();
  private nextId = 1;
  private stopped = false;
  acked = 0;
  sent = 0;
  reconnects = 0;
  private ackedIds: string[] = [];

  constructor(
    private readonly job: PublisherJob,
    private readonly index: number,
    private readonly clientId: string,
  ) {}

  get unacked(): number {
    return this.inflight.size;
  }

  get canSend(): boolean {
    return this.connected && this.inflight.size < MAX_IN_FLIGHT;
  }

  /** Acknowledged ids gathered since the last call. */
  takeAcked(): string[] {
    const out = this.ackedIds;
    this.ackedIds = [];
    return out;
  }

  connect(): void {
    if (this.stopped) return;
    const { hostname, port } = new URL(this.job.url);
    const opts = { protocolVersion: this.job.protocolVersion };
    const socket = net.connect(Number(port), hostname);
    this.socket = socket;
    socket.setNoDelay(true);
    const parser = mqttPacket.parser(opts);
    parser.on('packet', (p) => {
      if (p.cmd === 'puback') {
        const m = this.inflight.get(p.messageId!);
        if (!m) return;
        this.inflight.delete(p.messageId!);
        this.acked++;
        this.ackedIds.push(m.eventId);
      } else if (p.cmd === 'connack') {
        if ((p as { returnCode?: number; reasonCode?: number }).returnCode || (p as { reasonCode?: number }).reasonCode) {
          socket.destroy();
          return;
        }
        this.connected = true;
        // A persistent session: what the broker did not acknowledge is sent again, flagged DUP, in the old order.
        const again: Buffer[] = [];
        for (const m of this.inflight.values()) again.push(mqttPacket.generate({ ...m.packet, dup: true } as never, opts));
        if (again.length) socket.write(Buffer.concat(again));
      }
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (buf) => parser.parse(buf));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.connected = false;
      if (this.socket === socket && !this.stopped) {
        this.reconnects++;
        setTimeout(() => this.connect(), 250);
      }
    });
    const props = this.job.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {};
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'connect',
          protocolId: this.job.protocolVersion === 5 ? 'MQTT' : 'MQTT',
          protocolVersion: this.job.protocolVersion,
          clean: false,
          keepalive: 30,
          clientId: this.clientId,
          ...props,
        } as never,
        opts,
      ),
    );
  }

  /** Encodes and writes up to `n` new events; returns how many went out. */
  send(n: number): number {
    if (!this.socket || !this.connected) return 0;
    const opts = { protocolVersion: this.job.protocolVersion };
    const ts = new Date().toISOString();
    const out: Buffer[] = [];
    let k = 0;
    for (; k < n && this.inflight.size < MAX_IN_FLIGHT; k++) {
      while (this.inflight.has(this.nextId)) this.nextId = (this.nextId % 65_535) + 1;
      const messageId = this.nextId;
      this.nextId = (this.nextId % 65_535) + 1;
      const door = this.job.doors[(this.sent * 7 + this.index) % this.job.doors.length];
      const eventId = randomUUID();
      const payload = `{"eventId":"${eventId}","ts":"${ts}","type":"granted","direction":"in","credential":{"kind":"card","id":"card-${this.sent % 997}"}}`;
      const packet = {
        cmd: 'publish',
        qos: 1,
        dup: false,
        retain: false,
        messageId,
        topic: `access/${door.propertyId}/${door.id}/events`,
        payload,
      };
      this.inflight.set(messageId, { eventId, packet });
      out.push(mqttPacket.generate(packet as never, opts));
      this.sent++;
    }
    if (out.length) this.socket.write(Buffer.concat(out));
    return k;
  }

  end(): void {
    this.stopped = true;
    const s = this.socket;
    if (!s) return;
    if (this.connected) s.end(mqttPacket.generate({ cmd: 'disconnect' } as never, { protocolVersion: this.job.protocolVersion }));
    else s.destroy();
  }
}

async function main(job: PublisherJob): Promise<PublisherResult> {
  writeFileSync(job.ackedFile, '');
  const tag = randomUUID().slice(0, 6);
  const controllers = Array.from({ length: job.clients }, (_, i) => new Controller(job, i, `gw-chaos-pub-${i}-${tag}`));
  for (const c of controllers) c.connect();
  const flush = () => {
    const ids = controllers.flatMap((c) => c.takeAcked());
    if (ids.length) appendFileSync(job.ackedFile, ids.join('\n') + '\n');
  };
  const tick = 10;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  let offered = 0;
  // Offered load is what is due by the clock; a controller that cannot send (broker away, window full) keeps its
  // share for later, as a controller buffers while its broker is unreachable.
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * job.perSecond);
    let want = due - offered;
    for (let i = 0; i < controllers.length && want > 0; i++) {
      const share = Math.ceil(want / (controllers.length - i));
      const n = controllers[i].send(share);
      offered += n;
      want -= n;
    }
    flush();
    await new Promise((r) => setTimeout(r, tick));
  }
  const drainUntil = Date.now() + job.drainMs;
  while (controllers.some((c) => c.unacked > 0) && Date.now() < drainUntil) {
    flush();
    await new Promise((r) => setTimeout(r, 50));
  }
  flush();
  for (const c of controllers) c.end();
  return { offered, acked: controllers.reduce((a, c) => a + c.acked, 0), reconnects: controllers.reduce((a, c) => a + c.reconnects, 0) };
}

if (process.send) {
  const job = JSON.parse(process.argv[2]) as PublisherJob;
  const result = await main(job);
  process.send(result, () => process.exit(0));
}
