import { describe, expect, it } from 'vitest';
import { cmakeConfigureArgs, parseBuildProgress } from '../../src/runtime/build-llama-server.js';
import { parseVersionOutput } from '../../src/runtime/check-binary.js';
import { buildCacheKey } from '../../src/runtime/llama-release.js';
import { installHint } from '../../src/runtime/toolchain.js';

describe('cmakeConfigureArgs', () => {
  it('builds a hermetic, static CPU binary on Linux', () => {
    const args = cmakeConfigureArgs('/src', '/build', 'cpu', { generator: 'Ninja' });
    for (const flag of ['-DLLAMA_USE_PREBUILT_UI=OFF', '-DLLAMA_OPENSSL=OFF', '-DBUILD_SHARED_LIBS=OFF', '-DGGML_NATIVE=OFF']) expect(args).toContain(flag);
    expect(args).not.toContain('-DGGML_METAL=ON');
  });
  it('enables Metal on macOS and CUDA for NVIDIA builds', () => {
    expect(cmakeConfigureArgs('/s', '/b', 'metal', { generator: 'Unix Makefiles' })).toContain('-DGGML_METAL=ON');
    expect(cmakeConfigureArgs('/s', '/b', 'cuda', { generator: 'Ninja' })).toContain('-DGGML_CUDA=ON');
  });
});

describe('parseBuildProgress', () => {
  it.each([
    ['[12/190] Building CXX object foo.o', { done: 12, total: 190 }],
    ['[ 45%] Building CXX object foo.o', { done: 45, total: 100 }],
    ['-- Configuring done', undefined],
  ])('%s', (line, expected) => expect(parseBuildProgress(line)).toEqual(expected));
});

describe('parseVersionOutput', () => {
  it('reads version, build and commit', () => {
    expect(parseVersionOutput('version: 0.5.0-dev (build 1, commit de3ff81)\nbuilt with GNU 12.2.0')).toEqual({ version: '0.5.0-dev', build: '1', commit: 'de3ff81' });
  });
  it('reads a bare version line', () => {
    expect(parseVersionOutput('version: 6543')?.version).toBe('6543');
  });
  it('finds nothing in unrelated output', () => {
    expect(parseVersionOutput('usage: something')).toBeUndefined();
  });
});

describe('cache key and install hints', () => {
  it('keys the cache by release, platform, arch and backend', () => {
    expect(buildCacheKey('linux', 'x64', 'cpu')).toBe('0.5.0-dev-de3ff81-linux-x64-cpu');
  });
  it('names the install command for the platform', () => {
    expect(installHint('linux')).toMatch(/apt-get install -y cmake g\+\+/);
    expect(installHint('darwin')).toMatch(/xcode-select --install/);
  });
});
