// The supervisor API's contract: the figures a "Sharp Eyes" supervisor is judged on (online rate, intact rate,
// key-location coverage) per district and town, and the query of the rectification notice. The dashboard takes its
// types from here.
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../../../core/events/index.ts';

/** A fraction 0–1; null when there is nothing to measure (no cameras, no key locations). */
const rate = (description: string) => Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description });

export const Rates = Type.Object({
  cameras: Type.Integer({ description: 'Cameras counted (every camera with a district)' }),
  onlineRate: rate('在线率: 1 − camera-time in outages of an unreachable camera / camera-time of the period'),
  intactRate: rate('完好率: 1 − camera-time in any outage (unreachable, no video, black, frozen, covered, low quality) / camera-time'),
  keyLocations: Type.Integer({ description: 'Key locations (重点部位)' }),
  keyCovered: Type.Integer({ description: 'Key locations in the view of at least one camera that is watching now' }),
  keyCoverage: rate('keyCovered / keyLocations'),
});
export type Rates = Static<typeof Rates>;

const Place = {
  id: Type.String(),
  name: Type.String(),
  nameZh: Type.Union([Type.String(), Type.Null()]),
};

export const KeyLocation = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'school_gate, hospital_entrance, compound_gate, junction, bus_stop' }),
  name: Type.String(),
  nameZh: Type.Union([Type.String(), Type.Null()]),
  lon: Type.Number(),
  lat: Type.Number(),
  cellId: Type.Union([Type.String(), Type.Null()]),
  districtId: Type.Union([Type.String(), Type.Null()]),
});
export type KeyLocation = Static<typeof KeyLocation>;

export const Figures = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    generatedAt: Type.String({ format: 'date-time' }),
    total: Rates,
    districts: Type.Array(Type.Composite([Type.Object(Place), Rates])),
    towns: Type.Array(Type.Composite([Type.Object({ ...Place, districtId: Type.String() }), Rates])),
    keyKinds: Type.Array(
      Type.Object({ kind: Type.String(), total: Type.Integer(), covered: Type.Integer(), rate: rate('covered / total') }),
      { description: 'Key-location coverage by kind of location' },
    ),
    cells: Type.Optional(
      Type.Array(Type.Composite([Type.Object({ id: Type.String(), districtId: Type.Union([Type.String(), Type.Null()]) }), Rates]), {
        description: 'Per grid cell, when asked with cells=true (the map colours cells by them)',
      }),
    ),
    uncovered: Type.Array(KeyLocation, { description: 'Key locations no watching camera sees (at most 100)' }),
  },
  { $id: 'SupervisorFigures' },
);
export type Figures = Static<typeof Figures>;

export const FiguresQuery = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    cells: Type.Optional(Type.Boolean({ default: false, description: 'Also the figures of every grid cell' })),
  },
  { additionalProperties: false },
);

export const NoticeQuery = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    format: Type.Optional(Type.Union([Type.Literal('pdf'), Type.Literal('csv')], { default: 'pdf' })),
    lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')], { default: 'zh-CN' })),
    tz: Type.Optional(
      Type.String({
        maxLength: 64,
        pattern: '^[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*$',
        description: 'IANA time zone the notice states its times in (the viewer\u2019s); default TZ_DISPLAY',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NoticeQuery = Static<typeof NoticeQuery>;
