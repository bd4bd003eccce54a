import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { hasFfmpeg } from '../../src/media/video.js';
import { gradientPng } from '../fixtures/images.js';
import { startRealService, TEST_LAUNCH, testModel } from '../helpers/real-service.js';

const PNG = gradientPng().toString('base64');

// Two real backends, so model selection is exercised: tiny-bert is the default, tiny-qwen3 the second.
let service: Service;
let doc: OpenApiDocument;
beforeAll(async () => {
  service = await startRealService('tiny-bert', {
    models: [
      { file: testModel('tiny-bert'), launch: TEST_LAUNCH },
      { file: testModel('tiny-qwen3'), launch: TEST_LAUNCH },
      { file: testModel('tiny-qwen2vl'), mmprojFile: testModel('tiny-qwen2vl-mmproj'), launch: TEST_LAUNCH },
    ],
  });
  doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApiDocument;
});
afterAll(() => service?.stop());

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
}

interface Example {
  body?: unknown;
  status: number;
  check?: (body: any) => void;
}

// Every operation in the document, each with requests that reach each documented outcome we can cause
// on purpose. A route added to the document without an entry here fails the coverage test below.
const EXAMPLES: Record<string, Example[]> = {
  'get /health': [{ status: 200, check: (b) => expect(b.backends.map((x: any) => x.model)).toEqual(['tiny-bert', 'tiny-qwen3', 'tiny-qwen2vl']) }],
  'get /info': [
    {
      status: 200,
      check: (b) => {
        expect(b.models[0]).toMatchObject({ id: 'tiny-bert', architecture: 'bert', quantization: 'F32', dimensions: 32, pooling: 'mean', causal: false });
        expect(b.models[1]).toMatchObject({ id: 'tiny-qwen3', architecture: 'qwen3', pooling: 'last', causal: true });
        expect(b.models[0].launch.flags).toContain('--embedding');
        expect(b.models[0].launch.flags[b.models[0].launch.flags.indexOf('--api-key') + 1]).toBe('[redacted]');
        expect(b.llamaServer.version).toMatch(/\d/);
        expect(b.hardware.cpuCores).toBeGreaterThan(0);
      },
    },
  ],
  'get /v1/usage': [{ status: 200, check: (b) => expect(b.object).toBe('usage') }],
  'get /v1/models': [{ status: 200, check: (b) => expect(b.data.map((m: any) => m.id)).toEqual(['tiny-bert', 'tiny-qwen3', 'tiny-qwen2vl']) }],
  'post /embed/image': [
    { body: { image: PNG, model: 'tiny-qwen2vl' }, status: 200, check: (b) => expect(b).toMatchObject({ model: 'tiny-qwen2vl', dimensions: 64 }) },
    { body: { images: [PNG, `data:image/png;base64,${PNG}`], text: 'a caption', model: 'tiny-qwen2vl', dimensions: 16 }, status: 200, check: (b) => expect(b.embeddings).toHaveLength(2) },
    { body: { image: PNG }, status: 400, check: (b) => expect(b.error.message).toMatch(/text only/) },
    { body: { image: 'bm90IGFuIGltYWdl', model: 'tiny-qwen2vl' }, status: 400, check: (b) => expect(b.error.message).toMatch(/not a PNG, JPEG, WebP, GIF or BMP/) },
    { body: { image: PNG, model: 'missing' }, status: 404 },
  ],
  'post /embed/video': [
    // The routed outcome depends on ffmpeg being installed: 400 for bytes it cannot decode, 501 without it.
    { body: { video: 'bm90IGEgdmlkZW8=', model: 'tiny-qwen2vl' }, status: -1 },
    { body: { video: 'AAAA', pooling: 'median', model: 'tiny-qwen2vl' }, status: 400 },
  ],
  'post /embed/multimodal': [
    { body: { text: 'a chart', images: [PNG], model: 'tiny-qwen2vl' }, status: 200, check: (b) => expect(b.embeddings).toHaveLength(1) },
    { body: { images: [], model: 'tiny-qwen2vl' }, status: 400 },
    { body: { images: [PNG], model: 'missing' }, status: 404 },
  ],
  'post /v1/embeddings': [
    { body: { input: 'hello', model: 'tiny-qwen3' }, status: 200, check: (b) => expect(b.model).toBe('tiny-qwen3') },
    { body: { input: ['hello', 'world'], model: 'tiny-bert', encoding_format: 'base64' }, status: 200, check: (b) => expect(b.data).toHaveLength(2) },
    { body: { input: 'hello', model: 'text-embedding-3-small' }, status: 404, check: (b) => expect(b.error).toMatchObject({ code: 'EMBEDHOST_MODEL_NOT_FOUND', param: 'model' }) },
    { body: { input: '' }, status: 400 },
  ],
  'post /embed': [
    { body: { input: 'hello' }, status: 200, check: (b) => expect(b.model).toBe('tiny-bert') },
    { body: { input: ['a', 'b'], model: 'tiny-qwen3', dimensions: 8 }, status: 200, check: (b) => expect(b).toMatchObject({ model: 'tiny-qwen3', dimensions: 8 }) },
    { body: { input: 'hello', model: 'missing' }, status: 404 },
    { body: { input: 'hello', dimensions: 0 }, status: 400 },
  ],
  'post /embed/batch': [
    { body: { input: Array.from({ length: 300 }, (_, i) => `text ${i}`) }, status: 200, check: (b) => expect(b.embeddings).toHaveLength(300) },
    { body: { input: 'x', model: 'missing' }, status: 404 },
    { body: { input: [] }, status: 400 },
  ],
  'post /similarity': [
    { body: { query: 'cat', documents: ['dog', 'cat', 'car'], top_k: 2 }, status: 200, check: (b) => expect(b.results[0]).toMatchObject({ index: 1 }) },
    { body: { pairs: [['a', 'a']], model: 'tiny-qwen3' }, status: 200, check: (b) => expect(b.results[0].score).toBeCloseTo(1, 5) },
    { body: { pairs: [['a', 'b']], model: 'missing' }, status: 404 },
    { body: { query: 'x' }, status: 400 },
  ],
};

function operations(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
}

function responseValidator(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ ...document, $id: 'openapi.json' });
  const pointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');
  return (operation: string, status: number, body: unknown) => {
    const [method, path] = operation.split(' ') as [string, string];
    const declared = document.paths[path]![method]!.responses[String(status)];
    expect(declared, `${operation} does not document status ${status}`).toBeDefined();
    const ref = `openapi.json#/paths/${pointer(path)}/${method}/responses/${status}/content/${pointer('application/json')}/schema`;
    const validate = ajv.compile({ $ref: ref });
    expect(validate(body), `${operation} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  };
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has an example for every operation, and none for operations it lacks', () => {
    expect(operations(doc).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it('describes what every route really answers', async () => {
    const check = responseValidator(doc);
    for (const [operation, examples] of Object.entries(EXAMPLES)) {
      const [method, path] = operation.split(' ') as [string, string];
      for (const example of examples) {
        const response = await fetch(`${service.url}${path}`, {
          method: method.toUpperCase(),
          ...(example.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(example.body) }),
        });
        const body = await response.json();
        const expected = example.status === -1 ? ((await hasFfmpeg()) ? 400 : 501) : example.status;
        expect(response.status, `${operation} ${JSON.stringify(example.body)?.slice(0, 80)}: ${JSON.stringify(body).slice(0, 300)}`).toBe(expected);
        check(operation, response.status, body);
        example.check?.(body);
      }
    }
  });

  it('is rendered as a readable page at /docs, with no outside assets', async () => {
    const response = await fetch(`${service.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    for (const operation of operations(doc)) expect(html).toContain(operation.split(' ')[1]);
    expect(html).not.toMatch(/<script|https?:\/\/(?!localhost)/);
  });
});

describe('model selection with several models', () => {
  it('gives each model its own vectors', async () => {
    const embed = async (model: string) =>
      (await (await fetch(`${service.url}/embed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'same text', model }) })).json()) as any;
    const [bert, qwen] = await Promise.all([embed('tiny-bert'), embed('tiny-qwen3')]);
    expect(bert.model).toBe('tiny-bert');
    expect(qwen.model).toBe('tiny-qwen3');
    expect(bert.embeddings[0]).not.toEqual(qwen.embeddings[0]);
  });
});
