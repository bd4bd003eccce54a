import path from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyRecord } from '../../src/auth/api-keys.js';
import type { Service } from '../../src/server.js';
import { BIN } from '../helpers/cli.js';
import { startRealService, testModel } from '../helpers/real-service.js';
import { tempDir } from '../helpers/supervised.js';

const USER_KEY = 'sk-user-key-0001';
const ADMIN_KEY = 'sk-admin-key-0002';
const LIMITED_KEY = 'sk-limited-key-0003';

let service: Service;
const logLines: Array<Record<string, unknown>> = [];
const usageFile = path.join(tempDir(), 'usage.jsonl');

function capturingLogger() {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return pino({ level: 'info' }, stream);
}

const keys = () => [
  keyRecord({ id: 'user', key: USER_KEY }, 'test'),
  keyRecord({ id: 'admin', key: ADMIN_KEY, admin: true }, 'test'),
  keyRecord({ id: 'limited', key: LIMITED_KEY, requestsPerMinute: 60 }, 'test'),
];

beforeAll(async () => {
  service = await startRealService('tiny-bert', { logger: capturingLogger(), auth: { keys: keys(), usageFile } });
});
afterAll(() => service?.stop());

const call = (route: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
  fetch(`${service.url}${route}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

describe('API keys', () => {
  const routes: Array<[string, unknown]> = [
    ['/v1/embeddings', { input: 'hi' }],
    ['/embed', { input: 'hi' }],
    ['/embed/batch', { input: ['hi'] }],
    ['/similarity', { pairs: [['a', 'b']] }],
    ['/v1/models', undefined],
    ['/info', undefined],
    ['/metrics', undefined],
  ];

  it.each(routes)('%s: 401 without a key or with a wrong one; 200 with Bearer or x-api-key', async (route, body) => {
    const missing = await call(route, { body });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).error).toMatchObject({ code: 'EMBEDHOST_UNAUTHORIZED', type: 'authentication_error', message: expect.stringMatching(/Missing API key/) });
    const wrong = await call(route, { body, headers: { authorization: 'Bearer sk-not-a-real-key' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.message).toBe('Invalid API key');
    expect((await call(route, { body, headers: { authorization: `Bearer ${USER_KEY}` } })).status).toBe(200);
    expect((await call(route, { body, headers: { 'x-api-key': USER_KEY } })).status).toBe(200);
  });

  it('keeps /health and the docs public', async () => {
    for (const route of ['/health', '/docs', '/openapi.json']) expect((await call(route)).status, route).toBe(200);
  });

  it('shows usage per key to admin keys only, and keeps it in the usage file', async () => {
    expect((await call('/v1/usage', { headers: { authorization: `Bearer ${USER_KEY}` } })).status).toBe(403);
    const usage = (await (await call('/v1/usage', { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as any;
    expect(usage.keys.user.requests).toBeGreaterThanOrEqual(8);
    expect(usage.keys.user.tokens).toBeGreaterThan(0);
    expect(usage.keys.user.inputs).toBeGreaterThanOrEqual(8);
    const restarted = await startRealService('tiny-bert', { auth: { keys: keys(), usageFile } });
    try {
      // The file is appended as requests finish; a new process reads the same totals back.
      const again = (await (await fetch(`${restarted.url}/v1/usage`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as any;
      expect(again.keys.user.requests).toBeGreaterThanOrEqual(usage.keys.user.requests);
    } finally {
      await restarted.stop();
    }
  });
});

describe('rate limits', () => {
  it('sends OpenAI-style limit headers, then 429 with Retry-After once a key is out of requests', async () => {
    const { status, headers } = await call('/v1/embeddings', { body: { input: 'one' }, headers: { authorization: `Bearer ${LIMITED_KEY}` } });
    expect(status).toBe(200);
    expect(headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(Number(headers.get('x-ratelimit-remaining-requests'))).toBeLessThanOrEqual(59);
    expect(headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|s)$/);
    const burst = await Promise.all(Array.from({ length: 70 }, () => call('/v1/embeddings', { body: { input: 'burst' }, headers: { authorization: `Bearer ${LIMITED_KEY}` } })));
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused).toBeDefined();
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'EMBEDHOST_RATE_LIMITED', type: 'rate_limit_error' });
    expect(burst.filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
  });

  it('the openai SDK waits out a 429 and succeeds', async () => {
    const client = new OpenAI({ baseURL: `${service.url}/v1`, apiKey: LIMITED_KEY, maxRetries: 3 });
    // The bucket is empty after the burst above: the first call is refused, retried after Retry-After, and served.
    const started = Date.now();
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'patience' });
    expect(result.data[0]!.embedding.length).toBe(32);
    expect(Date.now() - started).toBeGreaterThan(500);
  });
});

describe('observability', () => {
  it('exports Prometheus metrics: requests, latency, batches, cache, backend state and llama-server’s own', async () => {
    const text = await (await call('/metrics', { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      samples.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    const find = (pattern: RegExp) => [...samples.entries()].filter(([name]) => pattern.test(name));
    expect(find(/^embedhost_http_requests_total\{route="\/v1\/embeddings",method="POST",status="200"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_http_requests_total\{route="\/v1\/embeddings",method="POST",status="401"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_http_request_duration_seconds_bucket\{le="\+Inf",route="\/embed"\}$/)).toHaveLength(1);
    expect(find(/^embedhost_batch_inputs_count\{model="tiny-bert"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_queue_wait_seconds_count\{model="tiny-bert"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_cache_hits_total$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_backend_state\{model="tiny-bert",state="ready"\}$/)[0]![1]).toBe(1);
    expect(find(/^embedhost_key_requests_total\{key="user"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_tokens_total\{model="tiny-bert"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(find(/^embedhost_llamacpp_prompt_tokens_total\{model="tiny-bert"\}$/)[0]![1]).toBeGreaterThan(0);
    expect(text).not.toContain('llamacpp:');
  });

  it('logs one line per request with its id, key id and work, and never the key', async () => {
    const response = await call('/v1/embeddings', { body: { input: ['log me', 'and me'] }, headers: { authorization: `Bearer ${USER_KEY}`, 'x-request-id': 'req-from-client-42' } });
    expect(response.headers.get('x-request-id')).toBe('req-from-client-42');
    await expect.poll(() => logLines.find((l) => l.reqId === 'req-from-client-42')).toBeDefined();
    const line = logLines.find((l) => l.reqId === 'req-from-client-42')!;
    expect(line).toMatchObject({ msg: 'request', key: 'user', route: '/v1/embeddings', status: 200, inputs: 2, model: 'tiny-bert' });
    expect(line).toHaveProperty('tokens');
    expect(line).toHaveProperty('queueMs');
    expect(line).toHaveProperty('backendMs');
    const generated = await call('/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const everything = JSON.stringify(logLines);
    for (const secret of [USER_KEY, ADMIN_KEY, LIMITED_KEY]) expect(everything).not.toContain(secret);
  });
});

describe('secure by default', () => {
  it('refuses to listen on 0.0.0.0 without keys, and says how to proceed', async () => {
    const result = await execa('node', [BIN, 'start', '--host', '0.0.0.0', '--model', testModel('tiny-bert')], {
      env: { LLAMA_SERVER_BIN: inject('llamaServer'), XDG_CACHE_HOME: tempDir() },
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0 without API keys.*--insecure/);
  });
});

describe('CORS', () => {
  it('is off by default, and answers preflights for configured origins only', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/v1/embeddings`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect((await preflight(service.url, 'http://app.local')).headers.get('access-control-allow-origin')).toBeNull();
    const open = await startRealService('tiny-bert', { corsOrigins: ['http://app.local'] });
    try {
      const allowed = await preflight(open.url, 'http://app.local');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.local');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect((await preflight(open.url, 'http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await open.stop();
    }
  });
});
