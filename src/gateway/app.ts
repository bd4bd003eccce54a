import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../logger.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { InFlightTracker } from './in-flight.js';
import { createErrorHandler, handleNotFound } from './middleware/errors.js';
import { registerEmbeddingsRoute } from './routes/embeddings.js';
import { registerHealthRoute } from './routes/health.js';

export interface GatewayOptions {
  supervisor: Supervisor;
  logger: Logger;
  /** The model name responses report. */
  modelId: string;
  /** How long a request waits for a restarting backend before a 503. @default 60000 */
  retryDeadlineMs?: number;
}

export interface Gateway {
  app: Hono;
  inFlight: InFlightTracker;
}

export function createGateway(options: GatewayOptions): Gateway {
  const app = new Hono();
  const inFlight = new InFlightTracker();
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.onError(createErrorHandler(options.logger));
  app.notFound(handleNotFound);
  registerHealthRoute(app, options.supervisor, inFlight, Date.now());
  app.use('/v1/*', async function trackInFlight(_c, next) {
    inFlight.enter();
    try {
      await next();
    } finally {
      inFlight.leave();
    }
  });
  registerEmbeddingsRoute(app, {
    supervisor: options.supervisor,
    modelId: options.modelId,
    retryDeadlineMs: options.retryDeadlineMs ?? 60_000,
  });
  return { app, inFlight };
}
