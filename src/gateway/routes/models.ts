import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ModelRegistry } from '../model-registry.js';

const ModelListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
  })
  .openapi('ModelList');

const route = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'List served models',
  responses: { 200: { description: 'The served models, the default first', content: { 'application/json': { schema: ModelListSchema } } } },
});

export function registerModelsRoute(app: OpenAPIHono, registry: ModelRegistry): void {
  const created = Math.floor(Date.now() / 1000);
  app.openapi(route, (c) =>
    c.json({ object: 'list' as const, data: registry.models.map((m) => ({ id: m.id, object: 'model' as const, created, owned_by: 'embedhost' })) }, 200),
  );
}
