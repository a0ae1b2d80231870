/**
 * Every name a file refers to must be something the file declares or the org already holds: groups
 * (memberships, assignments, rules), users (assignments, rules) and apps (`app:LABEL` audiences and
 * policy clients). Checked against the org before anything is written, each problem with its path.
 */
import { formatPath } from './load-file.js';
import { userKey } from './keys.js';
import { appLabelOf, EVERYONE_LITERAL, type NameIndex } from './names.js';
import type { OrgState } from './read-state.js';
import { EVERYONE, type GatehouseFile } from './schema.js';

type Path = (string | number)[];

export function checkReferences(file: GatehouseFile, state: Pick<OrgState, 'apps'>, names: NameIndex): string[] {
  const problems: string[] = [];
  const fileGroups = new Set((file.groups ?? []).map((g) => g.profile.name));
  const fileUsers = new Set((file.users ?? []).map((u) => userKey(u.profile.login)));
  const fileApps = new Set((file.apps ?? []).map((a) => a.label));
  const orgLabels = new Map<string, number>();
  for (const a of state.apps) orgLabels.set(String(a.raw.label), (orgLabels.get(String(a.raw.label)) ?? 0) + 1);

  const group = (name: string, path: Path, everyoneOk: boolean): void => {
    if (name === EVERYONE || name === EVERYONE_LITERAL) {
      if (!everyoneOk) problems.push(`${formatPath(path)}: every user is in ${EVERYONE}; leave it out`);
      return;
    }
    if (!fileGroups.has(name) && names.groupId(name) === undefined) problems.push(`${formatPath(path)}: no group "${name}" in the file or the org`);
  };
  const user = (login: string, path: Path): void => {
    if (!fileUsers.has(userKey(login)) && names.userId(login) === undefined) problems.push(`${formatPath(path)}: no user "${login}" in the file or the org`);
  };
  const app = (ref: string, path: Path): void => {
    const label = appLabelOf(ref);
    if (label === undefined) return;
    if ((orgLabels.get(label) ?? 0) > 1) problems.push(`${formatPath(path)}: ${orgLabels.get(label)} apps in the org are labelled "${label}"; give them distinct labels first`);
    else if (!fileApps.has(label) && !orgLabels.has(label)) problems.push(`${formatPath(path)}: no app labelled "${label}" in the file or the org`);
  };

  (file.users ?? []).forEach((u, i) => (u.groups ?? []).forEach((g, j) => group(g, ['users', i, 'groups', j], false)));
  (file.apps ?? []).forEach((a, i) => {
    if ((orgLabels.get(a.label) ?? 0) > 1) problems.push(`${formatPath(['apps', i, 'label'])}: ${orgLabels.get(a.label)} apps in the org are labelled "${a.label}"; give them distinct labels first`);
    (a.assignments?.groups ?? []).forEach((g, j) => group(g, ['apps', i, 'assignments', 'groups', j], true));
    (a.assignments?.users ?? []).forEach((u, j) => user(u, ['apps', i, 'assignments', 'users', j]));
  });
  (file.authorizationServers ?? []).forEach((s, i) => {
    const at: Path = ['authorizationServers', i];
    (s.audiences ?? []).forEach((a, j) => app(a, [...at, 'audiences', j]));
    (s.policies ?? []).forEach((p, j) => {
      p.conditions.clients.include.forEach((c, k) => app(c, [...at, 'policies', j, 'conditions', 'clients', 'include', k]));
      (p.rules ?? []).forEach((r, k) => {
        const people = r.conditions.people;
        const rp: Path = [...at, 'policies', j, 'rules', k, 'conditions', 'people'];
        for (const field of ['include', 'exclude'] as const) {
          (people?.users?.[field] ?? []).forEach((u, n) => user(u, [...rp, 'users', field, n]));
          (people?.groups?.[field] ?? []).forEach((g, n) => group(g, [...rp, 'groups', field, n], field === 'include'));
        }
      });
    });
  });
  return problems;
}
