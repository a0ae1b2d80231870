/**
 * The state of one authorization request as it moves through the pipeline. Each step reads what
 * earlier steps established (through `need`, which fails loudly if the order is wrong) and records
 * what it decided. Steps throw OAuthError; they never write responses.
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import type { App } from '../../domain/model.js';
import type { UserAccess } from '../assignment.js';
import type { ConsentAnswer } from '../consent/consent.js';
import type { PolicyDecision } from '../policy/evaluate-policy.js';
import type { RequestOrigin, ServerContext } from '../server-context.js';
import type { ActiveSession } from '../sessions/sessions.js';
import type { AuthorizeParams } from './params.js';

export type ResponseTypeValue = 'code' | 'token' | 'id_token';
export type ResponseMode = 'query' | 'fragment' | 'form_post' | 'okta_post_message';

export type AuthorizeDeps = Pick<Container, 'config' | 'store' | 'cache' | 'keys' | 'clock' | 'box' | 'log'>;

export interface AuthorizeInput {
  /** Undefined for the org server (`/oauth2/v1/authorize`). */
  authServerId: string | undefined;
  params: AuthorizeParams;
  method: 'GET' | 'POST';
  origin: RequestOrigin;
  /** Value of the `sid` cookie, if any. */
  sessionCookie: string | undefined;
  /** Set when the request resumes after sign-in: when it first arrived. */
  startedAt?: number | undefined;
  /** Set when the request resumes from the consent page: the user's answer. */
  consent?: ConsentAnswer | undefined;
  /** The HTTP request, for the System Log. */
  request?: RequestInfo | undefined;
}

export class AuthorizeContext {
  server: ServerContext | undefined;
  client: App | undefined;
  /** Set once the redirect URI is known to be registered: from then on errors go to the client. */
  redirectUri: string | undefined;
  responseMode: ResponseMode | undefined;
  responseTypes = new Set<ResponseTypeValue>();
  state: string | undefined;
  scopes: string[] = [];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  prompt = new Set<string>();
  maxAge: number | undefined;
  loginHint: string | undefined;
  /** `sub` of a verified id_token_hint. */
  hintSubject: string | undefined;
  session: ActiveSession | undefined;
  /** True when the user authenticated as part of this request (sessionToken, or sign-in after it arrived). */
  freshAuthentication = false;
  access: UserAccess | undefined;
  /** Policy decisions per grant ('authorization_code' for a code, 'implicit' for tokens from /authorize). */
  decisions = new Map<string, PolicyDecision>();
  /** Set-Cookie values the response must carry (a session established from a sessionToken). */
  readonly setCookies: string[] = [];

  constructor(readonly input: AuthorizeInput) {}

  get params(): AuthorizeParams {
    return this.input.params;
  }

  returnsTokens(): boolean {
    return this.responseTypes.has('token') || this.responseTypes.has('id_token');
  }
}

/** A value an earlier step must have set; a missing one is a pipeline-order bug, not a client error. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`authorize pipeline: ${what} used before it was established`);
  return value;
}

/** What a step may end the pipeline with instead of continuing. */
export type StepOutcome =
  | { kind: 'interaction' }
  | { kind: 'consent'; scopes: string[] }
  | { kind: 'success'; params: Record<string, string> };

export type AuthorizeStep = (ctx: AuthorizeContext, c: AuthorizeDeps) => Promise<StepOutcome | void> | StepOutcome | void;
