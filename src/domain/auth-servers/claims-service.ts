/**
 * Custom token claims of an authorization server. RESOURCE claims go into access tokens (always
 * included), IDENTITY claims into ID tokens. EXPRESSION values are Okta Expression Language; GROUPS
 * values are a literal matched by `group_filter_type`; SYSTEM claims are Okta's own and read-only.
 * Names the tokens themselves use are refused. A name is unique per server and claim type.
 */
import type { Container } from '../../container.js';
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import { ApiError, notFound, validationError } from '../../errors/api-error.js';
import { ExpressionSyntaxError, parseExpression } from '../../oauth/claims/expression/index.js';
import { UnsafeRegexError } from '../../oauth/claims/regex/errors.js';
import { SafeRegex } from '../../oauth/claims/regex/safe-regex.js';
import type { Claim } from '../model.js';
import {
  BLANK, Causes, DUPLICATE, STATUSES, bodyObject, booleanValue, enumValue, isObject, objectValue, requiredString, stringArray,
} from './input.js';
import { findServer } from './servers-service.js';

export type ClaimsDeps = Pick<Container, 'store' | 'clock' | 'cache'>;

/** Claims Gatehouse sets itself in access and ID tokens (JWT, OIDC Core and Okta's own). */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'cid', 'uid', 'scp', 'ver', 'auth_time', 'amr', 'idp', 'nonce', 'at_hash', 'c_hash', 'cnf',
]);

const CLAIM_TYPES: readonly Claim['claimType'][] = ['RESOURCE', 'IDENTITY'];
const VALUE_TYPES = ['EXPRESSION', 'GROUPS'] as const;
const GROUP_FILTERS: readonly NonNullable<Claim['group_filter_type']>[] = ['STARTS_WITH', 'EQUALS', 'CONTAINS', 'REGEX'];

export async function findClaim(c: Pick<Container, 'store'>, authServerId: string, id: string): Promise<Claim> {
  await findServer(c, authServerId);
  const claim = await c.store.authServers.getClaim(authServerId, id);
  if (!claim) throw notFound('OAuth2Claim', id);
  return claim;
}

export async function listClaims(c: Pick<Container, 'store'>, authServerId: string): Promise<Claim[]> {
  await findServer(c, authServerId);
  return c.store.authServers.listClaims(authServerId);
}

type ClaimInput = Omit<Claim, 'id' | 'authServerId' | 'system' | 'created' | 'lastUpdated'>;

/**
 * The value and, for GROUPS, its filter. An EXPRESSION must parse as Okta Expression Language and a
 * REGEX filter must pass the same safety checks the token minting applies, so a claim that could
 * never be evaluated is refused when it is saved rather than silently left out of every token.
 */
function readValue(body: Record<string, unknown>, valueType: Claim['valueType'], causes: Causes, existing: Claim | undefined) {
  const value = requiredString(body, 'value', causes, 1024);
  if (valueType !== 'GROUPS') {
    if (value !== '') {
      try {
        parseExpression(value);
      } catch (err) {
        if (!(err instanceof ExpressionSyntaxError)) throw err;
        causes.add('value', `Invalid expression: ${err.message}`);
      }
    }
    return { value, group_filter_type: undefined };
  }
  const filterGiven = body.group_filter_type !== undefined && body.group_filter_type !== null;
  if (!filterGiven && !existing?.group_filter_type) causes.add('group_filter_type', BLANK);
  const filter = enumValue(body, 'group_filter_type', GROUP_FILTERS, existing?.group_filter_type ?? 'EQUALS', causes);
  if (filter === 'REGEX' && value !== '') {
    try {
      SafeRegex.compile(value);
    } catch (err) {
      if (!(err instanceof UnsafeRegexError)) throw err;
      causes.add('value', `Invalid regular expression: ${err.message}`);
    }
  }
  return { value, group_filter_type: filter };
}

function readClaim(rawBody: unknown, existing: Claim | undefined, scopeNames: Set<string>): ClaimInput {
  // The spec's create example wraps the claim in a one-element array; accept that form too.
  const unwrapped = Array.isArray(rawBody) && rawBody.length === 1 && isObject(rawBody[0]) ? rawBody[0] : rawBody;
  const body = bodyObject(unwrapped);
  const causes = new Causes();
  const name = requiredString(body, 'name', causes, 255);
  if (RESERVED_CLAIMS.has(name)) causes.add('name', `'${name}' is a reserved claim name and cannot be used`);
  if (body.claimType == null && !existing) causes.add('claimType', BLANK);
  const claimType = enumValue(body, 'claimType', CLAIM_TYPES, existing?.claimType ?? 'RESOURCE', causes);
  const valueType = enumValue(body, 'valueType', VALUE_TYPES, (existing?.valueType as 'EXPRESSION' | 'GROUPS') ?? 'EXPRESSION', causes);
  const { value, group_filter_type } = readValue(body, valueType, causes, existing);
  const conditions = objectValue(body, 'conditions', causes);
  const scopes = stringArray(conditions, 'scopes', existing?.conditions.scopes ?? [], causes, 'conditions.scopes');
  for (const s of scopes) if (!scopeNames.has(s)) causes.add('conditions.scopes', `The scope '${s}' does not exist on this authorization server`);
  const alwaysIncludeInToken = booleanValue(body, 'alwaysIncludeInToken', existing?.alwaysIncludeInToken ?? true, causes);
  const status = enumValue(body, 'status', STATUSES, existing?.status ?? 'ACTIVE', causes);
  causes.throwIfAny();
  return {
    name,
    status,
    claimType,
    valueType,
    value,
    ...(group_filter_type ? { group_filter_type } : {}),
    conditions: { scopes },
    // management.yaml: "The value is always TRUE for access token Claims."
    alwaysIncludeInToken: claimType === 'RESOURCE' ? true : alwaysIncludeInToken,
  };
}

async function readClaimFor(c: Pick<Container, 'store'>, authServerId: string, rawBody: unknown, existing: Claim | undefined): Promise<ClaimInput> {
  const scopeNames = new Set((await c.store.authServers.listScopes(authServerId)).map((s) => s.name));
  const input = readClaim(rawBody, existing, scopeNames);
  const clash = (await c.store.authServers.listClaims(authServerId))
    .some((o) => o.id !== existing?.id && o.name === input.name && o.claimType === input.claimType);
  if (clash) throw validationError([{ field: 'name', message: DUPLICATE }]);
  return input;
}

export async function createClaim(c: ClaimsDeps, authServerId: string, rawBody: unknown): Promise<Claim> {
  await findServer(c, authServerId);
  const input = await readClaimFor(c, authServerId, rawBody, undefined);
  const now = c.clock.now();
  const claim: Claim = { id: newId(ID_PREFIX.claim), authServerId, ...input, system: false, created: now, lastUpdated: now };
  await c.store.authServers.createClaim(claim);
  c.cache.invalidateServer(authServerId);
  return claim;
}

export async function replaceClaim(c: ClaimsDeps, authServerId: string, id: string, rawBody: unknown): Promise<Claim> {
  const existing = await findClaim(c, authServerId, id);
  if (existing.system) throw ApiError.of('E0000006');
  const input = await readClaimFor(c, authServerId, rawBody, existing);
  const { group_filter_type: _dropped, ...rest } = existing;
  const claim: Claim = { ...rest, ...input, lastUpdated: c.clock.now() };
  await c.store.authServers.updateClaim(claim);
  c.cache.invalidateServer(authServerId);
  return claim;
}

export async function deleteClaim(c: ClaimsDeps, authServerId: string, id: string): Promise<void> {
  const claim = await findClaim(c, authServerId, id);
  if (claim.system) throw ApiError.of('E0000006');
  await c.store.authServers.deleteClaim(authServerId, id);
  c.cache.invalidateServer(authServerId);
}
