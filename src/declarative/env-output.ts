/**
 * `apply --output-env FILE`: the values the gateway (`gatehouse gateway`, OpenMetadata's variable
 * names) needs for one app of the file, read back from the org after apply: client id and secret,
 * the auth method, and the issuer of the authorization server whose policy or audience names the app.
 * Written `KEY=value`, one a line, with mode 0600 since it holds the client secret.
 */
import { writeFileSync } from 'node:fs';
import type { ApiClient, Json } from './api-client.js';
import { UsageError } from './errors.js';
import { serverKey } from './keys.js';
import { appLabelOf } from './names.js';
import type { GatehouseFile } from './schema.js';

/** The app the env file is for: `wanted`, or the file's only app. */
export function envAppLabel(file: GatehouseFile, wanted: string | undefined): string {
  const labels = (file.apps ?? []).map((a) => a.label);
  if (wanted !== undefined) {
    if (!labels.includes(wanted)) throw new UsageError(`--env-app "${wanted}" is not an app of the file (its apps: ${labels.join(', ') || 'none'})`);
    return wanted;
  }
  if (labels.length === 1) return labels[0]!;
  throw new UsageError(labels.length === 0
    ? '--output-env needs an app in the file'
    : `the file has ${labels.length} apps; name the one for --output-env with --env-app LABEL`);
}

/** The file's authorization server serving the app: one whose policy clients or audience name it, else the only one. */
export function envServerName(file: GatehouseFile, label: string): string | undefined {
  const servers = file.authorizationServers ?? [];
  const names = (refs: string[] | undefined) => (refs ?? []).some((r) => appLabelOf(r) === label);
  const serving = servers.find((s) => (s.policies ?? []).some((p) => names(p.conditions.clients.include)))
    ?? servers.find((s) => names(s.audiences));
  return serving?.name ?? (servers.length === 1 ? servers[0]!.name : undefined);
}

async function findByLabel(api: ApiClient, label: string): Promise<Json> {
  const apps = (await api.list('/api/v1/apps')).filter((a) => a.label === label);
  if (apps.length !== 1) throw new UsageError(`--output-env: found ${apps.length} apps labelled "${label}" in the org`);
  return api.get(`/api/v1/apps/${encodeURIComponent(apps[0]!.id)}`);
}

export async function envLines(api: ApiClient, file: GatehouseFile, label: string): Promise<string[]> {
  const app = await findByLabel(api, label);
  const serverName = envServerName(file, label);
  let issuer = api.orgUrl;
  if (serverName !== undefined) {
    const servers = await api.list('/api/v1/authorizationServers');
    const server = servers.find((s) => serverKey(String(s.name)) === serverKey(serverName));
    if (server?.issuer) issuer = String(server.issuer);
  }
  const oc = app.credentials?.oauthClient ?? {};
  const settings = app.settings?.oauthClient ?? {};
  const clientId = String(oc.client_id ?? app.id);
  const grants: string[] = settings.grant_types ?? [];
  const callback = (settings.redirect_uris ?? []).find((u: string) => /\/callback$/.test(u)) as string | undefined;
  const lines = [
    `# The gateway's settings for app "${label}"${serverName ? ` and authorization server "${serverName}"` : ' (org authorization server)'}.`,
    '# Written by gatehouse apply --output-env; holds a client secret: keep it private.',
    `OIDC_CLIENT_ID=${clientId}`,
    oc.client_secret ? `OIDC_CLIENT_SECRET=${oc.client_secret}` : '# OIDC_CLIENT_SECRET: the org did not return the secret; set it from your records',
    `OIDC_CLIENT_AUTH_METHOD=${oc.token_endpoint_auth_method ?? 'client_secret_basic'}`,
    `AUTHENTICATION_CLIENT_ID=${clientId}`,
    `AUTHENTICATION_AUTHORITY=${issuer}`,
    `OIDC_DISCOVERY_URI=${issuer}/.well-known/openid-configuration`,
    `OIDC_SCOPE=openid,email,profile${grants.includes('refresh_token') ? ',offline_access' : ''}`,
  ];
  if (callback) lines.push(`OIDC_CALLBACK=${callback}`, `OIDC_SERVER_URL=${new URL(callback).origin}`);
  return lines;
}

export async function writeEnvFile(api: ApiClient, file: GatehouseFile, label: string, path: string): Promise<void> {
  const lines = await envLines(api, file, label);
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}
