// Catalog items to camera rows: which items are video channels, whether the device calls one OFF, and where its
// civil code (CivilCode, else the first 8 digits of its id) puts it on the grid — a cell of its town, picked stably.
import { createHash } from 'node:crypto';
import type { GbChannelInput, GbDevicesRepository } from '../../core/db/repositories/gb-devices.repository.ts';
import { gridPlaceOf, parseGbCode, VIDEO_CHANNEL_TYPES } from './gb-code.ts';

export function isVideoChannel(id: string): boolean {
  const code = parseGbCode(id);
  return code !== undefined && VIDEO_CHANNEL_TYPES.has(code.type);
}

/** Status OFF (2016), OFFLINE (some NVRs) or the 2022 Status 0 mean the channel is down. */
export function channelOff(item: Record<string, any>): boolean {
  return /^(OFF|OFFLINE|0)$/i.test(String(item.Status ?? 'ON').trim());
}

const num = (v: unknown) => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n !== 0 ? n : undefined;
};

function pick<T>(list: readonly T[], key: string): T {
  return list[createHash('sha1').update(key).digest().readUInt32BE(0) % list.length];
}

export async function placeChannels(repo: GbDevicesRepository, items: readonly Record<string, any>[]): Promise<GbChannelInput[]> {
  const places = items.map((it) => {
    const id = String(it.DeviceID);
    const civil = String(it.CivilCode ?? '').trim();
    return gridPlaceOf(/^\d{6,8}$/.test(civil) ? civil : id.slice(0, 8));
  });
  const towns = [...new Set(places.flatMap((p) => (p?.townId ? [p.townId] : [])))];
  const districts = [...new Set(places.flatMap((p) => (p ? [p.districtId] : [])))];
  const grid = places.some(Boolean) ? await repo.gridUnits(towns, districts) : undefined;
  return items.map((it, i) => {
    const id = String(it.DeviceID);
    const p = places[i];
    let cellId: string | undefined;
    let districtId: string | undefined;
    if (p && grid?.exists.has(p.districtId)) {
      districtId = p.districtId;
      const cells = (p.townId && grid.cellsOfTown.get(p.townId)) || grid.cellsOfDistrict.get(p.districtId) || [];
      if (cells.length > 0) cellId = pick(cells, id);
    }
    return {
      id,
      name: String(it.Name ?? id).slice(0, 200),
      manufacturer: it.Manufacturer ? String(it.Manufacturer) : undefined,
      model: it.Model ? String(it.Model) : undefined,
      lon: num(it.Longitude),
      lat: num(it.Latitude),
      cellId,
      districtId,
    };
  });
}
