/**
 * The load loop: N workers, each running one iteration after another (closed loop) against a
 * server for a fixed time. Every successful iteration's wall time is taken with
 * process.hrtime.bigint(). A worker that starts an iteration before the deadline finishes it and
 * that iteration counts; the elapsed time runs to the real end of the last one. Throughput is
 * successful iterations per second of elapsed time.
 *
 * A measurement may be split into several slices (interleaved with another server's slices by the
 * caller); `summarize` pools them as one measurement.
 */

export interface LoadOptions {
  concurrency: number;
  /** One unit of work for worker `w`; throws on any unexpected response. */
  iteration: (w: number) => Promise<void>;
}

export interface Sample {
  /** Milliseconds, one per successful iteration. */
  latencies: number[];
  ok: number;
  errors: number;
  elapsedMs: number;
  firstError?: string;
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

/** Runs the workers for `ms` milliseconds. */
export async function measure(opts: LoadOptions, ms: number): Promise<Sample> {
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
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        ok++;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const sample: Sample = { latencies, ok, errors, elapsedMs: Number(process.hrtime.bigint() - start) / 1e6 };
  if (firstError !== undefined) sample.firstError = firstError;
  return sample;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest-rank.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: Sample[]): LoadResult {
  const sorted = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const ok = samples.reduce((n, s) => n + s.ok, 0);
  const errors = samples.reduce((n, s) => n + s.errors, 0);
  const elapsedMs = samples.reduce((n, s) => n + s.elapsedMs, 0);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const result: LoadResult = {
    ok,
    errors,
    elapsedMs,
    rps: elapsedMs > 0 ? ok / (elapsedMs / 1000) : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length ? sum / sorted.length : NaN,
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
  const firstError = samples.find((s) => s.firstError !== undefined)?.firstError;
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
