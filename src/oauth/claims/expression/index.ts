/**
 * Okta Expression Language, the subset Gatehouse evaluates for custom claims (valueType EXPRESSION).
 * Expressions are tokenized, parsed into a tree and evaluated by walking it: never `eval`, `Function`
 * or `vm`. The full reference is docs/expression-language.md; in short:
 *
 *   literals    "text" 'text' ("" or '' inside for the quote), 12, 1.5, true, false, null, {"a", "b"}, {}
 *   variables   user.<attr> (profile; also user.id, user.status), user.profile.<attr>,
 *               app.id, app.clientId, app.label, access.scope; a missing attribute is null
 *   operators   ?:   OR ||   AND &&   == != < <= > >=   + -   ! NOT unary-   ( )   (loosest first)
 *   functions   String.toUpperCase toLowerCase substringBefore substringAfter substring len append
 *               join replace replaceFirst removeSpaces stringContains startsWith endsWith stringSwitch;
 *               Arrays.contains isEmpty size toCsvString flatten; Convert.toInt toNum;
 *               isMemberOfGroup isMemberOfAnyGroup isMemberOfGroupName isMemberOfGroupNameStartsWith
 *               isMemberOfGroupNameContains isMemberOfGroupNameRegex; Groups.startsWith contains
 *               endsWith (app, pattern, limit 1..100); user.getInternalProperty
 *
 * Limits: 1024 characters, 32 levels of nesting, 10,000 evaluation steps, strings of 16,384
 * characters and arrays of 1000 elements; regexes are checked for catastrophic shapes and run under a
 * work budget. `__proto__`, `constructor`, `prototype` (and any `__` name) are refused when parsing.
 */
import type { Expression } from './ast.js';
import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors.js';
import { evaluate } from './evaluate.js';
import { MAX_EXPRESSION_LENGTH } from './limits.js';
import { parse } from './parser.js';
import type { ExpressionContext } from './scope.js';

export type { Expression, ExpressionContext };
export { ExpressionEvaluationError, ExpressionSyntaxError, MAX_EXPRESSION_LENGTH };

/** Parses an expression; throws ExpressionSyntaxError with a message and a 0-based position. */
export function parseExpression(source: string): Expression {
  if (typeof source !== 'string') throw new ExpressionSyntaxError('expression must be a string', 0);
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  }
  return parse(source);
}

/**
 * Evaluates a parsed expression for one user (and app, and granted scopes). The result is JSON-like;
 * null means "no value" and the claim is left out. Throws ExpressionEvaluationError on a type error,
 * an unknown function or variable, or a limit reached.
 */
export function evaluateExpression(expr: Expression, ctx: ExpressionContext): unknown {
  return evaluate(expr, ctx);
}
