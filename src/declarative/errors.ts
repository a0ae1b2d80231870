/** Errors the apply and export commands report as plain lines (no stack traces). */

/** A bad command line or missing connection settings: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file that cannot be read, parsed or validated: one line per problem, each with the field's path. */
export class FileError extends Error {
  override name = 'FileError';
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  }
}

/** A file that names something neither it nor the org holds (a group, user or app), found while planning. */
export class UnresolvedReferenceError extends Error {
  override name = 'UnresolvedReferenceError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}
