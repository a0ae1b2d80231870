/**
 * Ids ↔ natural keys. Files name groups, users and apps (`app:LABEL`); the API speaks ids and client
 * ids. The index is built from the org's state and grows as apply creates things, so a reference to
 * something created earlier in the same run resolves.
 */
import type { Json } from './api-client.js';
import { userKey } from './keys.js';
import type { OrgState } from './read-state.js';
import { ALL_CLIENTS, APP_REF_PREFIX, EVERYONE } from './schema.js';

/** Okta's literal for "every user" in a rule's `people.groups.include`. */
export const EVERYONE_LITERAL = 'EVERYONE';

export interface AppRef {
  id: string;
  clientId: string;
}

export class NameIndex {
  private readonly groupIds = new Map<string, string>();
  private readonly groupNames = new Map<string, string>();
  private readonly userIds = new Map<string, string>();
  private readonly logins = new Map<string, string>();
  /** label → apps with that label (Okta does not require labels to be unique). */
  private readonly appsByLabel = new Map<string, AppRef[]>();
  private readonly labelsByClientId = new Map<string, string>();
  everyoneId: string | undefined;

  constructor(state?: Pick<OrgState, 'groups' | 'users' | 'apps'>) {
    for (const g of state?.groups ?? []) this.addGroup(g);
    for (const u of state?.users ?? []) this.addUser(u);
    for (const a of state?.apps ?? []) this.addApp(a.raw);
  }

  addGroup(raw: Json): void {
    const name = String(raw.profile?.name ?? '');
    this.groupIds.set(name, String(raw.id));
    this.groupNames.set(String(raw.id), name);
    if (raw.type === 'BUILT_IN' && name === EVERYONE) this.everyoneId = String(raw.id);
  }

  addUser(raw: Json): void {
    const login = String(raw.profile?.login ?? '');
    this.userIds.set(userKey(login), String(raw.id));
    this.logins.set(String(raw.id), login);
  }

  addApp(raw: Json): void {
    const label = String(raw.label ?? '');
    const ref = { id: String(raw.id), clientId: String(raw.credentials?.oauthClient?.client_id ?? raw.id) };
    this.appsByLabel.set(label, [...(this.appsByLabel.get(label) ?? []).filter((a) => a.id !== ref.id), ref]);
    this.labelsByClientId.set(ref.clientId, label);
  }

  // ---- names → ids (undefined when unknown)

  groupId(name: string): string | undefined {
    return name === EVERYONE || name === EVERYONE_LITERAL ? this.everyoneId : this.groupIds.get(name);
  }

  userId(login: string): string | undefined {
    return this.userIds.get(userKey(login));
  }

  /** The app with this label; throws when several apps share it. */
  app(label: string): AppRef | undefined {
    const apps = this.appsByLabel.get(label) ?? [];
    if (apps.length > 1) throw new Error(`${apps.length} apps in the org are labelled "${label}"; give them distinct labels first`);
    return apps[0];
  }

  hasAppLabel(label: string): boolean {
    return this.appsByLabel.has(label);
  }

  // ---- ids → names (the id itself when unknown)

  groupName(id: string): string {
    return id === EVERYONE_LITERAL ? EVERYONE : (this.groupNames.get(id) ?? id);
  }

  login(id: string): string {
    return this.logins.get(id) ?? id;
  }

  /** A client id (or audience) as a file writes it: `app:LABEL` when an app has it, else unchanged. */
  clientRef(clientId: string): string {
    if (clientId === ALL_CLIENTS || clientId.startsWith(APP_REF_PREFIX)) return clientId;
    const label = this.labelsByClientId.get(clientId);
    return label === undefined ? clientId : `${APP_REF_PREFIX}${label}`;
  }

  /** A rule's group reference as a file writes it (EVERYONE becomes Everyone). */
  groupRef(nameOrLiteral: string): string {
    return nameOrLiteral === EVERYONE_LITERAL ? EVERYONE : nameOrLiteral;
  }
}

/** The label named by an `app:LABEL` reference, or undefined for a literal. */
export function appLabelOf(ref: string): string | undefined {
  return ref.startsWith(APP_REF_PREFIX) ? ref.slice(APP_REF_PREFIX.length) : undefined;
}
