// The live channel's contract, shared by the gateway and the dashboard: event names, payloads and rooms.
// Typed once here, so emitting an unknown event or the wrong payload is a compile error on both sides.
import type { Alert, CameraStatusChange, DoorEvent, RepairTicket } from '../events/index.ts';
import type { AuthUser } from '../auth/scope.ts';

/** An alert as the API shows it (with who acknowledged or resolved it). */
export type LiveAlert = Alert & { ackedBy?: string; ackedAt?: string; resolvedBy?: string; resolvedAt?: string; updatedAt?: string };

/** A camera state change, with where the camera stands so the map can update without a lookup. */
export type LiveCameraStatus = CameraStatusChange & { districtId?: string | null; cellId?: string | null };

export interface ServerToClientEvents {
  alert: (a: LiveAlert) => void;
  'alert.updated': (a: LiveAlert) => void;
  'camera.status': (c: LiveCameraStatus) => void;
  'door.event': (e: DoorEvent & { districtId?: string | null }) => void;
  'repair.updated': (t: RepairTicket) => void;
  /** Sent once after the handshake: the rooms this connection listens to. */
  ready: (info: { user: string; role: AuthUser['role']; rooms: string[] }) => void;
}

export type LiveEvent = Exclude<keyof ServerToClientEvents, 'ready'>;
export const LIVE_EVENTS: readonly LiveEvent[] = ['alert', 'alert.updated', 'camera.status', 'door.event', 'repair.updated'];

/** Events a client receives only while it asks for them (a page showing them); the rest arrive always. */
export type FollowedEvent = 'door.event';

export interface ClientToServerEvents {
  /** Start receiving door events in one's scope (the Doors page); they are many, so nobody gets them unasked. */
  follow: (events: FollowedEvent[], done?: () => void) => void;
  unfollow: (events: FollowedEvent[]) => void;
}

export interface SocketData {
  user: AuthUser;
}

/** Room names: one per scope. */
export const room = {
  city: 'city',
  district: (id: string) => `district:${id}`,
  property: (id: string) => `property:${id}`,
  role: (r: AuthUser['role']) => `role:${r}`,
  /** The followers of an event within a scope room, e.g. `door.event|district:d1`. */
  following: (event: FollowedEvent, scopeRoom: string) => `${event}|${scopeRoom}`,
};

/** The scope rooms of a user (without the role room). */
export function scopeRoomsFor(user: AuthUser): string[] {
  return roomsFor(user).filter((r) => !r.startsWith('role:'));
}

/** The rooms a user listens to: their districts or properties, or the whole city. */
export function roomsFor(user: AuthUser): string[] {
  const scoped =
    user.role === 'admin'
      ? [room.city]
      : user.role === 'property_manager'
        ? user.properties.map(room.property)
        : user.districts.length > 0
          ? user.districts.map(room.district)
          : [room.city];
  return [...scoped, room.role(user.role)];
}
