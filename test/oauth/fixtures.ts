/**
 * Test fixtures for the token-side protocol tests: a real Gatehouse node on a free port with a clock
 * the test can move, and apps, users, scopes and authorization codes created straight through the
 * store (so these tests depend on nothing but the protocol under test).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Container } from '../../src/container.js';
import { ID_PREFIX, newId, randomToken, sha256 } from '../../src/crypto/ids.js';
import type { App, ApplicationType, TokenEndpointAuthMethod, User } from '../../src/domain/model.js';
import { createAuthorizationCode, type AuthorizationCodePayload } from '../../src/oauth/authorization-code.js';
import { startTestServer } from '../support/server.js';

export class TestClock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface OAuthTestServer {
  orgUrl: string;
  container: Container;
  clock: TestClock;
  close(): Promise<void>;
}

/** A node with a clock the test can move (test/support/server.ts). */
export async function startOAuthServer(): Promise<OAuthTestServer> {
  const clock = new TestClock();
  const s = await startTestServer({}, { clock });
  return { orgUrl: s.orgUrl, container: s.container, clock, close: () => s.close() };
}

export async function createUser(c: Container, profile: Partial<User['profile']> = {}): Promise<User> {
  const now = c.clock.now();
  const login = profile.login ?? `user-${randomToken(6)}@example.com`;
  const user: User = {
    id: newId(ID_PREFIX.user),
    status: 'ACTIVE',
    profile: { login, email: login, firstName: 'Test', lastName: 'User', ...profile },
    passwordHash: null,
    failedLogins: 0,
    adminRoles: [],
    created: now,
    activated: now,
    statusChanged: now,
    lastLogin: null,
    lastUpdated: now,
    passwordChanged: null,
  };
  await c.store.users.create(user);
  return user;
}

export interface AppOptions {
  method?: TokenEndpointAuthMethod;
  applicationType?: ApplicationType;
  grantTypes?: string[];
  redirectUris?: string[];
  refreshToken?: { rotation_type: 'ROTATE' | 'STATIC'; leeway: number };
  jwks?: { keys: Record<string, unknown>[] };
  pkceRequired?: boolean;
  status?: 'ACTIVE' | 'INACTIVE';
}

export interface TestApp {
  app: App;
  clientId: string;
  /** Set for client_secret_* apps. */
  secret: string | undefined;
  redirectUri: string;
}

export async function createApp(c: Container, opts: AppOptions = {}): Promise<TestApp> {
  const now = c.clock.now();
  const id = newId(ID_PREFIX.app);
  const method = opts.method ?? 'client_secret_basic';
  const redirectUri = opts.redirectUris?.[0] ?? 'https://app.example.com/callback';
  const app: App = {
    id,
    status: opts.status ?? 'ACTIVE',
    clientId: id,
    created: now,
    lastUpdated: now,
    body: {
      name: 'oidc_client',
      label: `Test app ${id}`,
      signOnMode: 'OPENID_CONNECT',
      features: [],
      accessibility: {},
      visibility: {},
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
        oauthClient: { client_id: id, token_endpoint_auth_method: method, autoKeyRotation: true, pkce_required: opts.pkceRequired ?? method === 'none' },
      },
      settings: {
        app: {},
        notes: {},
        oauthClient: {
          application_type: opts.applicationType ?? (method === 'none' ? 'browser' : 'web'),
          redirect_uris: opts.redirectUris ?? [redirectUri],
          post_logout_redirect_uris: [],
          response_types: ['code'],
          grant_types: opts.grantTypes ?? ['authorization_code', 'refresh_token'],
          consent_method: 'TRUSTED',
          issuer_mode: 'ORG_URL',
          wildcard_redirect: 'DISABLED',
          ...(opts.refreshToken ? { refresh_token: opts.refreshToken } : {}),
          ...(opts.jwks ? { jwks: opts.jwks } : {}),
        },
      },
    },
  };
  await c.store.apps.create(app);
  let secret: string | undefined;
  if (method === 'client_secret_basic' || method === 'client_secret_post') {
    secret = randomToken(30);
    await c.store.apps.createSecret({
      id: newId(ID_PREFIX.secret), appId: id, secretSealed: c.box.seal(secret), secretHash: sha256(secret),
      status: 'ACTIVE', created: now, lastUpdated: now,
    });
  }
  c.cache.invalidateClient(id);
  return { app, clientId: id, secret, redirectUri };
}

export async function assign(c: Container, app: TestApp, user: User): Promise<void> {
  const now = c.clock.now();
  await c.store.apps.assignUser({ appId: app.app.id, userId: user.id, scope: 'USER', body: {}, created: now, lastUpdated: now });
}

/** Adds a custom scope to a custom server (and refreshes the cached server configuration). */
export async function addScope(
  c: Container,
  serverId: string,
  name: string,
  opts: { default?: boolean; consent?: 'REQUIRED' | 'IMPLICIT' | 'FLEXIBLE'; metadataPublish?: 'ALL_CLIENTS' | 'NO_CLIENTS' } = {},
): Promise<void> {
  const now = c.clock.now();
  await c.store.authServers.createScope({
    id: newId(ID_PREFIX.scope), authServerId: serverId, name, displayName: name, description: null,
    consent: opts.consent ?? 'IMPLICIT', default: opts.default ?? false, optional: false,
    metadataPublish: opts.metadataPublish ?? 'NO_CLIENTS', system: false, created: now, lastUpdated: now,
  });
  c.cache.invalidateServer(serverId);
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface CodeOptions extends Partial<AuthorizationCodePayload> {
  serverId: string;
  app: TestApp;
  user: User;
  scopes: string[];
}

/** An authorization code as /authorize would issue it. */
export async function issueCode(c: Container, o: CodeOptions): Promise<{ code: string; grantId: string }> {
  const grantId = o.grantId ?? newId(ID_PREFIX.grant);
  const { app, user, ...rest } = o;
  const code = await createAuthorizationCode(c, {
    clientId: app.clientId,
    redirectUri: app.redirectUri,
    userId: user.id,
    authTime: c.clock.now() - 1000,
    amr: ['pwd'],
    lifetimes: { accessTokenSeconds: 3600, refreshTokenSeconds: null, refreshWindowSeconds: 7 * 86400 },
    ...rest,
    grantId,
  });
  return { code, grantId };
}

export function basic(id: string, secret?: string): string {
  return `Basic ${Buffer.from(secret === undefined ? id : `${id}:${secret}`).toString('base64')}`;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** POSTs a form; `params` values that are arrays are sent as repeated parameters. */
export async function postForm(url: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Reply> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return reply(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }));
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  return reply(await fetch(url, init));
}

export function jwtPayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export function jwtHeader(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

/** A client key pair for private_key_jwt and a signer of client assertions. */
export type ClientKeyAlg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512';
const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export function clientKey(alg: ClientKeyAlg = 'RS256', kid = randomToken(8)): {
  jwk: Record<string, unknown>;
  privateKey: KeyObject;
  assertion(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
} {
  const ec = alg.startsWith('ES');
  const { publicKey, privateKey } = ec
    ? generateKeyPairSync('ec', { namedCurve: CURVES[alg]! })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const digest = `sha${alg.slice(2)}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return {
    jwk,
    privateKey,
    assertion(claims, header = {}) {
      const h = Buffer.from(JSON.stringify({ alg, kid, ...header })).toString('base64url');
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const input = `${h}.${p}`;
      const sig = ec
        ? sign(digest, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
        : sign(digest, Buffer.from(input), privateKey);
      return `${input}.${sig.toString('base64url')}`;
    },
  };
}
