/**
 * The tree-walking evaluator. Nothing here reaches JavaScript evaluation: names resolve through
 * scope.ts, calls through the function registry. Each evaluation is bounded in steps, depth, value
 * size and regex work, and fails with ExpressionEvaluationError (the caller omits the claim).
 */
import { UnsafeRegexError } from '../regex/errors.js';
import { RegexBudget } from '../regex/safe-regex.js';
import type { CallNode, Expression } from './ast.js';
import { ExpressionEvaluationError } from './errors.js';
import { lookupFunction } from './functions/registry.js';
import type { FunctionCall } from './functions/types.js';
import { MAX_ARRAY_LENGTH, MAX_EVALUATION_DEPTH, MAX_EVALUATION_STEPS, MAX_STRING_LENGTH } from './limits.js';
import { readMember, resolveRoot, type ExpressionContext } from './scope.js';
import { add, compare, condition, equals, negate, subtract } from './values.js';

class Evaluation {
  #steps = 0;
  readonly #regexBudget = new RegexBudget();

  constructor(private readonly ctx: ExpressionContext) {}

  run(node: Expression, depth: number): unknown {
    if (++this.#steps > MAX_EVALUATION_STEPS) throw new ExpressionEvaluationError('expression takes too many steps', node.pos);
    if (depth > MAX_EVALUATION_DEPTH) throw new ExpressionEvaluationError('expression nested too deeply', node.pos);
    try {
      return checked(this.#node(node, depth + 1), node.pos);
    } catch (e) {
      // Helpers that know no position (value comparisons) get the innermost node's.
      if (e instanceof ExpressionEvaluationError && e.position === undefined) throw new ExpressionEvaluationError(e.reason, node.pos);
      throw e;
    }
  }

  #node(node: Expression, depth: number): unknown {
    switch (node.type) {
      case 'Literal':
        return node.value;
      case 'Array':
        return node.elements.map((e) => this.run(e, depth));
      case 'Identifier':
        return resolveRoot(node.name, this.ctx, node.pos);
      case 'Member':
        return readMember(this.run(node.object, depth), node.name, node.pos);
      case 'Call':
        return this.#call(node, depth);
      case 'Unary': {
        const v = this.run(node.operand, depth);
        return node.operator === '-' ? negate(v, node.pos) : !condition(v, 'the operand of NOT', node.pos);
      }
      case 'Logical': {
        const left = condition(this.run(node.left, depth), `the left side of ${node.operator}`, node.pos);
        if (node.operator === '&&' ? !left : left) return left;
        return condition(this.run(node.right, depth), `the right side of ${node.operator}`, node.pos);
      }
      case 'Conditional':
        return condition(this.run(node.test, depth), 'the condition of ?:', node.pos)
          ? this.run(node.consequent, depth)
          : this.run(node.alternate, depth);
      case 'Binary': {
        const left = this.run(node.left, depth);
        const right = this.run(node.right, depth);
        switch (node.operator) {
          case '+':
            return add(left, right, node.pos);
          case '-':
            return subtract(left, right, node.pos);
          case '==':
            return equals(left, right);
          case '!=':
            return !equals(left, right);
          default:
            return compare(node.operator, left, right, node.pos);
        }
      }
      default:
        throw new ExpressionEvaluationError(`unknown node type ${(node as { type: unknown }).type as string}`);
    }
  }

  #call(node: CallNode, depth: number): unknown {
    const def = lookupFunction(node.callee);
    if (!def) throw new ExpressionEvaluationError(`unknown function ${node.callee}`, node.pos);
    if (node.args.length < def.minArgs || node.args.length > def.maxArgs) {
      const expected = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Infinity ? `at least ${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`;
      throw new ExpressionEvaluationError(`${node.callee} takes ${expected} argument(s), got ${node.args.length}`, node.pos);
    }
    const args = node.args.map((a) => this.run(a, depth));
    const call: FunctionCall = {
      name: node.callee,
      ctx: this.ctx,
      regexBudget: this.#regexBudget,
      fail: (reason) => {
        throw new ExpressionEvaluationError(`${node.callee}: ${reason}`, node.pos);
      },
    };
    try {
      return def.call(args, call);
    } catch (e) {
      if (e instanceof UnsafeRegexError) throw new ExpressionEvaluationError(`${node.callee}: ${e.message}`, node.pos);
      throw e;
    }
  }
}

/** Every intermediate value is JSON-like and bounded in size. */
function checked(v: unknown, pos: number): unknown {
  if (v === undefined) return null;
  if (typeof v === 'string' && v.length > MAX_STRING_LENGTH) throw new ExpressionEvaluationError(`string longer than ${MAX_STRING_LENGTH} characters`, pos);
  if (Array.isArray(v) && v.length > MAX_ARRAY_LENGTH) throw new ExpressionEvaluationError(`array longer than ${MAX_ARRAY_LENGTH} elements`, pos);
  if (typeof v === 'number' && !Number.isFinite(v)) throw new ExpressionEvaluationError('number out of range', pos);
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new ExpressionEvaluationError(`unsupported ${typeof v} value`, pos);
  return v;
}

export function evaluate(expr: Expression, ctx: ExpressionContext): unknown {
  return new Evaluation(ctx).run(expr, 0);
}
