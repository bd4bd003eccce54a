import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UsageTracker } from './auth/usage.js';
import type { BatchReport } from './batching/micro-batcher.js';
import type { EmbeddingCache } from './cache/embedding-cache.js';
import type { ServedModel } from './models/served-model.js';
import { TRANSITIONS, type BackendState } from './supervisor/states.js';

// Prometheus metrics (prom-client). Counters that other parts keep (cache, usage, restarts) are read
// at scrape time, so the hot path only touches the histograms below.

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const TOKEN_BUCKETS = [16, 64, 256, 512, 1024, 2048, 4096, 8192, 16384, 65536];

export interface MetricsSources {
  models: () => readonly ServedModel[];
  cache: () => EmbeddingCache | undefined;
  usage: UsageTracker;
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'embedhost_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: 'embedhost_http_request_duration_seconds', help: 'Time from request to response, by route', labelNames: ['route'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly queueWait = new Histogram({ name: 'embedhost_queue_wait_seconds', help: 'Time an input waited for its batch', labelNames: ['model'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly backendTime = new Histogram({ name: 'embedhost_backend_request_seconds', help: 'Duration of upstream embedding requests', labelNames: ['model'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly batchInputs = new Histogram({ name: 'embedhost_batch_inputs', help: 'Inputs per upstream request', labelNames: ['model'] as const, buckets: SIZE_BUCKETS, registers: [this.registry] });
  readonly batchTokens = new Histogram({ name: 'embedhost_batch_tokens', help: 'Tokens per upstream request', labelNames: ['model'] as const, buckets: TOKEN_BUCKETS, registers: [this.registry] });
  readonly tokens = new Counter({ name: 'embedhost_tokens_total', help: 'Tokens embedded or served from the cache, by model', labelNames: ['model'] as const, registers: [this.registry] });
  readonly inputs = new Counter({ name: 'embedhost_inputs_total', help: 'Inputs answered, by model', labelNames: ['model'] as const, registers: [this.registry] });

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'embedhost_' });
    new Gauge({
      name: 'embedhost_backlog_inputs',
      help: 'Inputs waiting for a batch',
      labelNames: ['model'] as const,
      registers,
      collect() {
        for (const m of sources.models()) this.set({ model: m.id }, m.embedder.embedBatcher.stats.queuedItems);
      },
    });
    new Gauge({
      name: 'embedhost_backlog_tokens',
      help: 'Tokens waiting for a batch',
      labelNames: ['model'] as const,
      registers,
      collect() {
        for (const m of sources.models()) this.set({ model: m.id }, m.embedder.embedBatcher.stats.queuedCost);
      },
    });
    const states = Object.keys(TRANSITIONS) as BackendState[];
    new Gauge({
      name: 'embedhost_backend_state',
      help: 'The llama-server state per model: 1 for the current state',
      labelNames: ['model', 'state'] as const,
      registers,
      collect() {
        for (const m of sources.models()) for (const state of states) this.set({ model: m.id, state }, m.supervisor.state === state ? 1 : 0);
      },
    });
    counterFrom('embedhost_backend_restarts_total', 'llama-server restarts per model', ['model'], registers, () =>
      sources.models().map((m) => [{ model: m.id }, m.supervisor.snapshot().restarts]),
    );
    const cacheStat = (pick: (s: ReturnType<EmbeddingCache['stats']>) => number) => () => {
      const stats = sources.cache()?.stats();
      return stats ? [[{}, pick(stats)] as const] : [];
    };
    counterFrom('embedhost_cache_hits_total', 'Embedding cache hits', [], registers, cacheStat((s) => s.hits));
    counterFrom('embedhost_cache_misses_total', 'Embedding cache misses', [], registers, cacheStat((s) => s.misses));
    counterFrom('embedhost_cache_evictions_total', 'Entries evicted from the in-process cache', [], registers, cacheStat((s) => s.evictions));
    counterFrom('embedhost_cache_errors_total', 'Failed Redis cache operations (answered as misses)', [], registers, cacheStat((s) => s.errors));
    new Gauge({
      name: 'embedhost_cache_bytes',
      help: 'Bytes held by the in-process cache',
      registers,
      collect() {
        this.set(sources.cache()?.stats().bytes ?? 0);
      },
    });
    const usageCounter = (field: 'requests' | 'inputs' | 'tokens' | 'cacheHits' | 'errors', name: string, help: string) =>
      counterFrom(name, help, ['key'], registers, () => Object.entries(sources.usage.snapshot()).map(([key, totals]) => [{ key }, totals[field]]));
    usageCounter('requests', 'embedhost_key_requests_total', 'Requests per API key id');
    usageCounter('inputs', 'embedhost_key_inputs_total', 'Inputs per API key id');
    usageCounter('tokens', 'embedhost_key_tokens_total', 'Tokens per API key id');
    usageCounter('cacheHits', 'embedhost_key_cache_hits_total', 'Cache hits per API key id');
    usageCounter('errors', 'embedhost_key_errors_total', 'Error responses per API key id');
  }

  /** A batch report from a model's batcher. */
  observeBatch(model: string, batch: BatchReport): void {
    this.batchInputs.observe({ model }, batch.items);
    this.batchTokens.observe({ model }, batch.cost);
    this.backendTime.observe({ model }, batch.runMs / 1000);
    for (const ms of batch.queueMs) this.queueWait.observe({ model }, ms / 1000);
  }
}

// A counter whose value another component keeps: set from it at every scrape.
function counterFrom<L extends string>(
  name: string,
  help: string,
  labelNames: L[],
  registers: Registry[],
  read: () => ReadonlyArray<readonly [Partial<Record<L, string>>, number]>,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels as never, value);
    },
  });
}

/** Pure: llama-server's own metrics (`llamacpp:name value`) renamed under embedhost_llamacpp_ with a model label. */
export function relabelLlamaMetrics(text: string, model: string, seen: Set<string>): string {
  const out: string[] = [];
  const label = `model="${model.replace(/["\\\n]/g, '_')}"`;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const meta = /^# (HELP|TYPE) llamacpp:(\S+)(.*)$/.exec(line);
    if (meta) {
      const key = `${meta[1]} ${meta[2]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`# ${meta[1]} embedhost_llamacpp_${meta[2]}${meta[3]}`);
      continue;
    }
    const sample = /^llamacpp:([A-Za-z0-9_]+)(\{([^}]*)\})?\s+(.+)$/.exec(line);
    if (sample) out.push(`embedhost_llamacpp_${sample[1]}{${sample[3] ? `${label},${sample[3]}` : label}} ${sample[4]}`);
  }
  return out.join('\n');
}
