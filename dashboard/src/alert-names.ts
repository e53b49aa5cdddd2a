// Names in an alert's title in the viewer's language: the server words titles with English names (camera, door,
// cell) and ids (district); in zh-CN the dashboard looks the Chinese names up, once per camera or door.
import { get } from './api.ts';
import { currentLang } from './i18n.ts';
import { localName, placeNameZh } from './pages/districts.ts';

interface Named {
  name: string;
  nameZh?: string | null;
}
interface DoorNames extends Named {
  propertyName: string;
  propertyNameZh?: string | null;
}

const cameras = new Map<string, Promise<Named | undefined>>();
const doors = new Map<string, Promise<DoorNames | undefined>>();

function once<T>(cache: Map<string, Promise<T | undefined>>, id: string, url: string): Promise<T | undefined> {
  let p = cache.get(id);
  if (!p) {
    p = get<T>(url).catch(() => undefined);
    cache.set(id, p);
  }
  return p;
}

interface AlertLike {
  subjectKind: string;
  subjectId: string;
  titleArgs?: Record<string, string | number>;
  place: { district?: string; cell?: string };
  evidence?: unknown;
}

/**
 * The title arguments that have a Chinese name (none in English: the server's title is English already), and the
 * alert's compound by name in the viewer's language (`property`), for a door alert.
 */
export async function alertNames(a: AlertLike): Promise<Record<string, string>> {
  const args = a.titleArgs ?? {};
  const zh = currentLang() === 'zh-CN';
  const out: Record<string, string> = {};
  const door =
    a.subjectKind === 'door' ? await once<DoorNames>(doors, a.subjectId, `/api/v1/doors/${encodeURIComponent(a.subjectId)}`) : undefined;
  const compound = door && localName({ name: door.propertyName, nameZh: door.propertyNameZh });
  if (compound) out.property = compound;
  if (!zh) return out;
  const district = typeof args.district === 'string' ? placeNameZh(args.district) : undefined;
  if (district) out.district = district;
  const cell = args.cell !== undefined ? placeNameZh(a.place.cell) : undefined;
  if (cell) out.cell = cell;
  const cameraId = a.subjectKind === 'camera' ? a.subjectId : (a.evidence as { cameraId?: unknown } | undefined)?.cameraId;
  if (args.camera !== undefined && typeof cameraId === 'string') {
    const c = await once<Named>(cameras, cameraId, `/api/v1/cameras/${encodeURIComponent(cameraId)}`);
    if (c?.nameZh) out.camera = c.nameZh;
  }
  if (args.door !== undefined && door?.nameZh) out.door = `${(compound ?? '').replace(/（.*）$/, '')}${door.nameZh}`;
  return out;
}
