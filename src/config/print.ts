import { stringify } from 'yaml';
import { flatten } from './load.js';
import type { LoadedConfig } from './load.js';

const SECRET_KEYS = new Set(['huggingFace.token']);

// API keys are shown by id only.
const shownKeys = (value: unknown) => (value as Array<{ id?: string; key?: string }>).map((k) => ({ ...k, ...(k.key ? { key: '[redacted]' } : {}) }));

// Pure: the effective configuration, one key per line, each with where its value came from.
export function formatEffectiveConfig(loaded: LoadedConfig): string {
  const flat = flatten(loaded.config as unknown as Record<string, unknown>, (key) => loaded.sources.get(key) ?? 'default');
  const width = Math.max(...[...flat.keys()].map((key) => key.length));
  const lines = [...flat].map(([key, { value, source }]) => {
    const shown = SECRET_KEYS.has(key) ? '[redacted]' : stringify(key === 'auth.keys' ? shownKeys(value) : value, { lineWidth: 0, flow: true }).trim();
    return `${key.padEnd(width)}  ${shown}  # ${source}`;
  });
  const header = [
    `# config file: ${loaded.configFile ?? 'none (embedhost.yaml, embedhost.yml or embedhost.json in this folder, or --config)'}`,
    `# profile: ${loaded.profile ? `${loaded.profile.name} (${loaded.profileReason})` : 'none (the model was named)'}`,
  ];
  return [...header, ...lines].join('\n');
}
