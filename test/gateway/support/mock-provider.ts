/**
 * A scriptable OpenID provider for the tests oidc-provider cannot stage: its discovery document can be
 * broken on purpose, and the ID token of the next code exchange can be tampered with (claims, signing
 * key, kid). /authorize signs in at once and redirects back with code, state and iss.
 */
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { closeServer, listen } from './net.js';

export interface IdTokenTamper {
  claims?: (c: JWTPayload) => JWTPayload;
  /** Sign with a key that is not in the JWKS. */
  rogueKey?: boolean;
  kid?: string;
}

export interface MockProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The discovery document served (mutable). */
  discovery: Record<string, unknown>;
  /** Served instead of the discovery document when set (status, content type, body). */
  discoveryOverride?: { status: number; type: string; body: string };
  /** Applied to the ID token of the next token response, then cleared. */
  tamper?: IdTokenTamper;
  /** `iss` added to the authorization response (undefined = the issuer; null = none). */
  responseIss?: string | null;
  lastAuthorize?: URLSearchParams;
  revoked: string[];
  close(): Promise<void>;
}

export async function startMockProvider(): Promise<MockProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const rogue = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: 'mock-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce?: string; challenge?: string; redirectUri: string }>();
  let issuer = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(url, req, res, new URLSearchParams(Buffer.concat(chunks).toString())).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });

  const mock: MockProvider = {
    issuer: '',
    clientId: 'mock-client',
    clientSecret: 'mock-secret-0123456789',
    discovery: {},
    revoked: [],
    close: () => closeServer(server),
  };

  async function handle(url: URL, req: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams) {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        if (mock.discoveryOverride) {
          res.writeHead(mock.discoveryOverride.status, { 'content-type': mock.discoveryOverride.type });
          return res.end(mock.discoveryOverride.body);
        }
        return json(200, mock.discovery);
      case '/jwks':
        return json(200, { keys: [publicJwk] });
      case '/authorize': {
        mock.lastAuthorize = url.searchParams;
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        if (!redirectUri.startsWith('http://127.0.0.1')) {
          res.writeHead(400, { 'content-type': 'text/html' });
          return res.end('<h1>invalid_request</h1><p>The redirect_uri parameter must be a Login redirect URI in the client app settings.</p>');
        }
        const code = randomBytes(16).toString('hex');
        codes.set(code, { nonce: url.searchParams.get('nonce') ?? undefined, challenge: url.searchParams.get('code_challenge') ?? undefined, redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        if (mock.responseIss !== null) back.searchParams.set('iss', mock.responseIss ?? issuer);
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      case '/token': {
        if (form.get('client_id') !== mock.clientId || form.get('client_secret') !== mock.clientSecret) return json(401, { error: 'invalid_client' });
        if (form.get('grant_type') !== 'authorization_code') return json(400, { error: 'unsupported_grant_type' });
        const c = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!c || c.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant', error_description: 'The authorization code is invalid or has expired.' });
        if (c.challenge && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== c.challenge) {
          return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed.' });
        }
        const accessToken = randomBytes(24).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        let claims: JWTPayload = { iss: issuer, aud: mock.clientId, sub: 'mock-user', email: 'mock@example.com', iat: now, exp: now + 600, nonce: c.nonce,
          at_hash: createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url') };
        const t = mock.tamper;
        mock.tamper = undefined;
        if (t?.claims) claims = t.claims(claims);
        const idToken = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: t?.kid ?? 'mock-1' })
          .sign(t?.rogueKey ? rogue.privateKey : privateKey);
        return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 600, id_token: idToken, scope: 'openid email' });
      }
      case '/revoke':
        mock.revoked.push(form.get('token') ?? '');
        res.writeHead(200);
        return res.end();
      default:
        void req;
        res.writeHead(404);
        return res.end('not found');
    }
  }

  issuer = await listen(server);
  mock.issuer = issuer;
  mock.discovery = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    revocation_endpoint: `${issuer}/revoke`,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    scopes_supported: ['openid', 'email', 'profile', 'offline_access'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
  return mock;
}
