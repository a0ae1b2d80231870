/**
 * Per-node cache of the configuration the protocol reads on every request. Management writes call
 * the matching `invalidate*` so this node sees them at once; other nodes within the TTL.
 */
import type { App, AppSecret, AuthServer, Claim, Policy, PolicyRule, Scope } from '../domain/model.js';
import type { Clock } from '../lib/time.js';
import { TtlCache } from '../lib/ttl-cache.js';
import type { Store } from '../store/store.js';

export interface ClientRecord {
  app: App;
  /** ACTIVE secrets only. */
  secrets: AppSecret[];
}

export interface PolicyWithRules {
  policy: Policy;
  rules: PolicyRule[];
}

export interface ServerConfig {
  server: AuthServer;
  scopes: Scope[];
  claims: Claim[];
  /** ACTIVE policies by priority, each with its ACTIVE rules by priority. */
  policies: PolicyWithRules[];
}

export class ConfigCache {
  readonly #clients: TtlCache<ClientRecord | undefined>;
  readonly #servers: TtlCache<ServerConfig | undefined>;

  constructor(private readonly store: Store, ttlMs: number, clock: Clock) {
    this.#clients = new TtlCache(ttlMs, () => clock.now());
    this.#servers = new TtlCache(ttlMs, () => clock.now());
  }

  client(clientId: string): Promise<ClientRecord | undefined> {
    return this.#clients.get(clientId, async () => {
      const app = await this.store.apps.getByClientId(clientId);
      if (!app) return undefined;
      const secrets = (await this.store.apps.listSecrets(app.id)).filter((s) => s.status === 'ACTIVE');
      return { app, secrets };
    });
  }

  /** A custom authorization server with its scopes, claims and active policies. */
  server(id: string): Promise<ServerConfig | undefined> {
    return this.#servers.get(id, async () => {
      const server = await this.store.authServers.get(id);
      if (!server) return undefined;
      const [scopes, claims, policies] = await Promise.all([
        this.store.authServers.listScopes(id),
        this.store.authServers.listClaims(id),
        this.store.authServers.listPolicies(id),
      ]);
      const active = policies.filter((p) => p.status === 'ACTIVE').sort((a, b) => a.priority - b.priority);
      const withRules = await Promise.all(
        active.map(async (policy) => ({
          policy,
          rules: (await this.store.authServers.listRules(id, policy.id))
            .filter((r) => r.status === 'ACTIVE')
            .sort((a, b) => a.priority - b.priority),
        })),
      );
      return { server, scopes, claims, policies: withRules };
    });
  }

  invalidateClient(clientId: string): void {
    this.#clients.delete(clientId);
  }

  invalidateServer(id: string): void {
    this.#servers.delete(id);
  }

  invalidateAll(): void {
    this.#clients.clear();
    this.#servers.clear();
  }
}
