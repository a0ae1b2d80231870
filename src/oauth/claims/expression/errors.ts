/**
 * The two ways an expression fails. Positions are 0-based offsets into the source. A syntax error is
 * the admin's to fix when saving a claim; an evaluation error happens while minting a token, and the
 * caller omits the claim.
 */
export class ExpressionSyntaxError extends Error {
  override name = 'ExpressionSyntaxError';

  constructor(readonly reason: string, readonly position: number) {
    super(`${reason} (at position ${position})`);
  }
}

export class ExpressionEvaluationError extends Error {
  override name = 'ExpressionEvaluationError';

  constructor(readonly reason: string, readonly position?: number) {
    super(position === undefined ? reason : `${reason} (at position ${position})`);
  }
}
