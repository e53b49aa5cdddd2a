// Which rooms may receive each live message: the same scope rules as the API's repository queries.
import { room } from '../../core/socket/events.ts';
import type { Alert, RepairTicket } from '../../core/events/index.ts';

/** Alerts: the whole city, their district, and their compound (property managers see their compounds' alerts only). */
export function alertRooms(a: Pick<Alert, 'place' | 'propertyId'>): string[] {
  const r = [room.city];
  if (a.place.district) r.push(room.district(a.place.district));
  if (a.propertyId) r.push(room.property(a.propertyId));
  return r;
}

/**
 * Door events: the followers (see `follow`) in the city, the compound's district and the compound; never supervisors
 * (they have no door access).
 */
export function doorEventRooms(propertyId: string, districtId: string | null | undefined): { rooms: string[]; except: string[] } {
  const r = [room.city, room.property(propertyId)];
  if (districtId) r.push(room.district(districtId));
  return { rooms: r.map((x) => room.following('door.event', x)), except: [room.role('supervisor')] };
}

/** Camera states: city and the camera's district (monitors, supervisors); compounds' managers do not follow cameras live. */
export function cameraRooms(districtId: string | null | undefined): string[] {
  return districtId ? [room.city, room.district(districtId)] : [room.city];
}

/** Repair tickets: city and the ticket's district; not property managers. */
export function repairRooms(t: Pick<RepairTicket, 'district'>): { rooms: string[]; except: string[] } {
  return { rooms: t.district ? [room.city, room.district(t.district)] : [room.city], except: [room.role('property_manager')] };
}
