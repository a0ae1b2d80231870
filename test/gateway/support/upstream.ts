/**
 * The app behind the gateway in tests: echoes what it receives (method, path, headers, body) as
 * JSON, and has a few routes to exercise status codes, redirects and streaming.
 */
import http from 'node:http';
import { closeServer, listen } from './net.js';

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Upstream {
  url: string;
  requests: Echo[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const requests: Echo[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo: Echo = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(echo);
      const path = (req.url ?? '').split('?')[0];
      if (path === '/teapot') {
        res.writeHead(418, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
        return res.end('short and stout');
      }
      if (path === '/moved') {
        res.writeHead(302, { location: `${base}/elsewhere?x=1` });
        return res.end();
      }
      if (path === '/relative-redirect') {
        res.writeHead(307, { location: '/target' });
        return res.end();
      }
      if (path === '/cookies') {
        res.writeHead(200, [['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2; Path=/'], ['content-type', 'text/plain']].flat());
        return res.end('ok');
      }
      if (path === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let i = 0;
        const t = setInterval(() => {
          res.write(`chunk ${i}\n`);
          if (++i === 3) {
            clearInterval(t);
            res.end();
          }
        }, 10);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(echo));
    });
  });
  server.on('upgrade', (req, socket) => {
    // A bare-bones echo "protocol" after the 101: enough to prove the tunnel works both ways.
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\nX-Upstream-User: ${req.headers['x-auth-request-user'] ?? ''}\r\n\r\n`);
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  base = await listen(server);
  return { url: base, requests, close: () => closeServer(server) };
}
