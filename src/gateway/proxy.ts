/**
 * Streaming reverse proxy to GATEWAY_UPSTREAM_URL with node:http: any method, bodies streamed both
 * ways unbuffered, status codes and redirects passed through (absolute redirects to the upstream's
 * own origin are rewritten to the public origin), hop-by-hop headers dropped (RFC 9110 §7.6.1),
 * X-Forwarded-* set, and WebSocket upgrades tunnelled.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ForwardContext {
  /** X-Forwarded-For to send: the client and any trusted proxies, client first (untrusted entries dropped). */
  forwardedFor: string;
  proto: string;
  host: string;
  /** Headers to drop from the client's request (lower-case): identity headers, spoofable ones. */
  dropHeader: (name: string) => boolean;
  /** Cookie header to send instead of the client's (gateway cookies removed). */
  cookie: string | undefined;
  /** Headers to add (identity). */
  add: Record<string, string>;
}

export class UpstreamProxy {
  private readonly agent: http.Agent;
  private readonly basePath: string;
  /** Open upgrade tunnels: an HTTP server's close() does not end them. */
  private readonly tunnels = new Set<Duplex>();

  constructor(private readonly upstream: URL, private readonly publicOrigin: string) {
    this.agent = upstream.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.basePath = upstream.pathname.replace(/\/+$/, '');
  }

  close(): void {
    for (const s of this.tunnels) s.destroy();
    this.tunnels.clear();
    this.agent.destroy();
  }

  requestHeaders(req: IncomingMessage, ctx: ForwardContext, upgrade: boolean): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    const connectionListed = new Set(String(req.headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
    for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
      if (value === undefined) continue;
      if (HOP_BY_HOP.has(name) || connectionListed.has(name) || name === 'host' || name === 'cookie') continue;
      if (name.startsWith('x-forwarded-') || name === 'forwarded' || ctx.dropHeader(name)) continue;
      headers[name] = value;
    }
    if (ctx.cookie) headers.cookie = ctx.cookie;
    headers['x-forwarded-for'] = ctx.forwardedFor;
    headers['x-forwarded-proto'] = ctx.proto;
    headers['x-forwarded-host'] = ctx.host;
    headers.host = this.upstream.host;
    for (const [k, v] of Object.entries(ctx.add)) headers[k.toLowerCase()] = v;
    if (upgrade) {
      headers.connection = 'Upgrade';
      headers.upgrade = req.headers.upgrade ?? 'websocket';
    }
    return headers;
  }

  private target(req: IncomingMessage) {
    return {
      protocol: this.upstream.protocol,
      hostname: this.upstream.hostname,
      port: this.upstream.port || undefined,
      path: this.basePath + (req.url ?? '/'),
      method: req.method,
    };
  }

  /** Streams the request to the upstream and the answer back. `onError` answers when nothing was sent yet. */
  forward(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext, onError: (err: Error) => void): void {
    const preq = (this.upstream.protocol === 'https:' ? https : http).request({
      ...this.target(req),
      headers: this.requestHeaders(req, ctx, false),
      agent: this.agent,
    });
    preq.on('response', (pres) => {
      const raw = this.responseHeaders(pres.rawHeaders);
      res.writeHead(pres.statusCode ?? 502, pres.statusMessage, raw);
      pres.pipe(res);
      pres.on('error', () => res.destroy());
    });
    preq.on('error', (err) => {
      if (!res.headersSent) onError(err);
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) preq.destroy();
    });
    req.pipe(preq);
  }

  private responseHeaders(rawHeaders: string[]): string[] {
    const out: string[] = [];
    const connectionListed = new Set<string>();
    for (let i = 0; i < rawHeaders.length; i += 2) {
      if (rawHeaders[i]!.toLowerCase() === 'connection') rawHeaders[i + 1]!.split(',').forEach((s) => connectionListed.add(s.trim().toLowerCase()));
    }
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      let value = rawHeaders[i + 1]!;
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || connectionListed.has(lower)) continue;
      if (lower === 'location') value = this.rewriteLocation(value);
      out.push(name, value);
    }
    return out;
  }

  /** Like nginx's default proxy_redirect: the upstream's own absolute URLs become public ones. */
  private rewriteLocation(location: string): string {
    try {
      const url = new URL(location);
      if (url.origin !== this.upstream.origin) return location;
      const path = this.basePath && url.pathname.startsWith(this.basePath) ? url.pathname.slice(this.basePath.length) || '/' : url.pathname;
      return `${this.publicOrigin}${path}${url.search}${url.hash}`;
    } catch {
      return location;
    }
  }

  /** Tunnels a WebSocket (or other Upgrade) request once the caller has authenticated it. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ForwardContext): void {
    this.tunnels.add(socket);
    socket.on('close', () => this.tunnels.delete(socket));
    const preq = (this.upstream.protocol === 'https:' ? https : http).request({
      ...this.target(req),
      headers: this.requestHeaders(req, ctx, true),
    });
    preq.on('upgrade', (pres, psocket, phead) => {
      const lines = [`HTTP/1.1 ${pres.statusCode} ${pres.statusMessage}`];
      for (let i = 0; i < pres.rawHeaders.length; i += 2) lines.push(`${pres.rawHeaders[i]}: ${pres.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      this.tunnels.add(psocket);
      psocket.on('close', () => this.tunnels.delete(psocket));
      if (phead.length) socket.write(phead);
      if (head.length) psocket.write(head);
      psocket.pipe(socket).pipe(psocket);
      psocket.on('error', () => socket.destroy());
      socket.on('error', () => psocket.destroy());
      psocket.on('close', () => socket.destroy());
      socket.on('close', () => psocket.destroy());
    });
    preq.on('response', (pres) => {
      // The upstream declined the upgrade: relay its answer.
      const lines = [`HTTP/1.1 ${pres.statusCode} ${pres.statusMessage}`];
      const raw = this.responseHeaders(pres.rawHeaders);
      for (let i = 0; i < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      lines.push('Connection: close');
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      pres.pipe(socket);
    });
    preq.on('error', () => {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nThe application behind the gateway is not reachable.\n');
    });
    socket.on('error', () => preq.destroy());
    preq.end();
  }
}
