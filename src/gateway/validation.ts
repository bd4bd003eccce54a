import type { Context, MiddlewareHandler } from 'hono';
import { EmbedhostError } from '../errors.js';

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
}

// zod's issues as one OpenAI-style 400 naming the first offending field.
export function validationError(issues: readonly ZodIssueLike[]): EmbedhostError {
  const first = issues[0];
  const param = first && first.path.length > 0 ? first.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') : null;
  const unknownKeys = (first as { keys?: string[] } | undefined)?.keys;
  const message = unknownKeys ? `Unrecognized request argument supplied: ${unknownKeys.join(', ')}` : `${param ? `Invalid \`${param}\`: ` : ''}${first?.message ?? 'Invalid request'}`;
  return new EmbedhostError('EMBEDHOST_INVALID_REQUEST', message, { param });
}

export function defaultValidationHook(result: { success: boolean; error?: { issues: readonly ZodIssueLike[] } }): void {
  if (!result.success) throw validationError(result.error?.issues ?? []);
}

const UPLOAD_PATHS = new Set(['/embed/image', '/embed/video']);

// JSON routes check the content type and parse once here, so malformed bodies get our envelope.
export function requireJsonBody(): MiddlewareHandler {
  return async function requireJson(c: Context, next) {
    if (c.req.method !== 'POST') return next();
    const type = c.req.header('content-type') ?? '';
    // Image uploads may come as multipart; their route reads and checks the form itself.
    if (UPLOAD_PATHS.has(c.req.path) && /^multipart\/form-data/i.test(type)) return next();
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      throw new EmbedhostError('EMBEDHOST_UNSUPPORTED_MEDIA_TYPE', `Expected Content-Type: application/json, got ${type ? `\`${type}\`` : 'none'}`);
    }
    // Decoded strictly: a lenient decoder would swap invalid bytes for U+FFFD and embed text the client never sent.
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
    } catch {
      throw new EmbedhostError('EMBEDHOST_INVALID_JSON', 'The request body is not valid UTF-8');
    }
    try {
      JSON.parse(text);
    } catch {
      throw new EmbedhostError('EMBEDHOST_INVALID_JSON', 'The request body is not valid JSON');
    }
    await next();
  };
}
