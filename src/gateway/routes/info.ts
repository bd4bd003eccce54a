import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { EmbeddingCache } from '../../cache/embedding-cache.js';
import type { HardwareFacts } from '../../hardware/detect.js';
import type { LlamaServerVersion } from '../../runtime/check-binary.js';
import { redactLaunchArgs } from '../../supervisor/args.js';
import type { ModelRegistry } from '../model-registry.js';

export interface InfoRouteOptions {
  registry: ModelRegistry;
  serviceVersion: string;
  startedAt: number;
  /** Asked once, on the first /info, since it runs `llama-server --version`. */
  llamaServer: () => Promise<LlamaServerVersion>;
  hardware: () => Promise<HardwareFacts>;
  cache: EmbeddingCache | undefined;
}

const ModelInfoSchema = z.object({
  id: z.string(),
  file: z.string(),
  sizeBytes: z.number().int(),
  architecture: z.string(),
  quantization: z.string().openapi({ description: 'e.g. Q8_0, from the GGUF file type or its tensors' }),
  dimensions: z.number().int().nullable(),
  trainedContext: z.number().int().nullable(),
  contextPerSlot: z.number().int(),
  pooling: z.string().openapi({ description: 'The pooling llama-server applies: the model file’s own unless overridden' }),
  causal: z.boolean(),
  mmproj: z.string().nullable(),
  profile: z.string().nullable(),
  launch: z.object({
    parallel: z.number().int(),
    contextSize: z.number().int(),
    ubatchSize: z.number().int(),
    threads: z.number().int().nullable(),
    gpuLayers: z.number().int().nullable(),
    flags: z.array(z.string()).nullable().openapi({ description: 'The running llama-server’s command line, its key redacted; null while none runs' }),
  }),
  backend: z.object({ state: z.string(), restarts: z.number().int() }),
  batching: z.object({
    upstreamRequests: z.number().int(),
    queuedInputs: z.number().int(),
    queuedTokens: z.number().int(),
    inFlight: z.number().int(),
    dedupedInputs: z.number().int().openapi({ description: 'Inputs answered by an identical input already in flight' }),
    droppedInputs: z.number().int().openapi({ description: 'Inputs of clients that went away before dispatch' }),
  }),
});

const CacheInfoSchema = z
  .object({ hits: z.number().int(), misses: z.number().int(), bytes: z.number().int(), entries: z.number().int(), evictions: z.number().int(), errors: z.number().int() })
  .nullable()
  .openapi({ description: 'null when caching is off' });

const InfoSchema = z
  .object({
    service: z.object({ name: z.literal('embedhost'), version: z.string(), uptimeSeconds: z.number().int() }),
    models: z.array(ModelInfoSchema),
    cache: CacheInfoSchema,
    llamaServer: z.object({ path: z.string(), version: z.string(), build: z.string().nullable(), commit: z.string().nullable() }),
    hardware: z.object({
      platform: z.string(),
      arch: z.string(),
      cpuModel: z.string(),
      cpuCores: z.number().int(),
      totalMemoryBytes: z.number().int(),
      appleSilicon: z.boolean(),
      gpus: z.array(z.object({ vendor: z.string(), name: z.string(), memoryBytes: z.number().int() })),
    }),
  })
  .openapi('Info');

const route = createRoute({
  method: 'get',
  path: '/info',
  summary: 'What is served, how, and on what hardware',
  responses: { 200: { description: 'Models, llama-server and hardware', content: { 'application/json': { schema: InfoSchema } } } },
});

export function registerInfoRoute(app: OpenAPIHono, options: InfoRouteOptions): void {
  app.openapi(route, async (c) => {
    const [llamaServer, hardware] = await Promise.all([options.llamaServer(), options.hardware()]);
    const models = options.registry.models.map(({ id, file, mmprojFile, info, profile, launch, supervisor, embedder }) => {
      const batcher = embedder.embedBatcher.stats;
      const snapshot = supervisor.snapshot();
      const running = supervisor.backend;
      return {
        id,
        file,
        sizeBytes: info.sizeBytes,
        architecture: info.architecture,
        quantization: info.quantization,
        dimensions: info.embeddingLength ?? null,
        trainedContext: info.contextLength ?? null,
        contextPerSlot: launch.contextSize / launch.parallel,
        pooling: launch.pooling ?? info.pooling ?? 'none',
        causal: info.causal,
        mmproj: mmprojFile ?? null,
        profile: profile ?? null,
        launch: {
          parallel: launch.parallel,
          contextSize: launch.contextSize,
          ubatchSize: launch.ubatchSize,
          threads: launch.threads ?? null,
          gpuLayers: launch.gpuLayers ?? null,
          flags: running ? redactLaunchArgs(running.launchArgs) : null,
        },
        backend: { state: snapshot.state, restarts: snapshot.restarts },
        batching: {
          upstreamRequests: batcher.batches,
          queuedInputs: batcher.queuedItems,
          queuedTokens: batcher.queuedCost,
          inFlight: batcher.inFlight,
          dedupedInputs: batcher.dedupedItems,
          droppedInputs: batcher.droppedItems,
        },
      };
    });
    return c.json(
      {
        service: { name: 'embedhost' as const, version: options.serviceVersion, uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000) },
        models,
        cache: options.cache?.stats() ?? null,
        llamaServer: { path: llamaServer.path, version: llamaServer.version, build: llamaServer.build ?? null, commit: llamaServer.commit ?? null },
        hardware,
      },
      200,
    );
  });
}
