/**
 * The load loop: N workers, each running one iteration after another (closed loop) against a
 * server, for a warm-up period (discarded) and then a fixed measured period. Every successful
 * iteration's wall time is taken with process.hrtime.bigint(); throughput is successful iterations
 * per second of measured time. A worker that starts an iteration before the deadline finishes it,
 * and that iteration counts (the measured time is taken from the real end of the last one).
 */

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One unit of work for worker `w`; throws on any unexpected response. */
  iteration: (w: number) => Promise<void>;
}

export interface LoadResult {
  ok: number;
  errors: number;
  /** Measured wall time, ms. */
  elapsedMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  firstError?: string;
}

/** Stop early when nothing works: after this many attempts with no success at all. */
const GIVE_UP_AFTER = 200;

async function phase(opts: LoadOptions, ms: number, record: boolean) {
  const latencies: number[] = [];
  let errors = 0;
  let ok = 0;
  let firstError: string | undefined;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  const worker = async (w: number) => {
    while (process.hrtime.bigint() < deadline) {
      if (ok === 0 && errors >= GIVE_UP_AFTER) return;
      const t0 = process.hrtime.bigint();
      try {
        await opts.iteration(w);
        const dt = Number(process.hrtime.bigint() - t0) / 1e6;
        ok++;
        if (record) latencies.push(dt);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { latencies, errors, ok, firstError, elapsedMs };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest-rank.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  if (opts.warmupMs > 0) await phase(opts, opts.warmupMs, false);
  const m = await phase(opts, opts.durationMs, true);
  const sorted = m.latencies.sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const result: LoadResult = {
    ok: m.ok,
    errors: m.errors,
    elapsedMs: m.elapsedMs,
    rps: m.ok / (m.elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length ? sum / sorted.length : NaN,
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
  if (m.firstError !== undefined) result.firstError = m.firstError;
  return result;
}
