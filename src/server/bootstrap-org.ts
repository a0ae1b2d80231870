/**
 * First-start (and every-start, idempotent) setup of the org: the Everyone group, the org and
 * `default` authorization servers with keys, scopes and Default Policy, the first super administrator
 * and the automation API token. Safe when several nodes start at once: creations that lose a race
 * surface as DuplicateError and are ignored.
 */
import { ID_PREFIX, newId, randomToken, sha256 } from '../crypto/ids.js';
import { hashPassword } from '../crypto/passwords.js';
import { defaultAuthServer, defaultPolicy, defaultPolicyRule, systemScopes } from '../domain/defaults.js';
import { ORG_AUTH_SERVER_ID, type User } from '../domain/model.js';
import type { Container } from '../container.js';
import { DuplicateError } from '../store/store.js';

async function ignoreDuplicate(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
  }
}

export interface BootstrapResult {
  /** Set when an administrator password was generated and must be shown once. */
  generatedAdmin?: { login: string; password: string };
}

export async function bootstrapOrg(c: Container): Promise<BootstrapResult> {
  const { store, clock } = c;
  const now = clock.now();
  await store.settings.setIfAbsent('org_id', newId('00o'));

  if (!(await store.groups.getByName('Everyone'))) {
    await ignoreDuplicate(() => store.groups.create({
      id: newId(ID_PREFIX.group), type: 'BUILT_IN', name: 'Everyone',
      description: 'All users in your organization', created: now, lastUpdated: now, lastMembershipUpdated: now,
    }));
  }

  await c.keys.ensureActiveKey(ORG_AUTH_SERVER_ID);

  const created = (await store.settings.setIfAbsent('default_server_created', String(now))) === String(now);
  if (created && !(await store.authServers.get('default'))) {
    await ignoreDuplicate(() => store.transaction(async (tx) => {
      await tx.authServers.create(defaultAuthServer(now));
      for (const scope of systemScopes('default', now)) await tx.authServers.createScope(scope);
      const policy = defaultPolicy('default', now);
      await tx.authServers.createPolicy(policy);
      await tx.authServers.createRule(defaultPolicyRule('default', policy.id, now));
    }));
  }
  for (const server of await store.authServers.list({ limit: 1000 })) await c.keys.ensureActiveKey(server.id);

  const result: BootstrapResult = {};
  const admin = await ensureAdmin(c, result);
  if (c.config.apiToken && admin) {
    const hash = sha256(c.config.apiToken);
    if (!(await store.apiTokens.getByHash(hash))) {
      await ignoreDuplicate(() => store.apiTokens.create({
        id: newId(ID_PREFIX.apiToken), name: 'GATEHOUSE_API_TOKEN', tokenHash: hash, userId: admin.id, created: now, lastUsed: null,
      }));
    }
  }
  return result;
}

async function ensureAdmin(c: Container, result: BootstrapResult): Promise<User | undefined> {
  const { store, clock, config } = c;
  const login = config.adminLogin ?? 'admin';
  const existing = await store.users.getByLogin(login);
  if (existing) return existing;
  // Without an explicit login, an org that already has a super admin needs no new one.
  if (!config.adminLogin && (await store.settings.get('first_admin_id'))) {
    return store.users.get((await store.settings.get('first_admin_id'))!);
  }
  const password = config.adminPassword ?? randomToken(18);
  const now = clock.now();
  const user: User = {
    id: newId(ID_PREFIX.user), status: 'ACTIVE',
    profile: { login, email: login.includes('@') ? login : null, firstName: 'Gatehouse', lastName: 'Administrator' },
    passwordHash: await hashPassword(password), failedLogins: 0, adminRoles: ['SUPER_ADMIN'],
    created: now, activated: now, statusChanged: now, lastLogin: null, lastUpdated: now, passwordChanged: now,
  };
  try {
    await store.users.create(user);
  } catch (err) {
    if (err instanceof DuplicateError) return store.users.getByLogin(login);
    throw err;
  }
  await store.settings.setIfAbsent('first_admin_id', user.id);
  if (!config.adminPassword) result.generatedAdmin = { login, password };
  return user;
}
