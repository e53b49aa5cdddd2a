// The coverage API's contract: coverage rate now per grid unit, with its hourly series on request. The dashboard
// takes its types from here.
import { Type } from '@sinclair/typebox';

export const CoveragePoint = Type.Object({
  ts: Type.String(),
  rate: Type.Number(),
  minRate: Type.Number(),
  camerasTotal: Type.Integer(),
  camerasUp: Type.Integer(),
});

export const CoverageItem = Type.Object({
  unitId: Type.String(),
  level: Type.String(),
  parentId: Type.Optional(Type.String()),
  districtId: Type.Optional(Type.String()),
  name: Type.String(),
  threshold: Type.Number(),
  areaM2: Type.Number(),
  coveredM2: Type.Number(),
  potentialM2: Type.Number({ description: 'Covered area if every camera were up' }),
  rate: Type.Number({ description: 'Covered share of the area, by cameras up now' }),
  camerasTotal: Type.Integer(),
  camerasUp: Type.Integer(),
  belowThreshold: Type.Boolean(),
  gapOpen: Type.Boolean({ description: 'A coverage-gap alert is open for this cell' }),
  computedAt: Type.String(),
  series: Type.Optional(Type.Array(CoveragePoint)),
});

export const CoverageList = Type.Object({ items: Type.Array(CoverageItem), total: Type.Integer() });
