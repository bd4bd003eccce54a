import { setTimeout as sleep } from 'node:timers/promises';
import type { LlamaClient } from '../upstream/llama-client.js';
import { describeExit, type BackendChild } from './child-process.js';

export interface ReadinessOptions {
  /** @default 50 */
  pollIntervalMs: number;
  /** Give up when the child has printed nothing and not become ready for this long. @default 120000 */
  stallTimeoutMs: number;
  /** @default 2000 */
  requestTimeoutMs: number;
}

export interface HealthOptions {
  /** @default 5000 */
  intervalMs: number;
  /** @default 3000 */
  timeoutMs: number;
  /** Consecutive failed checks before the process is declared hung and killed. @default 2 */
  failuresBeforeRestart: number;
  /** After this long without a backend answer, a check also runs a tiny real embedding. @default 15000 */
  idleProbeAfterMs: number;
}

export type Readiness = { ok: true } | { ok: false; reason: string };

// The port opens before the model loads, so only /health saying 200 is readiness. The deadline
// extends while the child keeps logging (loading progress), and a child that exits fails at once.
export async function waitUntilReady(child: BackendChild, client: LlamaClient, options: ReadinessOptions, stop: AbortSignal): Promise<Readiness> {
  let exited: string | undefined;
  void child.exited.then((exit) => {
    const detail = child.logs.errorSummary();
    exited = `llama-server ${describeExit(exit)} while starting${detail ? `: ${detail}` : ''}`;
  });
  for (;;) {
    if (stop.aborted) return { ok: false, reason: 'stop requested' };
    if (exited) return { ok: false, reason: exited };
    if (Date.now() - child.logs.lastOutputAt > options.stallTimeoutMs) {
      return { ok: false, reason: `llama-server made no progress for ${options.stallTimeoutMs} ms while starting` };
    }
    const status = await client.health(options.requestTimeoutMs);
    if (status === 'ok' && !child.hasExited()) return { ok: true };
    await Promise.race([sleep(options.pollIntervalMs), child.exited]);
  }
}

// /health is answered by an HTTP thread even when the decode loop is wedged, so an idle backend
// also gets a one-word embedding: only that proves the whole path still works.
export async function probeBackend(client: LlamaClient, timeoutMs: number, withEmbedding: boolean): Promise<boolean> {
  if ((await client.health(timeoutMs)) !== 'ok') return false;
  if (!withEmbedding) return true;
  try {
    const response = await client.postJson('/v1/embeddings', { input: 'ok' }, { timeoutMs });
    return response.status < 500;
  } catch {
    return false;
  }
}
