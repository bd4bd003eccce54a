import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { BackendState } from '../../supervisor/states.js';
import type { InFlightTracker } from '../in-flight.js';
import type { ModelRegistry } from '../model-registry.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

// Pure: ok when every backend serves, degraded when some serve or one is failing its checks, down when none can serve.
export function overallHealth(states: readonly BackendState[], closing: boolean): HealthStatus {
  if (closing) return 'down';
  const ready = states.filter((s) => s === 'ready').length;
  if (ready === states.length) return 'ok';
  return ready > 0 || states.includes('unhealthy') ? 'degraded' : 'down';
}

const BackendHealthSchema = z.object({
  model: z.string(),
  state: z.enum(['stopped', 'starting', 'ready', 'unhealthy', 'restarting', 'stopping', 'failed']),
  restarts: z.number().int(),
  pid: z.number().int().nullable(),
  readyForSeconds: z.number().int().nullable(),
  lastError: z.string().nullable(),
});

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    backends: z.array(BackendHealthSchema),
    inFlight: z.number().int(),
    uptimeSeconds: z.number().int(),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness and backend state (public)',
  responses: {
    200: { description: 'Serving (ok or degraded)', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'Cannot serve: starting, restarting, failed or shutting down', content: { 'application/json': { schema: HealthSchema } } },
  },
});

export function registerHealthRoute(app: OpenAPIHono, registry: ModelRegistry, inFlight: InFlightTracker, startedAt: number): void {
  app.openapi(route, (c) => {
    const backends = registry.models.map(({ id, supervisor }) => {
      const snapshot = supervisor.snapshot();
      return {
        model: id,
        state: snapshot.state,
        restarts: snapshot.restarts,
        pid: snapshot.pid ?? null,
        readyForSeconds: snapshot.readySince ? Math.round((Date.now() - snapshot.readySince) / 1000) : null,
        lastError: snapshot.lastError ?? null,
      };
    });
    const status = overallHealth(
      backends.map((b) => b.state),
      inFlight.isClosed,
    );
    const body = { status, backends, inFlight: inFlight.size, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
    return status === 'down' ? c.json(body, 503) : c.json(body, 200);
  });
}
