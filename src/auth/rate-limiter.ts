import { EmbedhostError } from '../errors.js';

// Per-key token buckets for requests and tokens per minute, refilled continuously, as OpenAI's limits
// behave; the clock is injected so tests never sleep.

export interface LimitState {
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    readonly capacityPerMinute: number,
    private readonly now: () => number,
  ) {
    this.level = capacityPerMinute;
    this.updatedAt = now();
  }

  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.capacityPerMinute, this.level + ((t - this.updatedAt) / 60_000) * this.capacityPerMinute);
    this.updatedAt = t;
  }

  /** Seconds until `amount` is available; 0 when it is now. */
  waitSeconds(amount: number): number {
    this.refill();
    const missing = Math.min(amount, this.capacityPerMinute) - this.level;
    return missing <= 0 ? 0 : (missing / this.capacityPerMinute) * 60;
  }

  take(amount: number): void {
    this.refill();
    // May go below zero: tokens are known only after tokenizing, and the debt delays the next request.
    this.level -= amount;
  }

  state(): LimitState {
    this.refill();
    const remaining = Math.max(0, Math.floor(this.level));
    return { limit: this.capacityPerMinute, remaining, resetSeconds: ((this.capacityPerMinute - Math.max(0, this.level)) / this.capacityPerMinute) * 60 };
  }
}

/** Pure: OpenAI's reset format: `1s`, `6m0s`, `250ms`. */
export function formatReset(seconds: number): string {
  if (seconds < 1) return `${Math.ceil(seconds * 1000)}ms`;
  const whole = Math.ceil(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${whole % 60}s` : `${whole}s`;
}

export interface KeyBuckets {
  requests: TokenBucket | undefined;
  tokens: TokenBucket | undefined;
}

export class RateLimiter {
  private readonly buckets = new Map<string, KeyBuckets>();

  constructor(private readonly now: () => number = Date.now) {}

  private bucketsFor(keyId: string, limits: { requestsPerMinute?: number | undefined; tokensPerMinute?: number | undefined }): KeyBuckets {
    let buckets = this.buckets.get(keyId);
    if (!buckets) {
      buckets = {
        requests: limits.requestsPerMinute ? new TokenBucket(limits.requestsPerMinute, this.now) : undefined,
        tokens: limits.tokensPerMinute ? new TokenBucket(limits.tokensPerMinute, this.now) : undefined,
      };
      this.buckets.set(keyId, buckets);
    }
    return buckets;
  }

  /**
   * Takes one request from the key's buckets, or, when it has none left (or still owes tokens), takes
   * nothing and says how long to wait.
   */
  admit(keyId: string, limits: { requestsPerMinute?: number | undefined; tokensPerMinute?: number | undefined }): { buckets: KeyBuckets; refusal?: EmbedhostError } {
    const buckets = this.bucketsFor(keyId, limits);
    const requestWait = buckets.requests?.waitSeconds(1) ?? 0;
    const tokenWait = buckets.tokens?.waitSeconds(1) ?? 0;
    const wait = Math.max(requestWait, tokenWait);
    if (wait > 0) {
      const which = requestWait >= tokenWait ? 'requests' : 'tokens';
      const refusal = new EmbedhostError('EMBEDHOST_RATE_LIMITED', `Rate limit reached for ${keyId} on ${which} per minute; retry in ${formatReset(wait)}`, {
        retryAfterSeconds: Math.max(1, Math.ceil(wait)),
      });
      return { buckets, refusal };
    }
    buckets.requests?.take(1);
    return { buckets };
  }

  charge(keyId: string, tokens: number): void {
    this.buckets.get(keyId)?.tokens?.take(tokens);
  }
}
