/**
 * A real OpenID provider for the gateway tests: oidc-provider v9 in-process on a free port, with a
 * confidential client (client_secret_post or _basic), PKCE, refresh tokens for offline_access with
 * rotation, RS256, revocation and RP-initiated logout. devInteractions are off: a tiny interaction
 * handler signs in `signInAs` (or refuses when it is undefined) and grants consent, so tests sign in
 * over plain HTTP.
 */
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { closeServer, freePort, listen } from './net.js';

export interface TestAccount {
  sub: string;
  email: string;
  name: string;
  preferred_username: string;
  groups: string[];
}

export const ACCOUNTS: Record<string, TestAccount> = {
  alice: { sub: 'alice', email: 'alice@example.com', name: 'Alice Example', preferred_username: 'alice', groups: ['engineering', 'admins'] },
  bob: { sub: 'bob', email: 'bob@other.org', name: 'Bob Other', preferred_username: 'bob', groups: [] },
};

export interface TestProvider {
  issuer: string;
  provider: Provider;
  clientId: string;
  clientSecret: string;
  /** Who the interaction handler signs in; undefined = the user cancels (access_denied). */
  signInAs: string | undefined;
  /** Lifetime of access and ID tokens, seconds. */
  tokenTtl: number;
  close(): Promise<void>;
}

export interface ProviderOptions {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  authMethod?: 'client_secret_post' | 'client_secret_basic';
}

export async function startProvider(opts: ProviderOptions): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
  const state: Pick<TestProvider, 'signInAs' | 'tokenTtl'> = { signInAs: 'alice', tokenTtl: 3600 };
  const clientId = 'gateway-client';
  const clientSecret = 'a-long-enough-client-secret-for-tests-0123456789';

  const configuration: Configuration = {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: opts.redirectUris,
      post_logout_redirect_uris: opts.postLogoutRedirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: opts.authMethod ?? 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    }],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['gateway-test-cookie-key'] },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'groups'] },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: () => state.tokenTtl,
      IdToken: () => state.tokenTtl,
      RefreshToken: 86400,
      Session: 86400,
      Grant: 86400,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const a = ACCOUNTS[sub];
      if (!a) return undefined;
      return { accountId: sub, claims: async () => ({ ...a, email_verified: true }) };
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));

  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    callback(req, res);
  });

  async function interact(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name === 'login') {
      const result = state.signInAs
        ? { login: { accountId: state.signInAs } }
        : { error: 'access_denied', error_description: 'The user cancelled the sign-in.' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    if (prompt.name === 'consent') {
      const grant = details.grantId
        ? (await provider.Grant.find(details.grantId))!
        : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
      grant.addOIDCScope(String(params.scope));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    res.statusCode = 400;
    res.end(`unexpected prompt ${prompt.name}`);
  }

  await listen(server, port);
  const handle: TestProvider = {
    issuer,
    provider,
    clientId,
    clientSecret,
    get signInAs() {
      return state.signInAs;
    },
    set signInAs(v) {
      state.signInAs = v;
    },
    get tokenTtl() {
      return state.tokenTtl;
    },
    set tokenTtl(v) {
      state.tokenTtl = v;
    },
    close: () => closeServer(server),
  };
  return handle;
}
