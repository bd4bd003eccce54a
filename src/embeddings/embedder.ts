import { MicroBatcher, type MicroBatcherOptions } from '../batching/micro-batcher.js';
import { inputCacheKey, NoCache, type CachePolicy, type EmbeddingCache } from '../cache/embedding-cache.js';
import { EmbedhostError } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { BackendCalls } from './backend-calls.js';
import { checkTokenIds, fitTokens, type TokenPolicy } from './token-limits.js';
import type { CheckedImage } from '../media/image.js';
import { NO_PROMPTS, renderImagePrompt, type PromptTemplates } from './prompts.js';
import { probeJoinedTokenization, tokenizeMany, type JoinedTokenization } from './tokenizer.js';

export type EmbeddingItem = string | number[];

export interface ModelFacts {
  dimensions: number;
  contextPerSlot: number;
  trainedContext: number | undefined;
  vocabSize: number;
  policy: TokenPolicy;
  joined: JoinedTokenization | undefined;
  /** Whether the backend has a vision projector, and the marker its prompts use for an image. */
  vision: boolean;
  mediaMarker: string | undefined;
}

export interface ImageInput {
  images: readonly CheckedImage[];
  text?: string | undefined;
}

export interface ImageEmbedOptions {
  instruction?: string | undefined;
  signal?: AbortSignal | undefined;
  cache?: CachePolicy | undefined;
  /** The `param` an error names, per input index. */
  paramOf?: (index: number) => string;
}

export interface BatchingOptions {
  /** Inputs per merged upstream request. @default 64 */
  maxBatchInputs?: number | undefined;
  /** Tokens per merged upstream request. @default parallel × ubatch */
  maxBatchTokens?: number | undefined;
  /** While the backend is busy, how long a partial batch waits to fill, in ms. @default 2 */
  maxWaitMs?: number | undefined;
  /** Upstream requests at once. @default 2: one computing, one ready behind it */
  maxInFlight?: number | undefined;
  /** Backlog bounds; past them requests get 429. @default 16384 inputs, 4 Mi tokens */
  maxQueuedInputs?: number | undefined;
  maxQueuedTokens?: number | undefined;
}

export interface EmbedderOptions {
  supervisor: Supervisor;
  retryDeadlineMs: number;
  ubatchSize: number;
  parallel: number;
  /** Causal (decoder) models can split an input over several ubatches; pooled encoders cannot. */
  causal: boolean;
  batching?: BatchingOptions;
  cache?: EmbeddingCache;
  /** The model's part of every cache key (file digest, pooling, normalization). */
  cacheScope?: string;
  onBatch?: MicroBatcherOptions<number[], Float32Array>['onBatch'];
  /** The model's prompt templates (input types, images). */
  prompts?: PromptTemplates;
  /** Launched with a projector: images are expected to work. */
  multimodal?: boolean;
}

export interface EmbedOptions {
  truncate: boolean;
  /** Checked after tokenizing, before anything is embedded. */
  maxTotalTokens?: number | undefined;
  signal?: AbortSignal | undefined;
  cache?: CachePolicy | undefined;
}

export interface EmbedResult {
  vectors: Float32Array[];
  tokenCounts: number[];
  cacheHits: number;
  /** The longest wait for a batch and the longest upstream request among its inputs, in ms. */
  queueMs: number;
  backendMs: number;
}

// One per served model. Every input is looked up in the cache, tokenized and checked before any is
// embedded, so a bad input is a 400 naming it, never the all-or-nothing 500 llama-server gives for an
// array; what is left is merged with other requests' inputs by two batchers (tokenize, embed).
export class Embedder {
  private facts: { generation: number; value: Promise<ModelFacts> } | undefined;
  private readonly calls: BackendCalls;
  private readonly cache: EmbeddingCache;
  private readonly cacheScope: string;
  readonly embedBatcher: MicroBatcher<number[], Float32Array>;
  private readonly tokenizeBatcher: MicroBatcher<string, number[]>;

  constructor(private readonly options: EmbedderOptions) {
    this.calls = new BackendCalls(options.supervisor, options.retryDeadlineMs);
    this.cache = options.cache ?? new NoCache();
    this.cacheScope = options.cacheScope ?? 'unscoped';
    const b = options.batching ?? {};
    this.embedBatcher = new MicroBatcher({
      run: (inputs) => this.calls.embed(inputs),
      cost: (tokens) => tokens.length,
      maxBatchItems: b.maxBatchInputs ?? 64,
      maxBatchCost: b.maxBatchTokens ?? options.parallel * options.ubatchSize,
      maxInFlight: b.maxInFlight ?? 2,
      maxWaitMs: b.maxWaitMs ?? 2,
      maxQueuedItems: b.maxQueuedInputs ?? 16_384,
      maxQueuedCost: b.maxQueuedTokens ?? 4 * 2 ** 20,
      // A merged request that llama-server refused is retried input by input: each gets its own outcome.
      isolate: (error) => error instanceof EmbedhostError && error.code === 'EMBEDHOST_BACKEND_ERROR',
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
    this.tokenizeBatcher = new MicroBatcher({
      run: async (texts) => {
        const { policy, joined } = await this.modelFacts();
        return tokenizeMany(this.calls, texts, policy, joined);
      },
      cost: (text) => text.length,
      maxBatchItems: 512,
      maxBatchCost: 2 ** 20,
      maxInFlight: 2,
      maxWaitMs: 0,
      maxQueuedItems: 2 ** 20,
      maxQueuedCost: 2 ** 30,
    });
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
    const meta = await this.calls.modelMeta(signal);
    const special = await this.calls.tokenize('', true, signal);
    const [probe] = await this.calls.embed(['ok'], signal);
    const contextPerSlot = Number(meta.n_ctx);
    const vocabSize = Number(meta.n_vocab);
    // Special tokens split around the empty text: BERT gives [CLS, SEP], Qwen3-Embedding gives [<|endoftext|>].
    const half = special.length > 1 ? 1 : 0;
    const maxTokens = this.options.causal ? contextPerSlot - 1 : Math.min(contextPerSlot, this.options.ubatchSize);
    const policy = { prefix: special.slice(0, half), suffix: special.slice(half), maxTokens, vocabSize };
    const props = this.options.multimodal ? await this.calls.props(signal) : { mediaMarker: undefined, vision: false };
    return {
      vision: props.vision,
      mediaMarker: props.mediaMarker,
      dimensions: probe!.length,
      contextPerSlot,
      trainedContext: meta.n_ctx_train === undefined ? undefined : Number(meta.n_ctx_train),
      vocabSize,
      policy,
      // Only an optimisation: a backend that cannot be probed is tokenized one text at a time.
      joined: await probeJoinedTokenization(this.calls, policy, signal).catch(() => undefined),
    };
  }

  get prompts(): PromptTemplates {
    return this.options.prompts ?? NO_PROMPTS;
  }

  /** Inputs with images: each alone upstream (see BackendCalls.embedWithImages), cached by prompt and image bytes. */
  async embedImages(inputs: readonly ImageInput[], options: ImageEmbedOptions): Promise<EmbedResult> {
    const facts = await this.modelFacts(options.signal);
    if (!facts.vision || !facts.mediaMarker) {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', 'This model takes text only: it was started without a vision projector (--mmproj)', {
        param: options.paramOf?.(0) ?? 'input',
      });
    }
    const policy = options.cache ?? { read: true, write: true };
    const prompts = inputs.map((input) => renderImagePrompt(this.prompts, input.images.length, facts.mediaMarker!, input.text, options.instruction));
    const keys = inputs.map((input, i) => inputCacheKey(this.cacheScope, `image\0${prompts[i]}\0${input.images.map((image) => image.digest).join(',')}`));
    const cached = policy.read ? await this.cache.getMany(keys) : keys.map(() => undefined);
    const started = performance.now();
    const computed = await Promise.all(
      inputs.map((input, i) => {
        if (cached[i]) return cached[i];
        return this.calls.embedWithImages(prompts[i]!, input.images.map((image) => image.bytes), options.signal).catch((error: unknown) => {
          if (error instanceof EmbedhostError && error.code === 'EMBEDHOST_INVALID_REQUEST') {
            throw new EmbedhostError(error.code, `Input ${i}: ${error.message}`, { param: options.paramOf?.(i) ?? `input[${i}]` });
          }
          throw error;
        });
      }),
    );
    if (policy.write) {
      const fresh = inputs.map((_, i) => i).filter((i) => !cached[i]).map((i) => [keys[i]!, computed[i]!] as const);
      if (fresh.length > 0) void this.cache.setMany(fresh.map(([key, value]) => [key, { vector: value.vector, tokens: value.tokens }] as const));
    }
    return {
      vectors: computed.map((c) => c!.vector),
      tokenCounts: computed.map((c) => c!.tokens),
      cacheHits: cached.filter(Boolean).length,
      queueMs: 0,
      backendMs: performance.now() - started,
    };
  }

  async embed(items: readonly EmbeddingItem[], options: EmbedOptions): Promise<EmbedResult> {
    const { policy } = await this.modelFacts(options.signal);
    const policyOfCache = options.cache ?? { read: true, write: true };
    const keys = items.map((item) => inputCacheKey(this.cacheScope, item));
    const cached = policyOfCache.read ? await this.cache.getMany(keys) : keys.map(() => undefined);
    const misses = items.map((_, i) => i).filter((i) => !cached[i]);

    const texts = misses.filter((i) => typeof items[i] === 'string');
    const textTokens = await Promise.all(this.tokenizeBatcher.submitAll(texts.map((i) => ({ item: items[i] as string })), options.signal));
    const rawTokens = new Map<number, number[]>(texts.map((i, j) => [i, textTokens[j]!]));
    const fitted = new Map<number, { tokens: number[]; whole: boolean }>();
    for (const i of misses) {
      const raw = rawTokens.get(i) ?? (items[i] as number[]);
      if (!rawTokens.has(i)) checkTokenIds(raw, policy, i);
      const tokens = fitTokens(raw, policy, i, options.truncate);
      fitted.set(i, { tokens, whole: tokens.length === raw.length });
    }
    const tokenCounts = items.map((_, i) => cached[i]?.tokens ?? fitted.get(i)!.tokens.length);
    const total = tokenCounts.reduce((sum, n) => sum + n, 0);
    if (options.maxTotalTokens !== undefined && total > options.maxTotalTokens) {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `At most ${options.maxTotalTokens} tokens per request, got ${total}`, { param: 'input' });
    }
    this.embedBatcher.admit(misses.length, misses.reduce((sum, i) => sum + fitted.get(i)!.tokens.length, 0));
    // Identical whole inputs share one computation; a truncated one is keyed apart from its whole form.
    const computed = await Promise.all(
      this.embedBatcher.submitAll(
        misses.map((i) => {
          const { tokens, whole } = fitted.get(i)!;
          return { item: tokens, key: whole ? keys[i] : undefined };
        }),
        options.signal,
      ),
    );
    let queueMs = 0;
    let backendMs = 0;
    for (const i of misses) {
      const timing = this.embedBatcher.timingOf(fitted.get(i)!.tokens);
      if (!timing) continue;
      queueMs = Math.max(queueMs, timing.queueMs);
      backendMs = Math.max(backendMs, timing.runMs);
    }
    const vectors = items.map((_, i) => cached[i]?.vector as Float32Array);
    misses.forEach((i, j) => (vectors[i] = computed[j]!));
    if (policyOfCache.write) {
      // Only whole inputs are stored, so a hit never stands for a text that was cut.
      const fresh = misses.filter((i) => fitted.get(i)!.whole).map((i) => [keys[i]!, { vector: vectors[i]!, tokens: tokenCounts[i]! }] as const);
      if (fresh.length > 0) void this.cache.setMany(fresh);
    }
    return { vectors, tokenCounts, cacheHits: items.length - misses.length, queueMs, backendMs };
  }
}
