import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { killStartedClis, startCli, type RunningCli } from '../helpers/cli.js';
import { hasRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startRealService, testModel } from '../helpers/real-service.js';
import { tempDir } from '../helpers/supervised.js';

// CI installs Debian's redis-server (.ci/run); a machine without it skips these, and says so.
const available = hasRedisServer();
if (!available) console.warn('[redis-cache] redis-server is not installed: skipping the shared-cache tests (apt-get install redis-server)');

// A: a service in this process; B: `embedhost start` in a process of its own. Both point at one Redis.
describe.runIf(available)('the Redis cache shared by two embedhost processes', () => {
  let redis: RedisServer;
  let a: Service;
  let b: RunningCli;
  beforeAll(async () => {
    redis = await startRedisServer();
    [a, b] = await Promise.all([
      startRealService('tiny-bert', { cache: { url: redis.url, maxBytes: 2 ** 20 } }),
      startCli(['--model', testModel('tiny-bert')], { XDG_CACHE_HOME: tempDir(), EMBEDHOST_CACHE_URL: redis.url }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([killStartedClis(), a?.stop()]);
    await redis?.stop();
  });

  const post = async (service: { url: string }, input: string) => {
    const response = await fetch(`${service.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const info = async (service: { url: string }) => (await (await fetch(`${service.url}/info`)).json()) as any;
  const batchesOfB = async () => (await info(b)).models[0].batching.upstreamRequests as number;

  it('lets one process answer from what the other computed', async () => {
    const fromA = await post(a, 'shared between instances');
    const before = await batchesOfB();
    // The write to Redis is not awaited by the request; poll until B sees it.
    await expect.poll(async () => (await post(b, 'shared between instances')).body.data[0].embedding, { timeout: 5_000 }).toEqual(fromA.body.data[0].embedding);
    expect(await batchesOfB()).toBe(before);
    expect((await info(b)).cache.hits).toBeGreaterThan(0);
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
          const before = await batchesOfB();
          await post(b, text);
          return (await batchesOfB()) === before;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
  });
});
