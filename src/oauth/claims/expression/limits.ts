/** Bounds that keep a hostile or runaway expression cheap to refuse. */

/** Longest source accepted (Okta's own limit for a claim value). */
export const MAX_EXPRESSION_LENGTH = 1024;
/** Parser recursion: parentheses, calls, unary operators and ternaries nested this deep at most. */
export const MAX_NESTING_DEPTH = 32;
/** Evaluator recursion, for hand-built trees; anything parsed from 1024 characters stays well under. */
export const MAX_EVALUATION_DEPTH = 1024;
/** Nodes visited in one evaluation. */
export const MAX_EVALUATION_STEPS = 10_000;
/** Largest string any step may produce (nested String.replace could otherwise grow exponentially). */
export const MAX_STRING_LENGTH = 16_384;
/** Largest array any step may produce. */
export const MAX_ARRAY_LENGTH = 1000;
/** Groups.startsWith/contains/endsWith take a limit of 1 to 100, as Okta. */
export const MAX_GROUPS_LIMIT = 100;
