import readline from 'node:readline/promises';
import { keyRecord, readKeysFile, type ApiKeyRecord } from '../auth/api-keys.js';
import type { Config } from '../config/schema.js';
import { isEmbedhostError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { locateLlamaServer, notFoundError } from '../runtime/locate-llama-server.js';
import { embedhostCacheDir } from '../runtime/paths.js';
import { startService, type Service } from '../server.js';
import { CONFIG_FLAGS_HELP } from './config-flags.js';
import { installServer } from './install-server.js';
import { fetchConfiguredModels, loadCommandConfig, parseCommand } from './prepare.js';

const HELP = `Usage: embedhost start [options]

With no options, picks the hardware profile for this machine, downloads its model into the
Hugging Face cache, provisions llama-server and serves on http://127.0.0.1:8080.

${CONFIG_FLAGS_HELP}`;

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function resolveBinary(flagPath: string | undefined, configPath: string | undefined, installWithoutAsking: boolean): Promise<string> {
  const located = await locateLlamaServer({ flagPath, configPath });
  if (located) return located.binary.path;
  const build = installWithoutAsking || (await confirm('No llama-server found. Build it from source now (about 6 minutes on 2 cores)? [Y/n] '));
  if (!build) throw notFoundError(embedhostCacheDir());
  return installServer();
}

// SIGINT/SIGTERM drain and stop; a second signal, or an error nobody caught, ends at once.
// Either way the backend's process group is killed by the exit hook, so no llama-server outlives us.
function installShutdown(service: Service, logger: Logger): Promise<number> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      signalled = true;
      logger.info({ signal }, 'shutting down: draining requests');
      void service.stop().then(() => resolve(0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('uncaughtException', (error) => {
      logger.fatal({ err: error }, 'uncaught error; exiting');
      process.exit(1);
    });
    for (const model of service.models) {
      model.supervisor.on('state', (change) => {
        if (change.to !== 'failed') return;
        logger.fatal({ model: model.id, reason: change.reason }, `llama-server for ${model.id} failed: ${change.reason}`);
        void service.stop().then(() => resolve(1));
      });
    }
  });
}

// Keys from the configuration and from the keys file, as records that hold only hashes.
export function apiKeys(config: Config): ApiKeyRecord[] {
  const fromConfig = config.auth.keys.map((spec, i) => keyRecord(spec, `auth.keys[${i}]`));
  return [...fromConfig, ...(config.auth.keysFile ? readKeysFile(config.auth.keysFile) : [])];
}

export function reportFailure(error: unknown, logger: Logger): number {
  const message = isEmbedhostError(error) || error instanceof TypeError ? error.message : String((error as Error)?.stack ?? error);
  logger.fatal({ err: error }, message);
  console.error(`embedhost: ${message}`);
  return 1;
}

export async function runStart(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.values.help) {
    console.log(HELP);
    return 0;
  }
  let logger = createLogger();
  try {
    const loaded = await loadCommandConfig(command);
    const { config, sources } = loaded;
    logger = createLogger({ level: config.logLevel });
    if (loaded.profile) logger.info({ profile: loaded.profile.name }, `profile ${loaded.profile.name}: ${loaded.profileReason}`);
    const models = await fetchConfiguredModels(loaded, logger);
    const binarySource = sources.get('llamaServer.binary') ?? '';
    const binaryPath = await resolveBinary(
      binarySource.startsWith('flag') ? config.llamaServer.binary : undefined,
      binarySource.startsWith('flag') ? undefined : config.llamaServer.binary,
      config.llamaServer.install,
    );
    const service = await startService({
      models: models.map((m) => m.spec),
      binaryPath,
      host: config.host,
      port: config.port,
      logger,
      retryDeadlineMs: config.limits.retryDeadlineMs,
      limits: config.limits,
      batching: config.batching,
      cache: config.cache,
      auth: {
        keys: apiKeys(config),
        insecure: config.auth.insecure,
        defaultLimits: { requestsPerMinute: config.auth.requestsPerMinute, tokensPerMinute: config.auth.tokensPerMinute },
        docsPublic: config.auth.docsPublic,
        metricsPublic: config.auth.metricsPublic,
        usageFile: config.auth.usageFile,
      },
      corsOrigins: config.corsOrigins,
      media: {
        maxBytes: config.media.maxImageBytes,
        maxSide: config.media.maxImageSide,
        remoteUrls: config.media.remoteUrls,
        remoteTimeoutMs: config.media.remoteTimeoutMs,
        maxVideoBytes: config.media.maxVideoBytes,
        videoFps: config.media.videoFps,
        maxVideoFrames: config.media.maxVideoFrames,
      },
      requestTimeoutMs: config.limits.requestTimeoutMs,
      headersTimeoutMs: config.limits.headersTimeoutMs,
    });
    for (const { id, launch } of service.models) {
      logger.info({ model: id, file: launch.modelPath, mmproj: launch.mmprojPath, parallel: launch.parallel, contextSize: launch.contextSize, ubatchSize: launch.ubatchSize }, `serving ${id}`);
    }
    const keyCount = service.gateway.keys.size;
    logger.info({ keys: keyCount, ids: service.gateway.keys.all.map((k) => k.id) }, keyCount > 0 ? `API keys required (${keyCount})` : 'no API keys: listening on loopback only');
    logger.info(
      { url: service.url, binary: binaryPath },
      `embedhost listening on ${service.url} (models ${service.models.map((m) => m.id).join(', ')}; OpenAI base URL ${service.url}/v1; docs ${service.url}/docs)`,
    );
    return await installShutdown(service, logger);
  } catch (error) {
    return reportFailure(error, logger);
  }
}
