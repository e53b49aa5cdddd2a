// Names of grid units (districts, towns, communities, cells) in the viewer's language, for filters and labels;
// loaded once per session, ids shown as they are until then.
import type { Static } from '@sinclair/typebox';
import type { Unit as UnitSchema, UnitList } from '../../../gateway/routes/grid/grid.schema.ts';
import { get } from '../api.ts';
import { currentLang } from '../i18n.ts';

type Unit = Static<typeof UnitSchema>;

let units: Promise<Unit[]> | undefined;
const names = new Map<string, Unit>();

function loadUnits(): Promise<Unit[]> {
  units ??= get<Static<typeof UnitList>>('/api/v1/grid')
    .then((r) => {
      for (const u of r.items) names.set(u.id, u);
      return r.items;
    })
    .catch(() => {
      units = undefined;
      return [];
    });
  return units;
}

const label = (u: Unit) => (currentLang() === 'zh-CN' && u.nameZh) || u.name;

export function districtOptions(): Promise<Array<[string, string]>> {
  return loadUnits().then((all) => all.filter((u) => u.level === 'district').map((u): [string, string] => [u.id, label(u)]));
}

/** The unit's name when known (call `placesReady()` first), else its id. */
export function placeName(id: string | null | undefined): string {
  if (!id) return '—';
  const u = names.get(id);
  return u ? label(u) : id;
}

export function placesReady(): Promise<unknown> {
  return loadUnits();
}

/** A thing's name in the viewer's language: the Chinese name in zh-CN when the city has one. */
export function localName(x: { name: string; nameZh?: string | null }): string {
  return (currentLang() === 'zh-CN' && x.nameZh) || x.name;
}

/** The unit's Chinese name, when it is known and has one. */
export function placeNameZh(id: string | null | undefined): string | undefined {
  return (id && names.get(id)?.nameZh) || undefined;
}
