// Several ingest processes sharing cameras: starts them, reads from their logs which cameras each watched when,
// and checks the timeline (no camera watched by two instances at once; who watches what now).
import { fileURLToPath } from 'node:url';
import { run, type Running } from '../../helpers/run.ts';
import { until } from './wait.ts';

const SCRIPT = fileURLToPath(new URL('./ingest-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface WatchEvent {
  instance: string;
  camera: string;
  on: boolean;
  at: number;
}

export class IngestInstance {
  /** Set when the test killed it (SIGKILL): its watches end then. */
  killedAt?: number;
  private constructor(
    readonly name: string,
    readonly proc: Running,
  ) {}

  static start(name: string, env: Record<string, string>): IngestInstance {
    const proc = run(process.execPath, ['--import', 'tsx', SCRIPT], { ...env, MQTT_CLIENT_ID: name, LOG_LEVEL: 'debug' }, ROOT);
    return new IngestInstance(name, proc);
  }

  private lines(): Record<string, any>[] {
    const out: Record<string, any>[] = [];
    for (const line of this.proc.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        /* a line cut by the kill */
      }
    }
    return out;
  }

  /** Its watch starts and ends, from its own log (logged after a camera started, and after it stopped). */
  events(): WatchEvent[] {
    const ev: WatchEvent[] = [];
    for (const l of this.lines()) {
      if (l.msg !== 'cameras watched' && l.msg !== 'cameras let go') continue;
      for (const camera of l.cameras as string[]) ev.push({ instance: this.name, camera, on: l.msg === 'cameras watched', at: l.time });
    }
    if (this.killedAt !== undefined)
      for (const camera of this.logged()) ev.push({ instance: this.name, camera, on: false, at: this.killedAt });
    return ev;
  }

  /** The cameras it watches now (by its log; none once killed). */
  watching(): Set<string> {
    return this.killedAt !== undefined ? new Set() : this.logged();
  }

  /** The cameras its log says it watches (at its death, if killed). */
  private logged(): Set<string> {
    const now = new Set<string>();
    for (const l of this.lines()) {
      if (l.msg === 'cameras watched') for (const c of l.cameras) now.add(c);
      if (l.msg === 'cameras let go') for (const c of l.cameras) now.delete(c);
    }
    return now;
  }

  /** Times of its log lines with this message. */
  times(msg: string, match: (l: Record<string, any>) => boolean = () => true): number[] {
    return this.lines()
      .filter((l) => l.msg === msg && match(l))
      .map((l) => l.time as number);
  }

  async kill(): Promise<number> {
    this.killedAt = Date.now();
    await this.proc.stop('SIGKILL');
    return this.killedAt;
  }

  stop(): Promise<number | null> {
    return this.proc.stop('SIGTERM');
  }
}

/** Cameras watched by two instances at one time (an instance's start after another's end at the same ms is fine). */
export function doubleWatches(instances: IngestInstance[]): { camera: string; instances: string[]; at: number }[] {
  const ev = instances.flatMap((i) => i.events()).sort((a, b) => a.at - b.at || Number(a.on) - Number(b.on));
  const holders = new Map<string, Set<string>>();
  const bad: { camera: string; instances: string[]; at: number }[] = [];
  for (const e of ev) {
    const h = holders.get(e.camera) ?? new Set<string>();
    holders.set(e.camera, h);
    if (!e.on) h.delete(e.instance);
    else {
      h.add(e.instance);
      if (h.size > 1) bad.push({ camera: e.camera, instances: [...h], at: e.at });
    }
  }
  return bad;
}

/** Who watches each camera now, by the instances' logs. */
export function watchersNow(instances: IngestInstance[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const i of instances) for (const c of i.watching()) m.set(c, [...(m.get(c) ?? []), i.name]);
  return m;
}

/** Waits (up to 60 s) until each of `cameras` cameras is watched by exactly one live instance and every one has some. */
export function allWatchedOnce(live: () => IngestInstance[], cameras: number, what: string): Promise<Map<string, string[]>> {
  return until(
    () => watchersNow(live()),
    (m) => m.size === cameras && [...m.values()].every((w) => w.length === 1) && live().every((i) => i.watching().size > 0),
    60_000,
    what,
  );
}
