/**
 * What a file entry would change in the org object it names. Only the fields the file gives are
 * compared (a field left out keeps the org's value); objects are compared field by field, lists as a
 * whole and in order (a list of objects element by element, each by the fields it gives). null and
 * an absent value are the same.
 */

export interface FieldDiff {
  path: string;
  from: unknown;
  to: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `current` has every value `desired` gives. */
function covers(desired: unknown, current: unknown): boolean {
  return subsetDiff(desired, current).length === 0;
}

export function subsetDiff(desired: unknown, current: unknown, path = ''): FieldDiff[] {
  if (desired === undefined) return [];
  if (desired === null) return current === null || current === undefined ? [] : [{ path, from: current, to: null }];
  if (Array.isArray(desired)) {
    const same = Array.isArray(current) && current.length === desired.length && desired.every((d, i) => covers(d, current[i]));
    return same ? [] : [{ path, from: current, to: desired }];
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(current)) return [{ path, from: current, to: desired }];
    return Object.entries(desired).flatMap(([k, v]) => subsetDiff(v, current[k], path === '' ? k : `${path}.${k}`));
  }
  return desired === current ? [] : [{ path, from: current, to: desired }];
}

function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '(unset)';
  if (typeof v === 'string') return v === '' || /[\s,[\]{}"]/.test(v) ? JSON.stringify(v) : v;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')}}`;
  return String(v);
}

/** `issuerMode DYNAMIC → ORG_URL`; secrets are never printed. */
export function formatDiff(d: FieldDiff): string {
  if (/client_secret|password/.test(d.path)) return `${d.path} (secret changed)`;
  return `${d.path} ${formatValue(d.from)} → ${formatValue(d.to)}`;
}
