// Queries to GB devices and their answers: the MESSAGE goes out, its 200 OK only says it arrived; the answers come as
// MESSAGEs of their own with the same SN, a Catalog in pages (SumNum in all, DeviceList Num in each) until complete.
import { itemsOf, type Manscdp } from './manscdp.ts';

export interface QueryResult {
  cmdType: string;
  /** The first answer's body (DeviceInfo, DeviceStatus, ConfigDownload). */
  body: Record<string, any>;
  /** Catalog items of every page, in arrival order. */
  items: Record<string, any>[];
  complete: boolean;
}

interface Pending {
  cmdType: string;
  first?: Record<string, any>;
  items: Record<string, any>[];
  seen: Set<string>;
  sumNum?: number;
  timer: NodeJS.Timeout;
  resolve: (r: QueryResult) => void;
}

export class GbQueries {
  private sn = Math.floor(Math.random() * 100_000);
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeoutMs: number) {}

  nextSn(): number {
    this.sn = (this.sn % 999_999_999) + 1;
    return this.sn;
  }

  /** Waits for the answers to query `sn` of `deviceId`; on timeout resolves with what came (complete: false). */
  expect(deviceId: string, sn: number, cmdType: string, timeoutMs = this.timeoutMs): Promise<QueryResult> {
    const key = `${deviceId}:${sn}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(key, false), timeoutMs);
      timer.unref();
      this.pending.set(key, { cmdType, items: [], seen: new Set(), timer, resolve });
    });
  }

  cancel(deviceId: string, sn: number): void {
    this.finish(`${deviceId}:${sn}`, false);
  }

  /** Takes an answer (a Response); false when no query waits for it (late, or never asked). */
  answer(fromDevice: string, m: Manscdp): boolean {
    // Some NVRs answer a query for a channel with the channel's id in DeviceID: the SIP sender names the device.
    const key = [`${fromDevice}:${m.sn}`, `${m.deviceId}:${m.sn}`].find((k) => this.pending.has(k));
    const p = key && this.pending.get(key);
    if (!key || !p || p.cmdType !== m.cmdType) return false;
    p.first ??= m.body;
    if (m.cmdType === 'Catalog' || m.cmdType === 'RecordInfo') {
      p.sumNum = Number(m.body.SumNum ?? 0);
      for (const it of itemsOf(m.body.DeviceList ?? m.body.RecordList)) {
        const id = String(it.DeviceID ?? '');
        // A page sent twice (UDP retransmission of a MESSAGE whose 200 OK was lost) adds nothing.
        if (!id || p.seen.has(id)) continue;
        p.seen.add(id);
        p.items.push(it);
      }
      if (p.items.length >= p.sumNum) this.finish(key, true);
    } else {
      this.finish(key, true);
    }
    return true;
  }

  private finish(key: string, complete: boolean): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    p.resolve({
      cmdType: p.cmdType,
      body: p.first ?? {},
      items: p.items,
      complete: complete || (p.sumNum !== undefined && p.items.length >= p.sumNum),
    });
  }

  close(): void {
    for (const key of [...this.pending.keys()]) this.finish(key, false);
  }

  get waiting(): number {
    return this.pending.size;
  }
}
