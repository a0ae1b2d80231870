/**
 * Validation of a trusted origin body (POST and PUT), as Okta answers it: 400 E0000001 with one
 * "field: message" cause per problem. `name` and `origin` are required strings of at most 255
 * characters; `origin` is exactly scheme://host[:port] in one of Okta's schemes; `scopes` is a
 * non-empty list of distinct {type} objects. Read-only fields (id, status, created…) are ignored.
 */
import { ApiError, validationError } from '../../errors/api-error.js';
import { TRUSTED_ORIGIN_SCOPE_TYPES, type TrustedOriginScope, type TrustedOriginScopeType } from './model.js';
import { ORIGIN_SCHEMES, parseOrigin } from './origin.js';

export interface TrustedOriginInput {
  name: string;
  origin: string;
  scopes: TrustedOriginScope[];
}

type Cause = { field: string; message: string };

const MAX_LENGTH = 255;
const BLANK = 'The field cannot be left blank';
const TOO_LONG = `The field cannot exceed ${MAX_LENGTH} characters`;
const ALLOWED_OKTA_APPS = ['OKTA_ENDUSER'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(body: Record<string, unknown>, field: string, causes: Cause[]): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    causes.push({ field, message: BLANK });
    return undefined;
  }
  if (typeof value !== 'string') {
    causes.push({ field, message: 'The field must be a string' });
    return undefined;
  }
  if ([...value].length > MAX_LENGTH) {
    causes.push({ field, message: TOO_LONG });
    return undefined;
  }
  return value;
}

function checkOrigin(origin: string, causes: Cause[]): string | undefined {
  const trimmed = origin.trim();
  const parsed = parseOrigin(trimmed);
  if (!parsed) {
    causes.push({ field: 'origin', message: 'The origin must be scheme://host[:port], without a path, query, fragment or trailing slash' });
    return undefined;
  }
  if (!(ORIGIN_SCHEMES as readonly string[]).includes(parsed.scheme)) {
    causes.push({ field: 'origin', message: `The scheme must be one of: ${ORIGIN_SCHEMES.join(', ')}` });
    return undefined;
  }
  return trimmed;
}

function readScope(raw: unknown, i: number, causes: Cause[]): TrustedOriginScope | undefined {
  if (!isObject(raw)) {
    causes.push({ field: 'scopes', message: `Scope ${i} must be an object with a type` });
    return undefined;
  }
  const type = raw.type;
  if (typeof type !== 'string' || !(TRUSTED_ORIGIN_SCOPE_TYPES as readonly string[]).includes(type)) {
    causes.push({ field: 'scopes', message: `Invalid scope type: ${String(type)}. Valid types are ${TRUSTED_ORIGIN_SCOPE_TYPES.join(', ')}` });
    return undefined;
  }
  const apps = raw.allowedOktaApps;
  if (type !== 'IFRAME_EMBED') {
    if (apps !== undefined && apps !== null && !(Array.isArray(apps) && apps.length === 0)) {
      causes.push({ field: 'scopes', message: `allowedOktaApps applies only to the IFRAME_EMBED scope` });
      return undefined;
    }
    return { type: type as TrustedOriginScopeType };
  }
  if (apps === undefined || apps === null) return { type: 'IFRAME_EMBED', allowedOktaApps: [] };
  if (!Array.isArray(apps) || apps.some((a) => typeof a !== 'string' || !ALLOWED_OKTA_APPS.includes(a))) {
    causes.push({ field: 'scopes', message: `allowedOktaApps may only contain ${ALLOWED_OKTA_APPS.join(', ')}` });
    return undefined;
  }
  return { type: 'IFRAME_EMBED', allowedOktaApps: [...new Set(apps as string[])] };
}

function readScopes(raw: unknown, causes: Cause[]): TrustedOriginScope[] | undefined {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    causes.push({ field: 'scopes', message: BLANK });
    return undefined;
  }
  if (!Array.isArray(raw)) {
    causes.push({ field: 'scopes', message: 'The field must be an array' });
    return undefined;
  }
  const scopes = raw.map((s, i) => readScope(s, i, causes));
  if (scopes.some((s) => s === undefined)) return undefined;
  const types = scopes.map((s) => s!.type);
  if (new Set(types).size !== types.length) {
    causes.push({ field: 'scopes', message: 'Each scope type may appear only once' });
    return undefined;
  }
  return scopes as TrustedOriginScope[];
}

/** The validated name, origin and scopes of a POST or PUT body. */
export function readTrustedOriginInput(body: unknown): TrustedOriginInput {
  if (!isObject(body)) throw ApiError.of('E0000003');
  const causes: Cause[] = [];
  const name = requiredString(body, 'name', causes);
  const rawOrigin = requiredString(body, 'origin', causes);
  const origin = rawOrigin === undefined ? undefined : checkOrigin(rawOrigin, causes);
  const scopes = readScopes(body.scopes, causes);
  if (causes.length > 0 || name === undefined || origin === undefined || scopes === undefined) throw validationError(causes);
  return { name: name.trim(), origin, scopes };
}
