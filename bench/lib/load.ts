/**
 * The load loop: N workers, each running one iteration after another (closed loop) against a
 * server for a fixed time. Every successful iteration's wall time is taken with
 * process.hrtime.bigint(). A worker that starts an iteration before the deadline finishes it and
 * that iteration counts.
 *
 * Throughput is successful iterations per second of *worker time*: each worker's span runs from
 * the start of its first iteration to the end of its last, and the spans are averaged over the
 * workers. Unlike dividing by the slice's wall time, this leaves out the drain at the end of a
 * slice (workers that are done waiting for the slowest one), which would otherwise lower the
 * figure by about half an iteration's latency per slice: the result is the steady-state rate with
 * all N workers busy (Little's law for a closed loop: N ÷ mean iteration time).
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
  /** Wall time of the slice, drain included. */
  elapsedMs: number;
  /** Sum over workers of each worker's span (first iteration start → last iteration end). */
  workerMs: number;
  concurrency: number;
  firstError?: string;
}

export interface LoadResult {
  ok: number;
  errors: number;
  /** Measured wall time, ms (drain included). */
  elapsedMs: number;
  /** Successful iterations per second of worker time (see above). */
  rps: number;
  /** Successful iterations per second of wall time, drain included (a lower bound). */
  wallRps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** The server process's CPU time per successful iteration, when it could be read. */
  cpuMsPerOk?: number;
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
  let workerNs = 0n;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  const worker = async (w: number) => {
    let first: bigint | undefined;
    let last: bigint | undefined;
    while (process.hrtime.bigint() < deadline) {
      if (ok === 0 && errors >= GIVE_UP_AFTER) break;
      const t0 = process.hrtime.bigint();
      first ??= t0;
      try {
        await opts.iteration(w);
        last = process.hrtime.bigint();
        latencies.push(Number(last - t0) / 1e6);
        ok++;
      } catch (err) {
        last = process.hrtime.bigint();
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
    if (first !== undefined && last !== undefined) workerNs += last - first;
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const sample: Sample = {
    latencies, ok, errors,
    elapsedMs: Number(process.hrtime.bigint() - start) / 1e6,
    workerMs: Number(workerNs) / 1e6,
    concurrency: opts.concurrency,
  };
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
  // Average worker span per slice, summed over slices: the time all workers were busy.
  const busyMs = samples.reduce((n, s) => n + s.workerMs / s.concurrency, 0);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const result: LoadResult = {
    ok,
    errors,
    elapsedMs,
    rps: busyMs > 0 ? ok / (busyMs / 1000) : 0,
    wallRps: elapsedMs > 0 ? ok / (elapsedMs / 1000) : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length ? sum / sorted.length : NaN,
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
  const firstError = samples.find((s) => s.firstError !== undefined)?.firstError;
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
