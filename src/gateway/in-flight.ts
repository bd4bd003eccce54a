import { EmbedhostError } from '../errors.js';

// Counts requests being served so a graceful stop can refuse new ones and wait for the rest.
export class InFlightTracker {
  private count = 0;
  private closed = false;
  private drainWaiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  enter(): void {
    if (this.closed) throw new EmbedhostError('EMBEDHOST_SHUTTING_DOWN', 'The server is shutting down', { retryAfterSeconds: 5 });
    this.count += 1;
  }

  leave(): void {
    this.count -= 1;
    if (this.count === 0) for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Stops admitting; resolves true when all in-flight work finished, false when `timeoutMs` passed first. */
  async close(timeoutMs: number): Promise<boolean> {
    this.closed = true;
    if (this.count === 0) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
