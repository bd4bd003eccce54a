import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { EmbedhostError, toErrorEnvelope } from '../../errors.js';
import type { Logger } from '../../logger.js';

// Every error leaves as the OpenAI envelope; anything unexpected is logged whole and answered without detail.
export function createErrorHandler(logger: Logger) {
  return function handleError(error: Error, c: Context): Response {
    const { status, body, retryAfterSeconds } = toErrorEnvelope(error);
    if (status >= 500 && !(error instanceof EmbedhostError)) {
      logger.error({ err: error, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    }
    if (retryAfterSeconds !== undefined) c.header('Retry-After', String(retryAfterSeconds));
    return c.json(body, status as ContentfulStatusCode);
  };
}

export function handleNotFound(c: Context): Response {
  const { status, body } = toErrorEnvelope(
    new EmbedhostError('EMBEDHOST_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`),
  );
  return c.json(body, status as ContentfulStatusCode);
}
