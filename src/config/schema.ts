import { z } from 'zod';
import { PromptTemplatesSchema } from '../embeddings/prompts.js';

// The single source of the configuration's types, defaults and documentation (and of the file's JSON Schema).

export const LaunchSettingsSchema = z
  .object({
    parallel: z.number().int().positive().optional().describe('llama-server slots (-np), a power of two. Default 4'),
    contextPerSlot: z.number().int().positive().optional().describe("Context per slot in tokens. Default: the model's trained context, up to 8192"),
    ubatch: z.number().int().positive().optional().describe('Physical batch (-ub) in tokens, a power of two. Default: covers one whole input'),
    threads: z.number().int().positive().optional().describe("CPU threads (-t). Default: llama-server's choice"),
    gpuLayers: z.number().int().nonnegative().optional().describe('Layers offloaded to the GPU (-ngl). Default 99 (all)'),
    flashAttention: z.enum(['on', 'off', 'auto']).optional().describe("Flash attention (-fa). Default: llama-server's (auto)"),
    pooling: z.enum(['mean', 'cls', 'last']).optional().describe("Pooling. Default: the model file's own, else mean"),
  })
  .strict();

export const ModelEntrySchema = z
  .object({
    model: z.string().min(1).describe('hf:owner/repo:QUANT, hf:owner/repo/file.gguf, or a path to a .gguf file'),
    mmproj: z.string().min(1).optional().describe('Projector: auto (the nearest mmproj file in an hf: repo), none, or a reference or path'),
    id: z
      .string()
      .regex(/^[\w.:-]+$/)
      .optional()
      .describe('The name clients select it by. Default: the file name without .gguf'),
    prompts: PromptTemplatesSchema.optional().describe("The model's prompt templates"),
  })
  .strict();

export const BatchingSchema = z
  .object({
    maxBatchTokens: z.number().int().positive().optional().describe('Tokens per merged upstream request. Default: parallel × ubatch'),
    maxBatchInputs: z.number().int().positive().optional().describe('Inputs per merged upstream request. Default 64'),
    maxWaitMs: z.number().nonnegative().optional().describe('Longest a batch waits to fill while the backend is busy, in ms. Default 2'),
    maxInFlight: z.number().int().positive().optional().describe('Upstream requests at once per model. Default 2'),
    maxQueuedInputs: z.number().int().positive().optional().describe('Backlog bound in inputs; past it requests get 429. Default 16384'),
    maxQueuedTokens: z.number().int().positive().optional().describe('Backlog bound in tokens; past it requests get 429. Default 4194304'),
  })
  .strict();

export const CacheSchema = z
  .object({
    maxBytes: z.number().int().nonnegative().default(256 * 2 ** 20).describe('The in-process cache bound in bytes (0: no cache). Default 256 MiB'),
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional().describe('A Redis shared by several instances (redis://host:6379)'),
    ttlSeconds: z.number().int().positive().default(7 * 24 * 3600).describe('Lifetime of Redis entries, in seconds. Default 7 days'),
  })
  .strict();

export const ApiKeySchema = z
  .object({
    id: z.string().regex(/^[\w.-]+$/).optional().describe('Shown in logs, metrics and usage. Default: key- and 8 hex digits of its sha256'),
    key: z.string().min(8).optional().describe('The secret itself (or give sha256)'),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional().describe("The key's sha256 in hex, so the file holds no secret"),
    admin: z.boolean().optional().describe('May read GET /v1/usage'),
    requestsPerMinute: z.number().int().positive().optional().describe('This key’s request limit'),
    tokensPerMinute: z.number().int().positive().optional().describe('This key’s token limit'),
  })
  .strict()
  .refine((k) => k.key !== undefined || k.sha256 !== undefined, 'each key needs `key` or `sha256`');

export const AuthSchema = z
  .object({
    keys: z.array(ApiKeySchema).default([]).describe('API keys; with none, only loopback addresses are allowed'),
    keysFile: z.string().min(1).optional().describe('A file of keys: `KEY`, `id:KEY` or `id:sha256:HEX` per line, `admin` after a key'),
    insecure: z.boolean().default(false).describe('Listen beyond loopback without keys'),
    requestsPerMinute: z.number().int().positive().optional().describe('Default request limit per key (none: unlimited)'),
    tokensPerMinute: z.number().int().positive().optional().describe('Default token limit per key (none: unlimited)'),
    docsPublic: z.boolean().default(true).describe('/docs and /openapi.json without a key'),
    metricsPublic: z.boolean().default(false).describe('/metrics without a key'),
    usageFile: z.string().min(1).optional().describe('Append usage as JSON lines here; totals are restored from it at start'),
  })
  .strict();

export const ConfigSchema = z
  .object({
    profile: z.string().min(1).default('auto').describe('A hardware profile name, or auto to pick the largest that fits this machine'),
    model: z.string().min(1).optional().describe("The model to serve (see models for several). Default: the profile's"),
    mmproj: z.string().min(1).default('auto').describe('The first model’s projector: auto, none, or a reference or path'),
    prompts: PromptTemplatesSchema.optional().describe("The first model's prompt templates (query/document/image). Default: the profile's"),
    models: z.array(ModelEntrySchema).min(1).optional().describe('Several models, each on its own llama-server; the first is the default'),
    host: z.string().min(1).default('127.0.0.1').describe('Address to listen on'),
    port: z.number().int().min(0).max(65535).default(8080).describe('Port to listen on (0: any free port)'),
    llamaServer: LaunchSettingsSchema.extend({
      binary: z.string().min(1).optional().describe('The llama-server binary. Default: LLAMA_SERVER_BIN, PATH, then embedhost’s cache'),
      install: z.boolean().default(false).describe('Build llama-server without asking when none is found'),
    })
      .strict()
      .default({ install: false }),
    batching: BatchingSchema.default({}),
    cache: CacheSchema.default({ maxBytes: 256 * 2 ** 20, ttlSeconds: 7 * 24 * 3600 }),
    limits: z
      .object({
        maxInputs: z.number().int().positive().default(2048).describe('Inputs per /v1/embeddings or /embed request (OpenAI: 2048)'),
        maxBatchInputs: z.number().int().positive().default(10_000).describe('Inputs per /embed/batch request'),
        maxTokensPerRequest: z.number().int().positive().default(300_000).describe('Tokens per request (OpenAI: 300000)'),
        maxBodyBytes: z.number().int().positive().default(16 * 2 ** 20).describe('Request body size in bytes. Default 16 MiB'),
        autoTruncate: z.boolean().default(false).describe('Cut over-long inputs to the model limit instead of a 400'),
        retryDeadlineMs: z.number().int().positive().default(60_000).describe('How long a request waits for a restarting backend, in ms'),
        requestTimeoutMs: z.number().int().positive().default(60_000).describe('A client must send its whole request within this, in ms'),
        headersTimeoutMs: z.number().int().positive().default(20_000).describe('…and its headers within this, in ms'),
      })
      .strict()
      .default({
        maxInputs: 2048,
        maxBatchInputs: 10_000,
        maxTokensPerRequest: 300_000,
        maxBodyBytes: 16 * 2 ** 20,
        autoTruncate: false,
        retryDeadlineMs: 60_000,
        requestTimeoutMs: 60_000,
        headersTimeoutMs: 20_000,
      }),
    huggingFace: z
      .object({
        endpoint: z.string().url().default('https://huggingface.co').describe('The Hub (HF_ENDPOINT)'),
        offline: z.boolean().default(false).describe('Use cached files only, never the network (HF_HUB_OFFLINE)'),
        cacheDir: z.string().min(1).optional().describe('The hub cache. Default: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub'),
        token: z.string().min(1).optional().describe('Token for gated or private repos (HF_TOKEN); never printed'),
      })
      .strict()
      .default({ endpoint: 'https://huggingface.co', offline: false }),
    media: z
      .object({
        maxImageBytes: z.number().int().positive().default(20 * 2 ** 20).describe('Largest image, in bytes. Default 20 MiB'),
        maxImageSide: z.number().int().positive().default(16_384).describe('Longest image side, in pixels'),
        remoteUrls: z.boolean().default(false).describe('Fetch http(s) image URLs given in requests'),
        remoteTimeoutMs: z.number().int().positive().default(10_000).describe('Time limit for fetching a remote image, in ms'),
        maxVideoBytes: z.number().int().positive().default(100 * 2 ** 20).describe('Largest video, in bytes. Default 100 MiB'),
        videoFps: z.number().positive().default(1).describe('Frames sampled per second of video'),
        maxVideoFrames: z.number().int().positive().default(16).describe('Most frames embedded per video'),
      })
      .strict()
      .default({ maxImageBytes: 20 * 2 ** 20, maxImageSide: 16_384, remoteUrls: false, remoteTimeoutMs: 10_000, maxVideoBytes: 100 * 2 ** 20, videoFps: 1, maxVideoFrames: 16 }),
    auth: AuthSchema.default({ keys: [], insecure: false, docsPublic: true, metricsPublic: false }),
    corsOrigins: z.array(z.string().min(1)).default([]).describe('Browser origins allowed to call the API (CORS); none: CORS off'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('Log level'),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type LaunchSettings = z.infer<typeof LaunchSettingsSchema>;
export type ModelEntry = z.infer<typeof ModelEntrySchema>;
