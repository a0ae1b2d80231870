/**
 * A bare node:http server answering every request with the same ~2 kB JSON document: the
 * benchmark measures the load generator's own ceiling against it (no server could be faster).
 * Run by bench/run.ts as `node --import tsx bench/servers/bare-server.ts` with BARE_PORT set.
 */
import http from 'node:http';

const port = Number(process.env.BARE_PORT);
const body = JSON.stringify({
  issuer: `http://127.0.0.1:${port}`,
  padding: 'x'.repeat(1900),
});
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=86400' });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
