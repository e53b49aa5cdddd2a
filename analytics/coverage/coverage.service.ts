// Coverage rate per grid cell (share of its area seen by cameras that are up), rolled up to community, town,
// district and city, stored now and per hour; a coverage-gap alert when a cell drops below its threshold because cameras are down.
import type { ServiceContext } from '../../core/service.ts';
import {
  CoverageRepository,
  type CoverageRow,
  type GridUnitRow,
  type PlacedCamera,
} from '../../core/db/repositories/coverage.repository.ts';
import type { AlertsService } from '../alerts/alerts.service.ts';
import type { GridPlaces } from '../alerts/grid-places.ts';
import { isWatching } from '../status/camera-state.ts';
import { clipViews, sees, unionArea, viewShape, withBox, type Shape } from './coverage-geometry.ts';

interface Model {
  signature: string;
  views: Map<string, Shape>;
  cells: { unit: GridUnitRow; areaM2: number; pieces: Map<string, Shape>; memo: Map<string, number> }[];
}

/** Cells handled between two yields to the event loop, so a recompute never stalls intake for long. */
const YIELD_EVERY = 20;
const MEMO_PER_CELL = 4;
const tick = () => new Promise<void>((r) => setImmediate(r));

export const watching = (c: Pick<PlacedCamera, 'status' | 'quality'>) => isWatching(c);

export class CoverageService {
  readonly repo: CoverageRepository;
  private model?: Model;

  constructor(
    private readonly ctx: Pick<ServiceContext, 'db' | 'clock' | 'log'>,
    private readonly alerts: AlertsService,
    private readonly places: GridPlaces,
  ) {
    this.repo = new CoverageRepository(ctx.db);
  }

  /** Clipping views to cells is the costly part and changes only when the grid or a placement does. */
  private async build(units: GridUnitRow[], cams: PlacedCamera[]): Promise<Model> {
    const signature = JSON.stringify([
      units.map((u) => [u.id, u.parentId, u.geom?.coordinates]),
      cams.map((c) => [c.id, c.lon, c.lat, c.heading, c.fov, c.rangeM]),
    ]);
    if (this.model?.signature === signature) return this.model;
    const views = new Map(cams.map((c) => [c.id, viewShape(c)]));
    const boxed = [...views].map(([id, shape]) => withBox(id, shape));
    const cells: Model['cells'] = [];
    for (const unit of units) {
      if (unit.level !== 'cell' || !unit.geom) continue;
      cells.push({ unit, ...clipViews(unit.geom, boxed), memo: new Map<string, number>() });
      if (cells.length % YIELD_EVERY === 0) await tick();
    }
    this.model = { signature, views, cells };
    return this.model;
  }

  /** Union area of a cell's pieces for these cameras, remembered by camera set: unchanged cells cost nothing. */
  private covered(cell: Model['cells'][number], ids: string[]): number {
    const key = ids.join(',');
    let area = cell.memo.get(key);
    if (area === undefined) {
      area = unionArea(ids.map((id) => cell.pieces.get(id)!));
      if (cell.memo.size >= MEMO_PER_CELL) cell.memo.delete(cell.memo.keys().next().value!);
      cell.memo.set(key, area);
    }
    return area;
  }

  async recompute(now: Date = this.ctx.clock.now()): Promise<CoverageRow[]> {
    const [units, cams] = await Promise.all([this.repo.units(), this.repo.placedCameras()]);
    const model = await this.build(units, cams);
    const up = new Set(cams.filter(watching).map((c) => c.id));
    const byId = new Map(units.map((u) => [u.id, u]));
    const districtOf = (id: string | undefined): string | undefined => {
      for (let u = id ? byId.get(id) : undefined; u; u = u.parentId ? byId.get(u.parentId) : undefined)
        if (u.level === 'district') return u.id;
      return undefined;
    };
    const acc = new Map<string, { area: number; covered: number; potential: number; total: number; up: number }>();
    const add = (id: string, a: { area: number; covered: number; potential: number; total: number; up: number }) => {
      for (let u = byId.get(id); u; u = u.parentId ? byId.get(u.parentId) : undefined) {
        const x = acc.get(u.id) ?? { area: 0, covered: 0, potential: 0, total: 0, up: 0 };
        x.area += a.area;
        x.covered += a.covered;
        x.potential += a.potential;
        x.total += a.total;
        x.up += a.up;
        acc.set(u.id, x);
      }
    };
    let n = 0;
    for (const cell of model.cells) {
      const all = [...cell.pieces.keys()].sort();
      const live = all.filter((id) => up.has(id));
      add(cell.unit.id, { area: cell.areaM2, covered: this.covered(cell, live), potential: this.covered(cell, all), total: 0, up: 0 });
      if (++n % YIELD_EVERY === 0) await tick();
    }
    for (const c of cams)
      if (c.cellId && byId.has(c.cellId)) add(c.cellId, { area: 0, covered: 0, potential: 0, total: 1, up: up.has(c.id) ? 1 : 0 });

    const rows: CoverageRow[] = [...acc].map(([id, a]) => {
      const u = byId.get(id)!;
      return {
        unitId: id,
        level: u.level,
        parentId: u.parentId,
        districtId: districtOf(id),
        name: u.name,
        threshold: u.threshold,
        areaM2: a.area,
        coveredM2: Math.min(a.covered, a.area),
        potentialM2: Math.min(a.potential, a.area),
        rate: a.area > 0 ? Math.min(1, a.covered / a.area) : 0,
        camerasTotal: a.total,
        camerasUp: a.up,
        computedAt: now.toISOString(),
      };
    });
    await this.repo.save(rows, now);
    await this.checkGaps(
      rows.filter((r) => r.level === 'cell'),
      now,
    );
    return rows;
  }

  /** A gap is a cell below its threshold that would be above it with every camera up: the cameras down cause it. */
  private async checkGaps(cells: CoverageRow[], now: Date): Promise<void> {
    for (const c of cells) {
      const potentialRate = c.areaM2 > 0 ? c.potentialM2 / c.areaM2 : 0;
      const gap = c.rate < c.threshold && potentialRate >= c.threshold;
      if (gap) {
        const key = `coverage_gap:${c.unitId}:${now.toISOString()}`;
        if (!(await this.repo.openGap(c.unitId, key))) continue;
        await this.alerts.raise({
          kind: 'coverage_gap',
          severity: 'medium',
          title: `Coverage of cell ${c.name} down to ${(c.rate * 100).toFixed(0)}% (threshold ${(c.threshold * 100).toFixed(0)}%)`,
          titleArgs: { cell: c.name, rate: Math.round(c.rate * 100), threshold: Math.round(c.threshold * 100) },
          subjectKind: 'cell',
          subjectId: c.unitId,
          place: await this.places.of(c.unitId),
          evidence: { rate: c.rate, threshold: c.threshold, potentialRate, camerasUp: c.camerasUp, camerasTotal: c.camerasTotal },
          dedupKey: key,
          ts: now.toISOString(),
        });
      } else {
        const key = await this.repo.closeGap(c.unitId);
        if (key) {
          for (const alert of await this.alerts.repo.resolveByKey(key)) await this.alerts.publishUpdate(alert);
        }
      }
    }
  }

  /** Cameras whose view contains the point, with their state now. */
  async covering(lon: number, lat: number): Promise<PlacedCamera[]> {
    const cams = await this.repo.placedCameras();
    if (!this.model) await this.build(await this.repo.units(), cams);
    return cams.filter((c) => {
      const shape = this.model!.views.get(c.id) ?? viewShape(c);
      return sees(shape, lon, lat);
    });
  }
}
