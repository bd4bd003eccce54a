import fs from 'node:fs';
import path from 'node:path';
import { EmbedhostError } from '../errors.js';

export type BinarySource = 'flag' | 'env' | 'config' | 'path' | 'cache';

export interface BinaryCandidate {
  source: BinarySource;
  path: string;
  /** One line for `embedhost doctor` and the start-up log. */
  reason: string;
}

export interface ResolveBinaryOptions {
  flagPath?: string | undefined;
  configPath?: string | undefined;
  env: NodeJS.ProcessEnv;
  cachedBinaryPath: string;
  isExecutable?: (file: string) => boolean;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv, isExecutable = isExecutableFile): string | undefined {
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

// First hit wins: what the user named explicitly, then what the system has, then our own build.
// A path the user named that is not there is an error, never a silent fall-through to another binary.
export function resolveLlamaServerCandidate(options: ResolveBinaryOptions): BinaryCandidate | undefined {
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const explicit: Array<[BinarySource, string | undefined, string]> = [
    ['flag', options.flagPath, '--llama-server flag'],
    ['env', options.env.LLAMA_SERVER_BIN, 'LLAMA_SERVER_BIN environment variable'],
    ['config', options.configPath, 'llamaServer in the config file'],
  ];
  for (const [source, given, label] of explicit) {
    if (!given) continue;
    const resolved = path.resolve(given);
    if (!isExecutable(resolved)) {
      throw new EmbedhostError('EMBEDHOST_BINARY_NOT_FOUND', `llama-server named by the ${label} is not an executable file: ${resolved}`);
    }
    return { source, path: resolved, reason: `named by the ${label}` };
  }
  const onPath = findOnPath('llama-server', options.env, isExecutable);
  if (onPath) return { source: 'path', path: onPath, reason: 'found on PATH' };
  if (isExecutable(options.cachedBinaryPath)) {
    return { source: 'cache', path: options.cachedBinaryPath, reason: "embedhost's own build, from its cache" };
  }
  return undefined;
}
