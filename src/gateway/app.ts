import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
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
import { registerOpenAIEmbeddingsRoute } from './routes/openai-embeddings.js';
import { defaultValidationHook, requireJsonBody } from './validation.js';

export interface GatewayOptions {
  /** The first is the default for requests that name no model. */
  models: readonly ServedModel[];
  logger: Logger;
  /** The llama-server binary all models run on, for /info. */
  binaryPath: string;
  cache?: EmbeddingCache | undefined;
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

export interface Gateway {
  app: OpenAPIHono;
  inFlight: InFlightTracker;
  registry: ModelRegistry;
}

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
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.onError(createErrorHandler(options.logger));
  app.notFound(handleNotFound(app));
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
  };
  registerOpenAIEmbeddingsRoute(app, embedding);
  registerNativeRoutes(app, { ...embedding, maxBatchInputs: options.maxBatchInputs ?? 10_000 });
  const documentConfig = {
    openapi: '3.1.0',
    info: { title: 'embedhost', version: EMBEDHOST_VERSION, description: 'A local embedding server: OpenAI-compatible /v1/embeddings and native routes, on llama.cpp.' },
  };
  app.doc31('/openapi.json', documentConfig);
  const docsPage = memoize(async () => renderDocsPage(app.getOpenAPI31Document(documentConfig) as Parameters<typeof renderDocsPage>[0]));
  app.get('/docs', async (c) => c.html(await docsPage()));
  return { app, inFlight, registry };
}
