import { setTimeout as sleep } from 'node:timers/promises';
import { EmbedhostError } from '../errors.js';
import type { Backend, Supervisor } from '../supervisor/supervisor.js';
import { isConnectionError, type UpstreamResponse } from './llama-client.js';

export interface CallBackendOptions {
  /** How long a request may wait for a (re)starting backend, retries included. */
  deadlineMs: number;
  signal?: AbortSignal;
}

// Embeddings are idempotent, so a request caught by a backend crash or restart is sent again once
// a backend serves, until the deadline; only then does it fail, with a 503 the client can retry.
export async function callBackend(
  supervisor: Supervisor,
  send: (backend: Backend) => Promise<UpstreamResponse>,
  options: CallBackendOptions,
): Promise<UpstreamResponse> {
  const deadline = Date.now() + options.deadlineMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new EmbedhostError('EMBEDHOST_BACKEND_UNAVAILABLE', 'The embedding backend did not recover in time; try again shortly', { retryAfterSeconds: 2 });
    }
    const backend = await supervisor.whenServing(remaining, options.signal);
    try {
      const response = await send(backend);
      // 503 means llama-server is (re)loading: the same wait as a restart.
      if (response.status !== 503) {
        supervisor.noteActivity();
        return response;
      }
    } catch (error) {
      if (options.signal?.aborted || !isConnectionError(error)) throw error;
    }
    // The supervisor sees a child exit within milliseconds; until then the dead backend still looks served.
    await sleep(Math.min(50, Math.max(0, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
