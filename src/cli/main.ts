/**
 * The `gatehouse` command. `serve` starts a node; later commands (apply, export, gateway, doctor)
 * are added beside it, each in its own module.
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { startServer, StartupError } from '../server/start.js';

const USAGE = `Usage: gatehouse <command>

Commands:
  serve     Start the Gatehouse identity provider (configured by GATEHOUSE_* environment variables)
  gateway   Start the relying-party gateway in front of an app (configured by OIDC_*, AUTHENTICATION_*, GATEWAY_* variables)
  apply     Create or update the org's configuration from a YAML file (gatehouse apply -f FILE.yaml [--dry-run])
  export    Write the org's configuration as a YAML file for apply (gatehouse export [-o FILE.yaml])
  doctor    Diagnose an app's OIDC setup from the gateway's variables (gatehouse doctor [--token T --user LOGIN])
  help      Show this help`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  const log = server.container.log;
  // A plain line whatever the log level, so operators and scripts can tell the node is up.
  process.stdout.write(`Gatehouse is listening on ${server.url} (org URL ${config.orgUrl}, ${config.database.kind} database)\n`);
  if (server.bootstrap.generatedAdmin) {
    const { login, password } = server.bootstrap.generatedAdmin;
    // Printed once, on the console only: it is stored nowhere in the clear.
    process.stdout.write(`\nFirst super administrator created.\n  login:    ${login}\n  password: ${password}\nSave this password now; it will not be shown again.\n\n`);
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'gateway':
      return (await import('../gateway/cli.js')).runGatewayCommand();
    case 'doctor':
      return (await import('../doctor/cli.js')).runDoctorCommand(argv.slice(1));
    case 'apply':
    case 'export':
      return (await import('../declarative/cli.js')).runDeclarativeCommand(command, argv.slice(1));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`gatehouse: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof StartupError || err instanceof ConfigError) {
      process.stderr.write(`gatehouse: cannot start: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`gatehouse: fatal: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
