export type BackendState = 'stopped' | 'starting' | 'ready' | 'unhealthy' | 'restarting' | 'stopping' | 'failed';

// Every legal move; the supervisor refuses any other, so no code path can strand a waiter in a state it never leaves.
export const TRANSITIONS: Readonly<Record<BackendState, readonly BackendState[]>> = {
  stopped: ['starting'],
  starting: ['ready', 'restarting', 'failed', 'stopping'],
  ready: ['unhealthy', 'restarting', 'stopping'],
  unhealthy: ['ready', 'restarting', 'stopping'],
  restarting: ['starting', 'failed', 'stopping'],
  stopping: ['stopped'],
  failed: ['starting', 'stopped'],
};

export function canTransition(from: BackendState, to: BackendState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which requests can be sent to the backend. */
export function isServing(state: BackendState): boolean {
  return state === 'ready' || state === 'unhealthy';
}

export interface StateChange {
  from: BackendState;
  to: BackendState;
  reason: string;
  at: number;
}

// Pure: delay before restart attempt `attempt` (1-based), doubling up to a cap.
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}
