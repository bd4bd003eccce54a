import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { Embedder } from '../embeddings/embedder.js';
import { EmbedhostError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { InFlightTracker } from './in-flight.js';
import { createErrorHandler, handleNotFound } from './middleware/errors.js';
import { registerHealthRoute } from './routes/health.js';
import { registerModelsRoute } from './routes/models.js';
import { registerNativeRoutes } from './routes/native-embed.js';
import { registerOpenAIEmbeddingsRoute } from './routes/openai-embeddings.js';
import { defaultValidationHook, requireJsonBody } from './validation.js';

export interface GatewayOptions {
  supervisor: Supervisor;
  logger: Logger;
  /** The model name responses report. */
  modelId: string;
  /** Pooled encoders need a whole input in one ubatch; used for the per-input token limit. */
  ubatchSize?: number;
  causal?: boolean;
  /** How long a request waits for a restarting backend before a 503. @default 60000 */
  retryDeadlineMs?: number;
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
  embedder: Embedder;
}

export function createGateway(options: GatewayOptions): Gateway {
  const app = new OpenAPIHono({ defaultHook: defaultValidationHook });
  const inFlight = new InFlightTracker();
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 2 ** 20;
  const embedder = new Embedder({
    supervisor: options.supervisor,
    retryDeadlineMs: options.retryDeadlineMs ?? 60_000,
    ubatchSize: options.ubatchSize ?? 512,
    causal: options.causal ?? false,
  });
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.onError(createErrorHandler(options.logger));
  app.notFound(handleNotFound(app));
  registerHealthRoute(app, options.supervisor, inFlight, Date.now());
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
  registerModelsRoute(app, { modelId: options.modelId, embedder, supervisor: options.supervisor });
  const embedding = {
    embedder,
    modelId: options.modelId,
    autoTruncate: options.autoTruncate ?? false,
    maxInputs: options.maxInputs ?? 2048,
    maxTokensPerRequest: options.maxTokensPerRequest ?? 300_000,
  };
  registerOpenAIEmbeddingsRoute(app, embedding);
  registerNativeRoutes(app, { ...embedding, maxBatchInputs: options.maxBatchInputs ?? 10_000 });
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'embedhost', version: '0.1.0', description: 'Local embedding server' } });
  return { app, inFlight, embedder };
}
