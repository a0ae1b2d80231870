/**
 * The tokenizer. Strings follow SpEL, which Okta's language is built on: single or double quotes, the
 * quote doubled to include it, backslash literal (so regex escapes like "\." read as written).
 * Characters of SpEL features outside the subset (`[`, `#`, `@`, `=`, `*` …) fail here, with a hint.
 */
import { ExpressionSyntaxError } from './errors.js';

export const PUNCTUATORS = [
  '==', '!=', '<=', '>=', '&&', '||', '(', ')', '{', '}', ',', '.', '?', ':', '+', '-', '!', '<', '>',
] as const;
export type Punctuator = (typeof PUNCTUATORS)[number];

export type Token =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'name'; value: string; pos: number }
  | { kind: 'punct'; value: Punctuator; pos: number }
  | { kind: 'eof'; pos: number };

const HINTS: Record<string, string> = {
  '=': "'=' is not an operator; compare with '=='",
  '&': "use '&&' or AND",
  '|': "use '||' or OR",
  '[': 'indexing with [ ] is not supported',
  ']': 'indexing with [ ] is not supported',
  '*': "operator '*' is not supported",
  '/': "operator '/' is not supported",
  '%': "operator '%' is not supported",
  '#': 'variables (#name) are not supported',
  '@': 'bean references (@name) are not supported',
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNameStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isNamePart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

function describe(c: string): string {
  return /^[\x21-\x7e]$/.test(c) ? `'${c}'` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      for (i++; ; i++) {
        if (i >= source.length) throw new ExpressionSyntaxError('unterminated string', start);
        if (source[i] === c) {
          if (source[i + 1] !== c) break;
          i++; // a doubled quote stands for one
        }
        value += source[i];
      }
      i++;
      tokens.push({ kind: 'string', value, pos: start });
    } else if (isDigit(c)) {
      const start = i;
      while (isDigit(source[i])) i++;
      if (source[i] === '.' && isDigit(source[i + 1])) {
        i++;
        while (isDigit(source[i])) i++;
      }
      if (isNamePart(source[i])) throw new ExpressionSyntaxError('invalid number', start);
      const value = Number(source.slice(start, i));
      if (!Number.isFinite(value)) throw new ExpressionSyntaxError('number out of range', start);
      tokens.push({ kind: 'number', value, pos: start });
    } else if (isNameStart(c)) {
      const start = i;
      while (isNamePart(source[i])) i++;
      tokens.push({ kind: 'name', value: source.slice(start, i), pos: start });
    } else {
      const op = PUNCTUATORS.find((p) => source.startsWith(p, i));
      if (!op) throw new ExpressionSyntaxError(HINTS[c] ?? `unexpected character ${describe(c)}`, i);
      tokens.push({ kind: 'punct', value: op, pos: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', pos: source.length });
  return tokens;
}
