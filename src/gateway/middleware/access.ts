import type { Context, MiddlewareHandler } from 'hono';
import { presentedKey, type ApiKeyRecord, type KeyLimits, type KeyStore } from '../../auth/api-keys.js';
import { formatReset, type KeyBuckets, type RateLimiter } from '../../auth/rate-limiter.js';
import type { UsageTracker } from '../../auth/usage.js';
import { EmbedhostError } from '../../errors.js';
import { usageOf } from '../request-usage.js';

export interface AccessOptions {
  keys: KeyStore;
  limiter: RateLimiter;
  /** Limits for keys that set none (and for everyone when no keys are configured). */
  defaultLimits: KeyLimits;
  usage: UsageTracker;
  /** Paths anyone may call, keys or not. */
  publicPaths: ReadonlySet<string>;
  /** Paths that embed: rate-limited, counted in usage. */
  isMetered: (path: string) => boolean;
}

const callers = new WeakMap<Request, ApiKeyRecord>();

/** The key a request was authenticated with; undefined when keys are off or the path is public. */
export const callerOf = (request: Request): ApiKeyRecord | undefined => callers.get(request);

function limitHeaders(buckets: KeyBuckets): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const [kind, bucket] of [['requests', buckets.requests], ['tokens', buckets.tokens]] as const) {
    if (!bucket) continue;
    const state = bucket.state();
    headers.push([`x-ratelimit-limit-${kind}`, String(state.limit)], [`x-ratelimit-remaining-${kind}`, String(state.remaining)], [`x-ratelimit-reset-${kind}`, formatReset(state.resetSeconds)]);
  }
  return headers;
}

// Authentication, per-key rate limits with OpenAI's headers, and usage accounting in one layer, since
// all three hang on knowing who is calling.
export function accessControl(options: AccessOptions): MiddlewareHandler {
  return async function access(c: Context, next) {
    const path = c.req.path;
    let key: ApiKeyRecord | undefined;
    if (options.keys.size > 0 && !options.publicPaths.has(path) && c.req.method !== 'OPTIONS') {
      const presented = presentedKey({ authorization: c.req.header('authorization'), 'x-api-key': c.req.header('x-api-key') });
      key = options.keys.verify(presented);
      if (!key) {
        throw new EmbedhostError('EMBEDHOST_UNAUTHORIZED', presented ? 'Invalid API key' : 'Missing API key: send `Authorization: Bearer <key>` or `x-api-key: <key>`');
      }
      callers.set(c.req.raw, key);
    }
    if (!options.isMetered(path)) return next();
    const keyId = key?.id ?? 'anonymous';
    const { buckets, refusal } = options.limiter.admit(keyId, {
      requestsPerMinute: key?.requestsPerMinute ?? options.defaultLimits.requestsPerMinute,
      tokensPerMinute: key?.tokensPerMinute ?? options.defaultLimits.tokensPerMinute,
    });
    if (refusal) {
      // Set before throwing: the error handler's response carries headers set on the context.
      for (const [name, value] of limitHeaders(buckets)) c.header(name, value);
      options.usage.record({ keyId, route: path, status: 429, inputs: 0, tokens: 0, cacheHits: 0 });
      throw refusal;
    }
    await next();
    const used = usageOf(c.req.raw);
    if (used) options.limiter.charge(keyId, used.tokens);
    for (const [name, value] of limitHeaders(buckets)) c.res.headers.set(name, value);
    options.usage.record({ keyId, route: path, status: c.res.status, inputs: used?.inputs ?? 0, tokens: used?.tokens ?? 0, cacheHits: used?.cacheHits ?? 0 });
  };
}
