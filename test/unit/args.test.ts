import { describe, expect, it } from 'vitest';
import { buildChildEnv, buildLaunchArgs, redactLaunchArgs, type LaunchSpec } from '../../src/supervisor/args.js';

const base: LaunchSpec = {
  modelPath: '/models/m.gguf',
  port: 40000,
  apiKey: 'k'.repeat(32),
  contextSize: 2048,
  ubatchSize: 512,
  parallel: 4,
};

const valueOf = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe('buildLaunchArgs', () => {
  it.each([
    ['minimal spec', {}, { '--model': '/models/m.gguf', '--host': '127.0.0.1', '--port': '40000', '-c': '2048', '-b': '512', '-ub': '512', '-np': '4', '--cache-ram': '0' }],
    ['pooling set', { pooling: 'last' }, { '--pooling': 'last' }],
    ['projector', { mmprojPath: '/models/p.gguf' }, { '--mmproj': '/models/p.gguf' }],
    ['threads and GPU layers', { threads: 2, gpuLayers: 99 }, { '-t': '2', '-ngl': '99' }],
    ['flash attention', { flashAttention: 'on' }, { '--flash-attn': 'on' }],
  ] as Array<[string, Partial<LaunchSpec>, Record<string, string>]>)('%s', (_name, overrides, expected) => {
    const args = buildLaunchArgs({ ...base, ...overrides });
    for (const [flag, value] of Object.entries(expected)) expect(valueOf(args, flag), flag).toBe(value);
  });

  it('always serves embeddings only, offline, with metrics and no web UI', () => {
    const args = buildLaunchArgs(base);
    for (const flag of ['--embedding', '--no-webui', '--offline', '--metrics']) expect(args).toContain(flag);
  });

  it('leaves out optional flags that were not asked for', () => {
    const args = buildLaunchArgs(base);
    for (const flag of ['--pooling', '--mmproj', '-t', '-ngl', '--flash-attn', '--mlock', '--no-mmap']) expect(args).not.toContain(flag);
  });

  it('sets -b equal to -ub', () => {
    const args = buildLaunchArgs({ ...base, ubatchSize: 2048 });
    expect(valueOf(args, '-b')).toBe('2048');
    expect(valueOf(args, '-ub')).toBe('2048');
  });

  it.each([
    [{ parallel: 3 }, /`parallel` to be a power of two, got `3`/],
    [{ ubatchSize: 510 }, /`ubatchSize` to be a power of two/],
    [{ contextSize: 1022 }, /`contextSize` to be a positive multiple of parallel/],
    [{ port: 0 }, /`port` to be a TCP port/],
    [{ threads: 0 }, /`threads` to be a positive integer/],
    [{ apiKey: 'short' }, /`apiKey`/],
  ] as Array<[Partial<LaunchSpec>, RegExp]>)('rejects %o', (overrides, message) => {
    expect(() => buildLaunchArgs({ ...base, ...overrides })).toThrow(message);
  });

  it('redacts the backend key for logs', () => {
    const redacted = redactLaunchArgs(buildLaunchArgs(base));
    expect(redacted.join(' ')).not.toContain(base.apiKey);
    expect(valueOf(redacted, '--api-key')).toBe('[redacted]');
  });
});

describe('buildChildEnv', () => {
  it('drops variables llama-server would read behind the command line', () => {
    const env = buildChildEnv(
      { PATH: '/bin', HOME: '/home/u', LLAMA_ARG_PORT: '1', LLAMA_API_KEY: 'x', LLAMA_SERVER_ROUTER_PORT: '2', AIP_MODE: 'PREDICTION', HF_TOKEN: 't', GGML_X: '1' },
      { LLAMA_MEDIA_MARKER: '<m>' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/u', LLAMA_MEDIA_MARKER: '<m>' });
  });
});
