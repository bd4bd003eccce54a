import type { Context, MiddlewareHandler } from 'hono';
import { EmbedhostError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { usageOf } from '../request-usage.js';
import { callerOf } from './access.js';

// One log line and one set of metric observations per request, whatever its outcome.
export function requestLog(logger: Logger, metrics: Metrics, knownPaths: () => ReadonlySet<string>): MiddlewareHandler {
  return async function logRequest(c: Context, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    // Unknown paths share one label, so a scanner cannot blow up the metric's cardinality.
    const route = knownPaths().has(c.req.path) ? c.req.path : 'unmatched';
    const status = c.res.status;
    metrics.httpRequests.inc({ route, method: c.req.method, status: String(status) });
    metrics.httpDuration.observe({ route }, seconds);
    const used = usageOf(c.req.raw);
    if (used) {
      metrics.tokens.inc({ model: used.model }, used.tokens);
      metrics.inputs.inc({ model: used.model }, used.inputs);
    }
    const error = c.error instanceof EmbedhostError ? c.error.code : c.error ? 'EMBEDHOST_INTERNAL' : undefined;
    // Probes and scrapes arrive every few seconds: kept out of the info log unless they fail.
    const routine = (c.req.path === '/health' || c.req.path === '/metrics') && status < 400;
    logger[status >= 500 ? 'error' : routine ? 'debug' : 'info'](
      {
        reqId: c.get('requestId'),
        key: callerOf(c.req.raw)?.id,
        method: c.req.method,
        route: c.req.path,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        ...(used ? { model: used.model, inputs: used.inputs, tokens: used.tokens, cacheHits: used.cacheHits, queueMs: Math.round(used.queueMs), backendMs: Math.round(used.backendMs) } : {}),
        ...(error ? { error } : {}),
      },
      'request',
    );
  };
}
