import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { startRealService } from '../helpers/real-service.js';

let service: Service;
let client: OpenAI;
beforeAll(async () => {
  service = await startRealService('tiny-bert');
  client = new OpenAI({ baseURL: `${service.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => service?.stop());

async function direct(input: unknown): Promise<number[][]> {
  const response = await service.models[0]!.supervisor.backend!.client.postJson('/v1/embeddings', { input });
  return (response.body as { data: Array<{ embedding: number[] }> }).data.map((d) => d.embedding);
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('the openai SDK against embedhost', () => {
  const inputs = ['semantic search on a laptop', 'private embeddings', 'Hello, world!'];

  it('decodes the default base64 answer to the full width, equal to llama-server', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: inputs });
    expect(result.model).toBe('tiny-bert');
    expect(result.data.map((d) => d.embedding)).toEqual(await direct(inputs));
    expect(result.usage.prompt_tokens).toBeGreaterThan(inputs.length);
  });

  it('returns the same vectors as floats', async () => {
    const result = await client.embeddings.create({ model: 'x', input: inputs, encoding_format: 'float' });
    expect(result.data.map((d) => d.embedding)).toEqual(await direct(inputs));
  });

  it('gives unit vectors of the asked width for `dimensions`', async () => {
    const result = await client.embeddings.create({ model: 'x', input: 'matryoshka', dimensions: 8 });
    expect(result.data[0]!.embedding).toHaveLength(8);
    expect(norm(result.data[0]!.embedding)).toBeCloseTo(1, 5);
  });

  it('accepts token arrays and counts their tokens', async () => {
    const tokens = [101, 7592, 1010, 2088, 999, 102];
    const result = await client.embeddings.create({ model: 'x', input: [tokens, tokens.slice(0, 3)] });
    expect(result.data.map((d) => d.embedding)).toEqual(await direct([tokens, tokens.slice(0, 3)]));
    expect(result.usage.prompt_tokens).toBe(9);
  });

  it('lists the served model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny-bert']);
  });

  it('rejects an over-long input naming it, and truncates when asked', async () => {
    const long = 'word '.repeat(700);
    const refused = await fetch(`${service.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: ['short', long] }),
    });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { message: string; param: string; code: string } }).error;
    expect(error).toMatchObject({ param: 'input[1]', code: 'EMBEDHOST_INPUT_TOO_LONG' });
    expect(error.message).toMatch(/Input 1 has 702 tokens, over this model's limit of 512/);
    const truncated = await fetch(`${service.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: ['short', long], truncate: true }),
    });
    expect(truncated.status).toBe(200);
    expect(((await truncated.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(3 + 512);
  });
});
