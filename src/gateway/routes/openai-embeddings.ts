import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { encodeBase64Float32, shortenVector, toNumberArray } from '../../embeddings/vectors.js';
import { cachePolicyOf } from '../../cache/embedding-cache.js';
import { EmbedhostError } from '../../errors.js';
import { recordUsage } from '../request-usage.js';
import type { ImageSourceOptions } from '../../media/image-source.js';
import type { VideoOptions } from '../../media/video.js';
import { embedItems, fromMultimodalItem, widthFor, type MultimodalItem, type RequestItem } from '../embed-items.js';
import type { ModelRegistry } from '../model-registry.js';
import { ErrorResponseSchema, OpenAIEmbeddingsRequestSchema, OpenAIEmbeddingsResponseSchema, type OpenAIEmbeddingsRequest } from '../schemas.js';

export interface OpenAIEmbeddingsRouteOptions {
  registry: ModelRegistry;
  autoTruncate: boolean;
  maxInputs: number;
  maxTokensPerRequest: number;
  media: ImageSourceOptions & VideoOptions;
}

const route = createRoute({
  method: 'post',
  path: '/v1/embeddings',
  summary: 'Create embeddings (OpenAI-compatible)',
  request: { body: { content: { 'application/json': { schema: OpenAIEmbeddingsRequestSchema } }, required: true } },
  responses: {
    200: { description: 'One embedding per input, in input order', content: { 'application/json': { schema: OpenAIEmbeddingsResponseSchema } } },
    400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorResponseSchema } } },
    404: { description: 'Several models are served and `model` names none of them', content: { 'application/json': { schema: ErrorResponseSchema } } },
    503: { description: 'Backend starting or restarting', content: { 'application/json': { schema: ErrorResponseSchema } } },
  },
});

// Pure: the request's `input` as a list of items: strings, token arrays, or inputs with images.
export function normalizeInput(input: OpenAIEmbeddingsRequest['input']): RequestItem[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [fromMultimodalItem(input)];
  if (input.length > 0 && typeof input[0] === 'number') return [input as number[]];
  return (input as Array<string | number[] | MultimodalItem>).map((item) => (typeof item === 'object' && !Array.isArray(item) ? fromMultimodalItem(item) : item));
}

export function registerOpenAIEmbeddingsRoute(app: OpenAPIHono, options: OpenAIEmbeddingsRouteOptions): void {
  app.openapi(route, async (c) => {
    const request = c.req.valid('json');
    const items = normalizeInput(request.input);
    if (items.length > options.maxInputs) {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `At most ${options.maxInputs} inputs per request, got ${items.length}`, { param: 'input' });
    }
    const model = options.registry.resolve(request.model);
    await widthFor(model, request.dimensions, c.req.raw.signal);
    const result = await embedItems(model, items, {
      truncate: request.truncate ?? options.autoTruncate,
      maxTotalTokens: options.maxTokensPerRequest,
      inputType: request.input_type,
      instruction: request.instruction,
      signal: c.req.raw.signal,
      cache: cachePolicyOf(c.req.header('cache-control')),
      media: options.media,
    });
    const { vectors, tokenCounts } = result;
    recordUsage(c.req.raw, { model: model.id, inputs: items.length, tokens: tokenCounts.reduce((a, b) => a + b, 0), cacheHits: result.cacheHits, queueMs: result.queueMs, backendMs: result.backendMs });
    const promptTokens = tokenCounts.reduce((a, b) => a + b, 0);
    const base64 = request.encoding_format === 'base64';
    return c.json(
      {
        object: 'list' as const,
        data: vectors.map((vector, index) => {
          const shaped = shortenVector(vector, request.dimensions);
          return { object: 'embedding' as const, index, embedding: base64 ? encodeBase64Float32(shaped) : toNumberArray(shaped) };
        }),
        model: model.id,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      200,
    );
  });
}
