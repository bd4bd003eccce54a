import { z } from 'zod';
import { PromptTemplatesSchema } from '../embeddings/prompts.js';
import { BatchingSchema, LaunchSettingsSchema } from './schema.js';

export const ProfileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/).describe('Must equal the file name without .yaml'),
    description: z.string().min(1),
    hardware: z
      .object({
        accelerator: z.enum(['apple', 'nvidia', 'cpu']).describe('Apple Silicon (unified memory), an NVIDIA GPU (its VRAM), or CPU only (RAM)'),
        platform: z.enum(['darwin', 'linux', 'win32', 'any']).default('any'),
        minMemoryGiB: z.number().nonnegative().describe('Least unified memory, VRAM or RAM this profile is for'),
      })
      .strict(),
    model: z.string().min(1).describe('hf:owner/repo:QUANT, hf:owner/repo/file.gguf or a path'),
    quantization: z.string().min(1).describe('The quant tag the model reference selects, for listings'),
    mmproj: z.string().min(1).default('none').describe('auto, none, or a reference'),
    modalities: z.array(z.enum(['text', 'image'])).min(1).default(['text']),
    memory: z
      .object({
        modelGiB: z.number().positive(),
        mmprojGiB: z.number().nonnegative().default(0),
        totalGiB: z.number().positive().describe('Weights, projector, KV cache and compute buffers at these settings'),
      })
      .strict(),
    prompts: PromptTemplatesSchema.optional().describe("The model's prompt templates"),
    llamaServer: LaunchSettingsSchema.default({}),
    batching: BatchingSchema.default({}),
  })
  .strict();

export type Profile = z.infer<typeof ProfileSchema>;
