// Applies batches of detector inputs to the cameras' shared state in one transaction (rows locked, so several
// workers on a shared subscription never act twice), records transitions, opens and closes outages and tickets,
// then publishes what changed and raises or resolves the outage alerts.
import { randomUUID } from 'node:crypto';
import type { Alert, CameraStatusChange, OutageCause } from '../../core/events/index.ts';
import type { Db } from '../../core/db/db.ts';
import { AlertsRepository, type AlertRow } from '../../core/db/repositories/alerts.repository.ts';
import type { ServiceContext } from '../../core/service.ts';
import { OutagesRepository, type CameraStateRow, type StatusChangeRow } from '../../core/db/repositories/outages.repository.ts';
import {
  step,
  failuresFor,
  isWatching,
  type DetectorEffect,
  type DetectorInput,
  type DetectorParams,
  type DetectorState,
} from './camera-state.ts';
import type { RepairsService } from '../repairs/repairs.service.ts';
import type { AlertsService, NewAlert } from '../alerts/alerts.service.ts';
import type { GridPlaces } from '../alerts/grid-places.ts';
import { OutboxRepository, type OutboxEntry } from '../../core/db/repositories/outbox.repository.ts';

export interface TimedInput {
  cameraId: string;
  ts: number;
  input: DetectorInput;
}

interface AfterCommit {
  changes: StatusChangeRow[];
  tickets: string[];
  /** Outage alerts stored in the transaction of their outage, published after it commits. */
  raised: Alert[];
  resolved: AlertRow[];
  watchingChanged: boolean;
  /** The same messages, stored in the bus outbox by the transaction: deleted once sent, else the relay sends them. */
  outboxIds: string[];
}

const GAP_WAIT_MS = 5_000;
const GAPS_MAX = 10_000;
const UNKNOWN_RETRY_MS = 30_000;
const QUALITY: ReadonlySet<OutageCause> = new Set(['black', 'frozen', 'covered', 'low_quality']);

export class StatusProcessor {
  readonly repo: OutagesRepository;
  private readonly outbox: OutboxRepository;
  /** States as last seen; the database stays the truth and a change feed tells which entries another worker made stale. */
  private readonly cache = new Map<string, CameraStateRow>();
  private readonly unknown = new Map<string, number>();
  private lastSeq?: number;
  /** Change numbers not seen yet below `lastSeq` (transactions that commit late), with when they were noticed. */
  private readonly gaps = new Map<number, number>();
  processed = 0;
  /** Called after a batch that changed whether some camera is watching (coverage recomputes). */
  onWatchingChanged?: () => void;

  constructor(
    private readonly ctx: Pick<ServiceContext, 'db' | 'bus' | 'clock' | 'config' | 'log'>,
    private readonly repairs: RepairsService,
    private readonly alerts: AlertsService,
    private readonly places: GridPlaces,
  ) {
    this.repo = new OutagesRepository(ctx.db);
    this.outbox = new OutboxRepository(ctx.db);
  }

  private params(priority: string): DetectorParams {
    const c = this.ctx.config;
    return {
      failuresToOffline: failuresFor(priority, c),
      stableForMs: c.repairStableFor,
      flapThreshold: c.flapThreshold,
      flapWindowMs: c.flapWindow,
    };
  }

  /** Runs a camera's inputs through the state machine; `changed` when something must be written. */
  private run(row: CameraStateRow, inputs: readonly TimedInput[]) {
    let s: DetectorState = { ...row, outageOpen: row.outageId !== undefined };
    const effects: (DetectorEffect & { ts: number })[] = [];
    let changed = false;
    for (const it of inputs) {
      // A sample older than what this camera has already seen (redelivery, another worker's later one) changes nothing.
      if (it.input.type !== 'tick' && s.lastTs !== undefined && it.ts < s.lastTs) continue;
      const before = s;
      const r = step(s, it.input, it.ts, this.params(row.priority));
      s = r.state;
      if (
        r.effects.length > 0 ||
        s.failures !== before.failures ||
        s.quality !== before.quality ||
        s.toggles.length !== before.toggles.length ||
        s.upSince !== before.upSince
      )
        changed = true;
      for (const e of r.effects) effects.push({ ...e, ts: it.ts });
    }
    return { state: s, effects, changed };
  }

  /** Drops cached states that another worker (or an earlier transaction of ours) has changed since. */
  private async refresh(): Promise<void> {
    const now = Date.now();
    if (this.lastSeq === undefined) {
      // Rows written by transactions still in flight may carry lower numbers: look back a little on start.
      this.lastSeq = Math.max(0, (await this.repo.maxSeq()) - 10_000);
      return;
    }
    const rows = await this.repo.changedSince(this.lastSeq, [...this.gaps.keys()]);
    const seen = new Set<number>();
    let max = this.lastSeq;
    for (const r of rows) {
      seen.add(r.seq);
      this.gaps.delete(r.seq);
      if (r.seq > max) max = r.seq;
      const c = this.cache.get(r.cameraId);
      if (c && c.seq < r.seq) this.cache.delete(r.cameraId);
    }
    if (max - this.lastSeq < GAPS_MAX) for (let q = this.lastSeq + 1; q < max; q++) if (!seen.has(q)) this.gaps.set(q, now);
    for (const [q, at] of this.gaps) if (now - at > GAP_WAIT_MS) this.gaps.delete(q);
    this.lastSeq = max;
  }

  /** Processes one batch; resolves when it is committed and its consequences published. */
  async process(items: readonly TimedInput[], opts: { skipLocked?: boolean } = {}): Promise<void> {
    if (items.length === 0) return;
    const byCamera = new Map<string, TimedInput[]>();
    for (const it of items) {
      let list = byCamera.get(it.cameraId);
      if (!list) byCamera.set(it.cameraId, (list = []));
      list.push(it);
    }
    for (const list of byCamera.values()) if (list.length > 1) list.sort((a, b) => a.ts - b.ts);
    await this.refresh();
    const now = Date.now();
    const missing = [...byCamera.keys()].filter((id) => !this.cache.has(id) && !((this.unknown.get(id) ?? 0) > now));
    if (missing.length > 0) {
      const known = new Set(await this.repo.ensureStates(missing));
      for (const id of missing) {
        if (known.has(id)) this.unknown.delete(id);
        else this.unknown.set(id, now + UNKNOWN_RETRY_MS);
      }
      if (known.size > 0) for (const row of await this.repo.loadStates([...known])) this.cache.set(row.cameraId, row);
    }
    // Most samples change nothing (an online camera answering): those cost no database work at all.
    const touched = [...byCamera.keys()].filter((id) => {
      const row = this.cache.get(id);
      return row !== undefined && !quietlyOnline(row, byCamera.get(id)!) && this.run(row, byCamera.get(id)!).changed;
    });
    const locked = touched.length > 0 ? await this.saveSimple(touched, byCamera) : [];
    if (locked.length > 0) await this.commit(locked, byCamera, opts.skipLocked ?? false);
    // Samples of cameras this database does not know (another deployment's on a shared broker) do not count.
    for (const it of items) if (!this.unknown.has(it.cameraId)) this.processed++;
  }

  /**
   * Changes that only move a camera between states (no outage to open or close) are written in one statement,
   * guarded by each row's change number; returns the cameras that need the locked path instead.
   */
  private async saveSimple(ids: string[], byCamera: Map<string, TimedInput[]>): Promise<string[]> {
    const rows: (CameraStateRow & { readSeq: number })[] = [];
    const changes: StatusChangeRow[] = [];
    const rest: string[] = [];
    let watchingChanged = false;
    for (const id of ids) {
      const row = this.cache.get(id)!;
      const { state: s, effects } = this.run(row, byCamera.get(id)!);
      if (effects.some((e) => e.type !== 'status')) {
        rest.push(id);
        continue;
      }
      if (isWatching(s) !== isWatching(row)) watchingChanged = true;
      for (const e of effects) if (e.type === 'status') changes.push({ cameraId: id, ts: e.at, from: e.from, to: e.to, reason: e.reason });
      const { outageOpen: _open, ...state } = s;
      rows.push({ ...row, ...state, outageId: row.outageId, readSeq: row.seq });
    }
    if (rows.length === 0) return rest;
    // The status messages go in the bus outbox in the same transaction, as on the locked path: a worker killed
    // between this commit and its publish leaves them to the relay.
    let outboxIds: string[] = [];
    const saved = await this.ctx.db.tx(async (q) => {
      const done = await this.repo.saveIfUnchanged(q, rows, changes);
      const sent = changes.filter((c) => done.has(c.cameraId));
      outboxIds = await this.outbox.add(
        q,
        outboxEntries({ changes: sent, raised: [], resolved: [], tickets: [] }),
        this.ctx.config.outboxHold,
      );
      return done;
    });
    for (const row of rows) {
      const seq = saved.get(row.cameraId);
      if (seq === undefined) {
        // Another worker changed this camera since we read it: redo it from the database, under lock.
        this.cache.delete(row.cameraId);
        rest.push(row.cameraId);
      } else {
        const { readSeq: _r, ...state } = row;
        this.cache.set(row.cameraId, { ...state, seq });
      }
    }
    await this.afterCommit({
      changes: changes.filter((c) => saved.has(c.cameraId)),
      tickets: [],
      raised: [],
      resolved: [],
      watchingChanged,
      outboxIds,
    });
    return rest;
  }

  /** Replays the inputs on the locked rows (the truth), writes states and their consequences in one transaction. */
  private async commit(ids: string[], byCamera: Map<string, TimedInput[]>, skipLocked: boolean): Promise<void> {
    const after: AfterCommit = { changes: [], tickets: [], raised: [], resolved: [], watchingChanged: false, outboxIds: [] };
    let saved = new Map<string, number>();
    const dirty: CameraStateRow[] = [];
    // The places of alerts this transaction may raise are looked up before it: on the embedded database (one
    // connection) a query outside an open transaction would wait for that transaction to end.
    const cached = ids.map((id) => this.cache.get(id)).filter((r) => r !== undefined);
    const uncached = ids.filter((id) => !this.cache.has(id));
    for (const r of [...cached, ...(uncached.length > 0 ? await this.repo.loadStates(uncached) : [])])
      await this.places.of(r.cellId, r.districtId);
    await this.ctx.db
      .tx(async (q) => {
        // The outage's alert is stored (or resolved) with the outage and its ticket: a worker that dies after the commit
        // and before its acknowledgement finds the outage open on redelivery and raises nothing again, so the alert
        // must not wait for after the commit. (The repository only queries, so the transaction stands in for its Db.)
        const alerts = new AlertsRepository(q as Db);
        const rows = await this.repo.lockStates(q, ids, skipLocked);
        for (const row of rows) {
          const { state: s, effects, changed } = this.run(row, byCamera.get(row.cameraId)!);
          if (!changed) {
            this.cache.set(row.cameraId, row);
            continue;
          }
          if (isWatching(s) !== isWatching(row)) after.watchingChanged = true;
          let outageId = row.outageId;
          for (const e of effects) {
            if (e.type === 'status') {
              after.changes.push({ cameraId: row.cameraId, ts: e.at, from: e.from, to: e.to, reason: e.reason });
            } else if (e.type === 'outageStart') {
              const o = await this.repo.open(q, { outageId: randomUUID(), cameraId: row.cameraId, start: new Date(e.at), cause: e.cause });
              outageId = o.outageId;
              if (o.created) {
                const ticketId = await this.repairs.openFor(q, {
                  cameraId: row.cameraId,
                  outageId: o.outageId,
                  cause: e.cause,
                  priority: row.priority,
                  districtId: row.districtId,
                  at: new Date(e.at),
                });
                if (ticketId) after.tickets.push(ticketId);
                const alert = this.alerts.build(await this.outageAlert({ outageId: o.outageId, cause: e.cause, at: e.at, ticketId, row }));
                if (await alerts.insert(alert)) after.raised.push(alert);
              }
            } else {
              const o = await this.repo.close(q, row.cameraId, new Date(e.backSince));
              outageId = undefined;
              if (o) {
                const ticketId = await this.repairs.resolveFor(q, {
                  outageId: o.outageId,
                  start: new Date(o.start),
                  back: new Date(e.backSince),
                  at: new Date(e.at),
                });
                if (ticketId) after.tickets.push(ticketId);
                after.resolved.push(...(await alerts.resolveByKey(`outage:${o.outageId}`)));
              }
            }
          }
          const { outageOpen: _open, ...rest } = s;
          dirty.push({ ...row, ...rest, outageId });
        }
        saved = await this.repo.saveStates(q, dirty);
        await this.repo.insertHistory(q, after.changes);
        after.outboxIds = await this.outbox.add(q, outboxEntries(after), this.ctx.config.outboxHold);
      })
      .catch((err) => {
        for (const id of ids) this.cache.delete(id);
        throw err;
      });
    // Test hook (test/chaos/analytics-crash.test.ts): the worker dies between the commit that opened an outage and the
    // acknowledgement of its samples, as a crash at the worst moment would.
    if (after.raised.length > 0 && process.env.GW_TEST_CRASH_AFTER_OUTAGE_COMMIT === '1') process.kill(process.pid, 'SIGKILL');
    for (const row of dirty) this.cache.set(row.cameraId, { ...row, seq: saved.get(row.cameraId) ?? row.seq });
    await this.afterCommit(after);
  }

  /** Publishes and alerts in parallel chunks: a district-wide power cut must not wait on a thousand sequential round trips. */
  private async afterCommit(a: AfterCommit): Promise<void> {
    // Status changes are sent without waiting for the broker's PUBACK: the client keeps retrying QoS 1 messages on its
    // own, and the transition is already committed, so waiting would only hold back the next batch.
    const statuses = a.changes.map((c) =>
      this.ctx.bus.publish('cameraStatus', { cameraId: c.cameraId }, statusMessage(c)).then(
        () => true,
        (err) => {
          this.ctx.log.warn({ cameraId: c.cameraId, err }, 'status publish failed');
          return false;
        },
      ),
    );
    await inChunks(a.raised, (alert) => this.alerts.publishNew(alert));
    await inChunks(a.resolved, (alert) => this.alerts.publishUpdate(alert));
    await inChunks(a.tickets, (id) => this.repairs.publish(id));
    if (a.watchingChanged) this.onWatchingChanged?.();
    // Sent: out of the outbox (in the background: the status PUBACKs must not hold back the next batch). A failed
    // publish leaves its batch's entries to the relay.
    if (a.outboxIds.length > 0)
      void Promise.all(statuses)
        .then((ok) => (ok.every(Boolean) ? this.outbox.remove(a.outboxIds) : undefined))
        .catch((err) => this.ctx.log.warn({ err }, 'outbox entries not removed; the relay will send them again'));
  }

  /** The alert of an outage just opened (one per outage: its dedup key). */
  private async outageAlert(o: {
    outageId: string;
    cause: OutageCause;
    at: number;
    ticketId?: string;
    row: CameraStateRow;
  }): Promise<NewAlert> {
    const quality = QUALITY.has(o.cause);
    const cameraId = o.row.cameraId;
    return {
      kind: o.cause === 'covered' ? 'camera_tamper' : quality ? 'video_quality' : 'camera_offline',
      severity: o.row.priority === 'key' ? 'high' : 'medium',
      title: quality ? `Camera ${cameraId}: picture ${o.cause}` : `Camera ${cameraId} offline (${o.cause})`,
      titleArgs: { camera: cameraId, cause: o.cause },
      subjectKind: 'camera',
      subjectId: cameraId,
      place: await this.places.of(o.row.cellId, o.row.districtId),
      evidence: { outageId: o.outageId, cause: o.cause, since: new Date(o.at).toISOString(), ticketId: o.ticketId },
      dedupKey: `outage:${o.outageId}`,
      ts: new Date(o.at).toISOString(),
    };
  }

  /** Recovering and flapping cameras that stopped reporting are still declared stable on time. */
  async tick(now: Date = this.ctx.clock.now()): Promise<void> {
    const ids = await this.repo.dueForStability(new Date(now.getTime() - this.ctx.config.repairStableFor));
    if (ids.length > 0)
      await this.process(
        ids.map((cameraId) => ({ cameraId, ts: now.getTime(), input: { type: 'tick' } })),
        { skipLocked: true },
      );
  }
}

function statusMessage(c: StatusChangeRow): CameraStatusChange {
  return {
    cameraId: c.cameraId,
    ts: new Date(c.ts).toISOString(),
    from: c.from as CameraStatusChange['from'],
    to: c.to as CameraStatusChange['to'],
    reason: c.reason,
  };
}

/** What a transaction's consequences send on the bus, as outbox entries (a ticket's message is built when sent). */
function outboxEntries(a: Pick<AfterCommit, 'changes' | 'raised' | 'resolved' | 'tickets'>): OutboxEntry[] {
  return [
    ...a.changes.map((c) => ({ topic: 'cameraStatus' as const, params: { cameraId: c.cameraId }, payload: statusMessage(c) })),
    ...a.raised.map((alert) => ({ topic: 'alert' as const, params: { kind: alert.kind }, payload: alert })),
    ...a.resolved.map((alert) => ({ topic: 'alertUpdated' as const, params: { kind: alert.kind }, payload: alert })),
    ...a.tickets.map((ticketId) => ({ topic: 'repairUpdated' as const, params: { ticketId } })),
  ];
}

async function inChunks<T>(items: readonly T[], fn: (item: T) => Promise<unknown>, size = 50): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** The common case decided without running the machine: an online camera with a clean record answering its checks. */
function quietlyOnline(row: CameraStateRow, inputs: readonly TimedInput[]): boolean {
  if (row.status !== 'online' || row.failures !== 0 || row.toggles.length !== 0 || row.quality !== undefined || row.outageId !== undefined)
    return false;
  for (const it of inputs) if (it.input.type !== 'check' || !it.input.ok) return false;
  return true;
}
