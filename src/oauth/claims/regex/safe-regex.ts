/**
 * Regular expressions run under a work budget. A pattern passes checkPattern() when compiled; each
 * match then charges its worst-case step count (for that input's length) to a RegexBudget shared by
 * one evaluation, and is refused before V8 runs it when the budget cannot cover it. A hostile pattern
 * or input thus costs at most the budget, never a stalled token endpoint.
 */
import { UnsafeRegexError } from './errors.js';
import { checkPattern, type CheckedPattern } from './pattern.js';

/** Worst-case steps one evaluation may spend; V8 takes 5–15 ns a step, so at most ~100 ms. */
export const DEFAULT_REGEX_BUDGET = 2 ** 23;

export class RegexBudget {
  #remaining: number;

  constructor(units = DEFAULT_REGEX_BUDGET) {
    this.#remaining = units;
  }

  charge(units: number): void {
    if (!(units <= this.#remaining)) throw new UnsafeRegexError('regular expression work limit exceeded (pattern too complex for this input)');
    this.#remaining -= units;
  }
}

/** Compiled patterns by source, errors included: claims re-run the same few patterns on every token. */
const cache = new Map<string, SafeRegex | UnsafeRegexError>();
const CACHE_SIZE = 256;

export class SafeRegex {
  readonly groupCount: number;
  readonly #pattern: CheckedPattern;
  readonly #whole: RegExp;
  readonly #first: RegExp;
  readonly #all: RegExp;

  private constructor(pattern: CheckedPattern) {
    const flags = pattern.ignoreCase ? 'i' : '';
    this.#pattern = pattern;
    this.groupCount = pattern.groupCount;
    try {
      this.#whole = new RegExp(`^(?:${pattern.source})$`, flags);
      this.#first = new RegExp(pattern.source, flags);
      this.#all = new RegExp(pattern.source, `g${flags}`);
    } catch (e) {
      throw new UnsafeRegexError(`invalid regular expression: ${(e as Error).message}`);
    }
  }

  /** Checks and compiles `pattern`; throws UnsafeRegexError when it is refused. */
  static compile(pattern: string): SafeRegex {
    let entry = cache.get(pattern);
    if (!entry) {
      try {
        entry = new SafeRegex(checkPattern(pattern));
      } catch (e) {
        if (!(e instanceof UnsafeRegexError)) throw e;
        entry = e;
      }
      if (cache.size >= CACHE_SIZE) cache.clear();
      cache.set(pattern, entry);
    }
    if (entry instanceof UnsafeRegexError) throw new UnsafeRegexError(entry.message);
    return entry;
  }

  /** Whole-input match, as Java's `String.matches`. */
  matches(input: string, budget: RegexBudget): boolean {
    budget.charge(this.#pattern.work(input.length));
    return this.#whole.test(input);
  }

  /** Replaces the first or every match; `replacer` gets the match followed by its groups. */
  replace(input: string, all: boolean, budget: RegexBudget, replacer: (groups: readonly (string | undefined)[]) => string): string {
    // A search may start at every position.
    budget.charge((input.length + 1) * this.#pattern.work(input.length));
    return input.replace(all ? this.#all : this.#first, (...args: unknown[]) =>
      replacer(args.slice(0, this.groupCount + 1) as (string | undefined)[]),
    );
  }
}
