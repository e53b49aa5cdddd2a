// The supervisor's figures: online and intact rates over a period from the outage history, and key-location
// coverage now (a key location counts when a watching camera's view contains it), per district and town.
import type { Db } from '../../../core/db/db.ts';
import { viewContains } from '../../../core/city/camera-view.ts';
import { CoverageRepository, type PlacedCamera } from '../../../core/db/repositories/coverage.repository.ts';
import { isWatching } from '../../../core/city/watching.ts';
import { GridRepository, type GridUnitView } from '../../../core/db/repositories/grid.repository.ts';
import { SupervisorRepository, type KeyLocationRow } from '../../../core/db/repositories/supervisor.repository.ts';
import type { Figures, Rates } from './supervisor.schema.ts';

export interface FiguresQuery {
  from: Date;
  to: Date;
  now: Date;
  district?: string;
  districts?: string[];
  /** Also the figures of every grid cell (for the map). */
  withCells?: boolean;
}

/** Counts a camera as watching as analytics' coverage does. */
const watching = (c: PlacedCamera) => isWatching(c);

/** Cameras bucketed on a ~1 km grid, so each key location is tested only against cameras near it. */
function nearIndex(cams: readonly PlacedCamera[]): (p: { lon: number; lat: number }) => PlacedCamera[] {
  const STEP = 0.01;
  const key = (lon: number, lat: number) => `${Math.floor(lon / STEP)}:${Math.floor(lat / STEP)}`;
  const buckets = new Map<string, PlacedCamera[]>();
  for (const c of cams) {
    const k = key(c.lon, c.lat);
    const b = buckets.get(k);
    if (b) b.push(c);
    else buckets.set(k, [c]);
  }
  return (p) => {
    const out: PlacedCamera[] = [];
    const x = Math.floor(p.lon / STEP);
    const y = Math.floor(p.lat / STEP);
    for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) out.push(...(buckets.get(`${x + dx}:${y + dy}`) ?? []));
    return out;
  };
}

/** Key locations with whether a watching camera sees each. Camera ranges are tens of metres, far below a bucket. */
export function keyCoverage(keys: readonly KeyLocationRow[], cams: readonly PlacedCamera[]): Array<KeyLocationRow & { covered: boolean }> {
  const near = nearIndex(cams.filter(watching));
  return keys.map((k) => ({ ...k, covered: near(k).some((c) => viewContains(c, k)) }));
}

interface Acc {
  cameras: number;
  offline: number;
  impaired: number;
  keys: number;
  covered: number;
}
const acc = (): Acc => ({ cameras: 0, offline: 0, impaired: 0, keys: 0, covered: 0 });
const ratio = (part: number, whole: number) => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : null);

function rates(a: Acc, periodSeconds: number): Rates {
  const camTime = a.cameras * periodSeconds;
  return {
    cameras: a.cameras,
    onlineRate: camTime > 0 ? ratio(camTime - a.offline, camTime) : null,
    intactRate: camTime > 0 ? ratio(camTime - a.impaired, camTime) : null,
    keyLocations: a.keys,
    keyCovered: a.covered,
    keyCoverage: ratio(a.covered, a.keys),
  };
}

/** The town above a cell (cell → community → town), by walking the parents. */
function townOf(units: Map<string, GridUnitView>, cellId: string | null): GridUnitView | undefined {
  let u = cellId ? units.get(cellId) : undefined;
  for (let i = 0; u && i < 6; i++) {
    if (u.level === 'town') return u;
    u = u.parentId ? units.get(u.parentId) : undefined;
  }
  return undefined;
}

export async function supervisorFigures(db: Db, q: FiguresQuery): Promise<Figures> {
  const repo = new SupervisorRepository(db);
  const filter = { from: q.from, to: q.to, now: q.now, district: q.district, districts: q.districts };
  const [cells, keys, cams, units] = await Promise.all([
    repo.availabilityByCell(filter),
    repo.keyLocations(filter),
    new CoverageRepository(db).placedCameras(),
    new GridRepository(db).units(undefined, q.districts ? { districts: q.districts } : {}, false),
  ]);
  const byId = new Map(units.map((u) => [u.id, u]));
  const periodSeconds = Math.max(0, (Math.min(q.to.getTime(), q.now.getTime()) - q.from.getTime()) / 1000);
  const total = acc();
  const districts = new Map<string, Acc>();
  const towns = new Map<string, Acc>();
  const cellAcc = new Map<string, Acc>();
  const into = (map: Map<string, Acc>, id: string | undefined) => {
    if (!id) return undefined;
    let a = map.get(id);
    if (!a) map.set(id, (a = acc()));
    return a;
  };
  for (const c of cells) {
    for (const a of [total, into(districts, c.districtId), into(towns, townOf(byId, c.cellId)?.id), into(cellAcc, c.cellId ?? undefined)]) {
      if (!a) continue;
      a.cameras += c.cameras;
      a.offline += c.offlineSeconds;
      a.impaired += c.impairedSeconds;
    }
  }
  const covered = keyCoverage(keys, cams);
  const kinds = new Map<string, { total: number; covered: number }>();
  for (const k of covered) {
    for (const a of [
      total,
      into(districts, k.districtId ?? undefined),
      into(towns, townOf(byId, k.cellId)?.id),
      into(cellAcc, k.cellId ?? undefined),
    ]) {
      if (!a) continue;
      a.keys++;
      if (k.covered) a.covered++;
    }
    const kind = kinds.get(k.kind) ?? { total: 0, covered: 0 };
    kind.total++;
    if (k.covered) kind.covered++;
    kinds.set(k.kind, kind);
  }
  const place = (id: string) => ({ id, name: byId.get(id)?.name ?? id, nameZh: byId.get(id)?.nameZh ?? null });
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    generatedAt: q.now.toISOString(),
    total: rates(total, periodSeconds),
    districts: [...districts].sort(([a], [b]) => a.localeCompare(b)).map(([id, a]) => ({ ...place(id), ...rates(a, periodSeconds) })),
    towns: [...towns]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, a]) => ({ ...place(id), districtId: byId.get(id)?.districtId ?? '', ...rates(a, periodSeconds) })),
    keyKinds: [...kinds]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, k]) => ({ kind, total: k.total, covered: k.covered, rate: ratio(k.covered, k.total) })),
    cells: q.withCells
      ? [...cellAcc]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, a]) => ({ id, districtId: byId.get(id)?.districtId ?? null, ...rates(a, periodSeconds) }))
      : undefined,
    uncovered: covered
      .filter((k) => !k.covered)
      .slice(0, 100)
      .map(({ covered: _, ...k }) => k),
  };
}
