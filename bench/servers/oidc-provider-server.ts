/**
 * The comparison server: panva's oidc-provider (v9) configured as close to Gatehouse's `default`
 * custom authorization server as it allows. Run as its own process by bench/run.ts:
 *
 *   node --import tsx bench/servers/oidc-provider-server.ts
 *
 * configured by OP_PORT, OP_CLIENT_ID, OP_CLIENT_SECRET, OP_REDIRECT_URI, OP_COOKIE_KEY,
 * OP_USERS (JSON [{ id, login, password }]) and, for durable storage, OP_SQLITE_FILE. Prints
 * "READY <url>" when listening.
 *
 * - RS256 everywhere (one generated 2048-bit RSA key), JWT access tokens for the resource
 *   `api://default` through features.resourceIndicators (accessTokenFormat 'jwt').
 * - One client: client_secret_basic, grant types authorization_code / refresh_token /
 *   client_credentials, PKCE (S256) sent on every authorization request.
 * - Refresh-token rotation on every use (rotateRefreshToken: true).
 * - Storage: the default in-memory adapter, or with OP_SQLITE_FILE a SQLite adapter
 *   (./oidc-provider-sqlite-adapter.ts) with the engine and settings of Gatehouse's embedded store.
 * - An interaction (login) endpoint that checks the password with Gatehouse's own argon2id
 *   routine (src/crypto/passwords.ts: @node-rs/argon2, m=19456, t=2, p=1) and then completes the
 *   login and consent prompts at once, as a first-party ("trusted") app does in Gatehouse.
 */
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../src/crypto/passwords.js';
import { sqliteAdapter } from './oidc-provider-sqlite-adapter.js';

// oidc-provider ships no type declarations (and @types/oidc-provider is not a dependency), so it is
// imported through a non-literal specifier and described by the few shapes used here.
interface GrantLike {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface InteractionLike {
  uid: string;
  prompt: { name: string };
  params: Record<string, string | undefined>;
}
interface ProviderLike {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<InteractionLike>;
  interactionFinished(req: http.IncomingMessage, res: http.ServerResponse, result: unknown, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => GrantLike;
  on(event: string, fn: (...args: unknown[]) => void): void;
}
interface OidcProviderModule {
  Provider: new (issuer: string, config: Record<string, unknown>) => ProviderLike;
  errors: { InvalidTarget: new (description?: string) => Error };
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

const RESOURCE = 'api://default';
const ACCESS_TOKEN_SCOPES = 'openid offline_access bench';

async function main(): Promise<void> {
  const port = Number(env('OP_PORT'));
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = env('OP_CLIENT_ID');
  const clientSecret = env('OP_CLIENT_SECRET');
  const redirectUri = env('OP_REDIRECT_URI');
  const cookieKey = env('OP_COOKIE_KEY');
  const userList = JSON.parse(env('OP_USERS')) as { id: string; login: string; password: string }[];

  const specifier: string = 'oidc-provider';
  const { Provider, errors } = (await import(specifier)) as OidcProviderModule;

  // The user store: login → { id, argon2id hash }, hashed at start exactly as Gatehouse hashes.
  const byLogin = new Map<string, { id: string; hash: string }>();
  const byId = new Map<string, { id: string; login: string }>();
  for (const u of userList) {
    byLogin.set(u.login, { id: u.id, hash: await hashPassword(u.password) });
    byId.set(u.id, { id: u.id, login: u.login });
  }
  const sampleHash = byLogin.values().next().value?.hash ?? (await hashPassword('x'));

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

  const sqliteFile = process.env.OP_SQLITE_FILE;
  const provider = new Provider(issuer, {
    ...(sqliteFile ? { adapter: sqliteAdapter(sqliteFile) } : {}),
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [cookieKey] },
    scopes: ['openid', 'offline_access', 'bench'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: ACCESS_TOKEN_SCOPES,
            audience: RESOURCE,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    pkce: { required: () => false },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      IdToken: 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    findAccount: (_ctx: unknown, id: string) => {
      const u = byId.get(id);
      if (!u) return undefined;
      return { accountId: u.id, claims: () => ({ sub: u.id, preferred_username: u.login }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    clientBasedCORS: () => false,
  });
  // Errors are answered to the client; nothing is logged per request.
  const oidc = provider.callback();

  const readBody = (req: http.IncomingMessage) => new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  // POST /interaction/:uid/login (username, password): the hosted sign-in form's submission.
  const interaction = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (req.method !== 'POST' || !req.url?.endsWith('/login')) {
      send(res, 200, { uid: details.uid, prompt: details.prompt.name });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const user = byLogin.get(form.get('username') ?? '');
    const ok = await verifyPassword(user?.hash, form.get('password') ?? '');
    if (!user || !ok) {
      send(res, 401, { error: 'invalid_credentials' });
      return;
    }
    const scope = details.params.scope ?? 'openid';
    const grant = new provider.Grant({ accountId: user.id, clientId: details.params.client_id ?? '' });
    grant.addOIDCScope(scope);
    grant.addResourceScope(RESOURCE, scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: user.id }, consent: { grantId } }, { mergeWithLastSubmission: false });
  };

  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 400, { error: 'interaction_failed', error_description: (err as Error).message });
        else res.destroy();
      });
      return;
    }
    oidc(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`READY ${issuer} argon2=${sampleHash.split('$').slice(1, 4).join('$')}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`oidc-provider bench server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
