import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export interface WithLockOptions {
  /** How long to wait for another holder before giving up, in ms. @default 30 minutes */
  waitMs?: number;
  onWait?: () => void;
}

// Cross-process mutual exclusion on a path (builds, downloads). proper-lockfile keeps the lock
// fresh while held and treats a lock whose holder died as stale, so a killed build never wedges the next one.
export async function withLock<T>(target: string, work: () => Promise<T>, options: WithLockOptions = {}): Promise<T> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const waitMs = options.waitMs ?? 30 * 60_000;
  const deadline = Date.now() + waitMs;
  let release: (() => Promise<void>) | undefined;
  let warned = false;
  while (!release) {
    try {
      release = await lockfile.lock(target, { realpath: false, stale: 20_000, update: 5_000 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline) throw error;
      if (!warned) options.onWait?.();
      warned = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
