import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cachePolicyOf } from '../../cache/embedding-cache.js';
import { shapeVectors } from '../../embeddings/vectors.js';
import { EmbedhostError } from '../../errors.js';
import type { ImageSourceOptions } from '../../media/image-source.js';
import type { VideoOptions } from '../../media/video.js';
import { embedItems, widthFor, type ImageRequestItem } from '../embed-items.js';
import type { ModelRegistry } from '../model-registry.js';
import { recordUsage } from '../request-usage.js';
import { ErrorResponseSchema, ImageReferenceSchema, InstructionSchema, ModelNameSchema, TextSchema } from '../schemas.js';
import { validationError } from '../validation.js';
import { EmbedResponseSchema, nativeErrors, usageOf } from './native-embed.js';

export interface ImageRoutesOptions {
  registry: ModelRegistry;
  media: ImageSourceOptions & VideoOptions;
}

const common = {
  model: ModelNameSchema,
  instruction: InstructionSchema,
  dimensions: z.number().int().positive().optional(),
  normalize: z.boolean().default(true),
};

const EmbedImageRequestSchema = z
  .object({
    image: ImageReferenceSchema.optional(),
    images: z.array(ImageReferenceSchema).min(1).max(64).optional(),
    text: TextSchema.optional().openapi({ description: 'Text embedded with each image (the image+text template)' }),
    ...common,
  })
  .strict()
  .refine((r) => (r.image === undefined) !== (r.images === undefined), 'Give `image` or `images`, not both and not neither')
  .openapi('EmbedImageRequest');

const EmbedMultimodalRequestSchema = z
  .object({ text: TextSchema.optional(), images: z.array(ImageReferenceSchema).min(1).max(16), ...common })
  .strict()
  .openapi('EmbedMultimodalRequest');

const MultipartImageSchema = z
  .object({
    image: z.string().optional().openapi({ type: 'string', format: 'binary', description: 'An image file (required); repeat the field for several' }),
    text: z.string().optional(),
    instruction: z.string().optional(),
    model: z.string().optional(),
    dimensions: z.string().optional(),
  })
  .openapi('EmbedImageUpload');

const imageRoute = createRoute({
  method: 'post',
  path: '/embed/image',
  summary: 'Embed images, one vector each (JSON with base64 or data: URLs, or a multipart upload)',
  request: {
    body: {
      content: { 'application/json': { schema: EmbedImageRequestSchema }, 'multipart/form-data': { schema: MultipartImageSchema } },
      required: true,
    },
  },
  responses: { 200: { description: 'One vector per image, in order', content: { 'application/json': { schema: EmbedResponseSchema } } }, ...nativeErrors },
});

const multimodalRoute = createRoute({
  method: 'post',
  path: '/embed/multimodal',
  summary: 'Embed text and images together as one vector',
  request: { body: { content: { 'application/json': { schema: EmbedMultimodalRequestSchema } }, required: true } },
  responses: { 200: { description: 'One vector for the whole input', content: { 'application/json': { schema: EmbedResponseSchema } } }, ...nativeErrors },
});

const EmbedVideoRequestSchema = z
  .object({
    video: z.string().min(1).openapi({ description: 'Base64 video bytes or a data:video/...;base64, URL (any format ffmpeg reads)' }),
    pooling: z.enum(['mean', 'max', 'first']).default('mean').openapi({ description: 'How the frames’ vectors become one' }),
    text: TextSchema.optional(),
    ...common,
  })
  .strict()
  .openapi('EmbedVideoRequest');

const videoRoute = createRoute({
  method: 'post',
  path: '/embed/video',
  summary: 'Embed a video: frames sampled with ffmpeg (media.videoFps, media.maxVideoFrames), embedded as images, pooled',
  request: {
    body: {
      content: {
        'application/json': { schema: EmbedVideoRequestSchema },
        'multipart/form-data': { schema: z.object({ video: z.string().optional().openapi({ type: 'string', format: 'binary', description: 'The video file (required)' }), pooling: z.string().optional() }) },
      },
      required: true,
    },
  },
  responses: {
    200: { description: 'One pooled vector', content: { 'application/json': { schema: EmbedResponseSchema } } },
    ...nativeErrors,
    501: { description: 'ffmpeg is not installed', content: { 'application/json': { schema: ErrorResponseSchema } } },
  },
});

type ImageRequest = z.infer<typeof EmbedImageRequestSchema>;

async function respond(c: Context, options: ImageRoutesOptions, items: ImageRequestItem[], request: { model?: string | undefined; instruction?: string | undefined; dimensions?: number | undefined; normalize: boolean }) {
  const model = options.registry.resolve(request.model);
  const width = await widthFor(model, request.dimensions, c.req.raw.signal);
  const result = await embedItems(model, items, {
    truncate: false,
    maxTotalTokens: undefined,
    inputType: undefined,
    instruction: request.instruction,
    signal: c.req.raw.signal,
    cache: cachePolicyOf(c.req.header('cache-control')),
    media: options.media,
  });
  recordUsage(c.req.raw, { model: model.id, inputs: items.length, tokens: result.tokenCounts.reduce((a, b) => a + b, 0), cacheHits: result.cacheHits, queueMs: result.queueMs, backendMs: result.backendMs });
  return c.json({ model: model.id, dimensions: request.dimensions ?? width, embeddings: shapeVectors(result.vectors, request.dimensions, request.normalize), usage: usageOf(result.tokenCounts) }, 200);
}

const itemsOf = (request: ImageRequest): ImageRequestItem[] => (request.images ?? [request.image!]).map((image) => ({ images: [image], text: request.text }));

const isMultipart = (c: Context) => c.req.method === 'POST' && /^multipart\/form-data/i.test(c.req.header('content-type') ?? '');

// A multipart upload: the files of one field, and the text fields the JSON form also has.
async function readUpload(c: Context, fileField: string, textFields: readonly string[]): Promise<{ files: Buffer[]; fields: Record<string, string> }> {
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'The multipart body could not be read');
  }
  const files: Buffer[] = [];
  for (const upload of ([] as unknown[]).concat(form[fileField] ?? [])) {
    if (!(upload instanceof File)) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${fileField}\` must be a file upload`, { param: fileField });
    files.push(Buffer.from(await upload.arrayBuffer()));
  }
  if (files.length === 0) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `Upload at least one file in the \`${fileField}\` field`, { param: fileField });
  const fields = Object.fromEntries(textFields.filter((name) => typeof form[name] === 'string' && form[name] !== '').map((name) => [name, form[name] as string]));
  return { files, fields };
}

// Checked by the same schema as the JSON form; `placeholder` stands for the uploaded files.
function parseUploadFields<S extends z.ZodType>(schema: S, fields: Record<string, string>, placeholder: Record<string, unknown>): z.infer<S> {
  const { dimensions, ...rest } = fields;
  const parsed = schema.safeParse({ ...placeholder, ...rest, ...(dimensions !== undefined ? { dimensions: Number(dimensions) } : {}) });
  if (!parsed.success) throw validationError(parsed.error.issues);
  return parsed.data;
}

export function registerImageRoutes(app: OpenAPIHono, options: ImageRoutesOptions): void {
  app.use('/embed/image', async (c, next) => {
    if (!isMultipart(c)) return next();
    const { files, fields } = await readUpload(c, 'image', ['text', 'instruction', 'model', 'dimensions']);
    const request = parseUploadFields(EmbedImageRequestSchema, fields, { images: files.map(() => 'uploaded') });
    c.res = await respond(c, options, files.map((file) => ({ images: [file], text: request.text })), request);
  });
  app.openapi(imageRoute, async (c) => {
    const request = c.req.valid('json') as ImageRequest;
    return respond(c, options, itemsOf(request), request);
  });
  app.use('/embed/video', async (c, next) => {
    if (!isMultipart(c)) return next();
    const { files, fields } = await readUpload(c, 'video', ['pooling', 'text', 'instruction', 'model', 'dimensions']);
    if (files.length > 1) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'Upload one video per request', { param: 'video' });
    const request = parseUploadFields(EmbedVideoRequestSchema, fields, { video: 'uploaded' });
    c.res = await respond(c, options, [{ images: [], text: request.text, video: { data: files[0]!, pooling: request.pooling } }], request);
  });
  app.openapi(videoRoute, async (c) => {
    const request = c.req.valid('json') as z.infer<typeof EmbedVideoRequestSchema>;
    return respond(c, options, [{ images: [], text: request.text, video: { data: request.video, pooling: request.pooling } }], request);
  });
  app.openapi(multimodalRoute, async (c) => {
    const request = c.req.valid('json');
    return respond(c, options, [{ images: request.images, text: request.text }], request);
  });
}
