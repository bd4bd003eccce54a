import { inject } from 'vitest';
import { createSilentLogger } from '../../src/logger.js';
import { startService, type Service, type ServiceOptions } from '../../src/server.js';
import type { TestModelName } from '../fixtures/test-models.js';
import { QUICK_SUPERVISION } from './supervised.js';

export function testModel(name: TestModelName): string {
  return inject('testModels')[name];
}

export const TEST_LAUNCH = { parallel: 2, threads: 1 };

// A real llama-server behind the gateway on a free port, with health checks quick enough for tests.
export function startRealService(model: TestModelName | string, overrides: Partial<ServiceOptions> = {}): Promise<Service> {
  const file = model.endsWith('.gguf') ? model : testModel(model as TestModelName);
  return startService({
    models: [{ file, launch: TEST_LAUNCH }],
    binaryPath: inject('llamaServer'),
    host: '127.0.0.1',
    port: 0,
    logger: createSilentLogger(),
    supervisor: { ...QUICK_SUPERVISION, health: { intervalMs: 250, timeoutMs: 1_000, failuresBeforeRestart: 2, idleProbeAfterMs: 60_000 } },
    retryDeadlineMs: 30_000,
    drainTimeoutMs: 2_000,
    ...overrides,
  });
}

export interface EmbeddingsBody {
  model: string;
  data: Array<{ index: number; embedding: number[] }>;
  usage: { prompt_tokens: number; total_tokens: number };
}

export async function postEmbeddings(baseUrl: string, input: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ input, model: 'text-embedding-3-small' }),
  });
  return { status: response.status, body: await response.json() };
}
