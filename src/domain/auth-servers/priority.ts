/**
 * Priorities of policies (per server) and rules (per policy), kept as Okta keeps them: 1..n without
 * gaps. Placing an item at priority p moves the ones from p on down by one; a priority left out or
 * past the end puts the item last.
 */
export interface Prioritised {
  id: string;
  priority: number;
}

/** The whole list renumbered with `item` at `priority`; `current` is in priority order and may hold `item`. */
export function placeAt<T extends Prioritised>(current: readonly T[], item: T, priority: number | undefined): T[] {
  const others = current.filter((o) => o.id !== item.id);
  const index = priority === undefined ? others.length : Math.min(priority - 1, others.length);
  const ordered = [...others.slice(0, index), item, ...others.slice(index)];
  return ordered.map((o, i) => (o.priority === i + 1 ? o : { ...o, priority: i + 1 }));
}

/** The list renumbered without `id`. */
export function without<T extends Prioritised>(current: readonly T[], id: string): T[] {
  return current.filter((o) => o.id !== id).map((o, i) => (o.priority === i + 1 ? o : { ...o, priority: i + 1 }));
}

/** The items whose priority differs from `before` (by id): what has to be written. */
export function changed<T extends Prioritised>(before: readonly T[], after: readonly T[]): T[] {
  const old = new Map(before.map((o) => [o.id, o.priority]));
  return after.filter((o) => old.get(o.id) !== o.priority);
}
