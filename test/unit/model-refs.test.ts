import { describe, expect, it } from 'vitest';
import { bitsOfTag, partsOf, quantTagOf, selectMmprojFile, selectModelFile } from '../../src/models/hf-select.js';
import { hfHubCacheDir } from '../../src/models/hf-cache.js';
import { formatModelRef, parseModelRef } from '../../src/models/model-ref.js';

describe('parseModelRef', () => {
  it.each([
    ['hf:Qwen/Qwen3-Embedding-0.6B-GGUF:Q8_0', { kind: 'hf', repo: 'Qwen/Qwen3-Embedding-0.6B-GGUF', tag: 'Q8_0', file: undefined, revision: 'main' }],
    ['hf:Qwen/Qwen3-Embedding-0.6B-GGUF:q4_k_m', { kind: 'hf', repo: 'Qwen/Qwen3-Embedding-0.6B-GGUF', tag: 'Q4_K_M', file: undefined, revision: 'main' }],
    ['hf:owner/repo', { kind: 'hf', repo: 'owner/repo', tag: undefined, file: undefined, revision: 'main' }],
    ['hf:owner/repo/sub/model-F16.gguf', { kind: 'hf', repo: 'owner/repo', tag: undefined, file: 'sub/model-F16.gguf', revision: 'main' }],
    ['hf:owner/repo:Q8_0@v1.0', { kind: 'hf', repo: 'owner/repo', tag: 'Q8_0', file: undefined, revision: 'v1.0' }],
    ['./models/bge.gguf', { kind: 'file', path: './models/bge.gguf' }],
    ['/abs/path/model.gguf', { kind: 'file', path: '/abs/path/model.gguf' }],
  ])('%s', (text, expected) => {
    expect(parseModelRef(text)).toEqual(expected);
    expect(parseModelRef(formatModelRef(parseModelRef(text)))).toEqual(expected);
  });

  it.each(['hf:', 'hf:justaname', 'hf:owner/repo:', 'hf:owner/repo:a:b', 'hf:owner/repo/notgguf.bin', 'hf:owner/repo/../x.gguf', ''])('rejects %j', (text) => {
    expect(() => parseModelRef(text)).toThrow(/model reference/);
  });
});

describe('llama.cpp-compatible file choice', () => {
  const repo = [
    'README.md',
    'Qwen3-Embedding-8B-Q4_K_M.gguf',
    'Qwen3-Embedding-8B-Q8_0.gguf',
    'Qwen3-Embedding-8B-f16.gguf',
    'big/Model-Q6_K-00001-of-00002.gguf',
    'big/Model-Q6_K-00002-of-00002.gguf',
    'imatrix.gguf',
    'mmproj-Qwen3-F16.gguf',
    'mmproj-Qwen3-Q8_0.gguf',
  ];

  it('finds the file for a tag, case-insensitively, never a projector or imatrix', () => {
    expect(selectModelFile(repo, 'Q8_0', 'r')).toBe('Qwen3-Embedding-8B-Q8_0.gguf');
    expect(selectModelFile(repo, 'F16', 'r')).toBe('Qwen3-Embedding-8B-f16.gguf');
    expect(selectModelFile(repo, 'Q6_K', 'r')).toBe('big/Model-Q6_K-00001-of-00002.gguf');
    expect(selectModelFile(repo, undefined, 'r')).toBe('Qwen3-Embedding-8B-Q4_K_M.gguf');
    expect(selectModelFile(['a-Q8_0.gguf', 'b-F16.gguf'], undefined, 'r')).toBe('a-Q8_0.gguf');
    expect(selectModelFile(['only-IQ4_XS.gguf'], undefined, 'r')).toBe('only-IQ4_XS.gguf');
    expect(() => selectModelFile(repo, 'Q2_K', 'r')).toThrow(/no GGUF file for the quantization Q2_K; it has F16, Q4_K_M, Q6_K, Q8_0/);
    expect(() => selectModelFile(['README.md', 'mmproj-F16.gguf'], undefined, 'r')).toThrow(/no GGUF model file/);
  });

  it('collects every part of a split model', () => {
    expect(partsOf('big/Model-Q6_K-00001-of-00002.gguf', repo)).toEqual(['big/Model-Q6_K-00001-of-00002.gguf', 'big/Model-Q6_K-00002-of-00002.gguf']);
    expect(partsOf('Qwen3-Embedding-8B-Q8_0.gguf', repo)).toEqual(['Qwen3-Embedding-8B-Q8_0.gguf']);
  });

  it('pairs a model with the projector nearest in bits', () => {
    expect(selectMmprojFile(repo, 'Qwen3-Embedding-8B-Q4_K_M.gguf')).toBe('mmproj-Qwen3-Q8_0.gguf');
    expect(selectMmprojFile(repo, 'Qwen3-Embedding-8B-f16.gguf')).toBe('mmproj-Qwen3-F16.gguf');
    expect(selectMmprojFile(['m.Q8_0.gguf', 'm.mmproj-fp16.gguf'], 'm.Q8_0.gguf')).toBe('m.mmproj-fp16.gguf');
    expect(selectMmprojFile(['m-Q8_0.gguf'], 'm-Q8_0.gguf')).toBeUndefined();
  });

  it('reads tags and bits from names', () => {
    expect(quantTagOf('gme-Qwen2-VL-2B-Instruct.Q4_K_M.gguf')).toBe('Q4_K_M');
    expect(quantTagOf('x/Model-Q6_K-00001-of-00002.gguf')).toBe('Q6_K');
    expect([bitsOfTag('Q4_K_M'), bitsOfTag('IQ4_XS'), bitsOfTag('Q8_0'), bitsOfTag('BF16'), bitsOfTag('FP16'), bitsOfTag('F32'), bitsOfTag('X')]).toEqual([4, 4, 8, 16, 16, 32, undefined]);
  });
});

describe('hfHubCacheDir', () => {
  it('follows huggingface_hub precedence', () => {
    expect(hfHubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hfHubCacheDir({ HUGGINGFACE_HUB_CACHE: '/c', HF_HOME: '/b' })).toBe('/c');
    expect(hfHubCacheDir({ HF_HOME: '/b' })).toBe('/b/hub');
    expect(hfHubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/huggingface/hub');
    expect(hfHubCacheDir({})).toMatch(/\.cache\/huggingface\/hub$/);
  });
});
