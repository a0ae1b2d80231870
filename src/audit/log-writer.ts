/**
 * Write-behind queue for System Log events, one per Store. recordEvent only pushes; a drain writes
 * pending events in batches of up to MAX_BATCH with one INSERT each, one batch at a time. The drain
 * waits DRAIN_DELAY_MS first (group commit): under load every commit costs a WAL append and an index
 * update per page touched, so forty events in one statement cost far less than forty statements.
 * A full batch is written at once. A failed batch is logged and dropped: auditing never fails or
 * slows the request that produced the event. If the database stays unreachable the queue keeps the
 * newest MAX_PENDING. flush() (tests, GET /api/v1/logs, shutdown) writes everything now.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { LogEvent } from './log-event.js';

const MAX_BATCH = 100;
const MAX_PENDING = 10_000;
const DRAIN_DELAY_MS = 20;

class LogWriter {
  /** Each event with its JSON, serialised when it was recorded. */
  #pending: { event: LogEvent; json: string }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #dropped = 0;

  constructor(private readonly store: Store, private readonly log: Logger, private readonly onIdle: () => void) {}

  push(event: LogEvent, json: string): void {
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending.shift();
      if (this.#dropped++ === 0) this.log.error({ max: MAX_PENDING }, 'system log queue full; dropping oldest events');
    }
    this.#pending.push({ event, json });
    if (!this.#draining) this.#schedule();
  }

  /** Resolves once every event pushed so far has been written (or dropped after a failure). */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#draining) await this.#drain();
  }

  /** Drains after the delay, or at once when a whole batch is waiting. */
  #schedule(): void {
    if (this.#pending.length >= MAX_BATCH) {
      void this.#drain();
    } else {
      this.#timer ??= setTimeout(() => void this.#drain(), DRAIN_DELAY_MS);
    }
  }

  #drain(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#draining ??= this.#writeAll().finally(() => {
      this.#draining = undefined;
      if (this.#pending.length > 0) this.#schedule();
      else this.onIdle();
    });
    return this.#draining;
  }

  async #writeAll(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      try {
        await this.store.systemLog.append(batch.map((b) => b.event), batch.map((b) => b.json));
        this.#dropped = 0;
      } catch (err) {
        this.log.error({ err, events: batch.length }, 'cannot write system log events; dropped');
      }
    }
  }
}

const writers = new Map<Store, LogWriter>();

/** Queues the event, with its JSON, for `store`. Never throws. */
export function enqueueEvent(store: Store, log: Logger, event: LogEvent, json: string): void {
  let writer = writers.get(store);
  if (!writer) {
    const created = new LogWriter(store, log, () => {
      if (writers.get(store) === created) writers.delete(store);
    });
    writers.set(store, created);
    writer = created;
  }
  writer.push(event, json);
}

/** Waits until the queued events of `store` (of every store when omitted) are written. */
export async function flushEvents(store?: Store): Promise<void> {
  const targets = store ? [writers.get(store)] : [...writers.values()];
  await Promise.all(targets.map((w) => w?.flush()));
}
