import { EmbedhostError } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { callBackend } from '../upstream/call-backend.js';
import type { UpstreamResponse } from '../upstream/llama-client.js';
import { checkTokenIds, fitTokens, type TokenPolicy } from './token-limits.js';
import { decodeBase64Float32 } from './vectors.js';

export type EmbeddingItem = string | number[];

export interface ModelFacts {
  dimensions: number;
  contextPerSlot: number;
  trainedContext: number | undefined;
  vocabSize: number;
  sizeBytes: number | undefined;
  fileType: string | undefined;
  policy: TokenPolicy;
}

export interface EmbedderOptions {
  supervisor: Supervisor;
  retryDeadlineMs: number;
  ubatchSize: number;
  /** Causal (decoder) models can split an input over several ubatches; pooled encoders cannot. */
  causal: boolean;
  /** Inputs per upstream request. @default 256 */
  maxInputsPerRequest?: number;
}

export interface EmbedOptions {
  truncate: boolean;
  /** Checked after tokenizing, before anything is embedded. */
  maxTotalTokens?: number;
  signal?: AbortSignal;
}

export interface EmbedResult {
  vectors: Float32Array[];
  tokenCounts: number[];
}

function failure(response: UpstreamResponse, what: string): EmbedhostError {
  const message = (response.body as { error?: { message?: string } } | undefined)?.error?.message ?? `status ${response.status}`;
  return new EmbedhostError('EMBEDHOST_BACKEND_ERROR', `The embedding backend failed to ${what}: ${message}`);
}

// Every input is tokenized and checked before any is embedded, so one over-long or empty input is
// a 400 naming it and never the all-or-nothing 500 llama-server gives for a whole array.
export class Embedder {
  private facts: { generation: number; value: Promise<ModelFacts> } | undefined;

  constructor(private readonly options: EmbedderOptions) {}

  private call(send: Parameters<typeof callBackend>[1], signal?: AbortSignal): Promise<UpstreamResponse> {
    return callBackend(this.options.supervisor, send, { deadlineMs: this.options.retryDeadlineMs, ...(signal ? { signal } : {}) });
  }

  // Read from the running backend (per process, since a restart may follow a config change).
  async modelFacts(signal?: AbortSignal): Promise<ModelFacts> {
    const backend = await this.options.supervisor.whenServing(this.options.retryDeadlineMs, signal);
    if (this.facts?.generation !== backend.generation) {
      const value = this.readFacts(signal);
      this.facts = { generation: backend.generation, value };
      value.catch(() => (this.facts = undefined));
    }
    return this.facts!.value;
  }

  private async readFacts(signal?: AbortSignal): Promise<ModelFacts> {
    const models = await this.call((b) => b.client.getJson('/v1/models', { signal }), signal);
    const meta = (models.body as { data?: Array<{ meta?: Record<string, unknown> }> } | undefined)?.data?.[0]?.meta;
    if (models.status !== 200 || !meta) throw failure(models, 'describe its model');
    const specials = await this.call((b) => b.client.postJson('/tokenize', { content: '', add_special: true }, { signal }), signal);
    const special = (specials.body as { tokens?: number[] } | undefined)?.tokens;
    if (specials.status !== 200 || !special) throw failure(specials, 'tokenize');
    const probe = await this.call((b) => b.client.postJson('/v1/embeddings', { input: 'ok', encoding_format: 'base64' }, { signal }), signal);
    const probeVector = (probe.body as { data?: Array<{ embedding: string }> } | undefined)?.data?.[0]?.embedding;
    if (probe.status !== 200 || typeof probeVector !== 'string') throw failure(probe, 'embed');
    const contextPerSlot = Number(meta.n_ctx);
    // Special tokens split around the empty text: BERT gives [CLS, SEP], Qwen3-Embedding gives [<|endoftext|>].
    const half = special.length > 1 ? 1 : 0;
    const maxTokens = this.options.causal ? contextPerSlot - 1 : Math.min(contextPerSlot, this.options.ubatchSize);
    return {
      dimensions: decodeBase64Float32(probeVector).length,
      contextPerSlot,
      trainedContext: meta.n_ctx_train === undefined ? undefined : Number(meta.n_ctx_train),
      vocabSize: Number(meta.n_vocab),
      sizeBytes: meta.size === undefined ? undefined : Number(meta.size),
      fileType: typeof meta.ftype === 'string' ? meta.ftype : undefined,
      policy: { prefix: special.slice(0, half), suffix: special.slice(half), maxTokens, vocabSize: Number(meta.n_vocab) },
    };
  }

  async tokenize(text: string, signal?: AbortSignal): Promise<number[]> {
    const response = await this.call((b) => b.client.postJson('/tokenize', { content: text, add_special: true }, { signal }), signal);
    const tokens = (response.body as { tokens?: number[] } | undefined)?.tokens;
    if (response.status !== 200 || !tokens) throw failure(response, 'tokenize');
    return tokens;
  }

  async embed(items: readonly EmbeddingItem[], options: EmbedOptions): Promise<EmbedResult> {
    const { policy } = await this.modelFacts(options.signal);
    const tokenized = await Promise.all(
      items.map(async (item, index) => {
        const tokens = typeof item === 'string' ? await this.tokenize(item, options.signal) : item;
        if (typeof item !== 'string') checkTokenIds(tokens, policy, index);
        return fitTokens(tokens, policy, index, options.truncate);
      }),
    );
    const total = tokenized.reduce((sum, t) => sum + t.length, 0);
    if (options.maxTotalTokens !== undefined && total > options.maxTotalTokens) {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `At most ${options.maxTotalTokens} tokens per request, got ${total}`, { param: 'input' });
    }
    const chunk = this.options.maxInputsPerRequest ?? 256;
    const vectors: Float32Array[] = [];
    for (let start = 0; start < tokenized.length; start += chunk) {
      vectors.push(...(await this.embedTokens(tokenized.slice(start, start + chunk), options.signal)));
    }
    return { vectors, tokenCounts: tokenized.map((t) => t.length) };
  }

  private async embedTokens(inputs: number[][], signal?: AbortSignal): Promise<Float32Array[]> {
    const response = await this.call((b) => b.client.postJson('/v1/embeddings', { input: inputs, encoding_format: 'base64' }, { signal }), signal);
    const data = (response.body as { data?: Array<{ index: number; embedding: string }> } | undefined)?.data;
    if (response.status !== 200 || !data) throw failure(response, 'embed');
    if (data.length !== inputs.length) {
      throw new EmbedhostError('EMBEDHOST_BACKEND_ERROR', `The embedding backend returned ${data.length} vectors for ${inputs.length} inputs`);
    }
    const vectors = new Array<Float32Array>(inputs.length);
    for (const item of data) vectors[item.index] = decodeBase64Float32(item.embedding);
    return vectors;
  }
}
