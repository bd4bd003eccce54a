import { describe, expect, it } from 'vitest';
import { renderImagePrompt, renderTextPrompt } from '../../src/embeddings/prompts.js';
import { fromMultimodalItem } from '../../src/gateway/embed-items.js';
import { checkImage, decodeImageText, imageSize, sniffImageFormat } from '../../src/media/image.js';
import { poolFrames } from '../../src/media/video.js';
import { gradientPng, makePng } from '../fixtures/images.js';

describe('image checks', () => {
  const png = gradientPng();
  it('sniffs formats from magic bytes, whatever the name says', () => {
    expect(sniffImageFormat(png)).toBe('png');
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImageFormat(Buffer.from('GIF89a'))).toBe('gif');
    expect(sniffImageFormat(Buffer.from('BM'))).toBe('bmp');
    expect(sniffImageFormat(Buffer.from('%PDF-1.7'))).toBeUndefined();
  });

  it('reads sizes from headers and refuses cut-short, empty, oversized or huge images', () => {
    expect(imageSize(png, 'png')).toEqual({ width: 64, height: 64 });
    const gif = Buffer.from('GIF89a\x10\x00\x20\x00', 'latin1');
    expect(imageSize(gif, 'gif')).toEqual({ width: 16, height: 32 });
    expect(checkImage(png, 'image')).toMatchObject({ format: 'png', width: 64, height: 64, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(() => checkImage(png.subarray(0, 16), 'image')).toThrow(/corrupt PNG image/);
    expect(() => checkImage(png, 'image', { maxBytes: 100, maxSide: 100 })).toThrow(/over the 100-byte image limit/);
    expect(() => checkImage(makePng(2, 300, () => [0, 0, 0]), 'image', { maxBytes: 1e6, maxSide: 256 })).toThrow(/2×300, over the 256-pixel limit/);
    expect(() => checkImage(Buffer.from('hello'), 'input[2].image')).toThrow(expect.objectContaining({ param: 'input[2].image', status: 400 }));
  });

  it('decodes plain base64 and data: URLs, and refuses anything else', () => {
    const b64 = png.toString('base64');
    expect(decodeImageText(b64, 'image').equals(png)).toBe(true);
    expect(decodeImageText(`data:image/png;base64,${b64}`, 'image').equals(png)).toBe(true);
    expect(decodeImageText(`${b64.slice(0, 40)}\n${b64.slice(40)}`, 'image').equals(png)).toBe(true);
    expect(() => decodeImageText('data:image/png,rawbytes', 'image')).toThrow(/data: URL but not a base64 one/);
    expect(() => decodeImageText('not base64!', 'image')).toThrow(/not an image/);
    expect(() => decodeImageText('', 'image')).toThrow(/not an image/);
  });
});

describe('prompt templates', () => {
  const qwen = { query: 'Instruct: {instruction}\nQuery:{text}', document: '{text}', instruction: 'Retrieve passages', defaultInputType: 'document' as const };
  it('renders query and document templates, with the default or a given instruction', () => {
    expect(renderTextPrompt(qwen, 'cats', 'query', undefined)).toBe('Instruct: Retrieve passages\nQuery:cats');
    expect(renderTextPrompt(qwen, 'cats', 'query', 'Find pets')).toBe('Instruct: Find pets\nQuery:cats');
    expect(renderTextPrompt(qwen, 'cats', undefined, undefined)).toBe('cats');
    expect(renderTextPrompt({ defaultInputType: 'document' }, 'cats', 'query', undefined)).toBe('cats');
    // Placeholders inside the input are text, not template.
    expect(renderTextPrompt(qwen, 'a {instruction} b', 'query', 'x')).toBe('Instruct: x\nQuery:a {instruction} b');
  });

  it('puts one marker per image where the template says', () => {
    const gme = { image: 'U:{image}.', imageText: 'U:{image}{text}.', defaultInputType: 'document' as const };
    expect(renderImagePrompt(gme, 2, '<M>', undefined, undefined)).toBe('U:<M><M>.');
    expect(renderImagePrompt(gme, 1, '<M>', 'caption', undefined)).toBe('U:<M>caption.');
    expect(renderImagePrompt({ defaultInputType: 'document' }, 1, '<M>', 'caption', undefined)).toBe('<M>caption');
  });
});

describe('multimodal items', () => {
  it('reads both request forms', () => {
    expect(fromMultimodalItem({ text: 'just text' })).toBe('just text');
    expect(fromMultimodalItem({ image: 'A', text: 't' })).toEqual({ images: ['A'], text: 't' });
    expect(
      fromMultimodalItem({ content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'B' } }, { type: 'image_url', image_url: 'C' }, { type: 'text', text: 'b' }] }),
    ).toEqual({ images: ['B', 'C'], text: 'a\nb' });
    expect(fromMultimodalItem({ video: 'V' })).toEqual({ images: [], text: undefined, video: { data: 'V', pooling: 'mean' } });
  });

  it('pools frame vectors', () => {
    const a = Float32Array.from([1, 0]);
    const b = Float32Array.from([0, 1]);
    expect(Array.from(poolFrames([a, b], 'first'))).toEqual([1, 0]);
    expect(Array.from(poolFrames([a, b], 'mean')).map((x) => x.toFixed(4))).toEqual(['0.7071', '0.7071']);
    expect(Array.from(poolFrames([a, b], 'max')).map((x) => x.toFixed(4))).toEqual(['0.7071', '0.7071']);
  });
});

describe('remote images', () => {
  it('are fetched only when allowed, within the size limit', async () => {
    const { loadImage } = await import('../../src/media/image-source.js');
    const http = await import('node:http');
    const png = gradientPng();
    const server = http.createServer((req, res) => {
      if (req.url === '/big') return res.end(Buffer.alloc(200_000, 1));
      res.writeHead(req.url === '/cat.png' ? 200 : 404, { 'content-type': 'image/png' });
      res.end(req.url === '/cat.png' ? png : undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const allowed = { maxBytes: 100_000, maxSide: 1_000, remoteUrls: true, remoteTimeoutMs: 2_000 };
      expect((await loadImage(`${base}/cat.png`, 'image', allowed)).bytes.equals(png)).toBe(true);
      await expect(loadImage(`${base}/cat.png`, 'image', { ...allowed, remoteUrls: false })).rejects.toThrow(/fetching remote images is off/);
      await expect(loadImage(`${base}/missing.png`, 'image', allowed)).rejects.toThrow(/answered HTTP 404/);
      await expect(loadImage(`${base}/big`, 'image', allowed)).rejects.toThrow(/over the 100000-byte image limit/);
    } finally {
      server.close();
    }
  });
});
