import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cosineSimilarity, shapeVectors } from '../../embeddings/vectors.js';
import { cachePolicyOf } from '../../cache/embedding-cache.js';
import { EmbedhostError } from '../../errors.js';
import { widthFor } from '../embed-items.js';
import { recordUsage } from '../request-usage.js';
import type { ServedModel } from '../../models/served-model.js';
import type { ModelRegistry } from '../model-registry.js';
import { renderTextPrompt, type InputType } from '../../embeddings/prompts.js';
import { ErrorResponseSchema, InputTypeSchema, InstructionSchema, ModelNameSchema, TextSchema } from '../schemas.js';

export interface NativeRoutesOptions {
  registry: ModelRegistry;
  autoTruncate: boolean;
  maxInputs: number;
  maxBatchInputs: number;
  maxTokensPerRequest: number;
}

const EmbedRequestSchema = z
  .object({
    input: z.union([TextSchema, z.array(TextSchema).min(1)]),
    model: ModelNameSchema,
    normalize: z.boolean().default(true).openapi({ description: 'L2-normalize (llama-server already does); false returns them as computed.' }),
    dimensions: z.number().int().positive().optional(),
    truncate: z.boolean().optional(),
    input_type: InputTypeSchema,
    instruction: InstructionSchema,
  })
  .strict()
  .openapi('EmbedRequest');

export const EmbedResponseSchema = z
  .object({
    model: z.string(),
    dimensions: z.number().int(),
    embeddings: z.array(z.array(z.number())),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi('EmbedResponse');

const SimilarityRequestSchema = z
  .union([
    z.object({ query: TextSchema, documents: z.array(TextSchema).min(1), top_k: z.number().int().positive().optional(), model: ModelNameSchema }).strict(),
    z.object({ pairs: z.array(z.tuple([TextSchema, TextSchema])).min(1), model: ModelNameSchema }).strict(),
  ])
  .openapi('SimilarityRequest');

const SimilarityResponseSchema = z
  .object({
    model: z.string(),
    results: z.array(z.object({ index: z.number().int(), score: z.number() })),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi('SimilarityResponse');

export const nativeErrors = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorResponseSchema } } },
  404: { description: 'Several models are served and `model` names none of them', content: { 'application/json': { schema: ErrorResponseSchema } } },
  503: { description: 'Backend starting or restarting', content: { 'application/json': { schema: ErrorResponseSchema } } },
};
const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const embedRoute = (path: '/embed' | '/embed/batch', summary: string) =>
  createRoute({
    method: 'post',
    path,
    summary,
    request: jsonBody(EmbedRequestSchema),
    responses: { 200: { description: 'One vector per input, in order', content: { 'application/json': { schema: EmbedResponseSchema } } }, ...nativeErrors },
  });

const similarityRoute = createRoute({
  method: 'post',
  path: '/similarity',
  summary: 'Cosine similarity: a query ranked against documents, or scored pairs',
  request: jsonBody(SimilarityRequestSchema),
  responses: { 200: { description: 'Scores', content: { 'application/json': { schema: SimilarityResponseSchema } } }, ...nativeErrors },
});

export const usageOf = (counts: number[]) => {
  const total = counts.reduce((a, b) => a + b, 0);
  return { prompt_tokens: total, total_tokens: total };
};

export function registerNativeRoutes(app: OpenAPIHono, options: NativeRoutesOptions): void {
  const embedTexts = async (
    model: ServedModel,
    inputs: ReadonlyArray<{ text: string; type: InputType | undefined }>,
    truncate: boolean | undefined,
    limits: { inputs: number; tokens: number | undefined },
    request: Request,
    instruction?: string,
  ) => {
    const limit = limits.inputs;
    if (inputs.length > limit) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `At most ${limit} inputs per request, got ${inputs.length}`, { param: 'input' });
    const texts = inputs.map(({ text, type }) => renderTextPrompt(model.embedder.prompts, text, type, instruction));
    const result = await model.embedder.embed(texts, {
      truncate: truncate ?? options.autoTruncate,
      maxTotalTokens: limits.tokens,
      signal: request.signal,
      cache: cachePolicyOf(request.headers.get('cache-control') ?? undefined),
    });
    recordUsage(request, { model: model.id, inputs: texts.length, tokens: result.tokenCounts.reduce((a, b) => a + b, 0), cacheHits: result.cacheHits, queueMs: result.queueMs, backendMs: result.backendMs });
    return result;
  };

  const requestLimits = { inputs: options.maxInputs, tokens: options.maxTokensPerRequest };
  // /embed/batch is processed in chunks, so only the per-input limit applies to it, not the per-request token budget.
  const batchLimits = { inputs: options.maxBatchInputs, tokens: undefined };
  for (const [path, limit] of [['/embed', requestLimits], ['/embed/batch', batchLimits]] as const) {
    app.openapi(embedRoute(path, path === '/embed' ? 'Embed text' : 'Embed a large batch of texts, in chunks'), async (c) => {
      const request = c.req.valid('json');
      const model = options.registry.resolve(request.model);
      const width = await widthFor(model, request.dimensions, c.req.raw.signal);
      const texts = (typeof request.input === 'string' ? [request.input] : request.input).map((text) => ({ text, type: request.input_type }));
      const { vectors, tokenCounts } = await embedTexts(model, texts, request.truncate, limit, c.req.raw, request.instruction);
      return c.json({ model: model.id, dimensions: request.dimensions ?? width, embeddings: shapeVectors(vectors, request.dimensions, request.normalize), usage: usageOf(tokenCounts) }, 200);
    });
  }

  app.openapi(similarityRoute, async (c) => {
    const request = c.req.valid('json');
    const model = options.registry.resolve(request.model);
    if ('pairs' in request) {
      const { vectors, tokenCounts } = await embedTexts(model, request.pairs.flat().map((text) => ({ text, type: undefined })), undefined, requestLimits, c.req.raw);
      const results = request.pairs.map((_, index) => ({ index, score: cosineSimilarity(vectors[2 * index]!, vectors[2 * index + 1]!) }));
      return c.json({ model: model.id, results, usage: usageOf(tokenCounts) }, 200);
    }
    // An asymmetric model gets its query prompt for the query and its document prompt for the rest.
    const inputs = [{ text: request.query, type: 'query' as const }, ...request.documents.map((text) => ({ text, type: 'document' as const }))];
    const { vectors, tokenCounts } = await embedTexts(model, inputs, undefined, requestLimits, c.req.raw);
    const ranked = request.documents
      .map((_, index) => ({ index, score: cosineSimilarity(vectors[0]!, vectors[index + 1]!) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, request.top_k ?? request.documents.length);
    return c.json({ model: model.id, results: ranked, usage: usageOf(tokenCounts) }, 200);
  });
}
