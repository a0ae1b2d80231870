/**
 * The /authorize endpoint as an ordered list of checks. Until the client and its redirect URI are
 * established every failure is an error page; after that failures go back to the client in the
 * response mode, with `state` and `iss` (RFC 9207) like every authorization response. A step may end
 * the run early: to ask the user to sign in (303 to the hosted sign-in page, the request sealed into
 * the URL), to ask for consent (303 to the consent page, likewise), or with the response itself.
 * Every decision, success or failure, is a System Log event (../audit.ts); the two redirects are not.
 */
import type { HtmlPage } from '../../pages/html.js';
import { errorPageFor } from '../../pages/error-page.js';
import { CONSENT_PATH } from '../../pages/consent-page.js';
import { SIGN_IN_PATH } from '../../pages/sign-in-page.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { ORG_AUTH_SERVER_ID } from '../../domain/model.js';
import { auditAuthorizeFailure, auditAuthorizeSuccess } from '../audit.js';
import { checkConsent } from './check-consent.js';
import { checkDuplicates } from './check-duplicates.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import { checkNonce } from './check-nonce.js';
import { checkPkce } from './check-pkce.js';
import { checkPolicy } from './check-policy.js';
import { checkPrompt } from './check-prompt.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkRequestObject } from './check-request-object.js';
import { checkResponseMode } from './check-response-mode.js';
import { checkResponseType } from './check-response-type.js';
import { checkScope } from './check-scope.js';
import { checkState } from './check-state.js';
import { checkUser } from './check-user.js';
import { AuthorizeContext, type AuthorizeDeps, type AuthorizeInput, type AuthorizeStep, type StepOutcome } from './context.js';
import { issueResponse } from './issue-response.js';
import { loadSession } from './load-session.js';
import { redeemSessionTokenStep } from './redeem-session-token.js';
import { requireAuthentication } from './require-authentication.js';
import { resolveAuthServer } from './resolve-server.js';
import { resolveClient } from './resolve-client.js';
import { authorizationResponse, type BrowserResult } from './respond.js';
import { selectResponseMode } from './select-response-mode.js';
import { sealTransaction } from './transaction.js';

/** Parameters that are consumed by this request and must not be replayed after sign-in. */
const ONE_TIME_PARAMS = ['sessionToken'];

export const AUTHORIZE_STEPS: readonly AuthorizeStep[] = [
  // No trusted redirect target yet: failures are error pages.
  resolveAuthServer,
  resolveClient,
  checkRedirectUri,
  selectResponseMode,
  // From here on, failures are sent to the client.
  checkDuplicates,
  checkRequestObject,
  checkResponseType,
  checkResponseMode,
  checkState,
  checkScope,
  checkNonce,
  checkPkce,
  checkPrompt,
  checkIdTokenHint,
  redeemSessionTokenStep,
  loadSession,
  requireAuthentication,
  checkUser,
  checkPolicy,
  checkConsent,
  issueResponse,
];

export type AuthorizeResult = BrowserResult & { setCookies: string[] };

export async function runAuthorize(c: AuthorizeDeps, input: AuthorizeInput): Promise<AuthorizeResult> {
  const ctx = new AuthorizeContext(input);
  let outcome: StepOutcome | undefined;
  try {
    for (const step of AUTHORIZE_STEPS) {
      outcome = (await step(ctx, c)) ?? undefined;
      if (outcome) break;
    }
    if (!outcome) throw new Error('authorize pipeline ended without an outcome');
    if (outcome.kind === 'interaction') return signInRedirect(ctx, c);
    if (outcome.kind === 'consent') return consentRedirect(ctx, c, outcome.scopes);
    auditAuthorizeSuccess(c, ctx, outcome.params);
    return respond(ctx, outcome.params);
  } catch (err) {
    if (!(err instanceof OAuthError)) c.log.error({ err }, 'authorize request failed');
    auditAuthorizeFailure(c, ctx, err);
    if (err instanceof OAuthError && err.redirectable && ctx.redirectUri !== undefined && ctx.responseMode !== undefined) {
      return respond(ctx, { error: err.error, error_description: err.description });
    }
    return page(errorPageFor(err), ctx.setCookies);
  }
}

function respond(ctx: AuthorizeContext, params: Record<string, string>): AuthorizeResult {
  const state = ctx.state ?? ctx.params.get('state');
  const full: Record<string, string> = { ...params };
  if (state !== undefined && state.length <= 2048) full.state = state;
  full.iss = ctx.server!.issuer;
  const result = authorizationResponse(ctx.responseMode!, ctx.redirectUri!, full, ctx.input.method);
  return { ...result, setCookies: ctx.setCookies };
}

function signInRedirect(ctx: AuthorizeContext, c: AuthorizeDeps): AuthorizeResult {
  const tx = sealTransaction(c, {
    serverId: ctx.server?.id ?? ORG_AUTH_SERVER_ID,
    params: ctx.params.entries(ONE_TIME_PARAMS),
    iat: ctx.input.startedAt ?? c.clock.now(),
  });
  return { kind: 'redirect', status: 303, location: `${SIGN_IN_PATH}?tx=${encodeURIComponent(tx)}`, setCookies: ctx.setCookies };
}

/**
 * To the consent page, the request sealed with the user and the scopes to ask about. A user who
 * authenticated for this very request stays "freshly authenticated" when it resumes (prompt=login,
 * max_age), however long the consent took.
 */
function consentRedirect(ctx: AuthorizeContext, c: AuthorizeDeps, scopes: string[]): AuthorizeResult {
  const { session, user } = ctx.session!;
  const started = ctx.input.startedAt ?? c.clock.now();
  const tx = sealTransaction(c, {
    serverId: ctx.server?.id ?? ORG_AUTH_SERVER_ID,
    params: ctx.params.entries(ONE_TIME_PARAMS),
    iat: ctx.freshAuthentication ? Math.min(started, session.authTime) : started,
    consent: { userId: user.id, scopes },
  });
  return { kind: 'redirect', status: 303, location: `${CONSENT_PATH}?tx=${encodeURIComponent(tx)}`, setCookies: ctx.setCookies };
}

function page(p: HtmlPage, setCookies: string[]): AuthorizeResult {
  return { kind: 'page', page: p, setCookies };
}
