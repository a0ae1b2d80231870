/** Clock injected everywhere time matters, so tests can move it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const toSeconds = (ms: number): number => Math.floor(ms / 1000);

export const isoDate = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
