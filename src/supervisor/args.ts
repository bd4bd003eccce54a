import { invalidOption } from '../errors.js';

export type Pooling = 'none' | 'mean' | 'cls' | 'last' | 'rank';
export type FlashAttention = 'on' | 'off' | 'auto';

export interface LaunchSpec {
  modelPath: string;
  mmprojPath?: string | undefined;
  /** Omitted: the model file's own pooling type. */
  pooling?: Pooling | undefined;
  port: number;
  /** Random per process, so nothing else on the machine can use the backend around the gateway. */
  apiKey: string;
  /** Total context over all slots (`-c`). */
  contextSize: number;
  /** Physical batch (`-ub`); `-b` is set equal, as llama-server forces for embeddings anyway. */
  ubatchSize: number;
  /** Slots (`-np`). */
  parallel: number;
  threads?: number | undefined;
  /** `-ngl`: 99 offloads everything on a GPU build; CPU builds ignore it. */
  gpuLayers?: number | undefined;
  flashAttention?: FlashAttention | undefined;
  /** The name llama-server reports for the model. */
  alias?: string | undefined;
  extraArgs?: readonly string[] | undefined;
}

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

// MEAN pooling aborts at load when -np does not divide min(-c, -ub): powers of two always divide.
export function validateLaunchSpec(spec: LaunchSpec): void {
  if (!spec.modelPath) throw invalidOption('modelPath', 'a path to a GGUF file', spec.modelPath);
  if (!Number.isInteger(spec.port) || spec.port <= 0 || spec.port > 65535) throw invalidOption('port', 'a TCP port', spec.port);
  if (!isPowerOfTwo(spec.parallel)) throw invalidOption('parallel', 'a power of two', spec.parallel);
  if (!isPowerOfTwo(spec.ubatchSize)) throw invalidOption('ubatchSize', 'a power of two', spec.ubatchSize);
  if (!Number.isInteger(spec.contextSize) || spec.contextSize < spec.parallel || spec.contextSize % spec.parallel !== 0) {
    throw invalidOption('contextSize', `a positive multiple of parallel (${spec.parallel})`, spec.contextSize);
  }
  if (spec.threads !== undefined && (!Number.isInteger(spec.threads) || spec.threads <= 0)) {
    throw invalidOption('threads', 'a positive integer', spec.threads);
  }
  if (spec.apiKey.length < 16) throw invalidOption('apiKey', 'at least 16 characters', '[redacted]');
}

// Pure, so every launch line is table-tested. `--mlock`/`--no-mmap` are gone from llama-server: never emit them.
export function buildLaunchArgs(spec: LaunchSpec): string[] {
  validateLaunchSpec(spec);
  const args = ['--model', spec.modelPath, '--embedding'];
  if (spec.pooling) args.push('--pooling', spec.pooling);
  if (spec.mmprojPath) args.push('--mmproj', spec.mmprojPath);
  args.push(
    '--host', '127.0.0.1',
    '--port', String(spec.port),
    '--api-key', spec.apiKey,
    '-c', String(spec.contextSize),
    '-b', String(spec.ubatchSize),
    '-ub', String(spec.ubatchSize),
    '-np', String(spec.parallel),
  );
  if (spec.threads !== undefined) args.push('-t', String(spec.threads));
  if (spec.gpuLayers !== undefined) args.push('-ngl', String(spec.gpuLayers));
  if (spec.flashAttention) args.push('--flash-attn', spec.flashAttention);
  if (spec.alias) args.push('--alias', spec.alias);
  // The prompt cache only snapshots idle slots for an embedding server; --offline keeps a model
  // reference from ever reaching the network; --metrics feeds our own /metrics.
  args.push('--cache-ram', '0', '--no-webui', '--offline', '--metrics');
  if (spec.extraArgs) args.push(...spec.extraArgs);
  return args;
}

// For logs: the launch line with the backend's key hidden.
export function redactLaunchArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => (args[i - 1] === '--api-key' ? '[redacted]' : arg));
}

// Variables llama-server reads behind the command line's back: any of them could change the
// port, the key, the mode (router child, Vertex) or the model without showing in our flags.
const SCRUBBED_PREFIXES = ['LLAMA_', 'GGML_', 'AIP_', 'MTMD_'];
const SCRUBBED_NAMES = new Set(['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'SOURCE_DATE_EPOCH', 'MODEL_ENDPOINT']);

export function buildChildEnv(parent: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (SCRUBBED_NAMES.has(key) || SCRUBBED_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
