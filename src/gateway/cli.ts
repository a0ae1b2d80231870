/**
 * `gatehouse gateway`: start the relying-party gateway from the environment. On a configuration that
 * cannot work it prints one line per problem and exits non-zero.
 */
import { formatFinding } from './findings.js';
import { GatewayStartupError, startGateway } from './server.js';

/** Returns the exit code, or -1 while the gateway keeps running. */
export async function runGatewayCommand(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let running;
  try {
    running = await startGateway(env);
  } catch (err) {
    if (err instanceof GatewayStartupError) {
      process.stderr.write('gatehouse gateway: refusing to start:\n');
      for (const f of err.findings) process.stderr.write(`  ${formatFinding(f)}\n`);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(`gatehouse gateway: cannot listen: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  for (const f of running.findings) process.stderr.write(`gatehouse gateway: ${formatFinding(f)}\n`);
  const { config } = running;
  running.app.log.info({ url: running.url, public: config.serverUrl, upstream: config.upstreamUrl, issuer: running.gateway.metadata.issuer,
    store: config.sessionStore?.kind }, 'gateway is listening');
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    running.app.log.info({ signal }, 'shutting down');
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  return -1;
}
