/**
 * Rules of an access policy (type RESOURCE_ACCESS): grant types × people × scopes, and the token
 * lifetimes that apply when the rule matches. Okta's limits (management.yaml
 * `TokenAuthorizationServerPolicyRuleAction`): access token 5 min to 1 day; refresh idle window 10 min
 * to 5 years; refresh lifetime 0 (unlimited) or at least the access-token lifetime and the window.
 */
import type { Container } from '../../container.js';
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import { ApiError, notFound, validationError } from '../../errors/api-error.js';
import type { PolicyRule } from '../model.js';
import {
  Causes, DUPLICATE, STATUSES, bodyObject, enumValue, integerValue, objectValue, priorityValue, requiredString, requiredStringArray,
  stringArray, type Json,
} from './input.js';
import { findPolicy } from './policies-service.js';
import { changed, placeAt, without } from './priority.js';

export type RulesDeps = Pick<Container, 'store' | 'clock' | 'cache'>;

/** management.yaml `GrantType`: the values a rule's `conditions.grantTypes.include` may hold. */
export const RULE_GRANT_TYPES: ReadonlySet<string> = new Set([
  'authorization_code', 'client_credentials', 'implicit', 'interaction_code', 'password', 'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba', 'urn:okta:params:oauth:grant-type:otp', 'urn:okta:params:oauth:grant-type:oob',
  'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob',
]);

export const LIMITS = {
  accessTokenLifetimeMinutes: { min: 5, max: 1440 },
  refreshTokenWindowMinutes: { min: 10, max: 2_628_000 },
  refreshTokenLifetimeMinutes: { max: 2_628_000 },
} as const;

const DEFAULT_TOKEN = { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 };
const EVERYONE = 'EVERYONE';
const TYPES = ['RESOURCE_ACCESS'] as const;

export async function findRule(c: Pick<Container, 'store'>, authServerId: string, policyId: string, id: string): Promise<PolicyRule> {
  await findPolicy(c, authServerId, policyId);
  const rule = await c.store.authServers.getRule(authServerId, policyId, id);
  if (!rule) throw notFound('AuthorizationServerPolicyRule', id);
  return rule;
}

export async function listRules(c: Pick<Container, 'store'>, authServerId: string, policyId: string): Promise<PolicyRule[]> {
  await findPolicy(c, authServerId, policyId);
  return c.store.authServers.listRules(authServerId, policyId);
}

type Conditions = PolicyRule['conditions'];
type TokenAction = PolicyRule['actions']['token'];

function readIncludeExclude(people: Json, key: 'users' | 'groups', fallback: Conditions['people']['users'], causes: Causes) {
  const o = objectValue(people, key, causes, `conditions.people.${key}`);
  return {
    include: stringArray(o, 'include', fallback.include, causes, `conditions.people.${key}.include`),
    exclude: stringArray(o, 'exclude', fallback.exclude, causes, `conditions.people.${key}.exclude`),
  };
}

function readConditions(body: Json, existing: PolicyRule | undefined, scopeNames: Set<string>, causes: Causes): Conditions {
  const conditions = objectValue(body, 'conditions', causes);
  const people = objectValue(conditions, 'people', causes, 'conditions.people');
  const prev = existing?.conditions;
  const none = { include: [], exclude: [] };
  const users = readIncludeExclude(people, 'users', prev?.people.users ?? none, causes);
  const groups = readIncludeExclude(people, 'groups', prev?.people.groups ?? none, causes);

  const grantTypes = requiredStringArray(objectValue(conditions, 'grantTypes', causes, 'conditions.grantTypes'), 'include', prev?.grantTypes.include, causes, 'conditions.grantTypes.include');
  for (const g of grantTypes) if (!RULE_GRANT_TYPES.has(g)) causes.add('conditions.grantTypes.include', `'${g}' is not a valid grant type`);

  const scopes = requiredStringArray(objectValue(conditions, 'scopes', causes, 'conditions.scopes'), 'include', prev?.scopes.include, causes, 'conditions.scopes.include');
  for (const s of scopes) if (s !== '*' && !scopeNames.has(s)) causes.add('conditions.scopes.include', `The scope '${s}' does not exist on this authorization server`);

  return { people: { users, groups }, grantTypes: { include: grantTypes }, scopes: { include: scopes } };
}

function readToken(body: Json, existing: PolicyRule | undefined, causes: Causes): TokenAction {
  const actions = objectValue(body, 'actions', causes);
  const token = objectValue(actions, 'token', causes, 'actions.token');
  const prev = existing?.actions.token ?? DEFAULT_TOKEN;
  const path = (f: string): string => `actions.token.${f}`;
  const access = integerValue(token, 'accessTokenLifetimeMinutes', prev.accessTokenLifetimeMinutes, causes, path('accessTokenLifetimeMinutes'));
  const window = integerValue(token, 'refreshTokenWindowMinutes', prev.refreshTokenWindowMinutes, causes, path('refreshTokenWindowMinutes'));
  const lifetime = integerValue(token, 'refreshTokenLifetimeMinutes', prev.refreshTokenLifetimeMinutes, causes, path('refreshTokenLifetimeMinutes'));
  const a = LIMITS.accessTokenLifetimeMinutes;
  if (access < a.min || access > a.max) causes.add(path('accessTokenLifetimeMinutes'), `The access token lifetime must be between ${a.min} and ${a.max} minutes`);
  const w = LIMITS.refreshTokenWindowMinutes;
  if (window < w.min || window > w.max) causes.add(path('refreshTokenWindowMinutes'), `The refresh token window must be between ${w.min} and ${w.max} minutes`);
  if (lifetime !== 0) {
    if (lifetime < 0 || lifetime > LIMITS.refreshTokenLifetimeMinutes.max) {
      causes.add(path('refreshTokenLifetimeMinutes'), `The refresh token lifetime must be 0 (unlimited) or at most ${LIMITS.refreshTokenLifetimeMinutes.max} minutes`);
    } else if (lifetime < access) {
      causes.add(path('refreshTokenLifetimeMinutes'), 'The refresh token lifetime must be at least the access token lifetime');
    } else if (lifetime < window) {
      causes.add(path('refreshTokenLifetimeMinutes'), 'The refresh token lifetime must be at least the refresh token window');
    }
  }
  return { accessTokenLifetimeMinutes: access, refreshTokenLifetimeMinutes: lifetime, refreshTokenWindowMinutes: window };
}

interface RuleInput {
  fields: Pick<PolicyRule, 'name' | 'status' | 'conditions' | 'actions'>;
  priority: number | undefined;
}

/** Everything but the people ids, which need the store (see validateRule). */
function readRule(rawBody: unknown, existing: PolicyRule | undefined, scopeNames: Set<string>): { input: RuleInput; causes: Causes } {
  const body = bodyObject(rawBody);
  const causes = new Causes();
  enumValue(body, 'type', TYPES, 'RESOURCE_ACCESS', causes);
  const name = requiredString(body, 'name', causes, 255);
  const status = enumValue(body, 'status', STATUSES, existing?.status ?? 'ACTIVE', causes);
  const priority = priorityValue(body, causes);
  const conditions = readConditions(body, existing, scopeNames, causes);
  const token = readToken(body, existing, causes);
  return { input: { fields: { name, status, conditions, actions: { token } }, priority }, causes };
}

async function validateRule(c: Pick<Container, 'store'>, authServerId: string, policyId: string, rawBody: unknown, existing: PolicyRule | undefined): Promise<RuleInput> {
  const scopeNames = new Set((await c.store.authServers.listScopes(authServerId)).map((s) => s.name));
  const { input, causes } = readRule(rawBody, existing, scopeNames);
  const { users, groups } = input.fields.conditions.people;
  for (const [field, ids] of [['include', users.include], ['exclude', users.exclude]] as const) {
    for (const id of ids) if (!(await c.store.users.get(id))) causes.add(`conditions.people.users.${field}`, `The user '${id}' does not exist`);
  }
  for (const [field, ids] of [['include', groups.include], ['exclude', groups.exclude]] as const) {
    for (const id of ids) {
      if (id === EVERYONE && field === 'include') continue;
      if (!(await c.store.groups.get(id))) causes.add(`conditions.people.groups.${field}`, `The group '${id}' does not exist`);
    }
  }
  causes.throwIfAny();
  const rules = await c.store.authServers.listRules(authServerId, policyId);
  if (rules.some((r) => r.id !== existing?.id && r.name === input.fields.name)) throw validationError([{ field: 'name', message: DUPLICATE }]);
  return input;
}

/** Writes `rule` at `priority` among its policy's rules and renumbers the others, in one transaction. */
async function place(c: RulesDeps, rule: PolicyRule, priority: number | undefined, isNew: boolean): Promise<PolicyRule> {
  const placed = await c.store.transaction(async (tx) => {
    const before = await tx.authServers.listRules(rule.authServerId, rule.policyId);
    const after = placeAt(before, rule, priority ?? (isNew ? undefined : rule.priority));
    const self = after.find((r) => r.id === rule.id) ?? rule;
    if (isNew) await tx.authServers.createRule(self);
    else await tx.authServers.updateRule(self);
    for (const r of changed(before, after)) if (r.id !== rule.id) await tx.authServers.updateRule({ ...r, lastUpdated: rule.lastUpdated });
    return self;
  });
  c.cache.invalidateServer(rule.authServerId);
  return placed;
}

export async function createRule(c: RulesDeps, authServerId: string, policyId: string, rawBody: unknown): Promise<PolicyRule> {
  await findPolicy(c, authServerId, policyId);
  const { fields, priority } = await validateRule(c, authServerId, policyId, rawBody, undefined);
  const now = c.clock.now();
  const rule: PolicyRule = {
    id: newId(ID_PREFIX.rule), policyId, authServerId, type: 'RESOURCE_ACCESS', ...fields, priority: Number.MAX_SAFE_INTEGER,
    system: false, created: now, lastUpdated: now,
  };
  return place(c, rule, priority, true);
}

export async function replaceRule(c: RulesDeps, authServerId: string, policyId: string, id: string, rawBody: unknown): Promise<PolicyRule> {
  const existing = await findRule(c, authServerId, policyId, id);
  const { fields, priority } = await validateRule(c, authServerId, policyId, rawBody, existing);
  return place(c, { ...existing, ...fields, lastUpdated: c.clock.now() }, priority, false);
}

export async function deleteRule(c: RulesDeps, authServerId: string, policyId: string, id: string): Promise<void> {
  const rule = await findRule(c, authServerId, policyId, id);
  if (rule.system) throw ApiError.of('E0000006');
  const now = c.clock.now();
  await c.store.transaction(async (tx) => {
    const before = await tx.authServers.listRules(authServerId, policyId);
    await tx.authServers.deleteRule(authServerId, policyId, id);
    for (const r of changed(before, without(before, id))) await tx.authServers.updateRule({ ...r, lastUpdated: now });
  });
  c.cache.invalidateServer(authServerId);
}

export async function setRuleStatus(c: RulesDeps, authServerId: string, policyId: string, id: string, status: PolicyRule['status']): Promise<void> {
  const rule = await findRule(c, authServerId, policyId, id);
  if (rule.status === status) return;
  await c.store.authServers.updateRule({ ...rule, status, lastUpdated: c.clock.now() });
  c.cache.invalidateServer(authServerId);
}
