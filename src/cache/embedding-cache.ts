import { createHash } from 'node:crypto';

// Embeddings keyed by what determines them: the model file, its pooling and normalization, and the
// input. `dimensions` is applied after the cache, so one entry serves every width.

export interface CachedEmbedding {
  vector: Float32Array;
  /** The input's token count, for usage. */
  tokens: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
  evictions: number;
  /** Failed remote operations, answered as misses. */
  errors: number;
}

export interface EmbeddingCache {
  getMany(keys: readonly string[]): Promise<Array<CachedEmbedding | undefined>>;
  setMany(entries: ReadonlyArray<readonly [string, CachedEmbedding]>): Promise<void>;
  stats(): CacheStats;
  close(): Promise<void>;
}

/** Per request: `no-cache` reads through (computes, then stores); `no-store` neither reads nor writes. */
export interface CachePolicy {
  read: boolean;
  write: boolean;
}

// Pure: Cache-Control request directives as a policy.
export function cachePolicyOf(cacheControl: string | undefined): CachePolicy {
  const directives = new Set((cacheControl ?? '').toLowerCase().split(',').map((d) => d.trim()));
  if (directives.has('no-store')) return { read: false, write: false };
  if (directives.has('no-cache')) return { read: false, write: true };
  return { read: true, write: true };
}

/** The part of a key fixed per served model. */
export function modelCacheScope(modelDigest: string, pooling: string, normalize: string): string {
  return createHash('sha256').update(`${modelDigest}\0${pooling}\0${normalize}`).digest('hex').slice(0, 16);
}

// One hash per input, made once: text and token arrays never collide (different tags).
export function inputCacheKey(scope: string, input: string | readonly number[]): string {
  const hash = createHash('sha256').update(scope);
  if (typeof input === 'string') hash.update('\0t\0').update(input);
  else hash.update('\0k\0').update(new Uint8Array(Uint32Array.from(input).buffer));
  return hash.digest('base64url').slice(0, 32);
}

export class NoCache implements EmbeddingCache {
  private misses = 0;
  async getMany(keys: readonly string[]): Promise<Array<CachedEmbedding | undefined>> {
    this.misses += keys.length;
    return keys.map(() => undefined);
  }
  async setMany(): Promise<void> {}
  stats(): CacheStats {
    return { hits: 0, misses: this.misses, bytes: 0, entries: 0, evictions: 0, errors: 0 };
  }
  async close(): Promise<void> {}
}
