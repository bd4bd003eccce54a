import { createHash } from 'node:crypto';
import { EmbedhostError } from '../errors.js';

// Images are checked here, before llama-server sees them: it accepts only plain base64 (no data: URL)
// and answers a bad image with a 500 for the whole request.

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

export interface CheckedImage {
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  /** sha256 of the bytes: part of the cache key. */
  digest: string;
}

export interface ImageLimits {
  /** @default 20 MiB */
  maxBytes: number;
  /** Longest side in pixels. @default 16384 */
  maxSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 20 * 2 ** 20, maxSide: 16_384 };

const invalid = (message: string, param: string) => new EmbedhostError('EMBEDHOST_INVALID_REQUEST', message, { param });

/** Pure: the format from the first bytes, whatever the client claimed. */
export function sniffImageFormat(bytes: Buffer): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('ascii', 0, 6))) return 'gif';
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return undefined;
}

function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    const length = bytes.readUInt16BE(offset + 2);
    // Start-of-frame markers (baseline, progressive, …), not DHT/JPG/DAC.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

function webpSize(bytes: Buffer): { width: number; height: number } | undefined {
  const kind = bytes.toString('ascii', 12, 16);
  if (kind === 'VP8 ' && bytes.length >= 30) return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  if (kind === 'VP8L' && bytes.length >= 25) {
    const bits = bytes.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (kind === 'VP8X' && bytes.length >= 30) return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  return undefined;
}

/** Pure: width and height from the header, or undefined when the header is cut short or inconsistent. */
export function imageSize(bytes: Buffer, format: ImageFormat): { width: number; height: number } | undefined {
  switch (format) {
    case 'png':
      return bytes.length >= 24 && bytes.toString('ascii', 12, 16) === 'IHDR' ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : undefined;
    case 'gif':
      return bytes.length >= 10 ? { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) } : undefined;
    case 'bmp':
      return bytes.length >= 26 ? { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) } : undefined;
    case 'jpeg':
      return jpegSize(bytes);
    case 'webp':
      return webpSize(bytes);
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w-]+=[^;,]*)*;base64,(.*)$/s;

/** Bytes from a `data:` URL or plain base64 (whitespace allowed); remote URLs are the caller's to fetch. */
export function decodeImageText(text: string, param: string, what: 'image' | 'video' = 'image'): Buffer {
  const match = DATA_URL.exec(text.trim());
  if (text.trim().startsWith('data:') && !match) throw invalid(`\`${param}\` is a data: URL but not a base64 one`, param);
  const payload = (match ? match[3]! : text).replace(/\s+/g, '');
  if (payload.length === 0 || payload.length % 4 === 1 || !BASE64.test(payload)) {
    throw invalid(`\`${param}\` is not ${what === 'image' ? 'an image' : 'a video'}: expected base64 or a data:${what}/...;base64, URL`, param);
  }
  return Buffer.from(payload, 'base64');
}

export function checkImage(bytes: Buffer, param: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): CheckedImage {
  if (bytes.length > limits.maxBytes) throw invalid(`\`${param}\` is ${bytes.length} bytes, over the ${limits.maxBytes}-byte image limit`, param);
  const format = sniffImageFormat(bytes);
  if (!format) throw invalid(`\`${param}\` is not a PNG, JPEG, WebP, GIF or BMP image`, param);
  const size = imageSize(bytes, format);
  if (!size || size.width === 0 || size.height === 0) throw invalid(`\`${param}\` is a corrupt ${format.toUpperCase()} image (its header cannot be read)`, param);
  if (Math.max(size.width, size.height) > limits.maxSide) {
    throw invalid(`\`${param}\` is ${size.width}×${size.height}, over the ${limits.maxSide}-pixel limit per side`, param);
  }
  return { bytes, format, ...size, digest: createHash('sha256').update(bytes).digest('hex') };
}
