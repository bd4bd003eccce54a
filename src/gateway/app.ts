import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { KeyStore, type KeyLimits } from '../auth/api-keys.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { UsageTracker } from '../auth/usage.js';
import { DEFAULT_IMAGE_SOURCE, type ImageSourceOptions } from '../media/image-source.js';
import { DEFAULT_VIDEO, type VideoOptions } from '../media/video.js';
import { Metrics } from '../metrics.js';
import { accessControl } from './middleware/access.js';
import { requestLog } from './middleware/request-log.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerUsageRoute } from './routes/usage.js';
import { requestId } from 'hono/request-id';
import type { EmbeddingCache } from '../cache/embedding-cache.js';
import { EmbedhostError } from '../errors.js';
import { detectHardware, type HardwareFacts } from '../hardware/detect.js';
import type { Logger } from '../logger.js';
import type { ServedModel } from '../models/served-model.js';
import { readLlamaServerVersion, type LlamaServerVersion } from '../runtime/check-binary.js';
import { EMBEDHOST_VERSION } from '../version.js';
import { renderDocsPage } from './docs-page.js';
import { InFlightTracker } from './in-flight.js';
import { createErrorHandler, handleNotFound } from './middleware/errors.js';
import { ModelRegistry } from './model-registry.js';
import { registerHealthRoute } from './routes/health.js';
import { registerInfoRoute } from './routes/info.js';
import { registerModelsRoute } from './routes/models.js';
import { registerNativeRoutes } from './routes/native-embed.js';
import { registerImageRoutes } from './routes/native-images.js';
import { registerOpenAIEmbeddingsRoute } from './routes/openai-embeddings.js';
import { defaultValidationHook, requireJsonBody } from './validation.js';

export interface GatewayOptions {
  /** The first is the default for requests that name no model. */
  models: readonly ServedModel[];
  logger: Logger;
  /** The llama-server binary all models run on, for /info. */
  binaryPath: string;
  cache?: EmbeddingCache | undefined;
  access?: AccessSettings;
  /** Image limits and remote URL fetching. */
  media?: ImageSourceOptions & VideoOptions;
  /** Browser origins allowed to call the API (CORS). @default none: CORS off */
  corsOrigins?: readonly string[];
  /** @default 2048, as OpenAI */
  maxInputs?: number;
  /** Inputs per /embed/batch request. @default 10000 */
  maxBatchInputs?: number;
  /** @default 300000, as OpenAI */
  maxTokensPerRequest?: number;
  /** @default 16 MiB */
  maxBodyBytes?: number;
  /** Cut over-long inputs instead of a 400. @default false */
  autoTruncate?: boolean;
}

export interface AccessSettings {
  keys: KeyStore;
  defaultLimits: KeyLimits;
  usage: UsageTracker;
  limiter?: RateLimiter;
  /** /docs and /openapi.json without a key. @default true */
  docsPublic?: boolean;
  /** /metrics without a key. @default false */
  metricsPublic?: boolean;
}

export interface Gateway {
  app: OpenAPIHono;
  inFlight: InFlightTracker;
  registry: ModelRegistry;
  metrics: Metrics;
  usage: UsageTracker;
  keys: KeyStore;
}

const METERED = new Set(['/v1/embeddings', '/embed', '/embed/batch', '/embed/image', '/embed/multimodal', '/embed/video', '/similarity']);

const memoize = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
};

export function createGateway(options: GatewayOptions): Gateway {
  const app = new OpenAPIHono({ defaultHook: defaultValidationHook });
  const inFlight = new InFlightTracker();
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 2 ** 20;
  const registry = new ModelRegistry(options.models);
  const startedAt = Date.now();
  const access = options.access ?? { keys: new KeyStore([]), defaultLimits: {}, usage: new UsageTracker() };
  const metrics = new Metrics({ models: () => registry.models, cache: () => options.cache, usage: access.usage });
  const publicPaths = new Set(['/health']);
  if (access.docsPublic ?? true) for (const path of ['/docs', '/openapi.json']) publicPaths.add(path);
  if (access.metricsPublic) publicPaths.add('/metrics');
  let knownPaths: Set<string> | undefined;
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.onError(createErrorHandler(options.logger));
  app.notFound(handleNotFound(app));
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.use(cors({ origin: [...options.corsOrigins], allowHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'cache-control'], exposeHeaders: ['x-request-id', 'retry-after'] }));
  }
  app.use(requestLog(options.logger, metrics, () => (knownPaths ??= new Set(app.routes.map((r) => r.path).filter((p) => !p.includes('*'))))));
  app.use(
    accessControl({
      keys: access.keys,
      limiter: access.limiter ?? new RateLimiter(),
      defaultLimits: access.defaultLimits,
      usage: access.usage,
      publicPaths,
      isMetered: (path) => METERED.has(path),
    }),
  );
  registerHealthRoute(app, registry, inFlight, startedAt);
  app.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new EmbedhostError('EMBEDHOST_BODY_TOO_LARGE', `The request body is over the ${maxBodyBytes}-byte limit`);
      },
    }),
  );
  const served = ['/v1/*', '/embed', '/embed/*', '/similarity'];
  app.use(async function trackInFlight(c, next) {
    if (!served.some((p) => (p.endsWith('*') ? c.req.path.startsWith(p.slice(0, -1)) : c.req.path === p))) return next();
    inFlight.enter();
    try {
      await next();
    } finally {
      inFlight.leave();
    }
  });
  app.use(requireJsonBody());
  registerModelsRoute(app, registry);
  registerMetricsRoute(app, metrics, registry);
  registerUsageRoute(app, access.usage, access.keys);
  registerInfoRoute(app, {
    registry,
    serviceVersion: EMBEDHOST_VERSION,
    startedAt,
    llamaServer: memoize<LlamaServerVersion>(() => readLlamaServerVersion(options.binaryPath)),
    hardware: memoize<HardwareFacts>(detectHardware),
    cache: options.cache,
  });
  const embedding = {
    registry,
    autoTruncate: options.autoTruncate ?? false,
    maxInputs: options.maxInputs ?? 2048,
    maxTokensPerRequest: options.maxTokensPerRequest ?? 300_000,
    media: options.media ?? { ...DEFAULT_IMAGE_SOURCE, ...DEFAULT_VIDEO },
  };
  registerOpenAIEmbeddingsRoute(app, embedding);
  registerNativeRoutes(app, { ...embedding, maxBatchInputs: options.maxBatchInputs ?? 10_000 });
  registerImageRoutes(app, { registry, media: embedding.media });
  const documentConfig = {
    openapi: '3.1.0',
    info: { title: 'embedhost', version: EMBEDHOST_VERSION, description: 'A local embedding server: OpenAI-compatible /v1/embeddings and native routes, on llama.cpp.' },
  };
  app.doc31('/openapi.json', documentConfig);
  const docsPage = memoize(async () => renderDocsPage(app.getOpenAPI31Document(documentConfig) as Parameters<typeof renderDocsPage>[0]));
  app.get('/docs', async (c) => c.html(await docsPage()));
  return { app, inFlight, registry, metrics, usage: access.usage, keys: access.keys };
}
