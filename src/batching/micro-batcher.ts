import { EmbedhostError } from '../errors.js';

// Merges items submitted concurrently (by any number of requests) into batches for one backend,
// in the manner of text-embeddings-inference's queue: no waiting when idle, a bounded window when busy,
// a fixed number of batches in flight, identical items computed once, abandoned items never sent.

export interface Clock {
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MicroBatcherOptions<I, R> {
  /** Runs one batch: one result per item, in order; throws to fail the whole batch. */
  run: (items: I[]) => Promise<R[]>;
  /** An item's share of `maxBatchCost` and of the backlog (tokens, for embeddings). */
  cost: (item: I) => number;
  maxBatchItems: number;
  /** A single item costing more still goes, alone. */
  maxBatchCost: number;
  /** Batches running at once: enough to keep the backend busy across round trips, no more. */
  maxInFlight: number;
  /** While a batch runs, how long a partial batch may wait to fill, in ms. */
  maxWaitMs: number;
  /** Backlog bounds; past them `admit` refuses with a 429. */
  maxQueuedItems: number;
  maxQueuedCost: number;
  /** When a batch fails with one of these errors, its items are retried one by one, so one bad item fails only its own waiters. */
  isolate?: (error: unknown) => boolean;
  /** Told of every batch run, for metrics. */
  onBatch?: (batch: BatchReport) => void;
  clock?: Clock;
}

export interface BatchReport {
  items: number;
  cost: number;
  /** How long each item waited in the queue, in ms. */
  queueMs: number[];
  runMs: number;
  ok: boolean;
}

export interface ItemTiming {
  queueMs: number;
  runMs: number;
}

interface Waiter<R> {
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

interface Entry<I, R> {
  item: I;
  key: string | undefined;
  cost: number;
  enqueuedAt: number;
  waiters: Set<Waiter<R>>;
  dispatched: boolean;
}

export interface BatcherStats {
  queuedItems: number;
  queuedCost: number;
  inFlight: number;
  batches: number;
  dedupedItems: number;
  droppedItems: number;
  /** Items per dispatched batch, most recent last (bounded). */
  recentBatchSizes: number[];
}

const abortError = (signal: AbortSignal) => signal.reason ?? new DOMException('The request was aborted', 'AbortError');

export class MicroBatcher<I, R> {
  private readonly queue: Array<Entry<I, R>> = [];
  private readonly pending = new Map<string, Entry<I, R>>();
  private readonly clock: Clock;
  private queuedCost = 0;
  private inFlight = 0;
  private timer: unknown;
  private readonly counters = { batches: 0, dedupedItems: 0, droppedItems: 0 };
  private readonly recent: number[] = [];
  private readonly timings = new WeakMap<object, ItemTiming>();

  constructor(private readonly options: MicroBatcherOptions<I, R>) {
    for (const name of ['maxBatchItems', 'maxBatchCost', 'maxInFlight', 'maxQueuedItems', 'maxQueuedCost'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value <= 0) throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\` (${typeof value})`);
    }
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  get stats(): BatcherStats {
    return { queuedItems: this.queue.length, queuedCost: this.queuedCost, inFlight: this.inFlight, ...this.counters, recentBatchSizes: [...this.recent] };
  }

  /**
   * Admission control for a request of `items` costing `cost`: refuses with 429 and Retry-After when the
   * backlog would pass its bounds. An empty backlog admits anything, so a big request is never refused on an idle server.
   */
  admit(items: number, cost: number): void {
    if (this.queue.length === 0) return;
    if (this.queue.length + items <= this.options.maxQueuedItems && this.queuedCost + cost <= this.options.maxQueuedCost) return;
    throw new EmbedhostError(
      'EMBEDHOST_BACKLOG_FULL',
      `The server is at capacity (${this.queue.length} inputs, ${this.queuedCost} tokens waiting); retry shortly`,
      { retryAfterSeconds: 1 },
    );
  }

  /** One item; identical keys already waiting or running share one computation. */
  submit(item: I, key?: string, signal?: AbortSignal): Promise<R> {
    return this.submitAll([{ item, key }], signal)[0]!;
  }

  /**
   * A request's items, queued together before anything is dispatched, so they travel in one batch when
   * they fit: the same composition as sending them directly, and so bit-identical vectors.
   */
  submitAll(items: ReadonlyArray<{ item: I; key?: string | undefined }>, signal?: AbortSignal): Array<Promise<R>> {
    if (signal?.aborted) return items.map(() => Promise.reject(abortError(signal)));
    const joined: Array<[Entry<I, R>, Waiter<R>]> = [];
    const promises = items.map(({ item, key }) => this.enqueue(item, key, signal, joined));
    if (signal) {
      // One listener per request, however many inputs it has.
      const onAbort = () => {
        for (const [entry, waiter] of joined) this.abandon(entry, waiter);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void Promise.allSettled(promises).then(() => signal.removeEventListener('abort', onAbort));
    }
    this.schedule();
    return promises;
  }

  private enqueue(item: I, key: string | undefined, signal: AbortSignal | undefined, joined: Array<[Entry<I, R>, Waiter<R>]>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter<R> = { resolve, reject, signal };
      const existing = key === undefined ? undefined : this.pending.get(key);
      const entry: Entry<I, R> = existing ?? { item, key, cost: this.options.cost(item), enqueuedAt: this.clock.now(), waiters: new Set(), dispatched: false };
      entry.waiters.add(waiter);
      joined.push([entry, waiter]);
      if (existing) {
        this.counters.dedupedItems++;
        return;
      }
      if (key !== undefined) this.pending.set(key, entry);
      this.queue.push(entry);
      this.queuedCost += entry.cost;
    });
  }

  // A waiter whose client went away is answered at once; its item leaves the queue if no one else waits for it.
  private abandon(entry: Entry<I, R>, waiter: Waiter<R>): void {
    if (!entry.waiters.delete(waiter)) return;
    waiter.reject(abortError(waiter.signal!));
    if (entry.waiters.size > 0 || entry.dispatched) return;
    const index = this.queue.indexOf(entry);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.queuedCost -= entry.cost;
      this.counters.droppedItems++;
    }
    if (entry.key !== undefined) this.pending.delete(entry.key);
  }

  private settle(entry: Entry<I, R>, outcome: { value: R } | { error: unknown }): void {
    if (entry.key !== undefined && this.pending.get(entry.key) === entry) this.pending.delete(entry.key);
    for (const waiter of entry.waiters) {
      if ('value' in outcome) waiter.resolve(outcome.value);
      else waiter.reject(outcome.error);
    }
    entry.waiters.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const full = this.queue.length >= this.options.maxBatchItems || this.queuedCost >= this.options.maxBatchCost;
      if (this.inFlight > 0 && !full) {
        const waited = this.clock.now() - this.queue[0]!.enqueuedAt;
        if (waited < this.options.maxWaitMs) {
          this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            this.schedule();
          }, this.options.maxWaitMs - waited);
          return;
        }
      }
      this.dispatch(this.take());
    }
  }

  private take(): Array<Entry<I, R>> {
    const batch: Array<Entry<I, R>> = [];
    let cost = 0;
    while (this.queue.length > 0 && batch.length < this.options.maxBatchItems) {
      const next = this.queue[0]!;
      if (batch.length > 0 && cost + next.cost > this.options.maxBatchCost) break;
      this.queue.shift();
      this.queuedCost -= next.cost;
      next.dispatched = true;
      cost += next.cost;
      batch.push(next);
    }
    return batch;
  }

  private dispatch(batch: Array<Entry<I, R>>): void {
    this.inFlight++;
    this.counters.batches++;
    this.recent.push(batch.length);
    if (this.recent.length > 256) this.recent.shift();
    void this.runIsolated(batch).finally(() => {
      this.inFlight--;
      this.schedule();
    });
  }

  /** How long an item (an object submitted earlier) waited and ran; for request logs. */
  timingOf(item: I): ItemTiming | undefined {
    return typeof item === 'object' && item !== null ? this.timings.get(item) : undefined;
  }

  private async runIsolated(batch: Array<Entry<I, R>>): Promise<void> {
    const startedAt = this.clock.now();
    const report = (ok: boolean) => {
      const runMs = this.clock.now() - startedAt;
      const queueMs = batch.map((entry) => startedAt - entry.enqueuedAt);
      batch.forEach((entry, i) => {
        if (typeof entry.item === 'object' && entry.item !== null) this.timings.set(entry.item, { queueMs: queueMs[i]!, runMs });
      });
      this.options.onBatch?.({ items: batch.length, cost: batch.reduce((sum, e) => sum + e.cost, 0), queueMs, runMs, ok });
    };
    try {
      const results = await this.options.run(batch.map((entry) => entry.item));
      report(true);
      if (results.length !== batch.length) throw new EmbedhostError('EMBEDHOST_BACKEND_ERROR', `A batch of ${batch.length} inputs gave ${results.length} results`);
      batch.forEach((entry, i) => this.settle(entry, { value: results[i]! }));
    } catch (error) {
      report(false);
      if (batch.length > 1 && this.options.isolate?.(error)) {
        // Each item alone: its own result or its own error, never a neighbour's.
        await Promise.all(batch.map((entry) => this.runIsolated([entry])));
        return;
      }
      for (const entry of batch) this.settle(entry, { error });
    }
  }
}
