import { EmbedhostError } from '../errors.js';
import { checkImage, decodeImageText, DEFAULT_IMAGE_LIMITS, type CheckedImage, type ImageLimits } from './image.js';

export interface ImageSourceOptions extends ImageLimits {
  /** Fetch http(s) image URLs. @default false: a private server should not fetch what clients point it at */
  remoteUrls: boolean;
  /** @default 10000 */
  remoteTimeoutMs: number;
}

export const DEFAULT_IMAGE_SOURCE: ImageSourceOptions = { ...DEFAULT_IMAGE_LIMITS, remoteUrls: false, remoteTimeoutMs: 10_000 };

async function fetchRemote(url: string, param: string, options: ImageSourceOptions): Promise<Buffer> {
  if (!options.remoteUrls) {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\` is a URL, and fetching remote images is off (media.remoteUrls); send the image as base64 or a data: URL`, { param });
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.remoteTimeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\`: ${url} could not be fetched: ${(error as Error).message}`, { param });
  }
  if (!response.ok || !response.body) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\`: ${url} answered HTTP ${response.status}`, { param });
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\`: ${url} is over the ${options.maxBytes}-byte image limit`, { param });
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > options.maxBytes) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\`: ${url} is over the ${options.maxBytes}-byte image limit`, { param });
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** An image reference from a request (base64, data: URL, or http(s) URL when allowed) as checked bytes. */
export async function loadImage(reference: string | Buffer, param: string, options: ImageSourceOptions = DEFAULT_IMAGE_SOURCE): Promise<CheckedImage> {
  if (Buffer.isBuffer(reference)) return checkImage(reference, param, options);
  const bytes = /^https?:\/\//i.test(reference.trim()) ? await fetchRemote(reference.trim(), param, options) : decodeImageText(reference, param);
  return checkImage(bytes, param, options);
}
