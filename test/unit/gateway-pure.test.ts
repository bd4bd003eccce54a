import { describe, expect, it } from 'vitest';
import { renderDocsPage } from '../../src/gateway/docs-page.js';
import { overallHealth } from '../../src/gateway/routes/health.js';
import { parseNvidiaSmi } from '../../src/hardware/detect.js';
import { quantizationOf } from '../../src/models/quantization.js';
import { checkEmbeddingModel } from '../../src/models/gguf-info.js';

describe('overallHealth', () => {
  it.each([
    [['ready'], false, 'ok'],
    [['ready', 'ready'], false, 'ok'],
    [['ready', 'restarting'], false, 'degraded'],
    [['unhealthy'], false, 'degraded'],
    [['starting'], false, 'down'],
    [['failed', 'restarting'], false, 'down'],
    [['ready'], true, 'down'],
  ] as const)('%j (closing %s) is %s', (states, closing, expected) => {
    expect(overallHealth(states, closing)).toBe(expected);
  });
});

describe('quantizationOf', () => {
  it('names the recorded file type', () => {
    expect(quantizationOf(7, [])).toBe('Q8_0');
    expect(quantizationOf(2, [])).toBe('Q4_0');
    expect(quantizationOf(1, [])).toBe('F16');
    expect(quantizationOf(99, [])).toBe('file type 99');
  });
  it('falls back to the type most matrices use, ignoring vectors', () => {
    const tensors = [
      { dtype: 1, shape: [4n, 4n] },
      { dtype: 1, shape: [4n, 4n] },
      { dtype: 0, shape: [4n, 4n] },
      { dtype: 0, shape: [4n] },
      { dtype: 0, shape: [4n] },
    ];
    expect(quantizationOf(undefined, tensors)).toBe('F16');
    expect(quantizationOf(undefined, [])).toBe('unknown');
  });
});

describe('parseNvidiaSmi', () => {
  it('reads one GPU per line, memory in MiB', () => {
    expect(parseNvidiaSmi('NVIDIA H200, 143771\nNVIDIA GeForce RTX 4090, 24564\n')).toEqual([
      { vendor: 'nvidia', name: 'NVIDIA H200', memoryBytes: 143771 * 2 ** 20 },
      { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24564 * 2 ** 20 },
    ]);
  });
  it('ignores errors and blank lines', () => {
    expect(parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n\n')).toEqual([]);
  });
});

describe('renderDocsPage', () => {
  it('escapes text and links schema references', () => {
    const html = renderDocsPage({
      info: { title: 'embedhost', version: '1.0.0', description: '<b>x</b>' },
      paths: { '/embed': { post: { summary: 'Embed & more', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/EmbedRequest' } } } } } } },
      components: { schemas: { EmbedRequest: { type: 'object' } } },
    });
    expect(html).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(html).toContain('Embed &#38; more');
    expect(html).toContain('<a href="#schema-EmbedRequest">EmbedRequest</a>');
    expect(html).toContain('id="schema-EmbedRequest"');
  });
});

describe('checkEmbeddingModel', () => {
  const model = { architecture: 'bert', contextLength: 512, embeddingLength: 384, pooling: 'mean' as const, causal: false, name: 'm', quantization: 'F16', sizeBytes: 1 };
  it('accepts an embedding model and refuses projectors, rerankers and files without a width', () => {
    expect(() => checkEmbeddingModel(model, 'm.gguf')).not.toThrow();
    expect(() => checkEmbeddingModel({ ...model, architecture: 'clip' }, 'p.gguf')).toThrow(/p\.gguf is a multimodal projector, not a model: pass it with --mmproj/);
    expect(() => checkEmbeddingModel({ ...model, pooling: 'rank' }, 'r.gguf')).toThrow(/reranker/);
    expect(() => checkEmbeddingModel({ ...model, embeddingLength: undefined }, 'x.gguf')).toThrow(/no architecture or embedding width/);
  });
});
