import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { EmbedhostError, toErrorEnvelope } from '../../errors.js';
import type { Logger } from '../../logger.js';

function respond(c: Context, error: unknown): Response {
  const { status, body, retryAfterSeconds } = toErrorEnvelope(error);
  if (retryAfterSeconds !== undefined) c.header('Retry-After', String(retryAfterSeconds));
  return c.json(body, status as ContentfulStatusCode);
}

// Every error leaves as the OpenAI envelope; anything unexpected is logged whole and answered without detail.
export function createErrorHandler(logger: Logger) {
  return function handleError(error: Error, c: Context): Response {
    if (!(error instanceof EmbedhostError)) {
      logger.error({ err: error, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    }
    return respond(c, error);
  };
}

// 405 with Allow for a known path asked with the wrong method, 404 otherwise.
export function handleNotFound(app: Hono<any, any, any>) {
  return function notFound(c: Context): Response {
    const allowed = [...new Set(app.routes.filter((r) => r.path === c.req.path && r.method !== 'ALL').map((r) => r.method))];
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return respond(c, new EmbedhostError('EMBEDHOST_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}`));
    }
    return respond(c, new EmbedhostError('EMBEDHOST_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`));
  };
}
