// A NATS JetStream cluster of its own for tests and benchmarks: N nats-server nodes (Debian's /usr/sbin/nats-server)
// routed to each other, each with its own store directory and an MQTT listener for door controllers, on ports from a
// range. Nodes can be SIGKILLed and started again on the same store, as in a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { portIn } from './harness.ts';
import { waitForPort } from '../ingest/helpers/mosquitto.ts';
import type { PublisherJob } from './acked-publisher.ts';

export const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

export interface NatsNode {
  name: string;
  clientPort: number;
  mqttPort: number;
  routePort: number;
  conf: string;
  proc?: ChildProcess;
  log: string;
}

export class NatsCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: NatsNode[],
  ) {}

  /** `nats://…` of every node, comma-separated (what MQTT_URL takes). */
  get url(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`).join(',');
  }

  mqttUrl(i: number): string {
    return `mqtt://127.0.0.1:${this.nodes[i].mqttPort}`;
  }

  /** A door publisher job whose controllers connect to node `i`'s MQTT listener, which speaks MQTT 3.1.1 only. */
  doorJob(i: number, job: Omit<PublisherJob, 'url' | 'protocolVersion'>): PublisherJob {
    return { ...job, url: this.mqttUrl(i), protocolVersion: 4 };
  }

  static async start(opts: { size?: number; ports?: [number, number] } = {}): Promise<NatsCluster> {
    const size = opts.size ?? 3;
    const ports = opts.ports ?? [21000, 21999];
    const dir = mkdtempSync(path.join(tmpdir(), 'gw-nats-'));
    const taken = new Set<number>();
    const port = async () => {
      for (;;) {
        const p = await portIn(ports);
        if (!taken.has(p)) {
          taken.add(p);
          return p;
        }
      }
    };
    const nodes: NatsNode[] = [];
    for (let i = 0; i < size; i++)
      nodes.push({ name: `n${i}`, clientPort: await port(), mqttPort: await port(), routePort: await port(), conf: '', log: '' });
    const tag = path.basename(dir).replace(/[^A-Za-z0-9]/g, '');
    for (const n of nodes) {
      n.conf = path.join(dir, `${n.name}.conf`);
      const routes = nodes.map((o) => `nats-route://127.0.0.1:${o.routePort}`).join(', ');
      writeFileSync(
        n.conf,
        [
          `server_name: ${n.name}-${tag}`,
          `listen: 127.0.0.1:${n.clientPort}`,
          `jetstream { store_dir: "${path.join(dir, n.name)}" }`,
          // The MQTT listener needs server_name and JetStream; it keeps QoS 1 messages in $MQTT_msgs.
          `mqtt { listen: 127.0.0.1:${n.mqttPort} }`,
          // One node alone runs JetStream unclustered (streams of one replica).
          size > 1 ? `cluster { name: gw-${tag}, listen: 127.0.0.1:${n.routePort}, routes: [${routes}] }` : '',
        ].join('\n'),
      );
    }
    const cluster = new NatsCluster(dir, nodes);
    await Promise.all(nodes.map((_, i) => cluster.startNode(i)));
    await cluster.waitForJetStream();
    return cluster;
  }

  async startNode(i: number): Promise<void> {
    const n = this.nodes[i];
    const proc = spawn(NATS_SERVER, ['-c', n.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    n.proc = proc;
    n.log = '';
    proc.stdout!.on('data', (d) => (n.log = (n.log + d.toString()).slice(-20_000)));
    proc.stderr!.on('data', (d) => (n.log = (n.log + d.toString()).slice(-20_000)));
    // A node that cannot start (a port taken, a bad store) exits at once: say so with its log, not a port timeout.
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code, signal) =>
        reject(new Error(`nats-server ${n.name} exited (${signal ?? code}) while starting:\n${n.log.slice(-2000)}`)),
      ),
    );
    exited.catch(() => {});
    try {
      await Promise.race([exited, waitForPort(n.clientPort, 15_000).then(() => waitForPort(n.mqttPort, 15_000))]);
    } catch (err) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw err;
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message} (nats-server ${n.name}):\n${n.log.slice(-2000)}`, { cause: err });
    }
  }

  /** SIGKILL, as in a crash: nothing is flushed or handed over. */
  async killNode(i: number): Promise<void> {
    const p = this.nodes[i].proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  /** Until the cluster has a JetStream meta leader that answers (stream and consumer requests work). */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    const nc = await connect({ servers: this.nodes.map((n) => `127.0.0.1:${n.clientPort}`), maxReconnectAttempts: -1 });
    try {
      const until = Date.now() + timeoutMs;
      for (;;) {
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2000 });
          await jsm.getAccountInfo();
          return;
        } catch (err) {
          if (Date.now() > until) throw new Error(`JetStream cluster not ready: ${String(err)}`, { cause: err });
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      await nc.close();
    }
  }

  /** The index of the node leading a stream's replicas (-1 when none is known). */
  async leaderOf(stream: string): Promise<number> {
    const nc = await connect({ servers: this.nodes.map((n) => `127.0.0.1:${n.clientPort}`) });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(stream);
      return this.nodes.findIndex((n) => info.cluster?.leader?.startsWith(`${n.name}-`));
    } finally {
      await nc.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.killNode(i)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
