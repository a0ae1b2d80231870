/**
 * The measured operations. Each one prepares what it needs (tokens from real sign-ins, outside
 * the measured time) and returns the iteration a worker repeats; an iteration throws on any
 * response other than the expected success, so errors are never counted as throughput.
 */
import { basicAuth, parseJson, UnexpectedResponse, type HttpClient } from './lib/http.js';
import { pkcePair, randomString } from './lib/pkce.js';
import type { BenchUser, Target } from './targets/target.js';

export interface OpContext {
  target: Target;
  http: HttpClient;
  concurrency: number;
}

export interface Operation {
  id: string;
  label: string;
  /** False for operations that need no client, user or scope (discovery). */
  needsSetup: boolean;
  /** Returns the iteration for worker w, or a reason the operation does not apply to this target. */
  prepare(ctx: OpContext): Promise<((w: number) => Promise<void>) | { skip: string }>;
}

interface TokenSet {
  access_token: string;
  refresh_token: string;
  id_token?: string;
}

function tokenRequest(ctx: OpContext, form: Record<string, string>) {
  const { target, http } = ctx;
  return http.postForm(target.paths.token, form, basicAuth(target.client.id, target.client.secret));
}

/** authorize → sign in (fresh session) → code → token exchange; returns the token response. */
export async function signInAndExchange(ctx: OpContext, user: BenchUser): Promise<TokenSet> {
  const { target, http } = ctx;
  const pkce = pkcePair();
  const state = randomString(12);
  const params = new URLSearchParams({
    client_id: target.client.id,
    response_type: 'code',
    scope: 'openid offline_access',
    redirect_uri: target.client.redirectUri,
    state,
    nonce: randomString(12),
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  const location = await target.signIn(http, user, params);
  if (!location.startsWith(`${target.client.redirectUri}?`)) throw new Error(`authorization response went to ${location.slice(0, 200)}`);
  const response = new URL(location).searchParams;
  const code = response.get('code');
  if (!code || response.get('state') !== state) throw new Error(`authorization response without code/state: ${location.slice(0, 300)}`);
  const res = await tokenRequest(ctx, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: target.client.redirectUri,
    code_verifier: pkce.verifier,
  });
  const body = parseJson(res);
  if (res.status !== 200 || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string' || typeof body.id_token !== 'string') {
    throw new UnexpectedResponse('code exchange', res);
  }
  return body as unknown as TokenSet;
}

const userFor = (ctx: OpContext, w: number): BenchUser => ctx.target.users[w % ctx.target.users.length]!;

export const OPERATIONS: Operation[] = [
  {
    id: 'discovery',
    label: 'discovery document',
    needsSetup: false,
    async prepare(ctx) {
      return async () => {
        const res = await ctx.http.get(ctx.target.paths.discovery, { accept: 'application/json' });
        if (res.status !== 200 || parseJson(res).issuer !== ctx.target.issuer) throw new UnexpectedResponse('discovery', res);
      };
    },
  },
  {
    id: 'client_credentials',
    label: 'client_credentials token',
    needsSetup: true,
    async prepare(ctx) {
      return async () => {
        const res = await tokenRequest(ctx, { grant_type: 'client_credentials', scope: ctx.target.clientCredentialsScope });
        if (res.status !== 200 || typeof parseJson(res).access_token !== 'string') throw new UnexpectedResponse('client_credentials', res);
      };
    },
  },
  {
    id: 'introspect',
    label: 'introspection (refresh token)',
    needsSetup: true,
    async prepare(ctx) {
      // Both servers keep refresh tokens as opaque, stored handles: the like-for-like case.
      const { refresh_token: token } = await signInAndExchange(ctx, userFor(ctx, 0));
      return async () => {
        const res = await ctx.http.postForm(ctx.target.paths.introspect, { token, token_type_hint: 'refresh_token' },
          basicAuth(ctx.target.client.id, ctx.target.client.secret));
        if (res.status !== 200 || parseJson(res).active !== true) throw new UnexpectedResponse('introspection', res);
      };
    },
  },
  {
    id: 'introspect_jwt',
    label: 'introspection (JWT access token)',
    needsSetup: true,
    async prepare(ctx) {
      if (!ctx.target.introspectsJwtAccessTokens) {
        return { skip: 'n/a: refuses JWT access tokens at introspection (unsupported_token_type)' };
      }
      const { access_token: token } = await signInAndExchange(ctx, userFor(ctx, 0));
      return async () => {
        const res = await ctx.http.postForm(ctx.target.paths.introspect, { token, token_type_hint: 'access_token' },
          basicAuth(ctx.target.client.id, ctx.target.client.secret));
        if (res.status !== 200 || parseJson(res).active !== true) throw new UnexpectedResponse('introspection', res);
      };
    },
  },
  {
    id: 'refresh_token',
    label: 'refresh_token grant (rotating)',
    needsSetup: true,
    async prepare(ctx) {
      // One rotation chain per worker: each request spends the current refresh token and keeps the new one.
      const chains = (await Promise.all(Array.from({ length: ctx.concurrency }, (_, w) => signInAndExchange(ctx, userFor(ctx, w)))))
        .map((t) => t.refresh_token);
      return async (w) => {
        const res = await tokenRequest(ctx, { grant_type: 'refresh_token', refresh_token: chains[w]! });
        const body = parseJson(res);
        if (res.status !== 200 || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
          throw new UnexpectedResponse('refresh_token', res);
        }
        chains[w] = body.refresh_token;
      };
    },
  },
  {
    id: 'signin',
    label: 'sign-in + authorization code flow',
    needsSetup: true,
    async prepare(ctx) {
      return async (w) => {
        await signInAndExchange(ctx, userFor(ctx, w));
      };
    },
  },
];
