// The GB/T 28181 SIP server (信令服务器) in ingest: devices REGISTER with digest auth, keep alive, answer Catalog,
// DeviceInfo, DeviceStatus and ConfigDownload queries, send alarms and catalog changes; channels become cameras
// (protocol gb28181) whose health comes from the keepalives, so the camera state machine, outages, tickets and
// coverage treat them as they treat ONVIF cameras. A taken SIP port is logged and leaves the rest of ingest running.
import os from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import sip, { type SipMessage, type SipRemote } from 'sip';
import type { ServiceContext } from '../../core/service.ts';
import type { CameraEvent, CameraEventKind } from '../../core/events/index.ts';
import { GbDevicesRepository } from '../../core/db/repositories/gb-devices.repository.ts';
import { CredentialCipher } from '../../core/credentials/credential-cipher.ts';
import { CameraSinks } from '../onvif/camera-sinks.ts';
import { DigestAuth } from './digest-auth.ts';
import { SipServer, SipPortError } from './sip-server.ts';
import { buildManscdp, itemsOf, parseManscdp, type Charset, type Manscdp } from './manscdp.ts';
import { GbQueries, type QueryResult } from './gb-queries.ts';
import { GbLiveness } from './gb-liveness.ts';
import { alarmOf, eventKindOfAlarm } from './alarm-normaliser.ts';
import { placeChannels, isVideoChannel, channelOff } from './channel-placement.ts';

interface GbDevice {
  id: string;
  transport: 'udp' | 'tcp';
  remote: { address: string; port: number };
  /** Our side of the flow (the TCP connection's local end; the UDP socket). */
  local: { address: string; port: number };
  expiresAt: number;
  charset: Charset;
  /** Tamper and video-loss alarms not yet seen to end (DeviceStatus DutyStatus). */
  openAlarms: Map<string, CameraEventKind>;
  inventory?: Promise<void>;
  catalogSubscribed?: boolean;
}

const END_OF: Partial<Record<CameraEventKind, CameraEventKind>> = { tamper: 'tamper_end', video_loss: 'video_restored' };
const SWEEP_MS = 1_000;
const KEEPALIVE_FLUSH_MS = 5_000;

function firstLanAddress(): string {
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export interface GbPlatformOptions {
  port?: number;
  host?: string;
}

export class GbPlatform {
  private readonly repo: GbDevicesRepository;
  private readonly sinks: CameraSinks;
  private readonly auth: DigestAuth;
  private readonly queries: GbQueries;
  readonly liveness: GbLiveness;
  private readonly devices = new Map<string, GbDevice>();
  private server?: SipServer;
  private cipher?: CredentialCipher;
  private sweepTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private keepalives = new Map<string, Date>();
  /**
   * Keepalive flushes and offline marks are written in order: a flush of keepalives received before a device fell
   * silent sets online = true, and would undo the offline mark if it landed after it.
   */
  private stateWrites: Promise<void> = Promise.resolve();
  private cseq = 1;
  /** Why the SIP server is not listening, when it is not. */
  error?: string;
  readonly counts = { registers: 0, authRefused: 0, keepalives: 0, alarms: 0, catalogs: 0, badMessages: 0, offline: 0 };

  constructor(
    private readonly ctx: ServiceContext,
    private readonly opts: GbPlatformOptions = {},
  ) {
    const c = ctx.config;
    this.repo = new GbDevicesRepository(ctx.db);
    this.sinks = new CameraSinks(ctx);
    this.auth = new DigestAuth(c.gbSipDomain);
    this.queries = new GbQueries(c.gbQueryTimeout);
    const failuresFor = (p: string) =>
      p === 'key'
        ? (c.offlineAfterFailuresKey ?? c.offlineAfterFailures)
        : p === 'remote'
          ? (c.offlineAfterFailuresRemote ?? c.offlineAfterFailures)
          : c.offlineAfterFailures;
    this.liveness = new GbLiveness(
      (s) => void this.sinks.sample(s).catch((err) => ctx.log.warn({ err, cameraId: s.cameraId }, 'GB health sample not stored')),
      failuresFor,
    );
  }

  get port(): number {
    return this.opts.port ?? this.ctx.config.gbSipPort;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    const log = this.ctx.log;
    if (this.port === 0) {
      log.info('GB/T 28181 SIP server off (GB_SIP_PORT=0)');
      return;
    }
    this.cipher = await CredentialCipher.fromConfig(this.ctx.config);
    const server = new SipServer({
      port: this.port,
      host: this.opts.host ?? '0.0.0.0',
      publicAddress: this.ctx.config.gbSipHost ?? firstLanAddress(),
      log,
    });
    try {
      await server.start(
        (rq, remote) =>
          void this.onRequest(rq, remote).catch((err) => {
            log.warn({ err, method: rq.method }, 'GB request failed');
            server.reply(rq, 500, 'Server Internal Error');
          }),
      );
    } catch (err) {
      if (!(err instanceof SipPortError)) throw err;
      this.error = err.message;
      log.warn({ port: this.port, protocol: err.protocol, code: err.code }, err.message);
      return;
    }
    this.server = server;
    await this.restore();
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.flushTimer = setInterval(() => void this.flushKeepalives(), KEEPALIVE_FLUSH_MS);
    log.info(
      { port: this.port, id: this.ctx.config.gbSipId, domain: this.ctx.config.gbSipDomain, devices: this.devices.size },
      'GB/T 28181 SIP server listening (UDP and TCP)',
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    clearInterval(this.flushTimer);
    this.queries.close();
    this.server?.stop();
    this.server = undefined;
    await this.flushKeepalives();
    await this.sinks.close();
  }

  stats(): Record<string, unknown> {
    let online = 0;
    let channels = 0;
    for (const d of this.liveness.devices.values()) {
      if (!d.offline) online++;
      channels += d.channels.size;
    }
    return { listening: this.listening, port: this.port, error: this.error, devices: this.devices.size, online, channels, ...this.counts };
  }

  /** Registrations still valid in the database: a restarted ingest keeps its devices on their keepalive clock. */
  private async restore(): Promise<void> {
    const now = this.ctx.clock.now();
    const rows = await this.repo.registered(now);
    const channels = await this.repo.channels(rows.map((r) => r.id));
    for (const r of rows) {
      const [address, port] = (r.address ?? '').split(/:(?=\d+$)/);
      if (!address || !port) continue;
      this.devices.set(r.id, {
        id: r.id,
        transport: r.transport,
        remote: { address, port: Number(port) },
        local: { address: '0.0.0.0', port: this.port },
        expiresAt: Date.parse(r.expiresAt!),
        charset: r.charset === 'UTF-8' ? 'UTF-8' : 'GB2312',
        openAlarms: new Map(),
      });
      const last = r.lastKeepalive ? Date.parse(r.lastKeepalive) : now.getTime();
      this.liveness.device(r.id, last, {
        intervalMs: r.keepaliveInterval ? r.keepaliveInterval * 1000 : this.ctx.config.gbKeepaliveInterval,
        misses: this.ctx.config.gbKeepaliveMisses,
      });
      this.liveness.setChannels(r.id, channels.get(r.id) ?? []);
    }
  }

  private async onRequest(rq: SipMessage, remote: SipRemote): Promise<void> {
    const server = this.server!;
    switch (rq.method) {
      case 'REGISTER':
        return this.onRegister(rq, remote);
      case 'MESSAGE':
      case 'NOTIFY':
        return this.onMessage(rq);
      case 'OPTIONS':
        return server.reply(rq, 200, 'OK');
      case 'ACK':
        return;
      default:
        // Media sessions (INVITE) are out of scope: signalling only.
        return server.reply(rq, 405, 'Method Not Allowed', { headers: { allow: 'REGISTER, MESSAGE, NOTIFY, OPTIONS' } });
    }
  }

  private senderOf(rq: SipMessage): string {
    return sip.parseUri(rq.headers.from?.uri ?? '').user ?? '';
  }

  private async passwordOf(id: string): Promise<string | undefined> {
    const sealed = (await this.repo.get(id))?.passwordEnc;
    if (sealed && this.cipher) {
      try {
        return this.cipher.decrypt(sealed).password;
      } catch (err) {
        this.ctx.log.warn({ err, deviceId: id }, 'GB device password cannot be opened (CREDENTIAL_KEY changed?)');
      }
    }
    return this.ctx.config.gbSipPassword || undefined;
  }

  private async onRegister(rq: SipMessage, remote: SipRemote): Promise<void> {
    const server = this.server!;
    const id = this.senderOf(rq);
    this.counts.registers++;
    if (!/^\d{20}$/.test(id)) {
      this.ctx.log.warn({ from: rq.headers.from }, 'GB REGISTER refused: From user is not a 20-digit device id');
      return server.reply(rq, 400, 'Bad Request: From user must be a 20-digit device id');
    }
    // The first REGISTER of an exchange carries no Authorization: challenged without a database read (a storm of
    // re-registrations is mostly these).
    if (!rq.headers.authorization)
      return server.reply(rq, 401, 'Unauthorized', { headers: { 'www-authenticate': [this.auth.challenge()] } });
    const password = await this.passwordOf(id);
    const verdict = this.auth.verify(rq, () => password);
    if (!verdict.ok) {
      if (verdict.reason === 'missing' || verdict.reason === 'stale' || verdict.reason === 'bad_nonce') {
        return server.reply(rq, 401, 'Unauthorized', {
          headers: { 'www-authenticate': [this.auth.challenge(verdict.reason === 'stale')] },
        });
      }
      this.counts.authRefused++;
      this.ctx.log.warn(
        { deviceId: id, from: `${remote.address}:${remote.port}`, reason: verdict.reason, passwordSet: password !== undefined },
        'GB device registration refused: digest does not match',
      );
      await this.repo.authFailed(id);
      return server.reply(rq, 403, 'Forbidden');
    }
    const now = this.ctx.clock.now();
    const contact = (rq.headers.contact as { params?: Record<string, string> }[] | undefined)?.[0];
    const expires = Number(rq.headers.expires ?? contact?.params?.expires ?? 3600);
    const headers = { contact: rq.headers.contact, expires: String(expires), date: gbDate(now, this.ctx.config.timezone) };
    if (expires === 0) {
      server.reply(rq, 200, 'OK', { headers });
      this.devices.delete(id);
      this.liveness.force(id, 'device unregistered', now.getTime());
      await this.repo.unregister(id, now);
      this.ctx.log.info({ deviceId: id }, 'GB device unregistered');
      return;
    }
    server.reply(rq, 200, 'OK', { headers });
    const transport = remote.protocol.toUpperCase() === 'TCP' ? 'tcp' : 'udp';
    const known = this.devices.get(id);
    const moved = known && (known.remote.address !== remote.address || known.remote.port !== remote.port || known.transport !== transport);
    const local = remote.local ?? { address: '0.0.0.0', port: this.port };
    const dev: GbDevice = known ?? {
      id,
      transport,
      remote: { address: remote.address, port: remote.port },
      local,
      expiresAt: 0,
      charset: 'GB2312',
      openAlarms: new Map(),
    };
    dev.transport = transport;
    dev.remote = { address: remote.address, port: remote.port };
    dev.local = local;
    dev.expiresAt = now.getTime() + expires * 1000;
    this.devices.set(id, dev);
    const saved = this.repo.register({
      id,
      transport,
      address: `${remote.address}:${remote.port}`,
      at: now,
      expiresAt: new Date(dev.expiresAt),
    });
    // A new registration is inventoried; decided before any await, so a keepalive arriving meanwhile does not start a
    // second inventory. One from a new address (a reboot, a network blip) whose channels are known only subscribes
    // again: a district's devices re-registering at once must not all be queried for their catalogs at once.
    const channelsKnown = (this.liveness.devices.get(id)?.channels.size ?? 0) > 0;
    if (!known || !dev.inventory || (moved && !channelsKnown)) {
      this.ctx.log.info({ deviceId: id, transport, address: `${remote.address}:${remote.port}`, expires }, 'GB device registered');
      dev.catalogSubscribed = false;
      dev.inventory = saved
        .then(() => this.inventory(dev))
        .catch((err) => this.ctx.log.warn({ err, deviceId: id }, 'GB device inventory failed'));
    } else if (moved) {
      dev.catalogSubscribed = false;
      void saved
        .then(() => this.subscribeCatalog(dev))
        .catch((err) => this.ctx.log.warn({ err, deviceId: id }, 'GB catalog subscription failed'));
    }
    const intervalS = await saved;
    this.liveness.device(id, now.getTime(), {
      intervalMs: intervalS ? intervalS * 1000 : this.ctx.config.gbKeepaliveInterval,
      misses: this.ctx.config.gbKeepaliveMisses,
    });
    if (this.liveness.keepalive(id, now.getTime())) this.ctx.log.info({ deviceId: id }, 'GB device back (registered again)');
  }

  private async onMessage(rq: SipMessage): Promise<void> {
    const server = this.server!;
    const id = this.senderOf(rq);
    let m: Manscdp;
    try {
      m = parseManscdp(rq.content ?? '', rq.headers['content-type']);
    } catch (err) {
      this.counts.badMessages++;
      this.ctx.log.warn({ deviceId: id, err }, 'GB message refused: not MANSCDP');
      return server.reply(rq, 400, `Bad Request: ${(err as Error).message}`.slice(0, 120));
    }
    const dev = this.devices.get(id);
    if (!dev) return server.reply(rq, 403, 'Forbidden: not registered');
    server.reply(rq, 200, 'OK');
    dev.charset = m.charset;
    const now = this.ctx.clock.now();
    if (m.root === 'Notify' && m.cmdType === 'Keepalive') return this.onKeepalive(dev, now);
    if (m.root === 'Response') {
      if (!this.queries.answer(id, m)) this.ctx.log.debug({ deviceId: id, cmdType: m.cmdType, sn: m.sn }, 'GB answer to no waiting query');
      return;
    }
    if (m.root === 'Notify' && m.cmdType === 'Alarm') return this.onAlarm(dev, m, now);
    if (m.root === 'Notify' && m.cmdType === 'Catalog') return this.onCatalogChange(dev, m, now);
    this.ctx.log.debug({ deviceId: id, root: m.root, cmdType: m.cmdType }, 'GB message not handled');
  }

  private onKeepalive(dev: GbDevice, now: Date): void {
    this.counts.keepalives++;
    this.keepalives.set(dev.id, now);
    if (this.liveness.keepalive(dev.id, now.getTime())) this.ctx.log.info({ deviceId: dev.id }, 'GB device keeping alive again');
    if (!this.liveness.devices.get(dev.id)?.channels.size && !dev.inventory) dev.inventory = this.inventory(dev).catch(() => undefined);
    if (dev.openAlarms.size > 0)
      void this.checkAlarms(dev).catch((err) => this.ctx.log.warn({ err, deviceId: dev.id }, 'GB DeviceStatus failed'));
  }

  private flushKeepalives(): Promise<void> {
    if (this.keepalives.size === 0) return this.stateWrites;
    const rows = [...this.keepalives].map(([id, ts]) => ({ id, ts }));
    this.keepalives = new Map();
    return this.writeState(() => this.repo.saveKeepalives(rows), 'GB keepalives not saved');
  }

  private writeState(write: () => Promise<void>, failed: string): Promise<void> {
    this.stateWrites = this.stateWrites.then(write).catch((err) => this.ctx.log.warn({ err }, failed));
    return this.stateWrites;
  }

  private sweep(): void {
    const now = this.ctx.clock.now().getTime();
    for (const d of this.devices.values()) {
      if (d.expiresAt > now) continue;
      this.devices.delete(d.id);
      this.liveness.force(d.id, 'registration expired', now);
      this.ctx.log.info({ deviceId: d.id }, 'GB device registration expired');
    }
    const offline = this.liveness.sweep(now);
    if (offline.length > 0) {
      this.counts.offline += offline.length;
      this.ctx.log.info({ devices: offline.length, first: offline[0] }, 'GB devices offline: keepalives missed');
      // Keepalives still buffered from before the silence go first, then the offline mark.
      void this.flushKeepalives();
      void this.writeState(() => this.repo.setOnline(offline, false), 'GB device state not saved');
    }
  }

  // Queries ------------------------------------------------------------------------------------------------------

  private requestTo(dev: GbDevice, method: string, content: string, extra: Record<string, unknown> = {}): SipMessage {
    const c = this.ctx.config;
    const transport = dev.transport === 'tcp' ? ';transport=tcp' : '';
    return {
      method,
      uri: `sip:${dev.id}@${dev.remote.address}:${dev.remote.port}${transport}`,
      headers: {
        to: { uri: `sip:${dev.id}@${c.gbSipDomain}`, params: {} },
        from: { uri: `sip:${c.gbSipId}@${c.gbSipDomain}`, params: { tag: randomBytes(4).toString('hex') } },
        'call-id': `${randomBytes(8).toString('hex')}@${this.server!.publicAddress}`,
        cseq: { method, seq: this.cseq++ },
        'max-forwards': 70,
        'content-type': 'Application/MANSCDP+xml',
        ...extra,
      },
      content,
    };
  }

  /** Sends a Query and waits for its answers; undefined when the device refuses it or never takes it. */
  async query(dev: GbDevice, cmdType: string, fields: Record<string, unknown> = {}): Promise<QueryResult | undefined> {
    if (!this.server) return undefined;
    const sn = this.queries.nextSn();
    const answers = this.queries.expect(dev.id, sn, cmdType);
    const rs = await this.server.request(
      this.requestTo(dev, 'MESSAGE', buildManscdp('Query', { CmdType: cmdType, SN: sn, DeviceID: dev.id, ...fields }, dev.charset)),
      flowOf(dev),
    );
    if (rs.status !== 200) {
      this.queries.cancel(dev.id, sn);
      this.ctx.log.warn({ deviceId: dev.id, cmdType, status: rs.status }, 'GB query refused');
      return undefined;
    }
    return answers;
  }

  /** What a newly registered device is: its info, keepalive settings, channels; then a catalog subscription. */
  private async inventory(dev: GbDevice): Promise<void> {
    const info = await this.query(dev, 'DeviceInfo');
    if (info?.complete) {
      const b = info.body;
      await this.repo.setInfo(dev.id, {
        name: b.DeviceName,
        manufacturer: b.Manufacturer,
        model: b.Model,
        firmware: b.Firmware,
        channelCount: b.Channel ? Number(b.Channel) : undefined,
        charset: dev.charset,
      });
    }
    const cfg = await this.query(dev, 'ConfigDownload', { ConfigType: 'BasicParam' });
    const basic = cfg?.complete ? (cfg.body.BasicParam as Record<string, any> | undefined) : undefined;
    if (basic?.HeartBeatInterval) {
      const intervalS = Number(basic.HeartBeatInterval);
      const misses = Number(basic.HeartBeatCount ?? this.ctx.config.gbKeepaliveMisses);
      if (intervalS > 0 && misses > 0) {
        await this.repo.setInfo(dev.id, { keepaliveInterval: intervalS });
        const live = this.liveness.devices.get(dev.id);
        if (live) live.timing = { intervalMs: intervalS * 1000, misses };
      }
    }
    await this.refreshCatalog(dev);
    await this.subscribeCatalog(dev);
  }

  /** Asks a registered device for its catalog again; the number of channels, undefined for an unknown device. */
  async refreshCatalogOf(id: string): Promise<number | undefined> {
    const dev = this.devices.get(id);
    return dev ? this.refreshCatalog(dev) : undefined;
  }

  private async refreshCatalog(dev: GbDevice): Promise<number> {
    const r = await this.query(dev, 'Catalog');
    if (!r) return 0;
    this.counts.catalogs++;
    const now = this.ctx.clock.now();
    const items = r.items.filter((it) => isVideoChannel(String(it.DeviceID ?? '')));
    const placed = await placeChannels(this.repo, items);
    await this.repo.upsertChannels(dev.id, placed, now);
    this.liveness.setChannels(dev.id, (await this.repo.channels([dev.id])).get(dev.id) ?? []);
    // A device that just answered its catalog is alive: its channels get their first check now, not a keepalive later.
    this.liveness.keepalive(dev.id, now.getTime());
    for (const it of items) this.liveness.setChannelOff(dev.id, String(it.DeviceID), channelOff(it), now.getTime());
    this.ctx.log.info({ deviceId: dev.id, channels: items.length, sumNum: r.body.SumNum, complete: r.complete }, 'GB catalog received');
    return items.length;
  }

  /** Catalog-change subscription (2016 §9.11): devices that support it NOTIFY added, deleted, ON and OFF channels. */
  private async subscribeCatalog(dev: GbDevice): Promise<void> {
    if (!this.server) return;
    const sn = this.queries.nextSn();
    const rq = this.requestTo(dev, 'SUBSCRIBE', buildManscdp('Query', { CmdType: 'Catalog', SN: sn, DeviceID: dev.id }, dev.charset), {
      event: `Catalog;id=${sn}`,
      expires: '3600',
      contact: [{ uri: `sip:${this.ctx.config.gbSipId}@${this.server.publicAddress}:${this.port}`, params: {} }],
    });
    const rs = await this.server.request(rq, flowOf(dev));
    dev.catalogSubscribed = rs.status === 200;
    this.ctx.log.debug({ deviceId: dev.id, status: rs.status }, 'GB catalog subscription');
  }

  private async onCatalogChange(dev: GbDevice, m: Manscdp, now: Date): Promise<void> {
    const items = itemsOf(m.body.DeviceList).filter((it) => isVideoChannel(String(it.DeviceID ?? '')));
    const added = items.filter((it) => /^(ADD|UPDATE)$/i.test(String(it.Event ?? '')));
    if (added.length > 0) {
      await this.repo.upsertChannels(dev.id, await placeChannels(this.repo, added), now);
      this.liveness.setChannels(dev.id, (await this.repo.channels([dev.id])).get(dev.id) ?? []);
    }
    for (const it of items) {
      const ev = String(it.Event ?? '').toUpperCase();
      const ch = String(it.DeviceID);
      if (ev === 'DEL') await this.repo.channelDeleted(ch, now);
      else if (ev === 'ON' || ev === 'OFF' || ev === 'VLOST' || ev === 'DEFECT')
        this.liveness.setChannelOff(dev.id, ch, ev !== 'ON', now.getTime());
    }
    if (items.some((it) => /^DEL$/i.test(String(it.Event ?? ''))))
      this.liveness.setChannels(dev.id, (await this.repo.channels([dev.id])).get(dev.id) ?? []);
    this.ctx.log.info({ deviceId: dev.id, changes: items.map((it) => `${it.DeviceID}:${it.Event}`) }, 'GB catalog change');
  }

  // Alarms -------------------------------------------------------------------------------------------------------

  private async onAlarm(dev: GbDevice, m: Manscdp, now: Date): Promise<void> {
    this.counts.alarms++;
    const alarm = alarmOf(m.body);
    const kind = eventKindOfAlarm(alarm);
    // The standard asks the platform to confirm an alarm with a Response of its own.
    const confirm = this.requestTo(
      dev,
      'MESSAGE',
      buildManscdp('Response', { CmdType: 'Alarm', SN: m.sn, DeviceID: alarm.deviceId, Result: 'OK' }, dev.charset),
    );
    void this.server?.request(confirm, flowOf(dev)).catch(() => undefined);
    if (!kind) return;
    const channels = this.liveness.devices.get(dev.id)?.channels;
    // An alarm of the device itself (a fault) concerns each of its channels.
    const targets = channels?.has(alarm.deviceId) ? [alarm.deviceId] : alarm.deviceId === dev.id ? [...(channels?.keys() ?? [])] : [];
    for (const cameraId of targets) {
      const e: CameraEvent = {
        eventId: randomUUID(),
        cameraId,
        ts: now.toISOString(),
        kind,
        topic: `gb28181:alarm/${alarm.method}/${alarm.type ?? 0}`,
      };
      await this.sinks.event(e);
      const end = END_OF[kind];
      if (end) dev.openAlarms.set(cameraId, kind);
    }
  }

  /** GB alarms have no end message: a DeviceStatus whose channel is no longer on ALARM duty ends tamper and video loss. */
  private async checkAlarms(dev: GbDevice): Promise<void> {
    const r = await this.query(dev, 'DeviceStatus');
    if (!r?.complete) return;
    const duty = new Map(itemsOf(r.body.Alarmstatus).map((it) => [String(it.DeviceID), String(it.DutyStatus ?? '').toUpperCase()]));
    const now = this.ctx.clock.now();
    for (const [cameraId, kind] of [...dev.openAlarms]) {
      if (duty.get(cameraId) === 'ALARM') continue;
      dev.openAlarms.delete(cameraId);
      await this.sinks.event({
        eventId: randomUUID(),
        cameraId,
        ts: now.toISOString(),
        kind: END_OF[kind]!,
        topic: 'gb28181:DeviceStatus/ONDUTY',
      });
    }
  }
}

const flowOf = (dev: GbDevice): SipRemote => ({
  protocol: dev.transport.toUpperCase(),
  address: dev.remote.address,
  port: dev.remote.port,
  local: dev.local,
});

/** The Date header of a 200 OK to REGISTER, as GB devices read it to set their clocks: local time, no zone. */
export function gbDate(now: Date, timeZone: string): string {
  const s = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(now);
  return `${s.replace(' ', 'T')}.${String(now.getMilliseconds()).padStart(3, '0')}`;
}
