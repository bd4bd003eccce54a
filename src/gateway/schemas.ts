import { z } from '@hono/zod-openapi';

// The request schemas are the single source of validation and of /openapi.json.

const TokenArray = z.array(z.number().int().nonnegative()).min(1, 'A token array must not be empty');
// A lone UTF-16 surrogate (from a `\ud800` escape) is not text; llama-server would fail the whole request on it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const TextSchema = z
  .string()
  .min(1, 'Input strings must not be empty')
  .refine((text) => !LONE_SURROGATE.test(text), 'Input strings must be valid Unicode (a lone surrogate was found)');

export const EmbeddingInputSchema = z
  .union([TextSchema, z.array(TextSchema).min(1), TokenArray, z.array(TokenArray).min(1)])
  .openapi({ description: 'A string, an array of strings, one token array, or an array of token arrays.' });

export const OpenAIEmbeddingsRequestSchema = z
  .object({
    input: EmbeddingInputSchema,
    model: z.string().min(1).optional().openapi({ description: 'Any name while one model is served; with several, one of `/v1/models` (404 otherwise). The response names the model used.' }),
    encoding_format: z.enum(['float', 'base64']).default('float').openapi({ description: '`base64` is little-endian float32, as the openai SDK expects.' }),
    dimensions: z.number().int().positive().optional().openapi({ description: 'Keep the first N components and re-normalize (Matryoshka).' }),
    user: z.string().optional(),
    truncate: z.boolean().optional().openapi({ description: 'embedhost extension: cut over-long inputs to the model limit instead of a 400.' }),
  })
  .strict()
  .openapi('EmbeddingsRequest');

export const EmbeddingObjectSchema = z.object({
  object: z.literal('embedding'),
  index: z.number().int(),
  embedding: z.union([z.array(z.number()), z.string()]),
});

export const OpenAIEmbeddingsResponseSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(EmbeddingObjectSchema),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi('EmbeddingsResponse');

export const ModelNameSchema = z
  .string()
  .min(1)
  .optional()
  .openapi({ description: 'Which served model; omitted, the default (first) one. Unknown names are a 404 when several are served.' });

export const ErrorResponseSchema = z
  .object({
    error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() }),
  })
  .openapi('Error');

export type OpenAIEmbeddingsRequest = z.infer<typeof OpenAIEmbeddingsRequestSchema>;
