/** A pattern, or a match, refused for safety: catastrophic shape, too long, or over the work budget. */
export class UnsafeRegexError extends Error {
  override name = 'UnsafeRegexError';
}
