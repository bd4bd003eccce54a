import type { Hono } from 'hono';
import type { Supervisor } from '../../supervisor/supervisor.js';
import type { InFlightTracker } from '../in-flight.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export function healthStatusOf(state: Supervisor['state']): HealthStatus {
  if (state === 'ready') return 'ok';
  if (state === 'unhealthy') return 'degraded';
  return 'down';
}

export function registerHealthRoute(app: Hono<any, any, any>, supervisor: Supervisor, inFlight: InFlightTracker, startedAt: number): void {
  app.get('/health', (c) => {
    const snapshot = supervisor.snapshot();
    const status = inFlight.isClosed ? 'down' : healthStatusOf(snapshot.state);
    return c.json(
      {
        status,
        backend: {
          state: snapshot.state,
          restarts: snapshot.restarts,
          pid: snapshot.pid ?? null,
          readyForSeconds: snapshot.readySince ? Math.round((Date.now() - snapshot.readySince) / 1000) : null,
          lastError: snapshot.lastError ?? null,
        },
        inFlight: inFlight.size,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      },
      status === 'down' ? 503 : 200,
    );
  });
}
