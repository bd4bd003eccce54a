// Every environment variable that sets a configuration key. `.env.example` lists each (a test keeps them in step).

export type EnvKind = 'string' | 'int' | 'bool' | 'models' | 'keys' | 'list';

export interface EnvVariable {
  name: string;
  /** Dotted configuration key. */
  key: string;
  kind: EnvKind;
  description: string;
}

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'EMBEDHOST_PROFILE', key: 'profile', kind: 'string', description: 'Hardware profile name, or auto' },
  { name: 'EMBEDHOST_MODEL', key: 'models', kind: 'models', description: 'Model(s) to serve, comma-separated: hf:owner/repo:QUANT or paths' },
  { name: 'EMBEDHOST_MMPROJ', key: 'mmproj', kind: 'string', description: "The first model's projector: auto, none, or a reference or path" },
  { name: 'EMBEDHOST_HOST', key: 'host', kind: 'string', description: 'Address to listen on' },
  { name: 'EMBEDHOST_PORT', key: 'port', kind: 'int', description: 'Port to listen on' },
  { name: 'EMBEDHOST_INSTALL_SERVER', key: 'llamaServer.install', kind: 'bool', description: 'Build llama-server without asking when none is found' },
  { name: 'EMBEDHOST_PARALLEL', key: 'llamaServer.parallel', kind: 'int', description: 'llama-server slots, a power of two' },
  { name: 'EMBEDHOST_CTX_SIZE', key: 'llamaServer.contextPerSlot', kind: 'int', description: 'Context per slot, in tokens' },
  { name: 'EMBEDHOST_UBATCH', key: 'llamaServer.ubatch', kind: 'int', description: 'Physical batch in tokens, a power of two' },
  { name: 'EMBEDHOST_THREADS', key: 'llamaServer.threads', kind: 'int', description: 'CPU threads for llama-server' },
  { name: 'EMBEDHOST_GPU_LAYERS', key: 'llamaServer.gpuLayers', kind: 'int', description: 'Layers offloaded to the GPU' },
  { name: 'EMBEDHOST_FLASH_ATTN', key: 'llamaServer.flashAttention', kind: 'string', description: 'on, off or auto' },
  { name: 'EMBEDHOST_POOLING', key: 'llamaServer.pooling', kind: 'string', description: 'mean, cls or last' },
  { name: 'EMBEDHOST_MAX_INPUTS', key: 'limits.maxInputs', kind: 'int', description: 'Inputs per request' },
  { name: 'EMBEDHOST_MAX_BATCH_INPUTS', key: 'limits.maxBatchInputs', kind: 'int', description: 'Inputs per /embed/batch request' },
  { name: 'EMBEDHOST_MAX_TOKENS_PER_REQUEST', key: 'limits.maxTokensPerRequest', kind: 'int', description: 'Tokens per request' },
  { name: 'EMBEDHOST_MAX_BODY_BYTES', key: 'limits.maxBodyBytes', kind: 'int', description: 'Request body size limit in bytes' },
  { name: 'EMBEDHOST_AUTO_TRUNCATE', key: 'limits.autoTruncate', kind: 'bool', description: 'Cut over-long inputs instead of a 400' },
  { name: 'EMBEDHOST_CACHE_MAX_BYTES', key: 'cache.maxBytes', kind: 'int', description: 'In-process embedding cache bound in bytes (0: off)' },
  { name: 'EMBEDHOST_CACHE_URL', key: 'cache.url', kind: 'string', description: 'Redis shared cache, redis://host:6379' },
  { name: 'EMBEDHOST_CACHE_TTL_SECONDS', key: 'cache.ttlSeconds', kind: 'int', description: 'Lifetime of Redis cache entries' },
  { name: 'EMBEDHOST_BATCH_MAX_INPUTS', key: 'batching.maxBatchInputs', kind: 'int', description: 'Inputs per merged upstream request' },
  { name: 'EMBEDHOST_BATCH_MAX_TOKENS', key: 'batching.maxBatchTokens', kind: 'int', description: 'Tokens per merged upstream request' },
  { name: 'EMBEDHOST_BATCH_MAX_WAIT_MS', key: 'batching.maxWaitMs', kind: 'int', description: 'Batch window while busy, in ms' },
  { name: 'EMBEDHOST_MAX_QUEUED_INPUTS', key: 'batching.maxQueuedInputs', kind: 'int', description: 'Backlog bound in inputs (429 past it)' },
  { name: 'EMBEDHOST_API_KEYS', key: 'auth.keys', kind: 'keys', description: 'API keys, comma-separated: KEY or id:KEY' },
  { name: 'EMBEDHOST_KEYS_FILE', key: 'auth.keysFile', kind: 'string', description: 'A file of API keys (KEY, id:KEY or id:sha256:HEX per line)' },
  { name: 'EMBEDHOST_INSECURE', key: 'auth.insecure', kind: 'bool', description: 'Allow listening beyond loopback without keys' },
  { name: 'EMBEDHOST_RATE_LIMIT_RPM', key: 'auth.requestsPerMinute', kind: 'int', description: 'Default requests per minute per key' },
  { name: 'EMBEDHOST_RATE_LIMIT_TPM', key: 'auth.tokensPerMinute', kind: 'int', description: 'Default tokens per minute per key' },
  { name: 'EMBEDHOST_USAGE_FILE', key: 'auth.usageFile', kind: 'string', description: 'JSON-lines usage file, restored at start' },
  { name: 'EMBEDHOST_CORS_ORIGINS', key: 'corsOrigins', kind: 'list', description: 'Browser origins allowed by CORS, comma-separated' },
  { name: 'EMBEDHOST_OFFLINE', key: 'huggingFace.offline', kind: 'bool', description: 'Cached model files only, no network' },
  { name: 'EMBEDHOST_LOG_LEVEL', key: 'logLevel', kind: 'string', description: 'trace, debug, info, warn, error or fatal' },
  // Hugging Face's own variables, read as huggingface_hub reads them.
  { name: 'HF_ENDPOINT', key: 'huggingFace.endpoint', kind: 'string', description: 'The Hub, e.g. a mirror' },
  { name: 'HF_HUB_OFFLINE', key: 'huggingFace.offline', kind: 'bool', description: 'Same as EMBEDHOST_OFFLINE' },
  { name: 'HF_HUB_CACHE', key: 'huggingFace.cacheDir', kind: 'string', description: 'The hub cache folder (else HF_HOME/hub, ~/.cache/huggingface/hub)' },
  { name: 'HF_TOKEN', key: 'huggingFace.token', kind: 'string', description: 'Token for gated or private repos' },
];

/** Not configuration keys, but read: where the config file is, and the binary override. */
export const OTHER_ENV_VARIABLES = ['EMBEDHOST_CONFIG', 'LLAMA_SERVER_BIN', 'HF_HOME', 'XDG_CACHE_HOME'] as const;

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/** Pure: one variable's text as a configuration value; a message on failure. */
export function parseEnvValue(variable: EnvVariable, text: string): { value: unknown } | { error: string } {
  switch (variable.kind) {
    case 'string':
      return { value: text };
    case 'int':
      return /^-?\d+$/.test(text.trim()) ? { value: Number(text) } : { error: `expected an integer, got \`${text}\`` };
    case 'bool':
      if (TRUE.test(text.trim())) return { value: true };
      if (FALSE.test(text.trim())) return { value: false };
      return { error: `expected true or false (1/0, yes/no), got \`${text}\`` };
    case 'list':
      return { value: text.split(',').map((v) => v.trim()).filter(Boolean) };
    case 'keys': {
      const keys = text.split(',').map((k) => k.trim()).filter(Boolean);
      return { value: keys.map((entry) => (/^[\w.-]+:.+$/.test(entry) ? { id: entry.slice(0, entry.indexOf(':')), key: entry.slice(entry.indexOf(':') + 1) } : { key: entry })) };
    }
    case 'models': {
      const models = text.split(',').map((m) => m.trim()).filter(Boolean);
      return models.length > 0 ? { value: models.map((model) => ({ model })) } : { error: 'expected one or more model references' };
    }
  }
}
