// GB/T 28181 devices (gb_devices) and their channels as cameras (protocol gb28181, parent_id = the device):
// registrations, keepalives written in batches, inventories, and where a channel's civil code lies on the grid.
import type { Db } from '../db.ts';

export interface GbDeviceRow {
  id: string;
  name: string | null;
  transport: 'udp' | 'tcp';
  address: string | null;
  registeredAt: string | null;
  expiresAt: string | null;
  /** Seconds, as the device reported it; null = not reported. */
  keepaliveInterval: number | null;
  lastKeepalive: string | null;
  online: boolean;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  channelCount: number;
  charset: string | null;
  passwordEnc: string | null;
}

export interface GbChannelInput {
  id: string;
  name: string;
  manufacturer?: string;
  model?: string;
  lon?: number;
  lat?: number;
  /** Grid placement found from the civil code; kept only for a channel that has none yet. */
  cellId?: string;
  districtId?: string;
}

export interface GbChannelRow {
  id: string;
  priority: string;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

function toDevice(r: Record<string, any>): GbDeviceRow {
  return {
    id: r.id,
    name: r.name,
    transport: r.transport,
    address: r.address,
    registeredAt: iso(r.registered_at),
    expiresAt: iso(r.expires_at),
    keepaliveInterval: r.keepalive_interval,
    lastKeepalive: iso(r.last_keepalive),
    online: r.online,
    manufacturer: r.manufacturer,
    model: r.model,
    firmware: r.firmware,
    channelCount: r.channel_count,
    charset: r.charset,
    passwordEnc: r.password_enc,
  };
}

export class GbDevicesRepository {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<GbDeviceRow | undefined> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM gb_devices WHERE id = $1', [id]);
    return r.rows[0] ? toDevice(r.rows[0]) : undefined;
  }

  /** Devices whose registration has not expired at `now`: a restarted ingest takes them back without a new REGISTER. */
  async registered(now: Date): Promise<GbDeviceRow[]> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM gb_devices WHERE expires_at > $1 ORDER BY id', [now.toISOString()]);
    return r.rows.map(toDevice);
  }

  /** Records a registration; returns the device's keepalive interval in seconds (as last reported, else null). */
  async register(d: { id: string; transport: 'udp' | 'tcp'; address: string; at: Date; expiresAt: Date }): Promise<number | null> {
    const r = await this.db.query<{ keepalive_interval: number | null }>(
      `INSERT INTO gb_devices (id, transport, address, registered_at, expires_at, last_keepalive, online, first_seen)
       VALUES ($1, $2, $3, $4, $5, $4, true, $4)
       ON CONFLICT (id) DO UPDATE SET transport = $2, address = $3, registered_at = $4, expires_at = $5, last_keepalive = $4,
         online = true, auth_failures = 0, updated_at = now()
       RETURNING keepalive_interval`,
      [d.id, d.transport, d.address, d.at.toISOString(), d.expiresAt.toISOString()],
    );
    return r.rows[0].keepalive_interval;
  }

  async unregister(id: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE gb_devices SET expires_at = $2, online = false, updated_at = now() WHERE id = $1`, [id, at.toISOString()]);
  }

  async setOnline(ids: readonly string[], online: boolean): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE gb_devices SET online = $2, updated_at = now() WHERE id = ANY($1::text[]) AND online IS DISTINCT FROM $2`, [
      ids,
      online,
    ]);
  }

  /** Counts refused registrations of a device already known (an unknown id gets no row: anyone can send a REGISTER). */
  async authFailed(id: string): Promise<void> {
    await this.db.query('UPDATE gb_devices SET auth_failures = auth_failures + 1, updated_at = now() WHERE id = $1', [id]);
  }

  /** Last keepalive of many devices in one statement (10,000 devices at 60 s are ~170 a second). */
  async saveKeepalives(rows: readonly { id: string; ts: Date }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE gb_devices d SET last_keepalive = k.ts, online = true
         FROM unnest($1::text[], $2::timestamptz[]) AS k(id, ts) WHERE d.id = k.id AND (d.last_keepalive IS NULL OR d.last_keepalive < k.ts)`,
      [rows.map((r) => r.id), rows.map((r) => r.ts.toISOString())],
    );
  }

  async setInfo(
    id: string,
    info: {
      name?: string;
      manufacturer?: string;
      model?: string;
      firmware?: string;
      channelCount?: number;
      charset?: string;
      keepaliveInterval?: number;
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE gb_devices SET name = coalesce($2, name), manufacturer = coalesce($3, manufacturer), model = coalesce($4, model),
         firmware = coalesce($5, firmware), channel_count = coalesce($6, channel_count), charset = coalesce($7, charset),
         keepalive_interval = coalesce($8, keepalive_interval), updated_at = now() WHERE id = $1`,
      [
        id,
        info.name ?? null,
        info.manufacturer ?? null,
        info.model ?? null,
        info.firmware ?? null,
        info.channelCount ?? null,
        info.charset ?? null,
        info.keepaliveInterval ?? null,
      ],
    );
  }

  async setPassword(id: string, sealed: string | null): Promise<void> {
    await this.db.query('UPDATE gb_devices SET password_enc = $2, updated_at = now() WHERE id = $1', [id, sealed]);
  }

  /**
   * Channels from a catalog become cameras of protocol gb28181 with the device as parent. A row that is an ONVIF
   * camera is left alone; a placement (cell, district) is set only where the channel has none, so one made by hand stays.
   */
  async upsertChannels(deviceId: string, channels: readonly GbChannelInput[], at: Date): Promise<string[]> {
    if (channels.length === 0) return [];
    const col = <K extends keyof GbChannelInput>(k: K) => channels.map((c) => c[k] ?? null);
    const r = await this.db.query<{ id: string }>(
      `INSERT INTO cameras (id, name, protocol, parent_id, manufacturer, model, lon, lat, cell_id, district_id, first_seen, last_seen)
       SELECT c.id, c.name, 'gb28181', $1, c.manufacturer, c.model, c.lon, c.lat, c.cell_id, c.district_id, $10, $10
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[])
              AS c(id, name, manufacturer, model, lon, lat, cell_id, district_id)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id,
         manufacturer = coalesce(EXCLUDED.manufacturer, cameras.manufacturer), model = coalesce(EXCLUDED.model, cameras.model),
         lon = coalesce(cameras.lon, EXCLUDED.lon), lat = coalesce(cameras.lat, EXCLUDED.lat),
         cell_id = coalesce(cameras.cell_id, EXCLUDED.cell_id), district_id = coalesce(cameras.district_id, EXCLUDED.district_id),
         last_seen = EXCLUDED.last_seen, vanished_at = NULL, updated_at = now()
       WHERE cameras.protocol = 'gb28181'
       RETURNING id`,
      [
        deviceId,
        col('id'),
        col('name'),
        col('manufacturer'),
        col('model'),
        col('lon'),
        col('lat'),
        col('cellId'),
        col('districtId'),
        at.toISOString(),
      ],
    );
    await this.db.query('UPDATE gb_devices SET channel_count = $2, updated_at = now() WHERE id = $1', [deviceId, channels.length]);
    return r.rows.map((x) => x.id);
  }

  /** Removes a channel a device reported deleted (catalog change DEL): it vanishes, its history stays. */
  async channelDeleted(id: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE cameras SET vanished_at = $2, updated_at = now() WHERE id = $1 AND protocol = 'gb28181'`, [
      id,
      at.toISOString(),
    ]);
  }

  /** The channels of every device, with the priority that sets their offline threshold. */
  async channels(deviceIds?: readonly string[]): Promise<Map<string, GbChannelRow[]>> {
    const r = await this.db.query<{ id: string; parent_id: string; priority: string }>(
      `SELECT id, parent_id, priority FROM cameras WHERE protocol = 'gb28181' AND parent_id IS NOT NULL AND vanished_at IS NULL
         ${deviceIds ? 'AND parent_id = ANY($1::text[])' : ''} ORDER BY id`,
      deviceIds ? [deviceIds] : [],
    );
    const out = new Map<string, GbChannelRow[]>();
    for (const x of r.rows) {
      let list = out.get(x.parent_id);
      if (!list) out.set(x.parent_id, (list = []));
      list.push({ id: x.id, priority: x.priority });
    }
    return out;
  }

  /** Which of these grid units exist, and the cells under each town given (through its communities). */
  async gridUnits(
    townIds: readonly string[],
    districtIds: readonly string[],
  ): Promise<{ exists: Set<string>; cellsOfTown: Map<string, string[]>; cellsOfDistrict: Map<string, string[]> }> {
    const r = await this.db.query<{ id: string; level: string; town: string | null; district: string | null }>(
      `SELECT g.id, g.level, t.id AS town, t.parent_id AS district
         FROM grid_units g LEFT JOIN grid_units c ON c.id = g.parent_id LEFT JOIN grid_units t ON t.id = c.parent_id
        WHERE g.id = ANY($1::text[]) OR g.id = ANY($2::text[]) OR (g.level = 'cell' AND (t.id = ANY($1::text[]) OR t.parent_id = ANY($2::text[])))
        ORDER BY g.id`,
      [townIds, districtIds],
    );
    const exists = new Set<string>();
    const cellsOfTown = new Map<string, string[]>();
    const cellsOfDistrict = new Map<string, string[]>();
    const push = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
    for (const x of r.rows) {
      if (x.level !== 'cell') exists.add(x.id);
      else {
        if (x.town) push(cellsOfTown, x.town, x.id);
        if (x.district) push(cellsOfDistrict, x.district, x.id);
      }
    }
    return { exists, cellsOfTown, cellsOfDistrict };
  }
}
