/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts later.
 *
 * Why not listen(0): the kernel hands out ports from its ephemeral range, the same range every
 * outgoing connection (a PostgreSQL client, fetch) takes its local port from, so a port released
 * here could be taken by some connection before the test server binds it (EADDRINUSE). Ports are
 * picked at random below that range instead, and checked by binding them.
 */
import net from 'node:net';

const LOW = 20_000;
const HIGH = 32_000; // Linux's ephemeral range starts at 32768

function tryBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await tryBind(port)) return port;
  }
  throw new Error(`no free port found between ${LOW} and ${HIGH}`);
}
