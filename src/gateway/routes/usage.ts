import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { KeyStore } from '../../auth/api-keys.js';
import type { UsageTracker } from '../../auth/usage.js';
import { EmbedhostError } from '../../errors.js';
import { callerOf } from '../middleware/access.js';
import { ErrorResponseSchema } from '../schemas.js';

const TotalsSchema = z.object({ requests: z.number().int(), inputs: z.number().int(), tokens: z.number().int(), cacheHits: z.number().int(), errors: z.number().int() });
const UsageSchema = z.object({ object: z.literal('usage'), keys: z.record(z.string(), TotalsSchema) }).openapi('Usage');

const route = createRoute({
  method: 'get',
  path: '/v1/usage',
  summary: 'Usage per API key id (admin keys only)',
  responses: {
    200: { description: 'Totals per key id since the usage file began (or since start)', content: { 'application/json': { schema: UsageSchema } } },
    403: { description: 'The key is not an admin key', content: { 'application/json': { schema: ErrorResponseSchema } } },
  },
});

export function registerUsageRoute(app: OpenAPIHono, usage: UsageTracker, keys: KeyStore): void {
  app.openapi(route, (c) => {
    // Without keys, only the local machine can reach the server at all: it may read usage too.
    if (keys.size > 0 && !callerOf(c.req.raw)?.admin) {
      throw new EmbedhostError('EMBEDHOST_FORBIDDEN', 'GET /v1/usage needs an admin key (`admin: true` in the config, or `admin` after the key in the keys file)');
    }
    return c.json({ object: 'usage' as const, keys: usage.snapshot() }, 200);
  });
}
