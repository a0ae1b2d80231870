/**
 * Okta's user `filter` / `search` expressions (SCIM-style) parsed into the store's UserFilter:
 *
 *   status eq "ACTIVE" and (profile.login sw "ann" or lastUpdated gt "2024-01-01T00:00:00.000Z")
 *
 * `and` binds tighter than `or`; operators and keywords are case-insensitive; values are quoted
 * strings (dates as ISO 8601). Anything else is 400 E0000031 "Invalid search criteria.".
 */
import { ApiError } from '../errors/api-error.js';
import type { UserFilter } from '../store/store.js';
import type { UserStatus } from './model.js';

const MAX_LENGTH = 4096;
const MAX_TERMS = 100;
const MAX_DEPTH = 32;

const TEXT_ATTRIBUTES = {
  id: 'id',
  status: 'status',
  'profile.login': 'login',
  'profile.email': 'email',
  'profile.firstName': 'firstName',
  'profile.lastName': 'lastName',
} as const;

const TIME_ATTRIBUTES = {
  created: 'created',
  lastUpdated: 'lastUpdated',
  statusChanged: 'statusChanged',
  activated: 'activated',
  lastLogin: 'lastLogin',
} as const;

const TEXT_OPS = new Set(['eq', 'sw']);
const TIME_OPS = new Set(['eq', 'gt', 'ge', 'lt', 'le']);

export const USER_STATUSES: readonly UserStatus[] = [
  'STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED',
];

// yyyy-MM-ddTHH:mm:ss(.SSS)(Z|±HH:mm|±HHmm), as Okta documents for date filters.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

type Token =
  | { kind: 'lparen' | 'rparen' }
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string };

function invalid(): ApiError {
  return ApiError.of('E0000031');
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen' });
      i++;
    } else if (ch === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw invalid();
        const c = input[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const next = input[i + 1];
          if (next === undefined) throw invalid();
          text += next;
          i += 2;
        } else {
          text += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', text });
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(input.slice(i));
      if (!m) throw invalid();
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

class Parser {
  #pos = 0;
  #terms = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): UserFilter {
    const result = this.#or(0);
    if (this.#pos !== this.tokens.length) throw invalid();
    return result;
  }

  #peekKeyword(): string | undefined {
    const t = this.tokens[this.#pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  }

  #or(depth: number): UserFilter {
    const terms = [this.#and(depth)];
    while (this.#peekKeyword() === 'or') {
      this.#pos++;
      terms.push(this.#and(depth));
    }
    return terms.length === 1 ? terms[0]! : { op: 'or', terms };
  }

  #and(depth: number): UserFilter {
    const terms = [this.#primary(depth)];
    while (this.#peekKeyword() === 'and') {
      this.#pos++;
      terms.push(this.#primary(depth));
    }
    return terms.length === 1 ? terms[0]! : { op: 'and', terms };
  }

  #primary(depth: number): UserFilter {
    const t = this.tokens[this.#pos];
    if (t?.kind === 'lparen') {
      if (depth >= MAX_DEPTH) throw invalid();
      this.#pos++;
      const inner = this.#or(depth + 1);
      if (this.tokens[this.#pos]?.kind !== 'rparen') throw invalid();
      this.#pos++;
      return inner;
    }
    return this.#comparison();
  }

  #comparison(): UserFilter {
    const [attr, op, value] = [this.tokens[this.#pos], this.tokens[this.#pos + 1], this.tokens[this.#pos + 2]];
    if (attr?.kind !== 'word' || op?.kind !== 'word' || value?.kind !== 'string') throw invalid();
    this.#pos += 3;
    if (++this.#terms > MAX_TERMS) throw invalid();
    return comparison(attr.text, op.text.toLowerCase(), value.text);
  }
}

function comparison(attribute: string, cmp: string, value: string): UserFilter {
  if (Object.hasOwn(TEXT_ATTRIBUTES, attribute)) {
    const field = TEXT_ATTRIBUTES[attribute as keyof typeof TEXT_ATTRIBUTES];
    if (!TEXT_OPS.has(cmp)) throw invalid();
    if (field === 'status' && cmp === 'eq' && !USER_STATUSES.includes(value as UserStatus)) throw invalid();
    return { field, cmp: cmp as 'eq' | 'sw', value };
  }
  if (Object.hasOwn(TIME_ATTRIBUTES, attribute)) {
    const field = TIME_ATTRIBUTES[attribute as keyof typeof TIME_ATTRIBUTES];
    if (!TIME_OPS.has(cmp) || !ISO_DATE.test(value)) throw invalid();
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalid();
    return { field, cmp: cmp as 'eq' | 'gt' | 'ge' | 'lt' | 'le', value: ms };
  }
  throw invalid();
}

/** Parses an Okta user filter expression; throws 400 E0000031 when it is not one we support. */
export function parseUserFilter(expression: string): UserFilter {
  if (expression.length > MAX_LENGTH) throw invalid();
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw invalid();
  return new Parser(tokens).parse();
}
