// Watch-list API shapes and the rules of who may own which list.
import { Type } from '@sinclair/typebox';
import type { AuthUser } from '../../../core/auth/scope.ts';
import { Literals } from '../../../core/events/index.ts';
import type { ScopeKind, WatchlistLevel } from '../../../core/db/repositories/watchlists.repository.ts';

export const ListScope = Type.Object(
  {
    kind: Literals(['city', 'district', 'property'] as const),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'District or property id; absent for city' })),
  },
  { additionalProperties: false, description: 'Who owns the list and sees its matches' },
);

export const Watchlist = Type.Object({
  id: Type.String(),
  name: Type.String(),
  level: Type.String(),
  scope: ListScope,
  districtId: Type.Optional(Type.String()),
  propertyId: Type.Optional(Type.String()),
  threshold: Type.Optional(Type.Number()),
  createdBy: Type.Optional(Type.String()),
  createdAt: Type.String(),
  persons: Type.Integer(),
});

export const Person = Type.Object({
  id: Type.String(),
  watchlistId: Type.String(),
  name: Type.String(),
  externalId: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  createdAt: Type.String(),
  photos: Type.Integer(),
});

export const EnrolRefused = Type.Object({
  error: Type.String(),
  message: Type.String(),
  photos: Type.Array(
    Type.Object({
      photo: Type.String(),
      index: Type.Integer(),
      ok: Type.Boolean(),
      reason: Type.Optional(Type.String()),
      faces: Type.Integer(),
      faceWidth: Type.Optional(Type.Number()),
      sharpness: Type.Optional(Type.Number()),
    }),
  ),
});

/** Police lists belong to the city or a district; banned and residents lists to a property. */
export function levelFits(level: WatchlistLevel, scope: { kind: ScopeKind; id?: string }): { field: string; message: string } | undefined {
  if (scope.kind !== 'city' && !scope.id) return { field: 'body.scope.id', message: `body.scope.id is required for scope ${scope.kind}` };
  if (scope.kind === 'city' && scope.id) return { field: 'body.scope.id', message: 'body.scope.id must be absent for scope city' };
  if (level === 'wanted' && scope.kind === 'property')
    return { field: 'body.level', message: 'a wanted list belongs to the city or a district' };
  if (level !== 'wanted' && scope.kind !== 'property') return { field: 'body.level', message: `a ${level} list belongs to a property` };
  return undefined;
}

/**
 * Admins own any list; monitors the city's (when city-wide) and their districts'; property managers their
 * properties'. `districtId` is a property list's district, which a district monitor may also manage.
 */
export function canManage(user: AuthUser, scope: { kind: ScopeKind; id?: string }, districtId?: string): boolean {
  if (user.role === 'admin') return true;
  if (user.role === 'property_manager') return scope.kind === 'property' && user.properties.includes(scope.id ?? '');
  if (user.role !== 'monitor') return false;
  if (user.districts.length === 0) return true;
  if (scope.kind === 'district') return user.districts.includes(scope.id ?? '');
  return scope.kind === 'property' && districtId !== undefined && user.districts.includes(districtId);
}
