/**
 * OAuth 2.0 errors as Okta returns them. Protocol steps throw these; one handler renders them as
 * JSON, as a redirect to the client, or as an HTML page for a browser. Never mutated after creation.
 */
import { OAUTH_ERRORS, type OAuthErrorCode } from './oauth-error-catalogue.js';

export class OAuthError extends Error {
  override name = 'OAuthError';
  /**
   * @param status HTTP status
   * @param error the RFC 6749 `error` code
   * @param description Okta's `error_description`, verbatim
   * @param redirectable false when the error must never be sent to the redirect_uri (bad client or URI)
   * @param code the catalogue entry it came from (Okta's internal reason, e.g. `user_not_assigned`), for the System Log
   */
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly redirectable = true,
    readonly headers: Record<string, string> = {},
    readonly code?: OAuthErrorCode,
  ) {
    super(`${error}: ${description}`);
  }

  /** An error from Okta's catalogue; `args` fill the `{0}`, `{1}` … placeholders. */
  static of(code: OAuthErrorCode, ...args: string[]): OAuthError {
    const [status, error, template] = OAUTH_ERRORS[code];
    const description = template.replace(/\{(\d)\}/g, (_, i: string) => args[Number(i)] ?? '');
    const redirectable = !NON_REDIRECTABLE.has(code);
    return new OAuthError(status, error, description, redirectable, {}, code);
  }

  withStatus(status: number): OAuthError {
    return new OAuthError(status, this.error, this.description, this.redirectable, this.headers, this.code);
  }

  withHeaders(headers: Record<string, string>): OAuthError {
    return new OAuthError(this.status, this.error, this.description, this.redirectable, { ...this.headers, ...headers }, this.code);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

// RFC 6749 §4.1.2.1: with a bad client or redirect URI the user must not be redirected.
const NON_REDIRECTABLE = new Set<OAuthErrorCode>([
  'invalid_client', 'illegal_redirect_uri', 'invalid_redirect_uri', 'missing_redirect_uri', 'invalid_authorization_server',
  'illegal_post_logout_redirect_uri',
]);

/** A generic invalid_request with Okta's phrasing for a missing or malformed parameter. */
export function invalidRequest(description: string): OAuthError {
  return new OAuthError(400, 'invalid_request', description);
}
