/**
 * Checks a schema cannot express: natural keys unique within their list, and no attempt to declare
 * the built-in Everyone group (it exists in every org and cannot be changed).
 */
import { appKey, claimKey, groupKey, originKey, policyKey, ruleKey, scopeKey, serverKey, userKey } from './keys.js';
import { EVERYONE, type GatehouseFile } from './schema.js';

export interface FileIssue {
  path: (string | number)[];
  message: string;
}

function unique<T>(items: T[] | undefined, path: (string | number)[], keyField: string, keyOf: (item: T) => string, out: FileIssue[]): void {
  const seen = new Map<string, number>();
  (items ?? []).forEach((item, i) => {
    const key = keyOf(item);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else out.push({ path: [...path, i, ...keyField.split('.')], message: `duplicate ${keyField} "${key}" (also at index ${first})` });
  });
}

export function checkFile(file: GatehouseFile): FileIssue[] {
  const out: FileIssue[] = [];
  unique(file.groups, ['groups'], 'profile.name', groupKey, out);
  (file.groups ?? []).forEach((g, i) => {
    if (g.profile.name === EVERYONE) {
      out.push({ path: ['groups', i, 'profile', 'name'], message: 'Everyone is the built-in group of every org and cannot be declared; refer to it by name instead' });
    }
  });
  unique(file.users, ['users'], 'profile.login', (u) => userKey(u.profile.login), out);
  unique(file.apps, ['apps'], 'label', appKey, out);
  unique(file.authorizationServers, ['authorizationServers'], 'name', (s) => serverKey(s.name), out);
  (file.authorizationServers ?? []).forEach((s, i) => {
    const at = ['authorizationServers', i];
    unique(s.scopes, [...at, 'scopes'], 'name', scopeKey, out);
    unique(s.claims, [...at, 'claims'], 'name', claimKey, out);
    unique(s.policies, [...at, 'policies'], 'name', policyKey, out);
    (s.policies ?? []).forEach((p, j) => unique(p.rules, [...at, 'policies', j, 'rules'], 'name', ruleKey, out));
  });
  unique(file.trustedOrigins, ['trustedOrigins'], 'origin', (o) => originKey(o.origin), out);
  return out;
}
