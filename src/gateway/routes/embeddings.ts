import type { Context, Hono } from 'hono';
import { EmbedhostError } from '../../errors.js';
import type { Supervisor } from '../../supervisor/supervisor.js';
import { callBackend } from '../../upstream/call-backend.js';

export interface EmbeddingsRouteOptions {
  supervisor: Supervisor;
  modelId: string;
  retryDeadlineMs: number;
}

async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new EmbedhostError('EMBEDHOST_INVALID_JSON', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function upstreamMessage(body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : 'The embedding backend rejected the request';
}

export function registerEmbeddingsRoute(app: Hono, options: EmbeddingsRouteOptions): void {
  app.post('/v1/embeddings', async (c) => {
    const request = await readJsonObject(c);
    if (request.input === undefined) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', '`input` is required', { param: 'input' });
    const payload = { input: request.input, encoding_format: request.encoding_format ?? 'float' };
    const signal = c.req.raw.signal;
    const upstream = await callBackend(
      options.supervisor,
      (backend) => backend.client.postJson('/v1/embeddings', payload, { signal }),
      { deadlineMs: options.retryDeadlineMs, signal },
    );
    if (upstream.status === 200) return c.json({ ...(upstream.body as object), model: options.modelId });
    if (upstream.status >= 400 && upstream.status < 500) {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', upstreamMessage(upstream.body));
    }
    throw new EmbedhostError('EMBEDHOST_BACKEND_ERROR', `The embedding backend failed: ${upstreamMessage(upstream.body)}`);
  });
}
