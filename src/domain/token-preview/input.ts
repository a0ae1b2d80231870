/**
 * The body of POST /api/v1/authorizationServers/{id}/tokenPreview, validated with Okta's E0000001
 * causes ("field: message"):
 *
 *   {"clientId": "0oa…" (client_id or app id), "grantType": "authorization_code" | "implicit" |
 *    "client_credentials" | "refresh_token", "userId": "00u…" or a login (not used by
 *    client_credentials), "scopes": ["openid", …] (optional: the server's default scopes, as the
 *    real flow), "responseTypes": ["token", "id_token"] (implicit only; default: the app's)}
 */
import { ApiError, validationError } from '../../errors/api-error.js';
import { isObject } from '../users-service.js';

export const PREVIEW_GRANT_TYPES = ['authorization_code', 'implicit', 'client_credentials', 'refresh_token'] as const;
export type PreviewGrantType = (typeof PREVIEW_GRANT_TYPES)[number];

export type ImplicitResponseType = 'token' | 'id_token';

export interface PreviewInput {
  clientId: string;
  grantType: PreviewGrantType;
  /** Undefined for client_credentials. */
  userId: string | undefined;
  /** Undefined: none named, so the server's defaults apply. */
  scopes: string[] | undefined;
  /** implicit only; undefined: the app's own. */
  responseTypes: ImplicitResponseType[] | undefined;
}

const BLANK = 'The field cannot be left blank';
const MAX_ID = 256;
const MAX_SCOPES = 100;

type Cause = { field: string; message: string };

function id(body: Record<string, unknown>, field: string, causes: Cause[], required: boolean): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    if (required) causes.push({ field, message: BLANK });
    return undefined;
  }
  if (typeof v !== 'string') causes.push({ field, message: 'The field must be a string' });
  else if (v.length > MAX_ID) causes.push({ field, message: `The field cannot exceed ${MAX_ID} characters` });
  else return v;
  return undefined;
}

function strings(body: Record<string, unknown>, field: string, causes: Cause[]): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '' && s.length <= MAX_ID)) {
    causes.push({ field, message: 'The field must be an array of non-empty strings' });
    return undefined;
  }
  if (v.length > MAX_SCOPES) {
    causes.push({ field, message: `The field cannot have more than ${MAX_SCOPES} values` });
    return undefined;
  }
  return [...new Set(v as string[])];
}

export function readPreviewInput(raw: unknown): PreviewInput {
  if (!isObject(raw)) throw ApiError.of('E0000003');
  const causes: Cause[] = [];
  const clientId = id(raw, 'clientId', causes, true);

  let grantType: PreviewGrantType | undefined;
  const g = raw.grantType;
  if (g === undefined || g === null || g === '') causes.push({ field: 'grantType', message: BLANK });
  else if (typeof g === 'string' && (PREVIEW_GRANT_TYPES as readonly string[]).includes(g)) grantType = g as PreviewGrantType;
  else causes.push({ field: 'grantType', message: `'${String(g)}' is not a valid value. Valid values: ${PREVIEW_GRANT_TYPES.join(', ')}` });

  const userId = grantType === 'client_credentials' ? undefined : id(raw, 'userId', causes, true);

  const scopes = strings(raw, 'scopes', causes);
  if (scopes?.some((s) => /\s/.test(s))) causes.push({ field: 'scopes', message: 'A scope cannot contain white space' });

  const types = strings(raw, 'responseTypes', causes);
  let responseTypes: ImplicitResponseType[] | undefined;
  if (types !== undefined) {
    if (grantType === 'implicit') {
      if (types.length === 0 || !types.every((t) => t === 'token' || t === 'id_token')) {
        causes.push({ field: 'responseTypes', message: "For the implicit grant type the values must be 'token', 'id_token' or both" });
      } else {
        responseTypes = types as ImplicitResponseType[];
      }
    } else if (grantType === 'authorization_code') {
      if (types.length !== 1 || types[0] !== 'code') causes.push({ field: 'responseTypes', message: "For the authorization_code grant type the only value is 'code'" });
    } else if (grantType !== undefined) {
      causes.push({ field: 'responseTypes', message: `The field does not apply to the ${grantType} grant type` });
    }
  }

  if (causes.length > 0 || clientId === undefined || grantType === undefined) throw validationError(causes);
  return { clientId, grantType, userId, scopes: scopes?.length ? scopes : undefined, responseTypes };
}
