import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Embedder } from '../../src/embeddings/embedder.js';
import { createGateway, type Gateway } from '../../src/gateway/app.js';
import { createSilentLogger } from '../../src/logger.js';
import type { GgufInfo } from '../../src/models/gguf-info.js';
import type { ServedModel } from '../../src/models/served-model.js';
import type { LaunchSpec } from '../../src/supervisor/args.js';
import type { StateChange } from '../../src/supervisor/states.js';
import { Supervisor, type SupervisorOptions } from '../../src/supervisor/supervisor.js';

export const FAKE_LLAMA_SERVER = fileURLToPath(new URL('../fixtures/fake-llama-server.mjs', import.meta.url));

export const QUICK_SUPERVISION: Partial<SupervisorOptions> = {
  health: { intervalMs: 100, timeoutMs: 300, failuresBeforeRestart: 2, idleProbeAfterMs: 60_000 },
  readiness: { pollIntervalMs: 20, stallTimeoutMs: 10_000, requestTimeoutMs: 500 },
  restartInitialDelayMs: 50,
  restartMaxDelayMs: 200,
  killGraceMs: 1_000,
};

export interface Supervised {
  supervisor: Supervisor;
  gateway: Gateway;
  changes: StateChange[];
  stop: () => Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'embedhost-test-'));
}

const FAKE_MODEL_INFO: GgufInfo = {
  architecture: 'bert',
  contextLength: 512,
  embeddingLength: 8,
  pooling: 'mean',
  causal: false,
  name: 'fake',
  quantization: 'F32',
  sizeBytes: 0,
};

export function supervise(options: {
  binaryPath?: string;
  launch?: Partial<Omit<LaunchSpec, 'port' | 'apiKey'>>;
  env?: Record<string, string>;
  supervisor?: Partial<SupervisorOptions>;
  retryDeadlineMs?: number;
}): Supervised {
  const launch = { modelPath: '/models/fake.gguf', contextSize: 2048, ubatchSize: 512, parallel: 4, ...options.launch };
  const supervisor = new Supervisor({
    ...QUICK_SUPERVISION,
    ...options.supervisor,
    binaryPath: options.binaryPath ?? FAKE_LLAMA_SERVER,
    launch,
    logger: createSilentLogger(),
    env: { ...process.env, ...options.env },
  });
  const changes: StateChange[] = [];
  supervisor.on('state', (change) => changes.push(change));
  const embedder = new Embedder({ supervisor, retryDeadlineMs: options.retryDeadlineMs ?? 20_000, ubatchSize: launch.ubatchSize, parallel: launch.parallel, causal: false });
  const model: ServedModel = { id: 'test-model', file: launch.modelPath, mmprojFile: undefined, info: FAKE_MODEL_INFO, profile: undefined, launch, supervisor, embedder };
  const gateway = createGateway({ models: [model], logger: createSilentLogger(), binaryPath: options.binaryPath ?? FAKE_LLAMA_SERVER });
  return { supervisor, gateway, changes, stop: () => supervisor.stop() };
}

export function waitForState(supervisor: Supervisor, state: Supervisor['state'], timeoutMs = 15_000): Promise<void> {
  if (supervisor.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state ${state} not reached; still ${supervisor.state}`)), timeoutMs);
    const onChange = (change: StateChange) => {
      if (change.to !== state) return;
      clearTimeout(timer);
      supervisor.off('state', onChange);
      resolve();
    };
    supervisor.on('state', onChange);
  });
}

export function embedRequest(gateway: Gateway, input: unknown): Promise<Response> {
  return Promise.resolve(
    gateway.app.request('/v1/embeddings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input, model: 'anything' }),
    }),
  );
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
