// The grid API's contract: grid units (districts, towns, communities, cells) as a list, and cells as a GeoJSON
// FeatureCollection for the map. The dashboard takes its types from here.
import { Type } from '@sinclair/typebox';

export const Unit = Type.Object({
  id: Type.String(),
  level: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  districtId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  nameZh: Type.Union([Type.String(), Type.Null()]),
});

export const UnitList = Type.Object({ items: Type.Array(Unit), total: Type.Integer() });

export const Feature = Type.Object({
  type: Type.Literal('Feature'),
  id: Type.String(),
  properties: Unit,
  geometry: Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Type.Array(Type.Number()))) }),
});

export const FeatureCollection = Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Feature) });
