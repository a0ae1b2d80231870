/**
 * The gateway's HTTP face (Fastify): OpenMetadata's auth endpoints, the silent-renewal pair, the
 * session and JWKS endpoints, health probes, and everything else proxied to the upstream for a
 * signed-in user. Request bodies are never parsed here: they stream to the upstream untouched.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GATEWAY_PATHS, type GatewayConfig } from './config.js';
import { parseCookies, serializeCookie, withoutCookies } from './cookies.js';
import { GatewayError } from './errors.js';
import type { Gateway } from './gateway.js';
import { identityHeaderNames, isSpoofableIdentityHeader, type GatewayKey } from './identity.js';
import { errorPage, silentRelayPage, silentResultPage, type Page } from './pages.js';
import { RENEW_SCRIPT } from './renew-script.js';
import { UpstreamProxy, type ForwardContext } from './proxy.js';
import { bindingCookieName, sessionKey, TRANSACTION_TTL_MS, type GatewaySession } from './sessions.js';
import type { SessionStore } from './session-store/store.js';

export interface AppDeps {
  gateway: Gateway;
  key: GatewayKey;
  store: SessionStore;
  log: FastifyBaseLogger;
}

export function buildGatewayApp({ gateway, key, store, log }: AppDeps): { app: FastifyInstance; proxy: UpstreamProxy } {
  const c: GatewayConfig = gateway.config;
  const httpsPublic = c.serverUrl.startsWith('https:');
  // __Host- cookies cannot be set by a sibling subdomain or over http (cookie tossing).
  const prefix = httpsPublic ? '__Host-' : '';
  const SESSION_COOKIE = `${prefix}gatehouse_session`;
  const bindingName = (state: string) => `${prefix}${bindingCookieName(state)}`;
  const callbackPath = new URL(c.callbackUrl).pathname;
  const silentCallbackPath = new URL(c.silentCallbackUrl).pathname;
  const ownPaths = new Set<string>([...Object.values(GATEWAY_PATHS), callbackPath, silentCallbackPath]);
  const identityNames = identityHeaderNames(c.identityHeaders);
  const isGatewayCookie = (name: string) => name === SESSION_COOKIE || name.startsWith(`${prefix}gh_tx_`) || name.startsWith('gh_tx_');
  const proxy = new UpstreamProxy(new URL(c.upstreamUrl), c.serverUrl);

  const app = Fastify({
    loggerInstance: log,
    trustProxy: c.trustedProxies.length ? c.trustedProxies : false,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });

  // Bodies are for the upstream: accept every content type without reading it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  const secure = (req: FastifyRequest) => httpsPublic || req.protocol === 'https';
  const cookies = (req: FastifyRequest) => parseCookies(req.headers.cookie);
  const sessionKeyOf = (req: FastifyRequest) => {
    const id = cookies(req).get(SESSION_COOKIE);
    return id && /^[A-Za-z0-9_-]{20,100}$/.test(id) ? sessionKey(id) : undefined;
  };
  const wantsHtml = (req: FastifyRequest) => /text\/html|application\/xhtml\+xml/.test(req.headers.accept ?? '');
  const send = (reply: FastifyReply, p: Page) => reply.code(p.status).headers(p.headers).send(p.body);
  const json = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
  const setCookie = (reply: FastifyReply, cookie: string) => {
    const prev = reply.getHeader('set-cookie');
    reply.header('set-cookie', prev === undefined ? [cookie] : [...(Array.isArray(prev) ? prev : [String(prev)]), cookie]);
  };
  const sessionCookie = (req: FastifyRequest, value: string, maxAge: number) =>
    serializeCookie(SESSION_COOKIE, value, { maxAge, secure: secure(req) });
  const clearSession = (req: FastifyRequest, reply: FastifyReply) => setCookie(reply, sessionCookie(req, '', 0));

  const loginUrl = (returnTo = '/') => `${GATEWAY_PATHS.login}?redirectUri=${encodeURIComponent(returnTo)}`;

  app.setErrorHandler((err, req, reply) => {
    const e = err instanceof GatewayError
      ? err
      : (err as { statusCode?: number }).statusCode && (err as { statusCode: number }).statusCode < 500
        ? new GatewayError((err as { statusCode: number }).statusCode, 'bad_request', 'The request could not be handled', (err as Error).message, undefined, false)
        : new GatewayError(500, 'internal_error', 'Something went wrong in the gateway', 'The gateway hit an unexpected error; it has been logged.', undefined, true);
    if (e.status >= 500) req.log.error({ err }, 'gateway error');
    else req.log.info({ code: e.code, msg: e.message }, 'sign-in refused');
    if (reply.sent || reply.raw.headersSent) return;
    if (wantsHtml(req)) return send(reply, errorPage(e, loginUrl()));
    return json(reply, e.status, { error: e.code, message: e.message, ...(e.fix ? { fix: e.fix } : {}) });
  });

  // --- sign-in -----------------------------------------------------------------------------------
  app.get(GATEWAY_PATHS.login, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const returnTo = safeReturnTo(q.redirectUri, c.serverUrl);
    const key = sessionKeyOf(req);
    if (key && (await gateway.activeSession(key))) return reply.redirect(returnTo, 302);
    const started = await gateway.beginSignIn('login', returnTo);
    setCookie(reply, serializeCookie(bindingName(started.state), started.binding, { maxAge: TRANSACTION_TTL_MS / 1000, secure: secure(req) }));
    return reply.header('cache-control', 'no-store').redirect(started.authorizeUrl, 302);
  });

  app.get(callbackPath, async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
    clearBinding(req, reply, q.state);
    const done = await gateway.completeSignIn('login', q, (s) => cookies(req).get(bindingName(s)), sessionKeyOf(req));
    req.log.info({ user: done.session.principal.user, sub: done.session.sub }, 'signed in');
    if (done.sessionId) setCookie(reply, sessionCookie(req, done.sessionId, c.sessionExpirySeconds));
    return reply.header('cache-control', 'no-store').redirect(done.returnTo, 302);
  });

  // --- silent renewal: a hidden iframe loads /api/v1/auth/silent, which comes back to /silent-callback
  app.get(GATEWAY_PATHS.silent, async (req, reply) => {
    const started = await gateway.beginSignIn('silent', '/', sessionKeyOf(req));
    setCookie(reply, serializeCookie(bindingName(started.state), started.binding, { maxAge: TRANSACTION_TTL_MS / 1000, secure: secure(req) }));
    return reply.header('cache-control', 'no-store').redirect(started.authorizeUrl, 302);
  });

  /**
   * Finishes a silent renewal. Some browsers withhold SameSite=Lax cookies from a frame that arrived
   * through a cross-site redirect; then the frame cannot prove it is this browser's renewal, so its
   * page relays the response to the parent (same origin), which POSTs it back here first-party.
   */
  async function finishSilent(req: FastifyRequest, reply: FastifyReply, q: Record<string, string | string[] | undefined>) {
    clearBinding(req, reply, q.state);
    const current = sessionKeyOf(req);
    try {
      const done = await gateway.completeSignIn('silent', q, (s) => cookies(req).get(bindingName(s)), current);
      if (done.sessionId) setCookie(reply, sessionCookie(req, done.sessionId, c.sessionExpirySeconds));
      return { type: 'gatehouse:silent-renew' as const, ok: true, expiresAt: done.session.accessTokenExpiresAt };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      // The provider's session is gone: so is ours (one sign-out ends everything).
      if (['login_required', 'interaction_required', 'consent_required'].includes(err.code) && current) {
        await gateway.sessions.delete(current);
        clearSession(req, reply);
      }
      return { type: 'gatehouse:silent-renew' as const, ok: false, error: err.code, message: err.message };
    }
  }

  app.get(silentCallbackPath, async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
    if (typeof q.state === 'string' && !req.headers.cookie) {
      return send(reply, silentRelayPage(c.serverUrl));
    }
    return send(reply, silentResultPage(c.serverUrl, await finishSilent(req, reply, q)));
  });

  app.post(silentCallbackPath, async (req, reply) => {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      return json(reply, 415, { error: 'unsupported_media_type', message: 'Send the relayed response as application/x-www-form-urlencoded.' });
    }
    const body = await readBody(req.raw, 16_384);
    const q: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body)) {
      const prev = q[k];
      q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return json(reply, 200, await finishSilent(req, reply, q));
  });

  // --- tokens for the page (OpenMetadata's /api/v1/auth/refresh) --------------------------------
  app.get(GATEWAY_PATHS.refresh, async (req, reply) => {
    const key = sessionKeyOf(req);
    if (!key) return json(reply, 401, { error: 'unauthenticated', message: 'Not signed in.', loginUrl: loginUrl() });
    const r = await gateway.renew(key, { force: true });
    if (r.status === 'ended') {
      clearSession(req, reply);
      return json(reply, 401, { error: 'session_ended', message: 'The session has ended; sign in again.', loginUrl: loginUrl() });
    }
    if (r.status === 'no-refresh-token') {
      return json(reply, 401, {
        error: 'refresh_unavailable',
        message: 'This session has no refresh token: renew it silently by loading silentRenewUrl in a hidden iframe.',
        silentRenewUrl: GATEWAY_PATHS.silent,
      });
    }
    return json(reply, 200, await tokenForPage(r.session, r.key));
  });

  /**
   * OpenMetadata returns the ID token as `accessToken` and its expiry in epoch milliseconds as
   * `expiryDuration`. When the provider's refresh response carried no ID token, the gateway mints its
   * own (verifiable at /api/v1/system/config/jwks), as OpenMetadata does.
   */
  async function tokenForPage(s: GatewaySession, cacheKey: string) {
    const now = Date.now();
    if (s.idTokenExpiresAt > now + 5_000) {
      return { accessToken: s.idToken, tokenType: 'Bearer', expiryDuration: s.idTokenExpiresAt, expiresAt: Math.floor(s.idTokenExpiresAt / 1000) };
    }
    const exp = Math.floor(s.accessTokenExpiresAt / 1000);
    const jwt = await gateway.identity.sign(s, exp);
    void cacheKey;
    return { accessToken: jwt, tokenType: 'Bearer', expiryDuration: exp * 1000, expiresAt: exp };
  }

  // --- sign-out ----------------------------------------------------------------------------------
  const logout = async (req: FastifyRequest, reply: FastifyReply) => {
    const target = await gateway.signOut(sessionKeyOf(req));
    clearSession(req, reply);
    reply.header('cache-control', 'no-store');
    // A script calling logout with fetch cannot follow a cross-origin redirect: tell it where to go.
    if (!wantsHtml(req) && /json/.test(req.headers.accept ?? '')) return json(reply, 200, { signedOut: true, logoutUrl: target });
    return reply.redirect(target, 302);
  };
  app.get(GATEWAY_PATHS.logout, logout);
  app.post(GATEWAY_PATHS.logout, logout);

  // --- who am I (for the demo page) -----------------------------------------------------------------
  app.get(GATEWAY_PATHS.session, async (req, reply) => {
    const key = sessionKeyOf(req);
    const active = key ? await gateway.activeSession(key) : undefined;
    if (!active) return json(reply, 401, { signedIn: false, loginUrl: loginUrl() });
    const s = active.session;
    return json(reply, 200, {
      signedIn: true,
      principal: s.principal,
      issuer: s.iss,
      subject: s.sub,
      claims: s.claims,
      scope: s.scope,
      tokenExpiresAt: new Date(s.accessTokenExpiresAt).toISOString(),
      idTokenExpiresAt: new Date(s.idTokenExpiresAt).toISOString(),
      sessionExpiresAt: new Date(s.expiresAt).toISOString(),
      renewedAt: s.renewedAt ? new Date(s.renewedAt).toISOString() : null,
      renewal: s.refreshToken ? 'refresh' : 'silent',
      refreshUrl: GATEWAY_PATHS.refresh,
      silentRenewUrl: GATEWAY_PATHS.silent,
      logoutUrl: GATEWAY_PATHS.logout,
    });
  });

  app.get(GATEWAY_PATHS.renewScript, async (_req, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(RENEW_SCRIPT));
  app.get(GATEWAY_PATHS.jwks, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=300').header('content-type', 'application/json').send(JSON.stringify({ keys: [key.publicJwk] })));
  app.get(GATEWAY_PATHS.healthz, async (_req, reply) => json(reply, 200, { status: 'ok' }));
  app.get(GATEWAY_PATHS.readyz, async (_req, reply) =>
    (await store.ping()) ? json(reply, 200, { status: 'ready' }) : json(reply, 503, { status: 'session store unreachable' }));

  // --- everything else: the upstream ------------------------------------------------------------------
  app.all('/*', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (ownPaths.has(path)) return json(reply, 405, { error: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` });
    const key = sessionKeyOf(req);
    const active = key ? await gateway.activeSession(key) : undefined;
    if (!active) {
      if (key) clearSession(req, reply);
      if ((req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req)) return reply.redirect(loginUrl(req.url), 302);
      return reply
        .header('www-authenticate', 'Bearer realm="gatehouse-gateway"')
        .code(401)
        .header('cache-control', 'no-store')
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ error: 'unauthenticated', message: 'Sign in first.', loginUrl: loginUrl() }));
    }
    const ctx = await forwardContext(req.raw, req, active.key, active.session, active.version);
    reply.hijack();
    proxy.forward(req.raw, reply.raw, ctx, (err) => {
      req.log.warn({ err: err.message }, 'upstream unreachable');
      const e = new GatewayError(502, 'upstream_unreachable', 'The application is not reachable',
        `The gateway could not reach ${c.upstreamUrl}: ${err.message}.`, 'Check GATEWAY_UPSTREAM_URL and that the application is running.');
      const body = wantsHtml(req) ? errorPage(e, loginUrl()) : { status: 502, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: e.code, message: e.message }) };
      reply.raw.writeHead(body.status, body.headers);
      reply.raw.end(body.body);
    });
  });

  async function forwardContext(raw: IncomingMessage, req: FastifyRequest | undefined, key: string, s: GatewaySession, version: number): Promise<ForwardContext> {
    const h = c.identityHeaders;
    const add: Record<string, string> = {};
    const p = s.principal;
    if (h.user) add[h.user] = p.user;
    if (h.email && p.email) add[h.email] = p.email;
    if (h.groups && p.groups.length) add[h.groups] = p.groups.join(',');
    if (h['preferred-username'] && p.preferredUsername) add[h['preferred-username']] = p.preferredUsername;
    if (h.name && p.name) add[h.name] = encodeHeaderValue(p.name);
    if (h.admin) add[h.admin] = String(p.admin);
    if (h.jwt) add[h.jwt] = await gateway.identity.forSession(`${key}#${version}`, s);
    if (h['access-token']) add[h['access-token']] = s.accessToken;
    const ips = req?.ips ? [...req.ips].reverse() : [raw.socket.remoteAddress ?? ''];
    return {
      forwardedFor: ips.filter(Boolean).join(', '),
      proto: req?.protocol ?? (httpsPublic ? 'https' : 'http'),
      host: req?.host ?? new URL(c.serverUrl).host,
      dropHeader: (name) => identityNames.has(name) || isSpoofableIdentityHeader(name),
      cookie: withoutCookies(raw.headers.cookie, isGatewayCookie),
      add,
    };
  }

  function clearBinding(req: FastifyRequest, reply: FastifyReply, state: unknown) {
    if (typeof state === 'string' && state) setCookie(reply, serializeCookie(bindingName(state), '', { maxAge: 0, secure: secure(req) }));
  }

  // WebSockets: same session rules (no renewal inside an upgrade), then a raw tunnel.
  app.server.on('upgrade', (raw: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const id = parseCookies(raw.headers.cookie).get(SESSION_COOKIE);
      const key = id ? sessionKey(id) : undefined;
      const rec = key ? await gateway.sessions.get(key) : undefined;
      if (!key || !rec || gateway.needsRenewal(rec.value)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"unauthenticated"}');
        return;
      }
      const ctx = await forwardContext(raw, undefined, key, rec.value, rec.version);
      proxy.upgrade(raw, socket, head, ctx);
    })().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'websocket upgrade failed');
      socket.destroy();
    });
  });

  return { app, proxy };
}

async function readBody(stream: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new GatewayError(413, 'body_too_large', 'The request is too large', `At most ${limit} bytes are accepted here.`, undefined, false);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Only a same-origin path: never an open redirect. Absolute URLs on the public origin become paths. */
export function safeReturnTo(value: unknown, serverUrl: string): string {
  if (typeof value !== 'string' || !value || /[\u0000-\u001f\\]/.test(value)) return '/';
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  try {
    const url = new URL(value);
    if (url.origin === serverUrl) return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    // not a URL
  }
  return '/';
}

/** Header values are Latin-1: non-ASCII names are sent percent-encoded (RFC 8187 style). */
function encodeHeaderValue(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}
