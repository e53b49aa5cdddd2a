// The city registry — grid hierarchy, maintenance units, compounds, doors and camera placements — as one
// schema, shared by the simulated city (fixtures/city) and `CityRepository.importCity`, so core never imports fixtures.
import { Type, type Static } from '@sinclair/typebox';
import { CameraPriority, Id, Literals } from '../events/common.ts';

export const GRID_LEVELS = ['city', 'district', 'town', 'community', 'cell'] as const;
export const GridLevel = Literals(GRID_LEVELS, 'Level in the grid hierarchy');
export type GridLevel = Static<typeof GridLevel>;

export const TERRAINS = ['urban', 'rural', 'reservoir'] as const;
export const Terrain = Literals(TERRAINS, 'urban; rural; reservoir (remote areas where cameras are classed remote)');
export type Terrain = Static<typeof Terrain>;

/** A GeoJSON Polygon: one closed ring of [lon, lat] positions. */
export const GeoPolygon = Type.Object(
  {
    type: Type.Literal('Polygon'),
    coordinates: Type.Array(Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 4 })),
  },
  { description: 'GeoJSON Polygon ([lon, lat])' },
);
export type GeoPolygon = Static<typeof GeoPolygon>;

export const GridUnit = Type.Object({
  id: Id,
  level: GridLevel,
  parentId: Type.Optional(Id),
  name: Type.String(),
  nameZh: Type.Optional(Type.String()),
  geom: Type.Optional(GeoPolygon),
  terrain: Type.Optional(Terrain),
});
export type GridUnit = Static<typeof GridUnit>;

export const MaintenanceUnit = Type.Object({ id: Id, name: Type.String(), nameZh: Type.Optional(Type.String()), districtId: Id });
export type MaintenanceUnit = Static<typeof MaintenanceUnit>;

/** A residential compound (智慧安防小区) with face-recognition door access. */
export const Property = Type.Object({ id: Id, name: Type.String(), nameZh: Type.Optional(Type.String()), cellId: Id, districtId: Id });
export type Property = Static<typeof Property>;

export const Door = Type.Object({
  id: Id,
  propertyId: Id,
  name: Type.String(),
  nameZh: Type.Optional(Type.String()),
  lon: Type.Number(),
  lat: Type.Number(),
});
export type Door = Static<typeof Door>;

/** Where a camera is and what it looks at; inventory (model, firmware, profiles, URIs) comes from ingest. */
export const CameraPlacement = Type.Object({
  id: Id,
  urn: Type.String({ pattern: '^urn:uuid:[0-9a-f-]{36}$' }),
  name: Type.String(),
  nameZh: Type.Optional(Type.String()),
  cellId: Id,
  districtId: Id,
  lon: Type.Number(),
  lat: Type.Number(),
  heading: Type.Number({ minimum: 0, maximum: 360, description: 'Degrees clockwise from north' }),
  fov: Type.Number({ minimum: 1, maximum: 360, description: 'Horizontal field of view, degrees' }),
  rangeM: Type.Number({ minimum: 1, description: 'Useful range in metres' }),
  priority: CameraPriority,
  /** The door this camera watches (its snapshots show faces). */
  watchesDoorId: Type.Optional(Id),
});
export type CameraPlacement = Static<typeof CameraPlacement>;

export const KEY_LOCATION_KINDS = ['school_gate', 'hospital_entrance', 'compound_gate', 'junction', 'bus_stop'] as const;
export const KeyLocationKind = Literals(KEY_LOCATION_KINDS, 'Kind of key location (重点部位)');
export type KeyLocationKind = Static<typeof KeyLocationKind>;

/** A key location (重点部位): a point that at least one working camera should see. */
export const KeyLocation = Type.Object({
  id: Id,
  kind: KeyLocationKind,
  name: Type.String(),
  nameZh: Type.Optional(Type.String()),
  lon: Type.Number(),
  lat: Type.Number(),
  cellId: Id,
  districtId: Id,
});
export type KeyLocation = Static<typeof KeyLocation>;

export const City = Type.Object({
  seed: Type.Integer(),
  name: Type.String(),
  gridUnits: Type.Array(GridUnit),
  maintenanceUnits: Type.Array(MaintenanceUnit),
  properties: Type.Array(Property),
  doors: Type.Array(Door),
  cameras: Type.Array(CameraPlacement),
  keyLocations: Type.Optional(Type.Array(KeyLocation)),
});
export type City = Static<typeof City>;
