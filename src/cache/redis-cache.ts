import { createClient, RESP_TYPES } from 'redis';
import type { Logger } from '../logger.js';
import type { CacheStats, CachedEmbedding, EmbeddingCache } from './embedding-cache.js';
import { MemoryCache } from './memory-cache.js';

export interface RedisCacheOptions {
  url: string;
  /** Entry lifetime in Redis, in seconds. */
  ttlSeconds: number;
  /** The in-process LRU in front of Redis. */
  local: MemoryCache;
  logger: Logger;
  /** A Redis call slower than this counts as a miss. @default 250 */
  timeoutMs?: number;
  /** Prepended to every key, so several services can share one Redis. @default 'embedhost:' */
  prefix?: string;
}

// Value layout: uint32 token count (little-endian), then the float32 vector.
function encode(value: CachedEmbedding): Buffer {
  const buffer = Buffer.allocUnsafe(4 + value.vector.byteLength);
  buffer.writeUInt32LE(value.tokens, 0);
  Buffer.from(value.vector.buffer, value.vector.byteOffset, value.vector.byteLength).copy(buffer, 4);
  return buffer;
}

function decode(buffer: Buffer): CachedEmbedding | undefined {
  if (buffer.length < 8 || (buffer.length - 4) % 4 !== 0) return undefined;
  const vector = new Float32Array((buffer.length - 4) / 4);
  new Uint8Array(vector.buffer).set(buffer.subarray(4));
  return { tokens: buffer.readUInt32LE(0), vector };
}

/**
 * A cache shared by several embedhost instances. Redis being down or slow degrades to the local cache
 * with a warning, never to a failed request: commands fail fast instead of queueing while disconnected.
 */
export class RedisCache implements EmbeddingCache {
  private readonly client;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private errors = 0;
  private remoteHits = 0;
  private warnedAt = 0;

  constructor(private readonly options: RedisCacheOptions) {
    this.prefix = options.prefix ?? 'embedhost:';
    this.timeoutMs = options.timeoutMs ?? 250;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) },
    }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    this.client.on('error', (error: Error) => this.warn('redis cache unavailable; serving without it', error));
    this.client.on('ready', () => options.logger.info({ url: redact(options.url) }, 'redis cache connected'));
    void this.client.connect().catch((error: Error) => this.warn('redis cache unavailable; serving without it', error));
  }

  private warn(message: string, error: unknown): void {
    this.errors++;
    // One line per 30 s at most: an outage should not flood the log.
    if (Date.now() - this.warnedAt < 30_000) return;
    this.warnedAt = Date.now();
    this.options.logger.warn({ err: error, url: redact(this.options.url) }, message);
  }

  async getMany(keys: readonly string[]): Promise<Array<CachedEmbedding | undefined>> {
    const results = await this.options.local.getMany(keys);
    const missing = keys.map((key, i) => (results[i] ? -1 : i)).filter((i) => i >= 0);
    if (missing.length === 0 || !this.client.isReady) return results;
    try {
      const values = (await this.client
        .withCommandOptions({ timeout: this.timeoutMs })
        .mGet(missing.map((i) => this.prefix + keys[i]!))) as Array<Buffer | null>;
      const fetched: Array<[string, CachedEmbedding]> = [];
      values.forEach((value, j) => {
        const decoded = value ? decode(value) : undefined;
        if (!decoded) return;
        const index = missing[j]!;
        results[index] = decoded;
        fetched.push([keys[index]!, decoded]);
        this.remoteHits++;
      });
      await this.options.local.setMany(fetched);
    } catch (error) {
      this.warn('redis cache read failed; answered as misses', error);
    }
    return results;
  }

  async setMany(entries: ReadonlyArray<readonly [string, CachedEmbedding]>): Promise<void> {
    await this.options.local.setMany(entries);
    if (entries.length === 0 || !this.client.isReady) return;
    try {
      const multi = this.client.withCommandOptions({ timeout: this.timeoutMs }).multi();
      for (const [key, value] of entries) multi.set(this.prefix + key, encode(value), { expiration: { type: 'EX', value: this.options.ttlSeconds } });
      await multi.execAsPipeline();
    } catch (error) {
      this.warn('redis cache write failed; the entries stay local', error);
    }
  }

  stats(): CacheStats {
    const local = this.options.local.stats();
    // A local miss answered by Redis is a hit.
    return { ...local, hits: local.hits + this.remoteHits, misses: local.misses - this.remoteHits, errors: this.errors };
  }

  async close(): Promise<void> {
    await this.options.local.close();
    if (this.client.isOpen) await this.client.close().catch(() => undefined);
    else this.client.destroy();
  }
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//[redacted]@');
