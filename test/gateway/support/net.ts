/** Small helpers for the gateway tests: free ports and servers on 127.0.0.1. */
import http from 'node:http';
import net from 'node:net';

export { freePort } from '../../support/free-port.js';

export async function listen(server: http.Server, port = 0): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
