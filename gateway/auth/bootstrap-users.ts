// First users: `admin` from BOOTSTRAP_ADMIN_PASSWORD while there is no administrator, and in simulation the demo users
// monitor1, manager1 and supervisor1, scoped to the imported city.
import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../core/service.ts';
import { UsersRepository } from '../../core/db/repositories/users.repository.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import { storedSecret } from './stored-secret.ts';

export const DEMO_USERS = ['monitor1', 'manager1', 'supervisor1'] as const;

export async function bootstrapUsers(ctx: Pick<ServiceContext, 'db' | 'config' | 'log'>): Promise<void> {
  const users = new UsersRepository(ctx.db);
  const { config, log } = ctx;
  // While no administrator exists, not only on an empty database: a demo started first has users but nobody who
  // can see dead letters or set credentials. Once one exists the variable changes nothing (passwords stay the users').
  if (config.bootstrapAdminPassword && (await users.countWithRole('admin')) === 0) {
    if (
      await users.insert({
        username: 'admin',
        passwordHash: await hashPassword(config.bootstrapAdminPassword),
        role: 'admin',
        displayName: 'Administrator',
      })
    ) {
      log.info('created user admin (BOOTSTRAP_ADMIN_PASSWORD)');
    } else if ((await users.countWithRole('admin')) === 0) {
      // (Otherwise another gateway starting at the same time has just created it.)
      log.warn('BOOTSTRAP_ADMIN_PASSWORD ignored: a user named admin exists without the admin role');
    }
  }
  if (!config.simulate) return;

  let password = config.demoPassword;
  let generated = false;
  if (!password) {
    // Kept under DATA_DIR so the demo users created on the first start still log in after a restart.
    const s = await storedSecret(config.dataDir, 'demo-password', () => randomBytes(9).toString('base64url'));
    password = s.value;
    generated = true;
  }
  const districts = await users.districtIds();
  const property = await users.busiestProperty();
  const monitorDistricts = districts.slice(0, 1);
  const managerProperties = property ? [property.id] : [];
  const created: string[] = [];
  const changed: string[] = [];
  const demo = [
    { username: 'monitor1', role: 'monitor' as const, districts: monitorDistricts, properties: [], displayName: 'Monitor (district)' },
    {
      username: 'manager1',
      role: 'property_manager' as const,
      districts: [],
      properties: managerProperties,
      displayName: 'Property manager',
    },
    { username: 'supervisor1', role: 'supervisor' as const, districts: [], properties: [], displayName: 'Supervisor (city)' },
  ];
  for (const u of demo) {
    const existing = await users.byUsername(u.username);
    if (!existing) {
      if (await users.insert({ ...u, passwordHash: await hashPassword(password) })) created.push(u.username);
      continue;
    }
    // A DEMO_PASSWORD set at this start is the demo users' password now, also when an earlier start set another.
    if (!generated && existing.role === u.role && !(await checkPassword(existing.passwordHash, password))) {
      await users.setPasswordHash(u.username, await hashPassword(password));
      changed.push(u.username);
    }
    if (
      existing.role === u.role &&
      existing.districts.length === 0 &&
      existing.properties.length === 0 &&
      (u.districts.length || u.properties.length)
    ) {
      // Created before the city was imported: give them their scope now.
      await users.setScope(u.username, u.districts, u.properties);
    }
  }
  if (generated) {
    log.info(
      { users: DEMO_USERS, password, created },
      `demo users ${DEMO_USERS.join(', ')} — password: ${password} (set DEMO_PASSWORD to choose it)`,
    );
  } else if (created.length) {
    log.info({ users: created }, 'demo users created with DEMO_PASSWORD');
  }
  if (changed.length) log.info({ users: changed }, `DEMO_PASSWORD changed since the last start: applied to ${changed.join(', ')}`);
}
