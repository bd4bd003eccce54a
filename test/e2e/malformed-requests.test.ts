import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { startRealService } from '../helpers/real-service.js';

let service: Service;
beforeAll(async () => {
  service = await startRealService('tiny-bert');
});
afterAll(() => service?.stop());

interface Case {
  name: string;
  status: number;
  body?: unknown;
  raw?: string | Uint8Array;
  method?: string;
  path?: string;
  contentType?: string | null;
  code?: string;
}

const json = (body: unknown, status = 400, code = 'EMBEDHOST_INVALID_REQUEST'): Pick<Case, 'body' | 'status' | 'code'> => ({ body, status, code });

const CASES: Case[] = [
  { name: 'missing input', ...json({ model: 'm' }) },
  { name: 'null input', ...json({ input: null }) },
  { name: 'number input', ...json({ input: 42 }) },
  { name: 'boolean input', ...json({ input: true }) },
  { name: 'object input with unknown keys', ...json({ input: { prompt: 'x' } }) },
  { name: 'empty string', ...json({ input: '' }) },
  { name: 'empty array', ...json({ input: [] }) },
  { name: 'array with an empty string', ...json({ input: ['ok', ''] }) },
  { name: 'array with null', ...json({ input: ['ok', null] }) },
  { name: 'array with a number among strings', ...json({ input: ['ok', 3] }) },
  { name: 'nested string arrays', ...json({ input: [['a', 'b']] }) },
  { name: 'deeply nested garbage', ...json({ input: [[[[1]]]] }) },
  { name: 'empty token array inside', ...json({ input: [[1, 2], []] }) },
  { name: 'negative token id', ...json({ input: [101, -1, 102] }) },
  { name: 'fractional token id', ...json({ input: [101, 1.5, 102] }) },
  { name: 'token id over the vocabulary', ...json({ input: [101, 999999, 102] }) },
  { name: 'token id over the vocabulary in a list', ...json({ input: [[101, 102], [30522]] }) },
  { name: 'string token', ...json({ input: [101, '7592'] }) },
  { name: 'too many inputs', ...json({ input: Array(2049).fill('x') }) },
  { name: 'over-long input', body: { input: 'word '.repeat(600) }, status: 400, code: 'EMBEDHOST_INPUT_TOO_LONG' },
  { name: 'over-long token array', body: { input: Array(600).fill(1000) }, status: 400, code: 'EMBEDHOST_INPUT_TOO_LONG' },
  { name: 'encoding_format unknown', ...json({ input: 'x', encoding_format: 'int8' }) },
  { name: 'encoding_format number', ...json({ input: 'x', encoding_format: 1 }) },
  { name: 'dimensions zero', ...json({ input: 'x', dimensions: 0 }) },
  { name: 'dimensions negative', ...json({ input: 'x', dimensions: -4 }) },
  { name: 'dimensions fractional', ...json({ input: 'x', dimensions: 2.5 }) },
  { name: 'dimensions as string', ...json({ input: 'x', dimensions: '8' }) },
  { name: 'dimensions over the width', ...json({ input: 'x', dimensions: 33 }) },
  { name: 'model not a string', ...json({ input: 'x', model: 5 }) },
  { name: 'model empty', ...json({ input: 'x', model: '' }) },
  { name: 'user not a string', ...json({ input: 'x', user: {} }) },
  { name: 'truncate not a boolean', ...json({ input: 'x', truncate: 'yes' }) },
  { name: 'unknown field', ...json({ input: 'x', temperature: 0.5 }) },
  { name: 'body is an array', ...json(['x']) },
  { name: 'body is a string', ...json('x') },
  { name: 'body is null', ...json(null) },
  { name: 'body is a number', ...json(7) },
  { name: 'malformed JSON', raw: '{"input": "x"', status: 400, code: 'EMBEDHOST_INVALID_JSON' },
  { name: 'trailing garbage', raw: '{"input": "x"} xyz', status: 400, code: 'EMBEDHOST_INVALID_JSON' },
  { name: 'empty body', raw: '', status: 400, code: 'EMBEDHOST_INVALID_JSON' },
  { name: 'invalid UTF-8 bytes', raw: new Uint8Array([0x7b, 0x22, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400, code: 'EMBEDHOST_INVALID_JSON' },
  { name: 'lone surrogate escape', raw: '{"input": "\\ud800"}', status: 400, code: 'EMBEDHOST_INVALID_REQUEST' },
  { name: 'valid surrogate pair', raw: '{"input": "\\ud83d\\ude00"}', status: 200 },
  { name: 'wrong content type', raw: '{"input":"x"}', contentType: 'text/plain', status: 415, code: 'EMBEDHOST_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form content type', raw: 'input=x', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'EMBEDHOST_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'no content type', raw: '{"input":"x"}', contentType: null, status: 415, code: 'EMBEDHOST_UNSUPPORTED_MEDIA_TYPE' },
  { name: '20 MB body', raw: JSON.stringify({ input: 'x'.repeat(20 * 2 ** 20) }), status: 413, code: 'EMBEDHOST_BODY_TOO_LARGE' },
  { name: 'GET on the embeddings route', method: 'GET', status: 405, code: 'EMBEDHOST_METHOD_NOT_ALLOWED' },
  { name: 'PUT on the embeddings route', method: 'PUT', body: { input: 'x' }, status: 405, code: 'EMBEDHOST_METHOD_NOT_ALLOWED' },
  { name: 'DELETE on models', method: 'DELETE', path: '/v1/models', status: 405, code: 'EMBEDHOST_METHOD_NOT_ALLOWED' },
  { name: 'unknown route', path: '/v1/completions', body: { prompt: 'x' }, status: 404, code: 'EMBEDHOST_NOT_FOUND' },
  { name: 'unknown root route', method: 'GET', path: '/admin', status: 404, code: 'EMBEDHOST_NOT_FOUND' },
  { name: 'path traversal', method: 'GET', path: '/../../etc/passwd', status: 404, code: 'EMBEDHOST_NOT_FOUND' },
  { name: 'prototype pollution keys', ...json(JSON.parse('{"input":"x","__proto__":{"polluted":1}}')) },
];

describe(`${CASES.length} malformed or hostile requests`, () => {
  it.each(CASES)('$name -> $status', async (testCase) => {
    const method = testCase.method ?? 'POST';
    const headers: Record<string, string> = {};
    const contentType = testCase.contentType === undefined ? 'application/json' : testCase.contentType;
    if (contentType && method !== 'GET') headers['content-type'] = contentType;
    const body = method === 'GET' ? undefined : (testCase.raw ?? JSON.stringify(testCase.body));
    const response = await fetch(`${service.url}${testCase.path ?? '/v1/embeddings'}`, { method, headers, body });
    expect(response.status).toBe(testCase.status);
    const answer = (await response.json()) as { error?: { message: string; type: string; code: string; param: unknown } };
    if (testCase.status >= 400) {
      expect(answer.error?.type).toMatch(/invalid_request_error|not_found_error/);
      expect(typeof answer.error?.message).toBe('string');
      expect(answer.error).toHaveProperty('param');
      if (testCase.code) expect(answer.error?.code).toBe(testCase.code);
    }
  });

  it('keeps serving afterwards', async () => {
    const response = await fetch(`${service.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'still here' }),
    });
    expect(response.status).toBe(200);
    expect(service.models[0]!.supervisor.snapshot().restarts).toBe(0);
  });
});
