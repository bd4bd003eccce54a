import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { hasRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startRealService } from '../helpers/real-service.js';

// CI installs Debian's redis-server (.ci/run); a machine without it skips these, and says so.
const available = hasRedisServer();
if (!available) console.warn('[redis-cache] redis-server is not installed: skipping the shared-cache tests (apt-get install redis-server)');

describe.runIf(available)('the Redis cache shared by two embedhost instances', () => {
  let redis: RedisServer;
  let a: Service;
  let b: Service;
  beforeAll(async () => {
    redis = await startRedisServer();
    [a, b] = await Promise.all([
      startRealService('tiny-bert', { cache: { url: redis.url, maxBytes: 2 ** 20 } }),
      startRealService('tiny-bert', { cache: { url: redis.url, maxBytes: 2 ** 20 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  const post = async (service: Service, input: string) => {
    const response = await fetch(`${service.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const batches = (service: Service) => service.models[0]!.embedder.embedBatcher.stats.batches;

  it('lets one instance answer from what the other computed', async () => {
    await expect.poll(() => (a.cache!.stats().errors === 0 && b.cache!.stats().errors === 0 ? 'ok' : 'waiting')).toBe('ok');
    const fromA = await post(a, 'shared between instances');
    const before = batches(b);
    // The write to Redis is not awaited by the request; poll until B sees it.
    await expect.poll(async () => (await post(b, 'shared between instances')).body.data[0].embedding, { timeout: 5_000 }).toEqual(fromA.body.data[0].embedding);
    expect(batches(b)).toBe(before);
    expect(b.cache!.stats().hits).toBeGreaterThan(0);
  });

  it('keeps serving, without the shared cache, when Redis goes away', async () => {
    await redis.stop();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => post(a, `during the outage ${n}`)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(a.cache!.stats().errors).toBeGreaterThan(0);
    // And shares again once it is back (the clients reconnect on their own).
    redis = await startRedisServer(redis.port);
    let attempt = 0;
    await expect
      .poll(
        async () => {
          // A fresh text each time: B can only skip the backend for it through Redis.
          const text = `after the outage ${attempt++}`;
          await post(a, text);
          const before = batches(b);
          await post(b, text);
          return batches(b) === before;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
  });
});
