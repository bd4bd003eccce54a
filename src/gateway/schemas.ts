import { z } from '@hono/zod-openapi';

// The request schemas are the single source of validation and of /openapi.json.

const TokenArray = z.array(z.number().int().nonnegative()).min(1, 'A token array must not be empty');
// A lone UTF-16 surrogate (from a `\ud800` escape) is not text; llama-server would fail the whole request on it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const TextSchema = z
  .string()
  .min(1, 'Input strings must not be empty')
  .refine((text) => !LONE_SURROGATE.test(text), 'Input strings must be valid Unicode (a lone surrogate was found)');

export const ImageReferenceSchema = z
  .string()
  .min(1, 'An image must not be empty')
  .openapi({ description: 'Base64 image bytes (PNG, JPEG, WebP, GIF, BMP), a data:image/...;base64, URL, or an http(s) URL when media.remoteUrls is on' });

const ContentPartSchema = z.union([
  z.object({ type: z.literal('text'), text: TextSchema }).strict(),
  z.object({ type: z.literal('image_url'), image_url: z.union([ImageReferenceSchema, z.object({ url: ImageReferenceSchema, detail: z.string().optional() }).strict()]) }).strict(),
]);

/** `{text?, image?}`, or OpenRouter-style `{content: [{type: 'text'}, {type: 'image_url'}]}`. */
export const MultimodalItemSchema = z
  .union([
    z
      .object({
        text: TextSchema.optional(),
        image: ImageReferenceSchema.optional(),
        images: z.array(ImageReferenceSchema).min(1).max(16).optional(),
        video: z.string().min(1).optional().openapi({ description: 'Base64 video or a data:video/...;base64, URL; frames are sampled with ffmpeg and pooled' }),
        pooling: z.enum(['mean', 'max', 'first']).optional().openapi({ description: 'How video frames become one vector (default mean)' }),
      })
      .strict()
      .refine((item) => item.text !== undefined || item.image !== undefined || item.images !== undefined || item.video !== undefined, 'An item needs `text`, `image`, `images` or `video`')
      .refine((item) => item.video === undefined || (item.image === undefined && item.images === undefined), 'An item has either a video or images, not both'),
    z.object({ content: z.array(ContentPartSchema).min(1).max(32) }).strict(),
  ])
  .openapi('MultimodalItem');

export const EmbeddingInputSchema = z
  .union([TextSchema, z.array(TextSchema).min(1), TokenArray, z.array(TokenArray).min(1), MultimodalItemSchema, z.array(z.union([TextSchema, MultimodalItemSchema])).min(1)])
  .openapi({ description: 'A string, an array of strings, one token array, an array of token arrays, or (multimodal models) items with images, alone or mixed with strings.' });

export const InputTypeSchema = z
  .enum(['query', 'document'])
  .optional()
  .openapi({ description: "embedhost extension: which of the model's prompt templates to use (default per model, usually document)" });
export const InstructionSchema = z.string().min(1).max(4096).optional().openapi({ description: "embedhost extension: the task instruction for query templates, instead of the model's default" });

export const OpenAIEmbeddingsRequestSchema = z
  .object({
    input: EmbeddingInputSchema,
    model: z.string().min(1).optional().openapi({ description: 'Any name while one model is served; with several, one of `/v1/models` (404 otherwise). The response names the model used.' }),
    encoding_format: z.enum(['float', 'base64']).default('float').openapi({ description: '`base64` is little-endian float32, as the openai SDK expects.' }),
    dimensions: z.number().int().positive().optional().openapi({ description: 'Keep the first N components and re-normalize (Matryoshka).' }),
    user: z.string().optional(),
    truncate: z.boolean().optional().openapi({ description: 'embedhost extension: cut over-long inputs to the model limit instead of a 400.' }),
    input_type: InputTypeSchema,
    instruction: InstructionSchema,
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
