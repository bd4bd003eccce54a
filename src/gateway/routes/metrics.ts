import type { Hono } from 'hono';
import { relabelLlamaMetrics, type Metrics } from '../../metrics.js';
import type { ModelRegistry } from '../model-registry.js';

// Prometheus text: embedhost's own metrics, then each running llama-server's, renamed under
// embedhost_llamacpp_ with a model label (a backend that does not answer in time is left out).
export function registerMetricsRoute(app: Hono<any, any, any>, metrics: Metrics, registry: ModelRegistry): void {
  app.get('/metrics', async (c) => {
    const own = await metrics.registry.metrics();
    const seen = new Set<string>();
    const backends = await Promise.all(
      registry.models.map(async (model) => {
        const backend = model.supervisor.backend;
        if (!backend) return '';
        try {
          const response = await backend.client.getText('/metrics', 2_000);
          return response.status === 200 ? relabelLlamaMetrics(response.body, model.id, seen) : '';
        } catch {
          return '';
        }
      }),
    );
    const text = [own.trimEnd(), ...backends.filter(Boolean)].join('\n');
    return c.body(`${text}\n`, 200, { 'content-type': metrics.registry.contentType });
  });
}
