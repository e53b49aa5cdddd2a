// Building blocks shared by the event schemas.
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
/** ISO-8601 date-time with a zone offset or Z. */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 date-time with offset' });
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' });

export const GridPlace = Type.Object(
  {
    district: Type.Optional(Type.String()),
    town: Type.Optional(Type.String()),
    community: Type.Optional(Type.String()),
    cell: Type.Optional(Type.String()),
  },
  { description: 'Place in the grid hierarchy (ids)' },
);
export type GridPlace = Static<typeof GridPlace>;

export const CameraPriority = Type.Union([Type.Literal('key'), Type.Literal('normal'), Type.Literal('remote')], {
  description: 'key — junctions, school gates; normal; remote — reservoir and rural areas',
});
export type CameraPriority = Static<typeof CameraPriority>;

/** Builds a string-literal union schema from a readonly tuple, so the literals exist once. */
export function Literals<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  ) as unknown as TUnion<TLiteral<T[number]>[]>;
}
