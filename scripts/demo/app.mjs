// The demo web app behind the gateway (`npm run demo`): one page showing who is signed in. The
// gateway passes the identity in headers (X-Auth-Request-*, and X-Gatehouse-Identity, a JWT the app
// could verify against the gateway's /api/v1/system/config/jwks); the page itself reads
// /api/v1/auth/session (served by the gateway) for the ID token's claims and the renewal times, and
// loads /api/v1/auth/renew.js so the session renews before its tokens expire.
// Plain Node, no dependencies. DEMO_APP_PORT (default 8586), DEMO_APP_HOST (default 127.0.0.1).
import { createServer } from 'node:http';

const port = Number(process.env.DEMO_APP_PORT ?? process.env.PORT ?? 8586);
const host = process.env.DEMO_APP_HOST ?? '127.0.0.1';

const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function decodeJwtPayload(token) {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const fmt = (iso) => iso ? new Date(iso).toLocaleString() + ' (' + Math.round((Date.parse(iso) - Date.now()) / 1000) + ' s)' : '—';
function show(s, via) {
  if (!s || !s.signedIn) { $('status').textContent = 'Signed out.'; return; }
  $('name').textContent = s.claims.name || s.principal.user;
  $('email').textContent = s.claims.email || s.principal.email || '';
  $('token-expires').textContent = fmt(s.tokenExpiresAt);
  $('session-expires').textContent = fmt(s.sessionExpiresAt);
  $('renewal').textContent = s.renewal;
  $('renewed-at').textContent = s.renewedAt ? new Date(s.renewedAt).toLocaleString() + (via ? ' (via ' + via + ')' : '') : 'not yet';
  $('claims').textContent = JSON.stringify(s.claims, null, 2);
  $('status').textContent = 'Signed in.';
}
function load() { return fetch('/api/v1/auth/session', { headers: { accept: 'application/json' } }).then((r) => r.json()).then((s) => show(s)); }
window.addEventListener('gatehouse:renewed', (e) => show(e.detail.session, e.detail.via));
window.addEventListener('gatehouse:signed-out', () => { $('status').textContent = 'The session has ended; reload to sign in again.'; });
$('renew').addEventListener('click', () => window.gatehouse && window.gatehouse.renew());
load();
`;

function page(req) {
  const h = req.headers;
  const identity = typeof h['x-gatehouse-identity'] === 'string' ? decodeJwtPayload(h['x-gatehouse-identity']) : undefined;
  const user = h['x-auth-request-user'];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse demo app</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
dt{font-weight:600}dd{margin:0 0 .5rem 0}pre{background:#f4f4f4;padding:.75rem;overflow:auto}
.button{display:inline-block;padding:.4rem .9rem;border:1px solid #555;border-radius:4px;text-decoration:none;color:#222;background:#eee;cursor:pointer;font:inherit}</style>
<script src="/api/v1/auth/renew.js" defer></script>
</head><body>
<h1>Hello, <span id="name">${escape(h['x-auth-request-preferred-username'] ?? user ?? 'nobody')}</span></h1>
<p id="status">${user ? 'Signed in.' : 'Nobody is signed in (this page is meant to be opened through the gateway).'}</p>
<dl>
<dt>User (X-Auth-Request-User)</dt><dd id="user">${escape(user ?? '')}</dd>
<dt>Email</dt><dd id="email">${escape(h['x-auth-request-email'] ?? '')}</dd>
<dt>Groups</dt><dd id="groups">${escape(h['x-auth-request-groups'] ?? '')}</dd>
<dt>Access token expires</dt><dd id="token-expires">…</dd>
<dt>Session expires</dt><dd id="session-expires">…</dd>
<dt>Renewal</dt><dd><span id="renewal">…</span>; last renewed: <span id="renewed-at">…</span></dd>
</dl>
<p><button class="button" id="renew" type="button">Renew now</button>
<a class="button" id="sign-out" href="/api/v1/auth/logout">Sign out</a></p>
<h2>ID token claims</h2>
<pre id="claims">…</pre>
<h2>Identity JWT from the gateway (X-Gatehouse-Identity)</h2>
<pre id="identity">${escape(JSON.stringify(identity ?? null, null, 2))}</pre>
<script>${SCRIPT}</script>
</body></html>`;
}

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (req.url === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page(req));
});

server.listen(port, host, () => process.stdout.write(`demo app listening on http://${host}:${port}\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
