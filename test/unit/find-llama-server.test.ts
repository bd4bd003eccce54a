import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLlamaServerCandidate } from '../../src/runtime/find-llama-server.js';

const CACHE = '/cache/llama-server';
const ON_PATH = path.join('/usr/local/bin', 'llama-server');

function resolveWith(existing: string[], overrides: { flag?: string; env?: string; config?: string } = {}) {
  return resolveLlamaServerCandidate({
    flagPath: overrides.flag,
    configPath: overrides.config,
    env: { PATH: ['/usr/bin', '/usr/local/bin'].join(path.delimiter), ...(overrides.env ? { LLAMA_SERVER_BIN: overrides.env } : {}) },
    cachedBinaryPath: CACHE,
    isExecutable: (file) => existing.includes(file),
  });
}

describe('llama-server resolution order', () => {
  const all = ['/flag/ls', '/env/ls', '/config/ls', ON_PATH, CACHE];
  it.each([
    ['the flag before everything', all, { flag: '/flag/ls', env: '/env/ls', config: '/config/ls' }, 'flag', '/flag/ls'],
    ['the env before config, PATH and cache', all, { env: '/env/ls', config: '/config/ls' }, 'env', '/env/ls'],
    ['the config file before PATH and cache', all, { config: '/config/ls' }, 'config', '/config/ls'],
    ['PATH before the cache', all, {}, 'path', ON_PATH],
    ['the cache last', [CACHE], {}, 'cache', CACHE],
  ] as const)('takes %s', (_name, existing, overrides, source, expectedPath) => {
    const found = resolveWith([...existing], overrides);
    expect(found?.source).toBe(source);
    expect(found?.path).toBe(expectedPath);
    expect(found?.reason).toBeTruthy();
  });

  it('returns nothing when no binary exists anywhere', () => {
    expect(resolveWith([])).toBeUndefined();
  });

  it('refuses a named path that is missing instead of silently using another binary', () => {
    expect(() => resolveWith([ON_PATH, CACHE], { env: '/missing/llama-server' })).toThrow(/LLAMA_SERVER_BIN.*not an executable file/);
  });
});
