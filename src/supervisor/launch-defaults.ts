import type { GgufInfo } from '../models/gguf-info.js';
import type { FlashAttention, LaunchSpec, Pooling } from './args.js';

export interface LaunchOverrides {
  parallel?: number | undefined;
  contextPerSlot?: number | undefined;
  ubatchSize?: number | undefined;
  threads?: number | undefined;
  gpuLayers?: number | undefined;
  pooling?: Pooling | undefined;
  flashAttention?: FlashAttention | undefined;
}

const nextPowerOfTwo = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

// Pure: launch settings for a model file when no profile says otherwise. Each slot gets the model's
// full trained context (capped), and -ub covers one whole input, since pooled BERT-type models need it in one ubatch.
export function defaultLaunchSpec(modelPath: string, info: GgufInfo, overrides: LaunchOverrides = {}): Omit<LaunchSpec, 'port' | 'apiKey'> {
  const parallel = overrides.parallel ?? 4;
  const contextPerSlot = overrides.contextPerSlot ?? Math.min(info.contextLength ?? 2048, 8192);
  const ubatchSize = overrides.ubatchSize ?? Math.min(8192, Math.max(512, nextPowerOfTwo(contextPerSlot)));
  // A model without a pooling type would only give per-token vectors; mean is what such embedders expect.
  const pooling = overrides.pooling ?? (info.pooling === undefined || info.pooling === 'none' ? 'mean' : undefined);
  return {
    modelPath,
    pooling,
    contextSize: parallel * contextPerSlot,
    ubatchSize,
    parallel,
    threads: overrides.threads,
    gpuLayers: overrides.gpuLayers ?? 99,
    flashAttention: overrides.flashAttention,
  };
}
