import os from 'node:os';
import path from 'node:path';
import { buildCacheKey, defaultBuildVariant, type BuildVariant } from './llama-release.js';

export function embedhostCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'embedhost');
}

export interface CachedBinaryLocation {
  key: string;
  dir: string;
  binaryPath: string;
}

export function cachedBinaryLocation(
  cacheDir: string,
  variant: BuildVariant = defaultBuildVariant(process.platform, false),
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): CachedBinaryLocation {
  const key = buildCacheKey(platform, arch, variant);
  const dir = path.join(cacheDir, 'llama-server', key);
  return { key, dir, binaryPath: path.join(dir, platform === 'win32' ? 'llama-server.exe' : 'llama-server') };
}

export function llamaSourceDir(cacheDir: string, commit: string): string {
  return path.join(cacheDir, 'llama.cpp', commit, 'source');
}
