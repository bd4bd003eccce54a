import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../../src/embeddings/vectors.js';
import { MEDIA_MARKER, type Service } from '../../src/server.js';
import { checkerPng, gradientPng } from '../fixtures/images.js';
import { makeVideo } from '../fixtures/videos.js';
import { startRealService, TEST_LAUNCH, testModel } from '../helpers/real-service.js';

// Images through the real llama-server: the generated Qwen2-VL model and its qwen2vl_merger projector.
let vision: Service;
let text: Service;
beforeAll(async () => {
  [vision, text] = await Promise.all([
    startRealService('tiny-qwen2vl', { models: [{ file: testModel('tiny-qwen2vl'), mmprojFile: testModel('tiny-qwen2vl-mmproj'), launch: TEST_LAUNCH }] }),
    startRealService('tiny-qwen3', {
      models: [
        {
          file: testModel('tiny-qwen3'),
          launch: TEST_LAUNCH,
          prompts: { query: 'Instruct: {instruction}\nQuery:{text}', instruction: 'Given a web search query, retrieve relevant passages', defaultInputType: 'document' },
        },
      ],
    }),
  ]);
});
afterAll(() => Promise.all([vision?.stop(), text?.stop()]));

const gradient = gradientPng().toString('base64');
const checker = checkerPng().toString('base64');

async function post(service: Service, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

const vectorOf = async (body: unknown) => {
  const { status, body: answer } = await post(vision, '/embed/multimodal', body);
  expect(status, JSON.stringify(answer)).toBe(200);
  return Float32Array.from(answer.embeddings[0] as number[]);
};

describe('image embeddings on the real llama-server', () => {
  it('gives llama-server embedhost’s own media marker', async () => {
    const props = (await vision.models[0]!.supervisor.backend!.client.getJson('/props')).body as { media_marker: string; modalities: { vision: boolean } };
    expect(props).toMatchObject({ media_marker: MEDIA_MARKER, modalities: { vision: true } });
  });

  it('separates images, repeats itself, and tells image+text from the image alone', async () => {
    const [a, b, again, captioned] = await Promise.all([
      vectorOf({ images: [gradient] }),
      vectorOf({ images: [checker] }),
      vectorOf({ images: [`data:image/png;base64,${gradient}`] }),
      vectorOf({ images: [gradient], text: 'a colour gradient' }),
    ]);
    expect(cosineSimilarity(a, again)).toBeCloseTo(1, 5);
    expect(cosineSimilarity(a, b)).toBeLessThan(0.999);
    expect(cosineSimilarity(a, captioned)).toBeLessThan(0.999);
  });

  it('accepts image items on /v1/embeddings in both forms, mixed with text, through the openai SDK', async () => {
    const client = new OpenAI({ baseURL: `${vision.url}/v1`, apiKey: 'unused' });
    const result = await client.embeddings.create({
      model: 'tiny-qwen2vl',
      input: [{ image: gradient }, 'plain text', { content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${checker}` } }, { type: 'text', text: 'a checkerboard' }] }] as unknown as string[],
    });
    expect(result.data.map((d) => d.embedding.length)).toEqual([64, 64, 64]);
    expect(result.usage.prompt_tokens).toBeGreaterThan(10);
    const alone = await vectorOf({ images: [gradient] });
    const viaOpenAI = Float32Array.from(result.data[0]!.embedding);
    expect(cosineSimilarity(alone, viaOpenAI)).toBeCloseTo(1, 5);
  });

  it('takes multipart uploads', async () => {
    const form = new FormData();
    form.append('image', new Blob([gradientPng()], { type: 'image/png' }), 'gradient.png');
    form.append('image', new Blob([checkerPng()], { type: 'image/png' }), 'checker.png');
    const response = await fetch(`${vision.url}/embed/image`, { method: 'POST', body: form });
    const body = (await response.json()) as any;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.embeddings).toHaveLength(2);
    const json = (await post(vision, '/embed/image', { images: [gradient, checker] })).body;
    expect(cosineSimilarity(Float32Array.from(body.embeddings[1]), Float32Array.from(json.embeddings[1]))).toBeCloseTo(1, 5);
  });

  it('answers 400, never 500, for images it cannot use', async () => {
    const png = gradientPng();
    const corrupt = Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 7)]).toString('base64');
    const cases: Array<[unknown, RegExp]> = [
      [{ image: corrupt }, /could not be decoded/],
      [{ image: 'bm90IGFuIGltYWdl' }, /not a PNG, JPEG, WebP, GIF or BMP image/],
      [{ image: png.subarray(0, 12).toString('base64') }, /corrupt PNG image/],
      [{ image: 'data:image/png;base64,@@@' }, /not an image: expected base64/],
      [{ image: 'https://example.com/cat.png' }, /fetching remote images is off/],
      [{ images: Array(65).fill(gradient) }, /64/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(vision, '/embed/image', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    const viaOpenAI = await post(vision, '/v1/embeddings', { input: ['fine', { image: corrupt }] });
    expect(viaOpenAI.status).toBe(400);
    expect(viaOpenAI.body.error.param).toBe('input[1]');
    expect(vision.models[0]!.supervisor.snapshot().restarts).toBe(0);
  });

  it('refuses images clearly on a text-only model', async () => {
    const answer = await post(text, '/v1/embeddings', { input: [{ image: gradient }] });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/takes text only: it was started without a vision projector/);
  });
});

describe('prompts', () => {
  const direct = async (input: string) => {
    const response = await text.models[0]!.supervisor.backend!.client.postJson('/v1/embeddings', { input: [input] });
    return Float32Array.from((response.body as any).data[0].embedding as number[]);
  };

  it('renders the query template for input_type query and leaves documents alone', async () => {
    const query = await post(text, '/v1/embeddings', { input: 'what is a vector?', input_type: 'query' });
    const document = await post(text, '/v1/embeddings', { input: 'what is a vector?' });
    const rendered = 'Instruct: Given a web search query, retrieve relevant passages\nQuery:what is a vector?';
    expect(cosineSimilarity(Float32Array.from(query.body.data[0].embedding), await direct(rendered))).toBeCloseTo(1, 5);
    expect(cosineSimilarity(Float32Array.from(document.body.data[0].embedding), await direct('what is a vector?'))).toBeCloseTo(1, 5);
    // The usage counts the rendered prompt's tokens.
    const tokens = (await text.models[0]!.supervisor.backend!.client.postJson('/tokenize', { content: rendered, add_special: true })).body as { tokens: number[] };
    expect(query.body.usage.prompt_tokens).toBe(tokens.tokens.length);
  });

  it('takes an instruction per request, and uses query and document templates in /similarity', async () => {
    const custom = await post(text, '/embed', { input: 'cats', input_type: 'query', instruction: 'Find pet facts' });
    const expected = await direct('Instruct: Find pet facts\nQuery:cats');
    expect(cosineSimilarity(Float32Array.from(custom.body.embeddings[0]), expected)).toBeCloseTo(1, 5);
    const ranked = await post(text, '/similarity', { query: 'cats', documents: ['dogs', 'cats'] });
    const queryVector = await direct('Instruct: Given a web search query, retrieve relevant passages\nQuery:cats');
    const score = cosineSimilarity(queryVector, await direct('cats'));
    expect(ranked.body.results.find((r: any) => r.index === 1).score).toBeCloseTo(score, 4);
  });
});

describe('video', () => {
  it('samples frames with ffmpeg and pools them as asked, on both routes; or says ffmpeg is missing', async () => {
    const video = await makeVideo([gradientPng(), checkerPng(), gradientPng()]);
    if (!video) {
      const answer = await post(vision, '/embed/video', { video: 'AAAA' });
      expect(answer.status).toBe(501);
      expect(answer.body.error.message).toMatch(/needs ffmpeg.*apt-get install ffmpeg/);
      return;
    }
    const base64 = video.toString('base64');
    const pooled = async (pooling: string) => {
      const answer = await post(vision, '/embed/video', { video: `data:video/x-msvideo;base64,${base64}`, pooling });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return Float32Array.from(answer.body.embeddings[0] as number[]);
    };
    const [mean, max, first] = await Promise.all([pooled('mean'), pooled('max'), pooled('first')]);
    expect(cosineSimilarity(mean, first)).toBeLessThan(0.9999);
    expect(cosineSimilarity(max, mean)).toBeLessThan(0.9999);
    // The first frame, embedded as an image, is close to pooling `first` (JPEG in the video changes pixels a little).
    expect(cosineSimilarity(first, await vectorOf({ images: [gradient] }))).toBeGreaterThan(0.9);
    const viaOpenAI = await post(vision, '/v1/embeddings', { input: [{ video: base64, pooling: 'mean' }] });
    expect(viaOpenAI.status).toBe(200);
    expect(cosineSimilarity(Float32Array.from(viaOpenAI.body.data[0].embedding), mean)).toBeCloseTo(1, 5);
    const form = new FormData();
    form.append('video', new Blob([video]), 'clip.avi');
    form.append('pooling', 'first');
    const uploaded = await fetch(`${vision.url}/embed/video`, { method: 'POST', body: form });
    expect(uploaded.status).toBe(200);
    const garbage = await post(vision, '/embed/video', { video: Buffer.from('definitely not a video').toString('base64') });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.message).toMatch(/could not be decoded as a video/);
  });
});
