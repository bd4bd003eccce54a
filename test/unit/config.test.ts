import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagsLayer } from '../../src/cli/config-flags.js';
import { ENV_VARIABLES, OTHER_ENV_VARIABLES } from '../../src/config/env.js';
import { jsonSchemas } from '../../src/config/json-schemas.js';
import { effectiveModels, loadConfig, type LoadConfigOptions } from '../../src/config/load.js';
import { formatEffectiveConfig } from '../../src/config/print.js';
import type { HardwareFacts } from '../../src/hardware/detect.js';
import { tempDir } from '../helpers/supervised.js';

const GIB = 2 ** 30;
const LINUX_8GB: HardwareFacts = { platform: 'linux', arch: 'x64', cpuModel: 't', cpuCores: 4, totalMemoryBytes: 8 * GIB, appleSilicon: false, gpus: [] };

function load(options: Partial<LoadConfigOptions> & { file?: string; fileName?: string } = {}) {
  const cwd = tempDir();
  if (options.file !== undefined) fs.writeFileSync(path.join(cwd, options.fileName ?? 'embedhost.yaml'), options.file);
  return loadConfig({ flags: new Map(), env: {}, cwd, hardware: async () => LINUX_8GB, ...options });
}

describe('configuration layers', () => {
  it('uses the profile chosen for the hardware when nothing else is said', async () => {
    const loaded = await load();
    expect(loaded.profile?.name).toBe('cpu-small');
    expect(loaded.config).toMatchObject({ model: 'hf:Qwen/Qwen3-Embedding-0.6B-GGUF:Q8_0', port: 8080, host: '127.0.0.1', llamaServer: { parallel: 4, contextPerSlot: 2048 } });
    expect(loaded.sources.get('model')).toBe('profile cpu-small');
    expect(loaded.sources.get('port')).toBeUndefined();
  });

  it('ranks defaults < profile < file < env < flags, and says where each value came from', async () => {
    const loaded = await load({
      file: 'port: 9000\nhost: 0.0.0.0\nllamaServer:\n  parallel: 8\n  threads: 3\n',
      env: { EMBEDHOST_PORT: '9100', EMBEDHOST_PARALLEL: '16' },
      flags: flagsLayer({ port: '9200' }),
    });
    expect(loaded.config).toMatchObject({ port: 9200, host: '0.0.0.0', llamaServer: { parallel: 16, threads: 3, contextPerSlot: 2048 } });
    expect(Object.fromEntries(loaded.sources)).toMatchObject({
      port: 'flag --port',
      host: 'file embedhost.yaml',
      'llamaServer.parallel': 'env EMBEDHOST_PARALLEL',
      'llamaServer.threads': 'file embedhost.yaml',
      'llamaServer.contextPerSlot': 'profile cpu-small',
    });
    const printed = formatEffectiveConfig(loaded);
    expect(printed).toMatch(/^port\s+9200\s+# flag --port$/m);
    expect(printed).toMatch(/^limits\.maxInputs\s+2048\s+# default$/m);
    expect(printed).toMatch(/^# profile: cpu-small/m);
  });

  it('reads JSON files too, and --config names any file', async () => {
    const loaded = await load({ file: '{"port": 7000, "logLevel": "debug"}', fileName: 'embedhost.json' });
    expect(loaded.config).toMatchObject({ port: 7000, logLevel: 'debug' });
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'other.yml'), 'port: 7100\n');
    expect((await load({ configFile: path.join(dir, 'other.yml') })).config.port).toBe(7100);
    await expect(load({ configFile: '/nope/embedhost.yaml' })).rejects.toThrow(/config file \/nope\/embedhost.yaml does not exist/);
  });

  it('names the file, the key and what was expected when the file is wrong', async () => {
    await expect(load({ file: 'port: eighty\n' })).rejects.toThrow(/embedhost\.yaml: invalid configuration\n {2}port: .*expected number/);
    await expect(load({ file: 'llamaServer:\n  paralel: 4\n' })).rejects.toThrow(/embedhost\.yaml: invalid configuration\n {2}llamaServer: unknown key paralel/);
    await expect(load({ file: 'port: [1\n' })).rejects.toThrow(/embedhost\.yaml: not valid YAML/);
    await expect(load({ env: { EMBEDHOST_OFFLINE: 'maybe' } })).rejects.toThrow(/EMBEDHOST_OFFLINE: expected true or false/);
    await expect(load({ flags: flagsLayer({ profile: 'quantum' }) })).rejects.toThrow(/No profile named `quantum`; profiles: apple-8gb/);
    expect(() => flagsLayer({ port: 'x' })).toThrow(/--port must be a non-negative integer/);
  });

  it('needs no profile when a model is named, and keeps the profile model’s pooling to that model', async () => {
    const named = await load({ flags: flagsLayer({ model: ['./a.gguf'] }) });
    expect(named.profile).toBeUndefined();
    expect(effectiveModels(named.config, named.sources)).toEqual([{ model: './a.gguf', mmproj: 'auto' }]);
    const both = await load({ flags: flagsLayer({ model: ['./a.gguf'], profile: 'cpu-large' }) });
    expect(both.profile?.name).toBe('cpu-large');
    expect(both.config.llamaServer.pooling).toBeUndefined();
    expect(both.config.llamaServer.parallel).toBe(4);
    // The profile's projector belongs to the profile's model.
    expect(effectiveModels(both.config, both.sources)[0]!.mmproj).toBe('auto');
  });

  it('serves several models from the file or repeated flags; the first takes --mmproj', async () => {
    const loaded = await load({ file: 'models:\n  - model: ./a.gguf\n    id: alpha\n  - model: hf:o/r:Q8_0\n', flags: flagsLayer({ mmproj: './p.gguf' }) });
    expect(effectiveModels(loaded.config, loaded.sources)).toEqual([
      { model: './a.gguf', id: 'alpha', mmproj: './p.gguf' },
      { model: 'hf:o/r:Q8_0', mmproj: 'auto' },
    ]);
    const flags = await load({ flags: flagsLayer({ model: ['./a.gguf', './b.gguf'] }) });
    expect(effectiveModels(flags.config, flags.sources).map((m) => m.model)).toEqual(['./a.gguf', './b.gguf']);
  });

  it('reads the Hugging Face variables and never prints the token', async () => {
    const loaded = await load({ env: { HF_ENDPOINT: 'http://mirror.local', HF_HUB_OFFLINE: '1', HF_TOKEN: 'hf_secret' } });
    expect(loaded.config.huggingFace).toMatchObject({ endpoint: 'http://mirror.local', offline: true, token: 'hf_secret' });
    const printed = formatEffectiveConfig(loaded);
    expect(printed).not.toContain('hf_secret');
    expect(printed).toMatch(/^huggingFace\.token\s+\[redacted\]\s+# env HF_TOKEN$/m);
  });
});

describe('documentation kept in step with the code', () => {
  it('.env.example lists every variable embedhost reads', () => {
    const example = fs.readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    for (const name of [...ENV_VARIABLES.map((v) => v.name), ...OTHER_ENV_VARIABLES]) expect(listed, name).toContain(name);
  });

  it('schema/*.json are what the zod schemas generate (npm run write-schemas)', () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const file = JSON.parse(fs.readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8'));
      expect(file, name).toEqual(schema);
    }
  });
});
