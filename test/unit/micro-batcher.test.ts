import { describe, expect, it } from 'vitest';
import { MicroBatcher, type Clock, type MicroBatcherOptions } from '../../src/batching/micro-batcher.js';
import { EmbedhostError } from '../../src/errors.js';

// A clock the test advances by hand, so the wait window is tested without sleeping.
function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...timers]) {
      if (timer.at <= now) {
        timers.delete(id);
        timer.fn();
      }
    }
  };
  return { clock, advance, pendingTimers: () => timers.size };
}

interface Deferred {
  items: string[];
  resolve: (results: string[]) => void;
  reject: (error: unknown) => void;
}

// `run` hands each batch to the test, which answers it when it chooses.
function setup(overrides: Partial<MicroBatcherOptions<string, string>> = {}) {
  const batches: Deferred[] = [];
  const { clock, advance, pendingTimers } = manualClock();
  const batcher = new MicroBatcher<string, string>({
    run: (items) => new Promise((resolve, reject) => batches.push({ items, resolve, reject })),
    cost: (item) => item.length,
    maxBatchItems: 4,
    maxBatchCost: 100,
    maxInFlight: 1,
    maxWaitMs: 5,
    maxQueuedItems: 10,
    maxQueuedCost: 1000,
    clock,
    ...overrides,
  });
  const answer = async (batch: Deferred) => {
    batch.resolve(batch.items.map((item) => item.toUpperCase()));
    await flush();
  };
  return { batcher, batches, advance, pendingTimers, answer };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('dispatches at once when idle, and merges what arrives while busy', async () => {
    const { batcher, batches, answer } = setup();
    const first = batcher.submit('a');
    expect(batches.map((b) => b.items)).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((item) => batcher.submit(item));
    expect(batches).toHaveLength(1);
    await answer(batches[0]!);
    expect(await first).toBe('A');
    expect(batches[1]!.items).toEqual(['b', 'c', 'd']);
    await answer(batches[1]!);
    expect(await Promise.all(later)).toEqual(['B', 'C', 'D']);
  });

  it('keeps one request’s items together in one batch', async () => {
    const { batcher, batches, answer } = setup();
    const results = batcher.submitAll([{ item: 'x' }, { item: 'y' }, { item: 'z' }]);
    expect(batches.map((b) => b.items)).toEqual([['x', 'y', 'z']]);
    await answer(batches[0]!);
    expect(await Promise.all(results)).toEqual(['X', 'Y', 'Z']);
  });

  it('respects the item and cost budgets, sending an oversized item alone', async () => {
    const { batcher, batches, answer } = setup({ maxInFlight: 1 });
    void batcher.submit('first');
    const rest = batcher.submitAll(['1', '2', '3', '4', '5', 'x'.repeat(150), '6'].map((item) => ({ item })));
    await answer(batches[0]!);
    expect(batches[1]!.items).toEqual(['1', '2', '3', '4']);
    await answer(batches[1]!);
    expect(batches[2]!.items).toEqual(['5']);
    await answer(batches[2]!);
    expect(batches[3]!.items).toEqual(['x'.repeat(150)]);
    await answer(batches[3]!);
    expect(batches[4]!.items).toEqual(['6']);
    await answer(batches[4]!);
    expect((await Promise.all(rest)).at(-1)).toBe('6');
  });

  it('with a free slot while busy, waits at most maxWaitMs for a batch to fill', async () => {
    const { batcher, batches, advance, pendingTimers } = setup({ maxInFlight: 2 });
    void batcher.submit('a');
    void batcher.submit('b');
    expect(batches).toHaveLength(1);
    expect(pendingTimers()).toBe(1);
    advance(4);
    expect(batches).toHaveLength(1);
    advance(1);
    expect(batches.map((b) => b.items)).toEqual([['a'], ['b']]);
  });

  it('sends a full batch without waiting for the window', () => {
    const { batcher, batches } = setup({ maxInFlight: 2 });
    void batcher.submit('a');
    batcher.submitAll(['b', 'c', 'd', 'e'].map((item) => ({ item })));
    expect(batches.map((b) => b.items)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
  });

  it('computes identical keys once, answering every waiter', async () => {
    const { batcher, batches, answer } = setup();
    void batcher.submit('busy');
    const same = [batcher.submit('q', 'key-q'), batcher.submit('q', 'key-q'), batcher.submit('r', 'key-r')];
    await answer(batches[0]!);
    expect(batches[1]!.items).toEqual(['q', 'r']);
    await answer(batches[1]!);
    expect(await Promise.all(same)).toEqual(['Q', 'Q', 'R']);
    expect(batcher.stats.dedupedItems).toBe(1);
    // Once answered, the key is free again.
    void batcher.submit('q', 'key-q');
    expect(batches[2]!.items).toEqual(['q']);
  });

  it('drops the items of a client that went away before dispatch, and answers it at once', async () => {
    const { batcher, batches, answer } = setup();
    void batcher.submit('busy');
    const controller = new AbortController();
    const gone = batcher.submitAll([{ item: 'g1' }, { item: 'g2' }], controller.signal);
    void Promise.allSettled(gone);
    const stays = batcher.submit('s');
    const shared = batcher.submit('k', 'shared', controller.signal);
    const sharedToo = batcher.submit('k', 'shared');
    controller.abort();
    await expect(gone[0]).rejects.toThrow(/abort/i);
    await expect(shared).rejects.toThrow(/abort/i);
    await answer(batches[0]!);
    // g1 and g2 were dropped; k stays, since another waiter still wants it.
    expect(batches[1]!.items).toEqual(['s', 'k']);
    await answer(batches[1]!);
    expect([await stays, await sharedToo]).toEqual(['S', 'K']);
    expect(batcher.stats.droppedItems).toBe(2);
  });

  it('gives each item its own outcome when a merged batch fails with an isolatable error', async () => {
    const { batcher, batches } = setup({ isolate: (error) => error instanceof EmbedhostError });
    void batcher.submit('busy');
    const results = batcher.submitAll([{ item: 'ok1' }, { item: 'bad' }, { item: 'ok2' }]);
    batches[0]!.resolve(['BUSY']);
    await flush();
    batches[1]!.reject(new EmbedhostError('EMBEDHOST_BACKEND_ERROR', 'one input was refused'));
    await flush();
    expect(batches.slice(2).map((b) => b.items)).toEqual([['ok1'], ['bad'], ['ok2']]);
    batches[2]!.resolve(['OK1']);
    batches[3]!.reject(new EmbedhostError('EMBEDHOST_BACKEND_ERROR', 'bad input'));
    batches[4]!.resolve(['OK2']);
    const settled = await Promise.allSettled(results);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails every waiter of a batch with the reason when the error is not isolatable', async () => {
    const { batcher, batches } = setup({ isolate: () => false });
    const results = batcher.submitAll([{ item: 'a' }, { item: 'b' }]);
    batches[0]!.reject(new EmbedhostError('EMBEDHOST_BACKEND_UNAVAILABLE', 'down'));
    const settled = await Promise.allSettled(results);
    expect(settled.map((s) => (s as PromiseRejectedResult).reason.message)).toEqual(['down', 'down']);
  });

  it('refuses past the backlog bounds with a 429, but admits anything into an empty queue', () => {
    const { batcher } = setup({ maxQueuedItems: 3, maxQueuedCost: 10 });
    expect(() => batcher.admit(1_000, 1_000_000)).not.toThrow();
    void batcher.submit('running');
    batcher.submitAll([{ item: 'a' }, { item: 'b' }]);
    expect(() => batcher.admit(1, 1)).not.toThrow();
    expect(() => batcher.admit(2, 1)).toThrow(expect.objectContaining({ code: 'EMBEDHOST_BACKLOG_FULL', status: 429, retryAfterSeconds: 1 }));
    expect(() => batcher.admit(1, 9)).toThrow(/at capacity/);
  });

  it('checks a bad result count and bad options', async () => {
    const batcher = new MicroBatcher<string, string>({ run: async () => [], cost: () => 1, maxBatchItems: 2, maxBatchCost: 2, maxInFlight: 1, maxWaitMs: 0, maxQueuedItems: 2, maxQueuedCost: 2 });
    await expect(batcher.submit('a')).rejects.toThrow(/gave 0 results/);
    expect(() => new MicroBatcher({ run: async () => [], cost: () => 1, maxBatchItems: 0, maxBatchCost: 2, maxInFlight: 1, maxWaitMs: 0, maxQueuedItems: 2, maxQueuedCost: 2 })).toThrow(
      'Expected `maxBatchItems` to be a positive integer, got `0` (number)',
    );
  });
});
