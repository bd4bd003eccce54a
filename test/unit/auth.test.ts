import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKeyId, KeyStore, keyRecord, parseKeysFile, presentedKey, sha256Hex } from '../../src/auth/api-keys.js';
import { formatReset, RateLimiter, TokenBucket } from '../../src/auth/rate-limiter.js';
import { UsageTracker } from '../../src/auth/usage.js';
import { relabelLlamaMetrics } from '../../src/metrics.js';
import { checkExposure } from '../../src/server.js';
import { tempDir } from '../helpers/supervised.js';

describe('API keys', () => {
  it('reads a keys file: bare keys, named keys, hashed keys and admin flags', () => {
    const hash = sha256Hex('secret-from-elsewhere');
    const records = parseKeysFile(`# team keys\nsk-alpha-0001\nbob:sk-bob-00002 admin\n\nci:sha256:${hash}  # no secret here\n`, 'keys.txt');
    expect(records.map((r) => [r.id, r.admin])).toEqual([
      [defaultKeyId(sha256Hex('sk-alpha-0001')), false],
      ['bob', true],
      ['ci', false],
    ]);
    expect(records[2]!.sha256).toBe(hash);
    expect(() => parseKeysFile('sk-long-enough superuser\n', 'keys.txt')).toThrow(/keys\.txt:1: unknown word superuser/);
    expect(() => parseKeysFile('short\n', 'keys.txt')).toThrow(/keys\.txt:1: API keys must be at least 8 characters/);
  });

  it('finds the key a request presents in either header', () => {
    expect(presentedKey({ authorization: 'Bearer sk-1234567' })).toBe('sk-1234567');
    expect(presentedKey({ authorization: 'bearer   sk-1234567 ' })).toBe('sk-1234567');
    expect(presentedKey({ 'x-api-key': 'sk-7654321' })).toBe('sk-7654321');
    expect(presentedKey({ authorization: 'Basic Zm9vOmJhcg==' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });

  it('verifies against stored digests only, and refuses duplicate ids', () => {
    const store = new KeyStore([keyRecord({ id: 'a', key: 'sk-aaaaaaaa' }, 'test'), keyRecord({ id: 'b', sha256: sha256Hex('sk-bbbbbbbb') }, 'test')]);
    expect(store.verify('sk-aaaaaaaa')?.id).toBe('a');
    expect(store.verify('sk-bbbbbbbb')?.id).toBe('b');
    expect(store.verify('sk-cccccccc')).toBeUndefined();
    expect(store.verify(undefined)).toBeUndefined();
    expect(JSON.stringify(store.all)).not.toContain('sk-aaaaaaaa');
    expect(() => new KeyStore([keyRecord({ id: 'x', key: 'sk-11111111' }, 't'), keyRecord({ id: 'x', key: 'sk-22222222' }, 't')])).toThrow(/share the id `x`/);
  });

  it('refuses to listen beyond loopback without keys unless told to', () => {
    expect(() => checkExposure('127.0.0.1', 0, false)).not.toThrow();
    expect(() => checkExposure('::1', 0, false)).not.toThrow();
    expect(() => checkExposure('0.0.0.0', 0, false)).toThrow(/Refusing to listen on 0\.0\.0\.0 without API keys.*--insecure/);
    expect(() => checkExposure('0.0.0.0', 1, false)).not.toThrow();
    expect(() => checkExposure('0.0.0.0', 0, true)).not.toThrow();
  });
});

describe('rate limits', () => {
  it('refills continuously and reports OpenAI-style resets', () => {
    let now = 0;
    const bucket = new TokenBucket(60, () => now);
    bucket.take(60);
    expect(bucket.waitSeconds(1)).toBeCloseTo(1, 5);
    now = 500;
    expect(bucket.state()).toMatchObject({ limit: 60, remaining: 0 });
    now = 30_000;
    expect(bucket.state().remaining).toBe(30);
    expect([formatReset(0.25), formatReset(1), formatReset(59.2), formatReset(360)]).toEqual(['250ms', '1s', '1m0s', '6m0s']);
  });

  it('admits up to the request limit, then refuses with Retry-After until it refills', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limits = { requestsPerMinute: 2 };
    expect(limiter.admit('k', limits).refusal).toBeUndefined();
    expect(limiter.admit('k', limits).refusal).toBeUndefined();
    const refused = limiter.admit('k', limits).refusal!;
    expect(refused).toMatchObject({ code: 'EMBEDHOST_RATE_LIMITED', status: 429, retryAfterSeconds: 30 });
    expect(refused.message).toMatch(/on requests per minute; retry in 30s/);
    now = 30_000;
    expect(limiter.admit('k', limits).refusal).toBeUndefined();
    // Other keys have their own buckets.
    expect(limiter.admit('other', limits).refusal).toBeUndefined();
  });

  it('charges tokens after the fact, and a debt delays the next request', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limits = { tokensPerMinute: 1_000 };
    expect(limiter.admit('k', limits).refusal).toBeUndefined();
    limiter.charge('k', 1_500);
    const refused = limiter.admit('k', limits).refusal!;
    expect(refused.message).toMatch(/on tokens per minute/);
    expect(refused.retryAfterSeconds).toBe(31);
    now = 31_000;
    expect(limiter.admit('k', limits).refusal).toBeUndefined();
  });
});

describe('usage', () => {
  it('keeps totals per key and restores them from its file', async () => {
    const file = path.join(tempDir(), 'usage', 'usage.jsonl');
    const first = new UsageTracker(file);
    first.record({ keyId: 'a', route: '/v1/embeddings', status: 200, inputs: 3, tokens: 30, cacheHits: 1 });
    first.record({ keyId: 'a', route: '/embed', status: 400, inputs: 0, tokens: 0, cacheHits: 0 });
    first.record({ keyId: 'b', route: '/embed', status: 200, inputs: 1, tokens: 5, cacheHits: 0 });
    await first.close();
    fs.appendFileSync(file, '{"torn": ');
    const second = new UsageTracker(file);
    expect(second.snapshot()).toEqual({ a: { requests: 2, inputs: 3, tokens: 30, cacheHits: 1, errors: 1 }, b: { requests: 1, inputs: 1, tokens: 5, cacheHits: 0, errors: 0 } });
    await second.close();
  });
});

describe('relabelLlamaMetrics', () => {
  it('renames llama-server metrics under embedhost_llamacpp_ with a model label, help once', () => {
    const text = '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.\n# TYPE llamacpp:prompt_tokens_total counter\nllamacpp:prompt_tokens_total 120\n';
    const seen = new Set<string>();
    expect(relabelLlamaMetrics(text, 'bge', seen)).toBe(
      '# HELP embedhost_llamacpp_prompt_tokens_total Number of prompt tokens processed.\n# TYPE embedhost_llamacpp_prompt_tokens_total counter\nembedhost_llamacpp_prompt_tokens_total{model="bge"} 120',
    );
    expect(relabelLlamaMetrics(text, 'qwen', seen)).toBe('embedhost_llamacpp_prompt_tokens_total{model="qwen"} 120');
  });
});
