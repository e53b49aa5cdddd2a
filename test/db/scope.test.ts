// The scope rules (core/db/where.ts) against the real PostgreSQL, once for every role: each scoped repository query
// returns exactly the rows an admin sees that pass the rule written here again in plain code.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import type { Scope } from '../../core/auth/scope.ts';
import { CityRepository } from '../../core/db/repositories/city.repository.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { DoorsRepository } from '../../core/db/repositories/doors.repository.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { GridRepository } from '../../core/db/repositories/grid.repository.ts';
import { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import { FaceMatchesRepository } from '../../core/db/repositories/face-matches.repository.ts';
import { CoverageRepository } from '../../core/db/repositories/coverage.repository.ts';
import { RepairsRepository } from '../../core/db/repositories/repairs.repository.ts';
import { testCity } from '../gateway/test-city.ts';
import { seed } from '../gateway/seed.ts';

let t: TestDb;
const propertyDistrict = new Map(testCity().properties.map((p) => [p.id, p.districtId]));
const cellsOf = (properties: string[]) =>
  testCity()
    .properties.filter((p) => properties.includes(p.id))
    .map((p) => p.cellId);

beforeAll(async () => {
  t = await freshPgDb();
  await new CityRepository(t.db).importCity(testCity());
  await seed(t.db);
  const lists = new WatchlistsRepository(t.db);
  const listIds: Record<string, string> = {};
  for (const [key, scope] of [
    ['city', { kind: 'city' }],
    ['d1', { kind: 'district', id: 'd1' }],
    ['d2', { kind: 'district', id: 'd2' }],
    ['p1', { kind: 'property', id: 'p1' }],
    ['p3', { kind: 'property', id: 'p3' }],
  ] as const) {
    listIds[key] = randomUUID();
    await lists.create({ id: listIds[key], name: `list ${key}`, level: 'banned', scope });
  }
  // Matches of the city list in each district, and one of each other list.
  const matches = new FaceMatchesRepository(t.db);
  const match = (watchlistId: string, districtId: string) =>
    matches.insert({
      matchId: randomUUID(),
      captureId: randomUUID(),
      ts: new Date().toISOString(),
      personId: randomUUID(),
      watchlistId,
      distance: 0.2,
      districtId,
    });
  await match(listIds.city, 'd1');
  await match(listIds.city, 'd2');
  await match(listIds.d1, 'd1');
  await match(listIds.d2, 'd2');
  await match(listIds.p1, 'd1');
  await match(listIds.p3, 'd2');
}, 60_000);
afterAll(async () => t?.close());

const ROLES: [string, Scope][] = [
  ['admin (no scope)', {}],
  ['monitor of d1', { districts: ['d1'] }],
  ['supervisor of d1 and d2', { districts: ['d1', 'd2'] }],
  ['property manager of p1', { properties: ['p1'] }],
  ['property manager without compounds', { properties: [] }],
];

/** Per table: the scoped rows (as ids), and the rule in plain code over one of the admin's rows. */
interface Case<R> {
  rows: (scope: Scope) => Promise<R[]>;
  id: (r: R) => string;
  visible: (r: R, scope: Scope) => boolean;
}
const inDistricts = (scope: Scope, d: string | null | undefined) => !scope.districts || (!!d && scope.districts.includes(d));
const inProperties = (scope: Scope, p: string | null | undefined) => !scope.properties || (!!p && scope.properties.includes(p));
const noProperties = (scope: Scope) => !scope.properties;

const cases: Record<string, () => Case<any>> = {
  alerts: () => ({
    rows: async (s) => (await new AlertsRepository(t.db).list({ limit: 1000 }, s)).items,
    id: (a) => a.alertId,
    visible: (a, s) => inDistricts(s, a.place.district) && inProperties(s, a.propertyId),
  }),
  cameras: () => ({
    rows: async (s) => (await new CamerasRepository(t.db).list({ limit: 1000 }, s)).items,
    id: (c) => c.id,
    visible: (c, s) => inDistricts(s, c.districtId) && (!s.properties || cellsOf(s.properties).includes(c.cellId)),
  }),
  doors: () => ({
    rows: async (s) => (await new DoorsRepository(t.db).list({ limit: 1000 }, s)).items,
    id: (d) => d.id,
    visible: (d, s) => inDistricts(s, d.districtId) && inProperties(s, d.propertyId),
  }),
  doorEvents: () => ({
    rows: async (s) => (await new DoorEventsRepository(t.db).list({ limit: 1000 }, s)).items,
    id: (e) => e.eventId,
    visible: (e, s) => inDistricts(s, propertyDistrict.get(e.propertyId)) && inProperties(s, e.propertyId),
  }),
  grid: () => ({
    rows: (s) => new GridRepository(t.db).units(undefined, s, false),
    id: (u) => u.id,
    visible: (u, s) => inDistricts(s, u.districtId) && (!s.properties || cellsOf(s.properties).includes(u.id)),
  }),
  watchlists: () => ({
    rows: (s) => new WatchlistsRepository(t.db).list(s),
    id: (w) => w.id,
    visible: (w, s) => (!s.districts || w.scope.kind === 'city' || inDistricts(s, w.districtId)) && inProperties(s, w.propertyId),
  }),
  faceMatches: () => ({
    rows: async (s) => (await new FaceMatchesRepository(t.db).list({ limit: 1000 }, s)).items,
    id: (m) => m.matchId,
    visible: (m, s) => {
      const list = lists.get(m.watchlistId)!;
      const district = list.scope.kind === 'city' ? m.districtId : list.districtId;
      return inDistricts(s, district) && inProperties(s, list.propertyId);
    },
  }),
  coverage: () => ({
    rows: (s) => new CoverageRepository(t.db).current({}, s),
    id: (c) => c.unitId,
    visible: (c, s) => noProperties(s) && (!s.districts || s.districts.includes(c.districtId) || s.districts.includes(c.unitId)),
  }),
  repairs: () => ({
    rows: async (s) => (await new RepairsRepository(t.db).list({ limit: 500 }, new Date(), s)).items,
    id: (r) => r.ticketId,
    visible: (r, s) => noProperties(s) && inDistricts(s, r.district),
  }),
};
let lists: Map<string, Awaited<ReturnType<WatchlistsRepository['list']>>[number]>;

describe('scope rules on the real database, every role on every table', () => {
  for (const [table, make] of Object.entries(cases)) {
    it(`${table}: each role sees exactly the admin's rows its rule allows`, async () => {
      lists = new Map((await new WatchlistsRepository(t.db).list()).map((l) => [l.id, l]));
      const c = make();
      const all = await c.rows({});
      for (const [role, scope] of ROLES) {
        const got = (await c.rows(scope)).map(c.id).sort();
        const want = all
          .filter((r) => c.visible(r, scope))
          .map(c.id)
          .sort();
        expect(got, `${table}, ${role}`).toEqual(want);
      }
      // The seeded tables have rows, so "sees nothing" is not how they pass.
      if (!['coverage', 'repairs'].includes(table)) expect(all.length, table).toBeGreaterThan(0);
    });
  }

  it('when a district user asks, then the counts by camera status are their cameras only; a property manager counts their cells', async () => {
    const cams = new CamerasRepository(t.db);
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    expect(total(await cams.countByStatus({}))).toBe(12);
    expect(total(await cams.countByStatus({ districts: ['d1'] }))).toBe(6);
    expect(total(await cams.countByStatus({ properties: ['p1'] }))).toBe(3);
  });
});
