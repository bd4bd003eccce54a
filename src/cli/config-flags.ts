import type { ParseArgsConfig } from 'node:util';
import type { Flat } from '../config/load.js';

// The flags every command that reads the configuration accepts, and how each maps onto a config key.
export const CONFIG_FLAGS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  model: { type: 'string', short: 'm', multiple: true },
  mmproj: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'llama-server': { type: 'string' },
  'install-server': { type: 'boolean' },
  pooling: { type: 'string' },
  parallel: { type: 'string' },
  'ctx-size': { type: 'string' },
  ubatch: { type: 'string' },
  threads: { type: 'string' },
  'gpu-layers': { type: 'string' },
  'flash-attn': { type: 'string' },
  offline: { type: 'boolean' },
  'api-key': { type: 'string', multiple: true },
  'keys-file': { type: 'string' },
  insecure: { type: 'boolean' },
  'auto-truncate': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const CONFIG_FLAGS_HELP = `  --config FILE         configuration file (YAML or JSON; default embedhost.yaml here, or EMBEDHOST_CONFIG)
  --profile NAME        hardware profile (default: the largest that fits; see \`embedhost profiles\`)
  --model REF           hf:owner/repo:QUANT, hf:owner/repo/file.gguf or a .gguf path; repeat to serve several
  --mmproj REF          the first model's projector: auto, none, or a reference or path
  --host HOST           address to listen on (default 127.0.0.1)
  --port N              port to listen on (default 8080)
  --llama-server PATH   the llama-server binary (else LLAMA_SERVER_BIN, PATH, embedhost's cache)
  --install-server      build llama-server without asking when none is found
  --pooling MODE        mean | cls | last (default: the model's own)
  --parallel N          llama-server slots, a power of two
  --ctx-size N          context per slot, in tokens
  --ubatch N            physical batch in tokens, a power of two
  --threads N           CPU threads for llama-server
  --gpu-layers N        layers offloaded to the GPU (default 99)
  --flash-attn MODE     on | off | auto
  --offline             use cached model files only (also HF_HUB_OFFLINE=1)
  --api-key KEY         require this API key (repeatable; also EMBEDHOST_API_KEYS, auth.keys)
  --keys-file FILE      API keys from a file: KEY, id:KEY or id:sha256:HEX per line
  --insecure            allow listening beyond 127.0.0.1 without API keys
  --auto-truncate       cut over-long inputs instead of answering 400
  --log-level LEVEL     trace | debug | info | warn | error | fatal`;

type Values = { [K in keyof typeof CONFIG_FLAGS]?: (typeof CONFIG_FLAGS)[K] extends { multiple: true } ? string[] : (typeof CONFIG_FLAGS)[K] extends { type: 'boolean' } ? boolean : string };

const INT_FLAGS: Array<[keyof Values, string]> = [
  ['port', 'port'],
  ['parallel', 'llamaServer.parallel'],
  ['ctx-size', 'llamaServer.contextPerSlot'],
  ['ubatch', 'llamaServer.ubatch'],
  ['threads', 'llamaServer.threads'],
  ['gpu-layers', 'llamaServer.gpuLayers'],
];
const STRING_FLAGS: Array<[keyof Values, string]> = [
  ['profile', 'profile'],
  ['mmproj', 'mmproj'],
  ['host', 'host'],
  ['llama-server', 'llamaServer.binary'],
  ['pooling', 'llamaServer.pooling'],
  ['flash-attn', 'llamaServer.flashAttention'],
  ['log-level', 'logLevel'],
  ['keys-file', 'auth.keysFile'],
];
const BOOLEAN_FLAGS: Array<[keyof Values, string]> = [
  ['install-server', 'llamaServer.install'],
  ['offline', 'huggingFace.offline'],
  ['auto-truncate', 'limits.autoTruncate'],
  ['insecure', 'auth.insecure'],
];

/** Pure: parsed flags as the top configuration layer. Bad numbers are a TypeError naming the flag. */
export function flagsLayer(values: Values): Flat {
  const flat: Flat = new Map();
  const set = (flag: string, key: string, value: unknown) => flat.set(key, { value, source: `flag --${flag}` });
  for (const [flag, key] of INT_FLAGS) {
    const text = values[flag] as string | undefined;
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) throw new TypeError(`--${flag} must be a non-negative integer, got \`${text}\``);
    set(flag, key, Number(text));
  }
  for (const [flag, key] of STRING_FLAGS) if (values[flag] !== undefined) set(flag, key, values[flag]);
  for (const [flag, key] of BOOLEAN_FLAGS) if (values[flag] !== undefined) set(flag, key, values[flag]);
  if (values.model && values.model.length > 0) set('model', 'models', values.model.map((model) => ({ model })));
  if (values['api-key'] && values['api-key'].length > 0) set('api-key', 'auth.keys', values['api-key'].map((key) => ({ key })));
  return flat;
}
