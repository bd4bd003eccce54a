import { LRUCache } from 'lru-cache';
import type { CacheStats, CachedEmbedding, EmbeddingCache } from './embedding-cache.js';

// Bounded in bytes, not entries, so a wide model cannot use more memory than configured.
const ENTRY_OVERHEAD_BYTES = 96;

export class MemoryCache implements EmbeddingCache {
  private readonly lru: LRUCache<string, CachedEmbedding>;
  private readonly counters = { hits: 0, misses: 0, evictions: 0 };

  constructor(maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new TypeError(`Expected \`maxBytes\` to be a positive integer, got \`${String(maxBytes)}\` (${typeof maxBytes})`);
    this.lru = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => value.vector.byteLength + key.length + ENTRY_OVERHEAD_BYTES,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.counters.evictions++;
      },
    });
  }

  async getMany(keys: readonly string[]): Promise<Array<CachedEmbedding | undefined>> {
    return keys.map((key) => this.getNow(key));
  }

  getNow(key: string): CachedEmbedding | undefined {
    const value = this.lru.get(key);
    if (value) this.counters.hits++;
    else this.counters.misses++;
    return value;
  }

  async setMany(entries: ReadonlyArray<readonly [string, CachedEmbedding]>): Promise<void> {
    for (const [key, value] of entries) this.lru.set(key, value);
  }

  stats(): CacheStats {
    return { ...this.counters, bytes: this.lru.calculatedSize, entries: this.lru.size, errors: 0 };
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}
