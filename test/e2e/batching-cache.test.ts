import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { startRealService } from '../helpers/real-service.js';

// The batcher and cache on the real llama-server: whatever gets merged with what, each answer must be
// the vector llama-server gives for that input alone.
let service: Service;
beforeAll(async () => {
  service = await startRealService('tiny-bert', { batching: { maxWaitMs: 2 } });
});
afterAll(() => service?.stop());

const backend = () => service.models[0]!.supervisor.backend!;
const embedder = () => service.models[0]!.embedder;

async function direct(input: string | number[]): Promise<number[]> {
  const response = await backend().client.postJson('/v1/embeddings', { input: [input] });
  expect(response.status).toBe(200);
  return (response.body as { data: Array<{ embedding: number[] }> }).data[0]!.embedding;
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${service.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-5);

describe('batching on the real llama-server', () => {
  it('answers 200 concurrent mixed requests, each input with its own vector', async () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
    const text = (n: number) => `${words[n % 10]} ${words[(n * 7) % 10]} number ${n}`;
    const tokens = (await backend().client.postJson('/tokenize', { content: 'token array input', add_special: true })).body as { tokens: number[] };
    const tooLong = 'word '.repeat(2_000);
    const requests = Array.from({ length: 200 }, (_, n) => {
      switch (n % 5) {
        case 0:
          return { input: text(n), expect: 'ok' };
        case 1:
          return { input: [text(n), text(n + 1), text(n % 7)], expect: 'ok' }; // some repeat across requests
        case 2:
          return { input: tokens.tokens, expect: 'ok' };
        case 3:
          return { input: n % 15 === 3 ? [text(n), tooLong] : text(n % 4), expect: n % 15 === 3 ? 'too-long' : 'ok' };
        default:
          return { input: 'repeated input', expect: 'ok' };
      }
    });
    const answers = await Promise.all(requests.map((r) => post({ input: r.input, model: 'any' })));
    const inputsOf = (input: unknown): Array<string | number[]> =>
      typeof input === 'string' ? [input] : typeof (input as unknown[])[0] === 'number' ? [input as number[]] : (input as string[]);
    const distinct = new Map<string, number[]>();
    for (const r of requests) for (const input of inputsOf(r.input)) if (input !== tooLong) distinct.set(JSON.stringify(input), []);
    for (const key of distinct.keys()) distinct.set(key, await direct(JSON.parse(key)));
    answers.forEach((answer, n) => {
      const request = requests[n]!;
      if (request.expect === 'too-long') {
        expect(answer.status).toBe(400);
        expect(answer.body.error).toMatchObject({ code: 'EMBEDHOST_INPUT_TOO_LONG', param: 'input[1]' });
        return;
      }
      expect(answer.status, JSON.stringify(answer.body).slice(0, 200)).toBe(200);
      inputsOf(request.input).forEach((input, i) => {
        expect(close(answer.body.data[i].embedding, distinct.get(JSON.stringify(input))!), `request ${n} input ${i}`).toBe(true);
      });
    });
    // Merging happened: fewer upstream requests than client requests, and texts were tokenized together.
    expect(embedder().embedBatcher.stats.batches).toBeLessThan(200);
    expect((await embedder().modelFacts()).joined).toMatchObject({ separatorText: '[SEP]' });
  });

  it('serves a repeated input from the cache, at every width, with the same usage', async () => {
    const before = service.cache!.stats();
    const batchesBefore = embedder().embedBatcher.stats.batches;
    const first = await post({ input: 'cache me please', model: 'any' });
    const again = await post({ input: 'cache me please', model: 'any', dimensions: 8 });
    expect(embedder().embedBatcher.stats.batches).toBe(batchesBefore + 1);
    expect(service.cache!.stats().hits).toBe(before.hits + 1);
    expect(again.body.usage).toEqual(first.body.usage);
    const full: number[] = first.body.data[0].embedding;
    const norm = Math.hypot(...full.slice(0, 8));
    again.body.data[0].embedding.forEach((x: number, i: number) => expect(x).toBeCloseTo(full[i]! / norm, 6));
  });

  it('honours Cache-Control: no-cache reads through, no-store neither reads nor writes', async () => {
    const batches = () => embedder().embedBatcher.stats.batches;
    await post({ input: 'policy text' });
    const start = batches();
    await post({ input: 'policy text' }, { 'cache-control': 'no-cache' });
    expect(batches()).toBe(start + 1);
    await post({ input: 'never stored' }, { 'cache-control': 'no-store' });
    await post({ input: 'never stored' });
    expect(batches()).toBe(start + 3);
  });
});

describe('admission control', () => {
  let small: Service;
  beforeAll(async () => {
    small = await startRealService('tiny-bert', { batching: { maxQueuedInputs: 8, maxBatchInputs: 4, maxInFlight: 1 }, cache: { maxBytes: 0 } });
  });
  afterAll(() => small?.stop());

  it('answers 429 with Retry-After past the backlog, and no request fails otherwise', async () => {
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        fetch(`${small.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: [`backlog ${n} a`, `backlog ${n} b`] }) }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses).toContain(429);
    expect(statuses).toContain(200);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'EMBEDHOST_BACKLOG_FULL', type: 'rate_limit_error' });
  });
});
