import fs from 'node:fs';
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isEmbedhostError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { locateLlamaServer, notFoundError } from '../runtime/locate-llama-server.js';
import { embedhostCacheDir } from '../runtime/paths.js';
import { startService, type Service } from '../server.js';
import type { Pooling } from '../supervisor/args.js';
import { installServer } from './install-server.js';

const HELP = `Usage: embedhost start --model FILE.gguf [options]

  --model FILE          a GGUF embedding model to serve; repeat to serve several
                        (clients pick one by its file name without .gguf; the first is the default)
  --mmproj FILE         the first model's multimodal projector, if any
  --host HOST           address to listen on (default 127.0.0.1)
  --port N              port to listen on (default 8080)
  --llama-server PATH   the llama-server binary to use (else LLAMA_SERVER_BIN, PATH, embedhost's cache)
  --install-server      build llama-server without asking when none is found
  --pooling MODE        mean | cls | last (default: the model's own)
  --parallel N          llama-server slots, a power of two (default 4)
  --ctx-size N          context per slot, in tokens (default: the model's, up to 8192)
  --ubatch N            physical batch in tokens, a power of two
  --threads N           CPU threads for llama-server`;

const intOption = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new TypeError(`--${name} must be a positive integer, got \`${value}\``);
  return n;
};

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function resolveBinary(flagPath: string | undefined, installWithoutAsking: boolean): Promise<string> {
  const located = await locateLlamaServer({ flagPath });
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

export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', short: 'm', multiple: true },
      mmproj: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'llama-server': { type: 'string' },
      'install-server': { type: 'boolean', default: false },
      pooling: { type: 'string' },
      parallel: { type: 'string' },
      'ctx-size': { type: 'string' },
      ubatch: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const logger = createLogger();
  try {
    const modelFiles = values.model ?? [];
    if (modelFiles.length === 0) throw new TypeError('--model FILE.gguf is required (automatic model selection is not available yet)');
    for (const file of modelFiles) if (!fs.existsSync(file)) throw new TypeError(`--model: no such file: ${file}`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be a TCP port, got \`${values.port}\``);
    const binaryPath = await resolveBinary(values['llama-server'], values['install-server']);
    const launch = {
      pooling: values.pooling as Pooling | undefined,
      parallel: intOption(values.parallel, 'parallel'),
      contextPerSlot: intOption(values['ctx-size'], 'ctx-size'),
      ubatchSize: intOption(values.ubatch, 'ubatch'),
      threads: intOption(values.threads, 'threads'),
    };
    const service = await startService({
      models: modelFiles.map((file, index) => ({ file, mmprojFile: index === 0 ? values.mmproj : undefined, launch })),
      binaryPath,
      host: values.host,
      port,
      logger,
    });
    for (const { id, launch: spec } of service.models) {
      logger.info({ model: id, file: spec.modelPath, parallel: spec.parallel, contextSize: spec.contextSize, ubatchSize: spec.ubatchSize }, `serving ${id}`);
    }
    logger.info(
      { url: service.url, binary: binaryPath },
      `embedhost listening on ${service.url} (models ${service.models.map((m) => m.id).join(', ')}; OpenAI base URL ${service.url}/v1; docs ${service.url}/docs)`,
    );
    return await installShutdown(service, logger);
  } catch (error) {
    const message = isEmbedhostError(error) || error instanceof TypeError ? error.message : String((error as Error)?.stack ?? error);
    logger.fatal({ err: error }, message);
    console.error(`embedhost: ${message}`);
    return 1;
  }
}
