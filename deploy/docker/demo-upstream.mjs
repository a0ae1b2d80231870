// A stand-in for the application behind the gateway, for compose.yaml: it answers every request
// with what the gateway passed on (the signed-in identity headers, and the claims inside the
// X-Gatehouse-Identity JWT, decoded but NOT verified: a real app verifies it against the gateway's
// /api/v1/system/config/jwks). It is reachable only through the gateway, never published.
// Plain Node, no dependencies: runs on the stock node image. PORT defaults to 3000.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const IDENTITY = /^(x-auth-request-|x-gatehouse-|x-forwarded-)/;

function decodeJwtPayload(token) {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => IDENTITY.test(k)));
  const identity = req.headers['x-gatehouse-identity'];
  const claims = typeof identity === 'string' ? decodeJwtPayload(identity) : undefined;
  const body = { method: req.method, path: req.url, user: headers['x-auth-request-user'] ?? null, headers, claims: claims ?? null };
  if ((req.headers.accept ?? '').includes('text/html')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Demo app</title>
<h1>Signed in as ${escape(body.user ?? 'nobody')}</h1>
<p>What the gateway passed to this app:</p><pre>${escape(JSON.stringify(body, null, 2))}</pre>
<p><a href="/api/v1/auth/session">Session</a> · <a href="/api/v1/auth/logout">Sign out</a></p>`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
});

server.listen(port, '0.0.0.0', () => process.stdout.write(`demo upstream listening on :${port}\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
