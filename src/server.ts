import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import fs from 'node:fs';
import { KeyStore, type ApiKeyRecord, type KeyLimits } from './auth/api-keys.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { UsageTracker } from './auth/usage.js';
import { modelCacheScope, type EmbeddingCache } from './cache/embedding-cache.js';
import { EmbedhostError } from './errors.js';
import { MemoryCache } from './cache/memory-cache.js';
import { RedisCache } from './cache/redis-cache.js';
import type { BatchReport } from './batching/micro-batcher.js';
import { Embedder, type BatchingOptions } from './embeddings/embedder.js';
import type { PromptTemplates } from './embeddings/prompts.js';
import type { ImageSourceOptions } from './media/image-source.js';
import type { VideoOptions } from './media/video.js';
import { createGateway, type Gateway, type GatewayOptions } from './gateway/app.js';
import type { Logger } from './logger.js';
import { checkEmbeddingModel, readGgufInfo } from './models/gguf-info.js';
import type { ServedModel } from './models/served-model.js';
import { embedhostCacheDir } from './runtime/paths.js';
import { defaultLaunchSpec, type LaunchOverrides } from './supervisor/launch-defaults.js';
import { reapOrphan } from './supervisor/pid-file.js';
import { Supervisor, type SupervisorOptions } from './supervisor/supervisor.js';

export interface ModelSpec {
  file: string;
  mmprojFile?: string | undefined;
  /** The name clients use. @default the file name without `.gguf` */
  id?: string | undefined;
  profile?: string | undefined;
  launch?: LaunchOverrides | undefined;
  /** The model's prompt templates: query/document prefixes, the image template. */
  prompts?: PromptTemplates | undefined;
}

/** The image placeholder embedhost gives llama-server (LLAMA_MEDIA_MARKER) instead of its random one. */
export const MEDIA_MARKER = '<__embedhost_media__>';

export type GatewayLimits = Pick<GatewayOptions, 'maxInputs' | 'maxBatchInputs' | 'maxTokensPerRequest' | 'maxBodyBytes' | 'autoTruncate'>;

export interface ServiceOptions {
  /** One llama-server each; the first is the default model. */
  models: readonly ModelSpec[];
  binaryPath: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Supervisor tuning (health intervals, backoff); tests shorten these. */
  supervisor?: Partial<Omit<SupervisorOptions, 'binaryPath' | 'launch' | 'logger'>>;
  /** How long a request waits for a restarting backend before a 503. @default 60000 */
  retryDeadlineMs?: number;
  /** How long a graceful stop waits for in-flight requests. @default 30000 */
  drainTimeoutMs?: number;
  limits?: GatewayLimits;
  batching?: BatchingOptions;
  cache?: CacheOptions;
  auth?: AuthOptions;
  media?: MediaOptions;
  /** Browser origins allowed by CORS. @default none */
  corsOrigins?: readonly string[];
  /** Slow clients: the whole request must arrive within this. @default 60000 */
  requestTimeoutMs?: number;
  /** …and its headers within this. @default 20000 */
  headersTimeoutMs?: number;
}

export type MediaOptions = ImageSourceOptions & VideoOptions;

export interface AuthOptions {
  keys: readonly ApiKeyRecord[];
  /** Listen beyond loopback without keys. @default false */
  insecure?: boolean;
  defaultLimits?: KeyLimits;
  docsPublic?: boolean;
  metricsPublic?: boolean;
  /** JSON-lines file the usage is appended to and restored from. */
  usageFile?: string | undefined;
  /** Injected in tests. */
  now?: () => number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Pure: secure by default; a server reachable from other machines needs keys, or an explicit --insecure. */
export function checkExposure(host: string, keyCount: number, insecure: boolean): void {
  if (keyCount > 0 || insecure || LOOPBACK.has(host) || host.startsWith('127.')) return;
  throw new EmbedhostError(
    'EMBEDHOST_CONFIG',
    `Refusing to listen on ${host} without API keys: anyone who can reach it could use it. Add a key (--api-key, EMBEDHOST_API_KEYS, auth.keys or auth.keysFile), or pass --insecure if that is what you want`,
  );
}

export interface CacheOptions {
  /** The in-process LRU's bound. 0 turns caching off. @default 256 MiB */
  maxBytes?: number | undefined;
  /** `redis://…`: share entries with other instances. */
  url?: string | undefined;
  /** @default 7 days */
  ttlSeconds?: number | undefined;
}

function createCache(options: CacheOptions | undefined, logger: Logger): EmbeddingCache | undefined {
  const maxBytes = options?.maxBytes ?? 256 * 2 ** 20;
  if (maxBytes === 0) return undefined;
  const local = new MemoryCache(maxBytes);
  if (!options?.url) return local;
  return new RedisCache({ url: options.url, ttlSeconds: options.ttlSeconds ?? 7 * 24 * 3600, local, logger });
}

// What identifies a model file's weights without hashing gigabytes: the HF blob name is its sha256;
// a local file is known by its real path, size and modification time.
export function modelDigest(file: string): string {
  const real = fs.realpathSync(file);
  const base = path.basename(real);
  if (/^[0-9a-f]{64}$/.test(base)) return base;
  const stat = fs.statSync(real);
  return `${real}:${stat.size}:${stat.mtimeMs}`;
}

export interface Service {
  url: string;
  port: number;
  /** In the order given; the first is the default. */
  models: readonly ServedModel[];
  cache: EmbeddingCache | undefined;
  gateway: Gateway;
  /** Stops admitting, drains, stops the backends, closes the listener. Safe to call twice. */
  stop: () => Promise<void>;
}

function listen(gateway: Gateway, host: string, port: number, options: ServiceOptions): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const serverOptions = { requestTimeout: options.requestTimeoutMs ?? 60_000, headersTimeout: options.headersTimeoutMs ?? 20_000 };
    const server = serve({ fetch: gateway.app.fetch, hostname: host, port, serverOptions }, () => resolve(server));
    server.once('error', reject);
  });
}

export const modelIdOf = (file: string) => path.basename(file).replace(/\.gguf$/i, '');

async function prepareModel(
  spec: ModelSpec,
  index: number,
  options: ServiceOptions,
  cache: EmbeddingCache | undefined,
  onBatch: (model: string, report: BatchReport) => void,
): Promise<ServedModel> {
  const file = path.resolve(spec.file);
  const info = await readGgufInfo(file);
  checkEmbeddingModel(info, file);
  const mmprojFile = spec.mmprojFile === undefined ? undefined : path.resolve(spec.mmprojFile);
  const launch = { ...defaultLaunchSpec(file, info, spec.launch), mmprojPath: mmprojFile };
  // A pid file per gateway port and model lets the next start clean up after a gateway that was SIGKILLed.
  const pidFile = options.port > 0 ? path.join(embedhostCacheDir(), 'run', `gateway-${options.port}-${index}.json`) : undefined;
  if (pidFile) {
    const reaped = reapOrphan(pidFile);
    if (reaped) options.logger.warn({ pid: reaped }, 'stopped a llama-server left behind by an embedhost that was killed');
  }
  const id = spec.id ?? modelIdOf(file);
  const supervisor = new Supervisor({
    ...options.supervisor,
    binaryPath: options.binaryPath,
    launch,
    logger: options.logger.child({ model: id }),
    pidFile,
    // A fixed marker, checked against /props, instead of the random one llama-server makes per start.
    ...(mmprojFile ? { extraEnv: { ...options.supervisor?.extraEnv, LLAMA_MEDIA_MARKER: MEDIA_MARKER } } : {}),
  });
  const embedder = new Embedder({
    supervisor,
    retryDeadlineMs: options.retryDeadlineMs ?? 60_000,
    ubatchSize: launch.ubatchSize,
    parallel: launch.parallel,
    causal: info.causal,
    batching: options.batching,
    cache,
    // llama-server L2-normalizes by default (--embd-normalize 2); embedhost never changes that.
    cacheScope: modelCacheScope(modelDigest(file), launch.pooling ?? info.pooling ?? 'none', 'l2'),
    onBatch: (report) => onBatch(id, report),
    prompts: spec.prompts,
    multimodal: mmprojFile !== undefined,
  });
  return { id, file, mmprojFile, info, profile: spec.profile, launch, supervisor, embedder };
}

// The whole service in one call: used by `embedhost start` and by end-to-end tests alike.
export async function startService(options: ServiceOptions): Promise<Service> {
  const auth = options.auth ?? { keys: [] };
  checkExposure(options.host, auth.keys.length, auth.insecure ?? false);
  const cache = createCache(options.cache, options.logger);
  let gateway: Gateway | undefined;
  const models = await Promise.all(options.models.map((spec, index) => prepareModel(spec, index, options, cache, (id, report) => gateway?.metrics.observeBatch(id, report))));
  const usage = new UsageTracker(auth.usageFile);
  const stopBackends = async () => {
    await Promise.all(models.map((m) => m.supervisor.stop()));
    await cache?.close();
    await usage.close();
  };
  let server: ServerType;
  try {
    gateway = createGateway({
      ...options.limits,
      models,
      logger: options.logger,
      binaryPath: options.binaryPath,
      cache,
      corsOrigins: options.corsOrigins ?? [],
      ...(options.media ? { media: options.media } : {}),
      access: {
        keys: new KeyStore(auth.keys),
        defaultLimits: auth.defaultLimits ?? {},
        usage,
        limiter: new RateLimiter(auth.now),
        docsPublic: auth.docsPublic ?? true,
        metricsPublic: auth.metricsPublic ?? false,
      },
    });
    await Promise.all(models.map((m) => m.supervisor.start()));
    server = await listen(gateway, options.host, options.port, options);
  } catch (error) {
    await stopBackends();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const running = gateway;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const drained = await running.inFlight.close(options.drainTimeoutMs ?? 30_000);
      if (!drained) options.logger.warn({ inFlight: running.inFlight.size }, 'stopping with requests still in flight');
      await stopBackends();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return stopping;
  };
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${shownHost}:${port}`, port, models, cache, gateway: running, stop };
}
