import { statSync } from 'node:fs';
import { gguf } from '@huggingface/gguf';
import { EmbedhostError } from '../errors.js';
import type { Pooling } from '../supervisor/args.js';
import { quantizationOf } from './quantization.js';

export interface GgufInfo {
  architecture: string;
  contextLength: number | undefined;
  embeddingLength: number | undefined;
  pooling: Pooling | undefined;
  causal: boolean;
  name: string | undefined;
  /** e.g. `Q8_0`, from `general.file_type` or the tensors themselves. */
  quantization: string;
  sizeBytes: number;
}

const POOLING_BY_ID: Record<number, Pooling> = { 0: 'none', 1: 'mean', 2: 'cls', 3: 'last', 4: 'rank' };

// Reads only the header and metadata: enough to size the context and pick pooling before llama-server loads anything.
export async function readGgufInfo(file: string): Promise<GgufInfo> {
  let metadata: Record<string, unknown>;
  let tensors: Array<{ dtype: number; shape: readonly unknown[] }>;
  try {
    const parsed = await gguf(file, { allowLocalFile: true });
    metadata = parsed.metadata as Record<string, unknown>;
    tensors = parsed.tensorInfos;
  } catch (error) {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `${file} is not a readable GGUF file: ${(error as Error).message}`, { cause: error });
  }
  const architecture = String(metadata['general.architecture'] ?? '');
  const number = (key: string) => {
    const value = metadata[`${architecture}.${key}`];
    return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : undefined;
  };
  const poolingId = number('pooling_type');
  const causal = metadata[`${architecture}.attention.causal`];
  return {
    architecture,
    contextLength: number('context_length'),
    embeddingLength: number('embedding_length'),
    pooling: poolingId === undefined ? undefined : POOLING_BY_ID[poolingId],
    causal: causal === undefined ? true : Boolean(causal),
    name: typeof metadata['general.name'] === 'string' ? metadata['general.name'] : undefined,
    quantization: quantizationOf(typeof metadata['general.file_type'] === 'number' ? metadata['general.file_type'] : undefined, tensors),
    sizeBytes: statSync(file).size,
  };
}

// Pure: refuse, before llama-server is spawned, files that cannot serve embeddings.
export function checkEmbeddingModel(info: GgufInfo, file: string): void {
  if (info.architecture === 'clip' || info.architecture === 'mtmd') {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `${file} is a multimodal projector, not a model: pass it with --mmproj next to its model`);
  }
  if (info.pooling === 'rank') {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `${file} is a reranker (its pooling type is rank); embedhost serves embedding models`);
  }
  if (!info.architecture || info.embeddingLength === undefined) {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `${file} has no architecture or embedding width in its metadata; it is not a model llama-server can embed with`);
  }
}
