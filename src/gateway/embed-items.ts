import type { CachePolicy } from '../cache/embedding-cache.js';
import { EmbedhostError } from '../errors.js';
import type { EmbedResult, EmbeddingItem } from '../embeddings/embedder.js';
import { renderTextPrompt, type InputType } from '../embeddings/prompts.js';
import { decodeImageText } from '../media/image.js';
import { loadImage, type ImageSourceOptions } from '../media/image-source.js';
import { extractFrames, poolFrames, type FramePooling, type VideoOptions } from '../media/video.js';
import type { ServedModel } from '../models/served-model.js';
import type { z } from '@hono/zod-openapi';
import type { MultimodalItemSchema } from './schemas.js';

export type MultimodalItem = z.infer<typeof MultimodalItemSchema>;

/** An input with images: the images (as sent) and the text that goes with them. */
export interface ImageRequestItem {
  images: Array<string | Buffer>;
  text: string | undefined;
  /** A video, embedded as sampled frames pooled into one vector. */
  video?: { data: string | Buffer; pooling: FramePooling } | undefined;
}

export type RequestItem = EmbeddingItem | ImageRequestItem;

/** Pure: either multimodal form as images plus text; a text-only item as the string itself. */
export function fromMultimodalItem(item: MultimodalItem): string | ImageRequestItem {
  if ('content' in item) {
    const texts = item.content.flatMap((part) => (part.type === 'text' ? [part.text] : []));
    const images = item.content.flatMap((part) => (part.type === 'image_url' ? [typeof part.image_url === 'string' ? part.image_url : part.image_url.url] : []));
    const text = texts.length > 0 ? texts.join('\n') : undefined;
    return images.length === 0 ? text! : { images, text };
  }
  const images = [...(item.image !== undefined ? [item.image] : []), ...(item.images ?? [])];
  if (item.video !== undefined) return { images, text: item.text, video: { data: item.video, pooling: item.pooling ?? 'mean' } };
  return images.length === 0 ? item.text! : { images, text: item.text };
}

/** The model's width, after checking a requested `dimensions` fits it (0 and negatives fail the schema). */
export async function widthFor(model: ServedModel, dimensions: number | undefined, signal: AbortSignal): Promise<number> {
  const facts = await model.embedder.modelFacts(signal);
  if (dimensions !== undefined && dimensions > facts.dimensions) {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`dimensions\` must be at most ${facts.dimensions} for this model, got ${dimensions}`, { param: 'dimensions' });
  }
  return facts.dimensions;
}

const isImageItem = (item: RequestItem): item is ImageRequestItem => typeof item === 'object' && !Array.isArray(item);

export interface EmbedItemsOptions {
  truncate: boolean;
  maxTotalTokens: number | undefined;
  inputType: InputType | undefined;
  instruction: string | undefined;
  signal: AbortSignal;
  cache: CachePolicy;
  media: ImageSourceOptions & VideoOptions;
}

// Texts go through the batcher (with the model's prompt for their input type), inputs with images go
// to the projector one by one; the answers come back in the request's order.
export async function embedItems(model: ServedModel, items: readonly RequestItem[], options: EmbedItemsOptions): Promise<EmbedResult> {
  const textIndexes = items.map((_, i) => i).filter((i) => !isImageItem(items[i]!));
  const imageIndexes = items.map((_, i) => i).filter((i) => isImageItem(items[i]!));
  const prompts = model.embedder.prompts;
  const texts = textIndexes.map((i) => {
    const item = items[i] as EmbeddingItem;
    return typeof item === 'string' ? renderTextPrompt(prompts, item, options.inputType, options.instruction) : item;
  });
  // A video is its frames, each an image input of its own; `owner` maps each back to its item.
  const imageInputs: Array<{ images: Awaited<ReturnType<typeof loadImage>>[]; text: string | undefined }> = [];
  const owner: number[] = [];
  for (const i of imageIndexes) {
    const item = items[i] as ImageRequestItem;
    if (item.video) {
      const param = items.length === 1 ? 'video' : `input[${i}].video`;
      const bytes = Buffer.isBuffer(item.video.data) ? item.video.data : decodeImageText(item.video.data, param, 'video');
      const frames = await extractFrames(bytes, param, { fps: options.media.videoFps, maxFrames: options.media.maxVideoFrames, maxBytes: options.media.maxVideoBytes });
      for (const [f, frame] of frames.entries()) {
        imageInputs.push({ images: [await loadImage(frame, `${param} frame ${f}`, options.media)], text: item.text });
        owner.push(i);
      }
      continue;
    }
    const images = await Promise.all(item.images.map((image, j) => loadImage(image, items.length === 1 && item.images.length === 1 ? 'image' : `input[${i}].images[${j}]`, options.media)));
    imageInputs.push({ images, text: item.text });
    owner.push(i);
  }
  const [textResult, frameResult] = await Promise.all([
    texts.length > 0 ? model.embedder.embed(texts, { truncate: options.truncate, maxTotalTokens: options.maxTotalTokens, signal: options.signal, cache: options.cache }) : undefined,
    imageInputs.length > 0
      ? model.embedder.embedImages(imageInputs, { instruction: options.instruction, signal: options.signal, cache: options.cache, paramOf: (j) => `input[${owner[j]}]` })
      : undefined,
  ]);
  const imageResult = frameResult && {
    ...frameResult,
    vectors: imageIndexes.map((i) => {
      const video = (items[i] as ImageRequestItem).video;
      const own = owner.map((o, j) => (o === i ? j : -1)).filter((j) => j >= 0);
      return video ? poolFrames(own.map((j) => frameResult.vectors[j]!), video.pooling) : frameResult.vectors[own[0]!]!;
    }),
    tokenCounts: imageIndexes.map((i) => owner.reduce((sum, o, j) => (o === i ? sum + frameResult.tokenCounts[j]! : sum), 0)),
  };
  const vectors = new Array<Float32Array>(items.length);
  const tokenCounts = new Array<number>(items.length);
  textIndexes.forEach((i, j) => {
    vectors[i] = textResult!.vectors[j]!;
    tokenCounts[i] = textResult!.tokenCounts[j]!;
  });
  imageIndexes.forEach((i, j) => {
    vectors[i] = imageResult!.vectors[j]!;
    tokenCounts[i] = imageResult!.tokenCounts[j]!;
  });
  return {
    vectors,
    tokenCounts,
    cacheHits: (textResult?.cacheHits ?? 0) + (imageResult?.cacheHits ?? 0),
    queueMs: Math.max(textResult?.queueMs ?? 0, imageResult?.queueMs ?? 0),
    backendMs: Math.max(textResult?.backendMs ?? 0, imageResult?.backendMs ?? 0),
  };
}
