/**
 * Reading management-API request bodies for authorization servers and what hangs off them. Every
 * reader records a "field: message" cause instead of throwing, so one response lists every bad field
 * (Okta's E0000001 with errorCauses); `Causes.throwIfAny` ends validation before anything is written.
 * A replace (PUT) passes the stored values as fallbacks: a field left out keeps its value, so a
 * client sending back a partial object never silently resets, say, a scope's consent.
 */
import { ApiError, validationError } from '../../errors/api-error.js';

export type Json = Record<string, unknown>;

export const BLANK = 'The field cannot be left blank';
export const DUPLICATE = 'An object with this field already exists';

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON body as an object, or Okta's "not well-formed" error. */
export function bodyObject(body: unknown): Json {
  if (!isObject(body)) throw ApiError.of('E0000003');
  return body;
}

export class Causes {
  readonly list: { field: string; message: string }[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw validationError(this.list);
  }
}

const absent = (v: unknown): boolean => v === undefined || v === null;

/** A required non-blank string (trimmed), at most `max` characters. */
export function requiredString(body: Json, field: string, causes: Causes, max = 1024, path = field): string {
  const v = body[field];
  if (absent(v) || (typeof v === 'string' && v.trim() === '')) {
    causes.add(path, BLANK);
    return '';
  }
  if (typeof v !== 'string') {
    causes.add(path, 'The field must be a string');
    return '';
  }
  if ([...v].length > max) causes.add(path, `The field cannot exceed ${max} characters`);
  return v.trim();
}

/** An optional string: `fallback` when left out, null when null or blank. */
export function optionalString(body: Json, field: string, causes: Causes, max = 1024, fallback: string | null = null, path = field): string | null {
  const v = body[field];
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v !== 'string') {
    causes.add(path, 'The field must be a string');
    return null;
  }
  if ([...v].length > max) causes.add(path, `The field cannot exceed ${max} characters`);
  return v.trim() === '' ? null : v;
}

/** One of `values`, or `fallback` when absent. */
export function enumValue<T extends string>(body: Json, field: string, values: readonly T[], fallback: T, causes: Causes, path = field): T {
  const v = body[field];
  if (absent(v)) return fallback;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    causes.add(path, `'${String(v)}' is not a valid value: must be one of ${values.join(', ')}`);
    return fallback;
  }
  return v as T;
}

export function booleanValue(body: Json, field: string, fallback: boolean, causes: Causes, path = field): boolean {
  const v = body[field];
  if (absent(v)) return fallback;
  if (typeof v !== 'boolean') {
    causes.add(path, 'The field must be true or false');
    return fallback;
  }
  return v;
}

/** An integer, or `fallback` when absent. */
export function integerValue(body: Json, field: string, fallback: number, causes: Causes, path = field): number {
  const v = body[field];
  if (absent(v)) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    causes.add(path, 'The field must be an integer');
    return fallback;
  }
  return v;
}

/** A positive integer priority, or undefined ("last") when absent. */
export function priorityValue(body: Json, causes: Causes): number | undefined {
  const v = body.priority;
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    causes.add('priority', 'The field must be a positive integer');
    return undefined;
  }
  return v;
}

/** An array of non-blank strings (duplicates removed), or `fallback` when absent. */
export function stringArray(body: Json, field: string, fallback: string[], causes: Causes, path = field): string[] {
  const v = body[field];
  if (absent(v)) return fallback;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.trim() !== '')) {
    causes.add(path, 'The field must be an array of non-blank strings');
    return fallback;
  }
  return [...new Set(v as string[])];
}

/** A non-empty array of non-blank strings; `fallback` (a replace's stored value) when left out. */
export function requiredStringArray(body: Json, field: string, fallback: string[] | undefined, causes: Causes, path = field): string[] {
  const v = body[field];
  if (absent(v) && fallback !== undefined) return fallback;
  if (absent(v) || (Array.isArray(v) && v.length === 0)) {
    causes.add(path, BLANK);
    return [];
  }
  return stringArray(body, field, [], causes, path);
}

/** A nested object (`{}` when absent), or a cause when it is something else. */
export function objectValue(body: Json, field: string, causes: Causes, path = field): Json {
  const v = body[field];
  if (absent(v)) return {};
  if (!isObject(v)) {
    causes.add(path, 'The field must be an object');
    return {};
  }
  return v;
}

export const STATUSES = ['ACTIVE', 'INACTIVE'] as const;
