import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cachePolicyOf } from '../../cache/embedding-cache.js';
import { l2Normalize, shortenVector, toNumberArray } from '../../embeddings/vectors.js';
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
  const embeddings = result.vectors.map((v) => {
    const shortened = shortenVector(v, request.dimensions);
    return toNumberArray(request.normalize ? l2Normalize(shortened) : shortened);
  });
  return c.json({ model: model.id, dimensions: request.dimensions ?? width, embeddings, usage: usageOf(result.tokenCounts) }, 200);
}

const itemsOf = (request: ImageRequest): ImageRequestItem[] => (request.images ?? [request.image!]).map((image) => ({ images: [image], text: request.text }));

// A multipart upload becomes the same request as the JSON form, checked by the same schema.
async function fromMultipart(c: Context): Promise<{ request: ImageRequest; files: Buffer[] }> {
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'The multipart body could not be read');
  }
  const uploads = ([] as unknown[]).concat(form.image ?? []);
  const files: Buffer[] = [];
  for (const upload of uploads) {
    if (!(upload instanceof File)) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', '`image` must be a file upload', { param: 'image' });
    files.push(Buffer.from(await upload.arrayBuffer()));
  }
  if (files.length === 0) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'Upload at least one file in the `image` field', { param: 'image' });
  const text = (field: string) => (typeof form[field] === 'string' ? (form[field] as string) : undefined);
  const dimensions = text('dimensions');
  const parsed = EmbedImageRequestSchema.safeParse({
    images: files.map(() => 'uploaded'),
    ...(text('text') ? { text: text('text') } : {}),
    ...(text('instruction') ? { instruction: text('instruction') } : {}),
    ...(text('model') ? { model: text('model') } : {}),
    ...(dimensions !== undefined ? { dimensions: Number(dimensions) } : {}),
  });
  if (!parsed.success) throw validationError(parsed.error.issues);
  return { request: parsed.data, files };
}

export function registerImageRoutes(app: OpenAPIHono, options: ImageRoutesOptions): void {
  app.use('/embed/image', async (c, next) => {
    if (c.req.method !== 'POST' || !/^multipart\/form-data/i.test(c.req.header('content-type') ?? '')) return next();
    const { request, files } = await fromMultipart(c);
    c.res = await respond(c, options, files.map((file) => ({ images: [file], text: request.text })), request);
  });
  app.openapi(imageRoute, async (c) => {
    const request = c.req.valid('json') as ImageRequest;
    return respond(c, options, itemsOf(request), request);
  });
  app.use('/embed/video', async (c, next) => {
    if (c.req.method !== 'POST' || !/^multipart\/form-data/i.test(c.req.header('content-type') ?? '')) return next();
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'The multipart body could not be read');
    }
    if (!(form.video instanceof File)) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'Upload the video as a file in the `video` field', { param: 'video' });
    const parsed = EmbedVideoRequestSchema.safeParse({
      video: 'uploaded',
      ...(typeof form.pooling === 'string' ? { pooling: form.pooling } : {}),
      ...(typeof form.text === 'string' ? { text: form.text } : {}),
      ...(typeof form.model === 'string' ? { model: form.model } : {}),
    });
    if (!parsed.success) throw validationError(parsed.error.issues);
    const data = Buffer.from(await form.video.arrayBuffer());
    c.res = await respond(c, options, [{ images: [], text: parsed.data.text, video: { data, pooling: parsed.data.pooling } }], parsed.data);
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
