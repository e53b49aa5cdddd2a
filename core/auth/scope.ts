// Who may see what: roles and their scopes, shared by the gateway's hooks and the repositories' queries.
import { Type, type Static } from '@sinclair/typebox';
import { Literals } from '../events/common.ts';

export const ROLES = ['admin', 'monitor', 'property_manager', 'supervisor'] as const;
export const Role = Literals(
  ROLES,
  'admin; monitor (police/community, by district); property_manager (by property); supervisor (reports and repairs, by district or city)',
);
export type Role = Static<typeof Role>;

export const AuthUser = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  /** District ids; empty = the whole city (admin, city supervisors). */
  districts: Type.Array(Type.String()),
  /** Property ids (property managers). */
  properties: Type.Array(Type.String()),
});
export type AuthUser = Static<typeof AuthUser>;

/**
 * The filter a repository applies for a user. `undefined` means unrestricted on that axis.
 * A property manager is restricted to properties; others to districts when they have any.
 */
export interface Scope {
  districts?: string[];
  properties?: string[];
}

export function scopeOf(user: AuthUser): Scope {
  if (user.role === 'admin') return {};
  if (user.role === 'property_manager') return { properties: user.properties };
  return user.districts.length > 0 ? { districts: user.districts } : {};
}
