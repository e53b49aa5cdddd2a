// Every query on users (logins, roles, scopes) and the city lookups that give the demo users their scope.
import type { Db } from '../db.ts';
import type { Role } from '../../auth/scope.ts';

export interface UserRow {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  districts: string[];
  properties: string[];
  displayName: string | null;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  role: Role;
  districts?: string[];
  properties?: string[];
  displayName?: string;
}

export class UsersRepository {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0].n;
  }

  async countWithRole(role: string): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE role = $1', [role])).rows[0].n;
  }

  async byUsername(username: string): Promise<UserRow | undefined> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM users WHERE username = $1', [username]);
    return r.rows[0] ? toUser(r.rows[0]) : undefined;
  }

  /** Creates the user unless the name is taken; returns true when created. */
  async insert(u: NewUser): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO users (username, password_hash, role, districts, properties, display_name)
       VALUES ($1, $2, $3, $4::text[], $5::text[], $6) ON CONFLICT (username) DO NOTHING`,
      [u.username, u.passwordHash, u.role, u.districts ?? [], u.properties ?? [], u.displayName ?? null],
    );
    return r.rowCount > 0;
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE username = $1', [username, passwordHash]);
  }

  async setScope(username: string, districts: string[], properties: string[]): Promise<void> {
    await this.db.query('UPDATE users SET districts = $2::text[], properties = $3::text[] WHERE username = $1', [
      username,
      districts,
      properties,
    ]);
  }

  /** District ids of the imported city, in id order. */
  async districtIds(): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(`SELECT id FROM grid_units WHERE level = 'district' ORDER BY id`);
    return r.rows.map((x) => x.id);
  }

  /** The property with the most doors (ties by id): the demo property manager's compound. */
  async busiestProperty(): Promise<{ id: string; districtId: string | null } | undefined> {
    const r = await this.db.query<{ id: string; district_id: string | null }>(
      `SELECT p.id, p.district_id FROM properties p LEFT JOIN doors d ON d.property_id = p.id
       GROUP BY p.id, p.district_id ORDER BY count(d.id) DESC, p.id LIMIT 1`,
    );
    return r.rows[0] ? { id: r.rows[0].id, districtId: r.rows[0].district_id } : undefined;
  }
}

function toUser(r: Record<string, any>): UserRow {
  return {
    id: Number(r.id),
    username: r.username,
    passwordHash: r.password_hash,
    role: r.role,
    districts: r.districts ?? [],
    properties: r.properties ?? [],
    displayName: r.display_name ?? null,
  };
}
