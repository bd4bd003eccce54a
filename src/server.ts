import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createGateway, type Gateway } from './gateway/app.js';
import type { Logger } from './logger.js';
import { readGgufInfo } from './models/gguf-info.js';
import { embedhostCacheDir } from './runtime/paths.js';
import type { LaunchSpec } from './supervisor/args.js';
import { defaultLaunchSpec, type LaunchOverrides } from './supervisor/launch-defaults.js';
import { reapOrphan } from './supervisor/pid-file.js';
import { Supervisor, type SupervisorOptions } from './supervisor/supervisor.js';

export interface ServiceOptions {
  modelPath: string;
  mmprojPath?: string | undefined;
  binaryPath: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  launch?: LaunchOverrides;
  /** Supervisor tuning (health intervals, backoff); tests shorten these. */
  supervisor?: Partial<Omit<SupervisorOptions, 'binaryPath' | 'launch' | 'logger'>>;
  retryDeadlineMs?: number;
  /** How long a graceful stop waits for in-flight requests. @default 30000 */
  drainTimeoutMs?: number;
}

export interface Service {
  url: string;
  port: number;
  modelId: string;
  launch: Omit<LaunchSpec, 'port' | 'apiKey'>;
  supervisor: Supervisor;
  gateway: Gateway;
  /** Stops admitting, drains, stops the backend, closes the listener. Safe to call twice. */
  stop: () => Promise<void>;
}

function listen(gateway: Gateway, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: gateway.app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', reject);
  });
}

// The whole service in one call: used by `embedhost start` and by end-to-end tests alike.
export async function startService(options: ServiceOptions): Promise<Service> {
  const modelPath = path.resolve(options.modelPath);
  const info = await readGgufInfo(modelPath);
  const launch = { ...defaultLaunchSpec(modelPath, info, options.launch), mmprojPath: options.mmprojPath };
  const modelId = path.basename(modelPath).replace(/\.gguf$/i, '');
  const pidFile = options.port > 0 ? path.join(embedhostCacheDir(), 'run', `gateway-${options.port}.json`) : undefined;
  if (pidFile) {
    const reaped = reapOrphan(pidFile);
    if (reaped) options.logger.warn({ pid: reaped }, 'stopped a llama-server left behind by an embedhost that was killed');
  }
  const supervisor = new Supervisor({ ...options.supervisor, binaryPath: options.binaryPath, launch, logger: options.logger, pidFile });
  await supervisor.start();
  const gateway = createGateway({
    supervisor,
    logger: options.logger,
    modelId,
    retryDeadlineMs: options.retryDeadlineMs,
    ubatchSize: launch.ubatchSize,
    causal: info.causal,
  });
  let server: ServerType;
  try {
    server = await listen(gateway, options.host, options.port);
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const drained = await gateway.inFlight.close(options.drainTimeoutMs ?? 30_000);
      if (!drained) options.logger.warn({ inFlight: gateway.inFlight.size }, 'stopping with requests still in flight');
      await supervisor.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return stopping;
  };
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${shownHost}:${port}`, port, modelId, launch, supervisor, gateway, stop };
}
