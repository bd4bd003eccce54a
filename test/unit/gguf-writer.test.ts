import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import { GGUFValueType, toFloat16Bits, writeGguf } from '../fixtures/gguf-writer.js';

describe('GGUF writer', () => {
  it('writes a file the reference parser reads back, key types and tensor offsets included', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gguf-')), 'm.gguf');
    writeGguf(
      file,
      [
        { key: 'general.architecture', type: GGUFValueType.STRING, value: 'bert' },
        { key: 'bert.pooling_type', type: GGUFValueType.UINT32, value: 1 },
        { key: 'bert.attention.causal', type: GGUFValueType.BOOL, value: false },
        { key: 'tokenizer.ggml.tokens', type: GGUFValueType.ARRAY, subType: GGUFValueType.STRING, value: ['a', 'b'] },
      ],
      [
        { name: 'x', shape: [3], type: 'F32', data: new Float32Array([1, 2, 3]) },
        { name: 'y', shape: [2, 2], type: 'F16', data: new Float32Array([1, -2, 0.5, 0]) },
      ],
    );
    const { typedMetadata, tensorInfos, tensorDataOffset } = await gguf(file, { allowLocalFile: true, typedMetadata: true });
    expect(typedMetadata['bert.pooling_type']).toEqual({ type: GGUFValueType.UINT32, value: 1 });
    expect(typedMetadata['bert.attention.causal']?.value).toBe(false);
    expect(typedMetadata['tokenizer.ggml.tokens']?.value).toEqual(['a', 'b']);
    expect(tensorInfos.map((t) => [t.name, Number(t.offset)])).toEqual([['x', 0], ['y', 32]]);
    expect(Number(tensorDataOffset) % 32).toBe(0);
    const bytes = fs.readFileSync(file);
    expect(bytes.readFloatLE(Number(tensorDataOffset) + 8)).toBe(3);
    expect(bytes.readUInt16LE(Number(tensorDataOffset) + 32 + 2)).toBe(0xc000);
  });

  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [0, 0],
  ])('encodes %d as half %s', (value, bits) => expect(toFloat16Bits(value)).toBe(bits));
});
