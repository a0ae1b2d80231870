/**
 * Okta management/authn API errors: {errorCode, errorSummary, errorLink, errorId, errorCauses}.
 * Route handlers throw these; the error handler renders them.
 */
import { newId } from '../crypto/ids.js';
import { API_ERRORS, type ApiErrorCode } from './api-error-catalogue.js';

export interface ErrorCause { errorSummary: string }

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly errorCauses: ErrorCause[] = [],
  ) {
    super(`${errorCode}: ${errorSummary}`);
  }

  /** An error from Okta's catalogue; `args` fill `{0}`, `{1}` …; causes are plain summaries. */
  static of(code: ApiErrorCode, args: string[] = [], causes: string[] = []): ApiError {
    const [status, template] = API_ERRORS[code];
    const summary = template.replace(/\{(\d)\}/g, (_, i: string) => args[Number(i)] ?? '');
    return new ApiError(status, code, summary, causes.map((errorSummary) => ({ errorSummary })));
  }

  toJSON(): Record<string, unknown> {
    return {
      errorCode: this.errorCode,
      errorSummary: this.errorSummary,
      errorLink: this.errorCode,
      errorId: newId('oae'),
      errorCauses: this.errorCauses,
    };
  }
}

/** E0000001 with Okta's "field: message" causes. `summaryField` names the first bad field in the summary. */
export function validationError(causes: { field: string; message: string }[]): ApiError {
  const first = causes[0]?.field ?? 'request';
  return ApiError.of('E0000001', [first], causes.map((c) => `${c.field}: ${c.message}`));
}

/** E0000007 "Not found: Resource not found: {id} ({type})", as Okta phrases it. */
export function notFound(type: string, id: string): ApiError {
  return ApiError.of('E0000007', [`Resource not found: ${id} (${type})`]);
}
