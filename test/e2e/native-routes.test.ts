import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { startRealService } from '../helpers/real-service.js';

let service: Service;
beforeAll(async () => {
  service = await startRealService('tiny-bert');
});
afterAll(() => service?.stop());

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function openaiVectors(input: string[]): Promise<number[][]> {
  return (await post('/v1/embeddings', { input })).body.data.map((d: { embedding: number[] }) => d.embedding);
}

describe('native routes on the real llama-server', () => {
  const texts = ['alpha', 'beta gamma', 'delta epsilon zeta'];

  it('/embed returns the same vectors as /v1/embeddings', async () => {
    const { status, body } = await post('/embed', { input: texts });
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: 'tiny-bert', dimensions: 32 });
    expect(body.embeddings).toHaveLength(3);
    const expected = await openaiVectors(texts);
    body.embeddings.forEach((v: number[], i: number) => v.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 6)));
  });

  it('/embed/batch gives the same results as /embed, past one upstream chunk', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `document number ${i}`);
    const batch = await post('/embed/batch', { input: many });
    expect(batch.status).toBe(200);
    expect(batch.body.embeddings).toHaveLength(300);
    const single = await post('/embed', { input: many.slice(290) });
    // llama-server packs different neighbours into each ubatch, which moves the last float bits; nothing more.
    batch.body.embeddings.slice(290).forEach((v: number[], i: number) => v.forEach((x, j) => expect(x).toBeCloseTo(single.body.embeddings[i][j], 5)));
  });

  it('/similarity ranks documents against a query and honours top_k', async () => {
    const { status, body } = await post('/similarity', { query: 'alpha', documents: ['beta', 'alpha', 'gamma'], top_k: 2 });
    expect(status).toBe(200);
    expect(body.results).toHaveLength(2);
    expect(body.results[0]).toMatchObject({ index: 1 });
    expect(body.results[0].score).toBeCloseTo(1, 5);
    expect(body.results[0].score).toBeGreaterThanOrEqual(body.results[1].score);
  });

  it('/similarity scores pairs in order', async () => {
    const { status, body } = await post('/similarity', { pairs: [['same', 'same'], ['one', 'two']] });
    expect(status).toBe(200);
    expect(body.results.map((r: { index: number }) => r.index)).toEqual([0, 1]);
    expect(body.results[0].score).toBeCloseTo(1, 5);
  });

  it.each([
    ['/embed', { input: [] }],
    ['/embed', { input: 'x', dimensions: 99 }],
    ['/similarity', { query: 'x' }],
    ['/similarity', { pairs: [['only one']] }],
    ['/embed/batch', { input: 'x', extra: 1 }],
  ])('%s rejects %j with a 400 envelope', async (path, body) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(response.body.error.type).toBe('invalid_request_error');
  });
});
