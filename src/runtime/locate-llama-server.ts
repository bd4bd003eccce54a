import { EmbedhostError } from '../errors.js';
import { probeLlamaServer, type LlamaServerBinary } from './check-binary.js';
import { resolveLlamaServerCandidate, type BinaryCandidate } from './find-llama-server.js';
import { defaultBuildVariant, type BuildVariant } from './llama-release.js';
import { cachedBinaryLocation, embedhostCacheDir } from './paths.js';

export interface LocateOptions {
  flagPath?: string | undefined;
  configPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
  variant?: BuildVariant;
}

export interface LocatedLlamaServer {
  candidate: BinaryCandidate;
  binary: LlamaServerBinary;
}

export function resolveVariant(options: LocateOptions): BuildVariant {
  return options.variant ?? defaultBuildVariant(process.platform, false);
}

// Finds and checks a usable llama-server; `undefined` means none is installed and one must be built.
export async function locateLlamaServer(options: LocateOptions = {}): Promise<LocatedLlamaServer | undefined> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? embedhostCacheDir(env);
  const candidate = resolveLlamaServerCandidate({
    flagPath: options.flagPath,
    configPath: options.configPath,
    env,
    cachedBinaryPath: cachedBinaryLocation(cacheDir, resolveVariant(options)).binaryPath,
  });
  if (!candidate) return undefined;
  return { candidate, binary: await probeLlamaServer(candidate.path) };
}

export function notFoundError(cacheDir: string): EmbedhostError {
  return new EmbedhostError(
    'EMBEDHOST_BINARY_NOT_FOUND',
    `No llama-server found (not given with --llama-server or LLAMA_SERVER_BIN, not on PATH, not in ${cacheDir}). ` +
      'Run `embedhost install-server` to build one from source (about 6 minutes on 2 cores), ' +
      'or install llama.cpp (macOS: `brew install llama.cpp`).',
  );
}
