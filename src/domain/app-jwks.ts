/**
 * An OIDC app's public JSON Web Keys (Okta's "Application JSON Web Keys" API,
 * /api/v1/apps/{id}/credentials/jwks) over the one place they live: the app's
 * `settings.oauthClient.jwks.keys`. Each stored key carries Okta's `id`, `status`, `created` and
 * `lastUpdated` beside its public members, so the app body and this sub-resource show the same keys,
 * and private_key_jwt client authentication uses only the ACTIVE ones.
 *
 * Keys are public RSA or EC signing keys: a private member, another key type, an encryption key, an
 * RSA key under 2048 bits or a kid used twice is refused, through either view.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Container } from '../container.js';
import { newId, sha256 } from '../crypto/ids.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { isoDate } from '../lib/time.js';
import { appChanged, findApp } from './apps-service.js';
import type { App, AppBody } from './model.js';
import { bodyObject, isObject } from './users-service.js';

type Json = Record<string, unknown>;
export type JwkStatus = 'ACTIVE' | 'INACTIVE';

/** A key as stored in the app body and shown by this API (without `_links`). */
export interface StoredJwk extends Json {
  id: string;
  status: JwkStatus;
  kty: 'RSA' | 'EC';
  created: string;
  lastUpdated: string;
}

const ID_PREFIX = 'pks';
/** Okta's limit of keys per client. */
const MAX_KEYS = 50;
const MAX_KID = 255;
/** Members that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const RSA_ALGS = ['RS256', 'RS384', 'RS512'];
const EC_ALGS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const B64URL = /^[A-Za-z0-9_-]+$/;
/** What a stored key keeps: its public members and Okta's metadata. */
const KEPT_MEMBERS = ['id', 'kid', 'kty', 'alg', 'use', 'e', 'n', 'crv', 'x', 'y', 'status', 'created', 'lastUpdated'];

const DUPLICATE_KID = "All keys in the 'jwks' must have a unique `kid`.";
const NON_UNIQUE_KID = 'Each key should have a unique kid when adding multiple keys. Use the Apps API to update the JWKS to add a kid for the existing key, or delete the existing key and re-add the key with a kid using the JWKS APIs.';
const TOO_MANY = `You can't create a new key. You have reached the maximum number of keys allowed (${MAX_KEYS}). To add another key, you must first delete an existing one.`;
const SHORT_RSA = "RSA key length in the 'jwks' is less than '2,048' bits for the given key.";
const DELETE_ACTIVE = "You can't delete an active JSON Web Key. Deactivate the key before deleting it.";
const DEACTIVATE_ONLY = "Can't deactivate the only active JSON Web Key when the value for `token_endpoint_auth_method` is `private_key_jwt`.";

/** Okta's E0000001 for this API: "Api validation failed: JsonWebKey" with plain causes. */
function jwkError(...messages: string[]): ApiError {
  return ApiError.of('E0000001', ['JsonWebKey'], messages);
}

// ---------------------------------------------------------------------------------------------
// Validation (shared with the app body)

function stringMember(jwk: Json, name: string, problems: string[], required: boolean): string | undefined {
  const v = jwk[name];
  if (v === undefined || v === null) {
    if (required) problems.push(`The '${name}' member is required for a '${String(jwk.kty)}' key.`);
    return undefined;
  }
  if (typeof v !== 'string' || !B64URL.test(v)) {
    problems.push(`The '${name}' member must be a base64url string.`);
    return undefined;
  }
  return v;
}

/** Why `raw` is not an acceptable public signing key (empty when it is). */
export function jwkProblems(raw: unknown): string[] {
  if (!isObject(raw)) return ['Each key must be a JSON Web Key object.'];
  const problems: string[] = [];
  const secret = PRIVATE_MEMBERS.filter((m) => raw[m] !== undefined);
  if (secret.length > 0) {
    problems.push(`Only public keys are allowed: remove the private key member${secret.length > 1 ? 's' : ''} ${secret.map((m) => `'${m}'`).join(', ')}.`);
  }
  const kty = raw.kty;
  if (kty !== 'RSA' && kty !== 'EC') {
    problems.push(kty === undefined || kty === null ? "The 'kty' member is required. Valid values: RSA, EC"
      : `'${String(kty)}' is not a valid key type. Valid values: RSA, EC`);
    return problems;
  }
  const kid = raw.kid;
  if (kid !== undefined && kid !== null && (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID)) {
    problems.push(`The 'kid' member must be a non-empty string of at most ${MAX_KID} characters.`);
  }
  if (raw.use !== undefined && raw.use !== null && raw.use !== 'sig') {
    problems.push(`'${String(raw.use)}' is not a valid value for 'use'. Gatehouse supports signing keys only: 'sig'.`);
  }
  if (raw.status !== undefined && raw.status !== null && raw.status !== 'ACTIVE' && raw.status !== 'INACTIVE') {
    problems.push(`'${String(raw.status)}' is not a valid value for 'status'. Valid values: ACTIVE, INACTIVE`);
  }
  const alg = raw.alg;
  let members: Json;
  if (kty === 'RSA') {
    const n = stringMember(raw, 'n', problems, true);
    const e = stringMember(raw, 'e', problems, true);
    if (alg !== undefined && alg !== null && !RSA_ALGS.includes(alg as string)) {
      problems.push(`'${String(alg)}' is not a valid algorithm for an RSA key. Valid values: ${RSA_ALGS.join(', ')}`);
    }
    members = { kty, n, e };
  } else {
    const crv = raw.crv;
    const wanted = typeof crv === 'string' ? EC_ALGS[crv] : undefined;
    if (!wanted) problems.push(`'${String(crv)}' is not a valid curve for an EC key. Valid values: ${Object.keys(EC_ALGS).join(', ')}`);
    const x = stringMember(raw, 'x', problems, true);
    const y = stringMember(raw, 'y', problems, true);
    if (alg !== undefined && alg !== null && wanted && alg !== wanted) {
      problems.push(`'${String(alg)}' is not a valid algorithm for a '${String(crv)}' key. Use ${wanted}`);
    }
    members = { kty, crv, x, y };
  }
  if (problems.length > 0) return problems;
  try {
    const key = createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (kty === 'RSA' && (bits === undefined || bits < 2048)) problems.push(SHORT_RSA);
  } catch {
    problems.push(`The '${kty}' key is not a valid public key.`);
  }
  return problems;
}

/** Problems of a whole set of keys: each key's, then duplicate or missing kids, then the count. */
export function jwksProblems(keys: unknown[]): string[] {
  const problems = keys.flatMap((k) => jwkProblems(k));
  const kids = keys.filter(isObject).map((k) => k.kid).filter((kid) => typeof kid === 'string');
  if (new Set(kids).size !== kids.length) problems.push(DUPLICATE_KID);
  else if (keys.length > 1 && kids.length !== keys.length) problems.push(NON_UNIQUE_KID);
  if (keys.length > MAX_KEYS) problems.push(TOO_MANY);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Stored form

function sameMaterial(a: Json, b: Json): boolean {
  return a.kty === b.kty && a.n === b.n && a.e === b.e && a.crv === b.crv && a.x === b.x && a.y === b.y;
}

/**
 * An id for a key stored before keys had one (written straight into the body by an older node or a
 * test fixture): derived from the key material, so it stays the same on every read and every node.
 */
function legacyId(jwk: Json): string {
  const material = ['kty', 'n', 'e', 'crv', 'x', 'y'].map((m) => String(jwk[m] ?? '')).join('\0');
  return `${ID_PREFIX}${sha256(material).replace(/[^A-Za-z0-9]/g, '').slice(0, 17)}`;
}

/** A stored key with Okta's metadata filled in (keys stored without it are ACTIVE, as old as the app). */
function asStored(jwk: Json, app: App): StoredJwk {
  return {
    ...jwk,
    id: typeof jwk.id === 'string' ? jwk.id : legacyId(jwk),
    status: jwk.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
    kty: jwk.kty as StoredJwk['kty'],
    created: typeof jwk.created === 'string' ? jwk.created : isoDate(app.created)!,
    lastUpdated: typeof jwk.lastUpdated === 'string' ? jwk.lastUpdated : isoDate(app.lastUpdated)!,
  };
}

function pick(jwk: Json): Json {
  const out: Json = {};
  for (const m of KEPT_MEMBERS) if (jwk[m] !== undefined && jwk[m] !== null) out[m] = jwk[m];
  return out;
}

export function storedKeys(app: App): StoredJwk[] {
  return (app.body.settings.oauthClient.jwks?.keys ?? []).map((k) => asStored(k, app));
}

/** True when private_key_jwt may verify with this key (keys stored without a status are ACTIVE). */
export function isActiveKey(jwk: Json): boolean {
  return jwk.status !== 'INACTIVE';
}

/**
 * Gives the keys of an app body being created or replaced their metadata: a key that matches one of
 * `previous` (by id, else by key material) keeps its id and created time; a new key gets a new id.
 * Only the public members and the metadata are kept. Mutates `body`.
 */
export function stampJwks(body: AppBody, previous: App | undefined, now: number): void {
  const jwks = body.settings.oauthClient.jwks;
  if (!jwks) return;
  const before = previous ? storedKeys(previous) : [];
  const stamp = isoDate(now)!;
  jwks.keys = jwks.keys.map((raw) => {
    const match = before.find((p) => p.id === raw.id) ?? before.find((p) => sameMaterial(p, raw));
    const status: JwkStatus = raw.status === 'INACTIVE' || raw.status === 'ACTIVE' ? raw.status : match?.status ?? 'ACTIVE';
    const unchanged = match !== undefined && match.status === status && sameMaterial(match, raw) && match.kid === raw.kid;
    return pick({
      ...raw,
      id: match?.id ?? newId(ID_PREFIX),
      status,
      created: match?.created ?? stamp,
      lastUpdated: unchanged ? match.lastUpdated : stamp,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The sub-resource

type JwksDeps = Pick<Container, 'store' | 'clock' | 'cache'>;

function findKey(app: App, keyId: string): StoredJwk {
  const key = storedKeys(app).find((k) => k.id === keyId);
  if (!key) throw notFound('JsonWebKey', keyId);
  return key;
}

/**
 * Reads the app, lets `change` produce its new key list, and writes the app back in one
 * transaction, then drops this node's cached client so the token endpoint sees the keys at once.
 */
async function changeKeys<T>(c: JwksDeps, appId: string, change: (keys: StoredJwk[], app: App) => { keys: StoredJwk[]; result: T }): Promise<T> {
  const { app, result } = await c.store.transaction(async (tx) => {
    const current = await findApp({ store: tx }, appId);
    const { keys, result } = change(storedKeys(current), current);
    const body: AppBody = structuredClone(current.body);
    body.settings.oauthClient.jwks = { keys: keys.map(pick) };
    const next: App = { ...current, body, lastUpdated: c.clock.now() };
    await tx.apps.update(next);
    return { app: next, result };
  });
  appChanged(c, app.clientId);
  return result;
}

export async function listJwks(c: JwksDeps, appId: string): Promise<StoredJwk[]> {
  return storedKeys(await findApp(c, appId));
}

export async function getJwk(c: JwksDeps, appId: string, keyId: string): Promise<StoredJwk> {
  return findKey(await findApp(c, appId), keyId);
}

/** POST: adds one public key (ACTIVE unless the body says INACTIVE). */
export async function addJwk(c: JwksDeps, appId: string, raw: unknown): Promise<StoredJwk> {
  const body = bodyObject(raw);
  const problems = jwkProblems(body);
  if (problems.length > 0) throw jwkError(...problems);
  await findApp(c, appId);
  return changeKeys(c, appId, (keys) => {
    if (keys.length >= MAX_KEYS) throw jwkError(TOO_MANY);
    const kid = typeof body.kid === 'string' ? body.kid : undefined;
    if (kid !== undefined && keys.some((k) => k.kid === kid)) throw jwkError(DUPLICATE_KID);
    if (keys.length > 0 && (kid === undefined || keys.some((k) => typeof k.kid !== 'string'))) throw jwkError(NON_UNIQUE_KID);
    const now = isoDate(c.clock.now())!;
    const key = pick({
      ...body, id: newId(ID_PREFIX), status: body.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE', created: now, lastUpdated: now,
    }) as StoredJwk;
    return { keys: [...keys, key], result: key };
  });
}

export async function setJwkStatus(c: JwksDeps, appId: string, keyId: string, status: JwkStatus): Promise<StoredJwk> {
  return changeKeys(c, appId, (keys, app) => {
    const key = findKey(app, keyId);
    if (key.status === status) return { keys, result: key };
    const active = keys.filter((k) => k.status === 'ACTIVE');
    if (status === 'INACTIVE' && active.length <= 1 && app.body.credentials.oauthClient.token_endpoint_auth_method === 'private_key_jwt'
      && !app.body.settings.oauthClient.jwks_uri) {
      throw jwkError(DEACTIVATE_ONLY);
    }
    const next: StoredJwk = { ...key, status, lastUpdated: isoDate(c.clock.now())! };
    return { keys: keys.map((k) => (k.id === keyId ? next : k)), result: next };
  });
}

/** DELETE: only an INACTIVE key can be deleted. */
export async function deleteJwk(c: JwksDeps, appId: string, keyId: string): Promise<void> {
  await changeKeys(c, appId, (keys, app) => {
    const key = findKey(app, keyId);
    if (key.status === 'ACTIVE') throw jwkError(DELETE_ACTIVE);
    return { keys: keys.filter((k) => k.id !== keyId), result: undefined };
  });
}

/** Okta's OAuth2ClientJsonWebKey response: the key, its metadata and its lifecycle links. */
export function jwkJson(key: StoredJwk, appId: string, orgUrl: string): Json {
  const self = `${orgUrl}/api/v1/apps/${appId}/credentials/jwks/${key.id}`;
  const lifecycle = key.status === 'ACTIVE' ? 'deactivate' : 'activate';
  const { id, kid, status, created, lastUpdated, ...members } = key;
  return {
    id,
    kid: kid ?? null,
    ...members,
    status,
    created,
    lastUpdated,
    _links: {
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}`, hints: { allow: ['POST'] } },
      ...(status === 'INACTIVE' ? { delete: { href: self, hints: { allow: ['DELETE'] } } } : {}),
    },
  };
}
