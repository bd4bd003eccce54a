import { describe, expect, it } from 'vitest';
import { backoffDelayMs, canTransition, isServing, TRANSITIONS, type BackendState } from '../../src/supervisor/states.js';

describe('backend state machine', () => {
  it.each([
    ['stopped', 'starting', true],
    ['starting', 'ready', true],
    ['ready', 'unhealthy', true],
    ['unhealthy', 'ready', true],
    ['unhealthy', 'restarting', true],
    ['restarting', 'starting', true],
    ['restarting', 'failed', true],
    ['failed', 'starting', true],
    ['stopping', 'stopped', true],
    ['stopped', 'ready', false],
    ['failed', 'ready', false],
    ['stopping', 'starting', false],
    ['ready', 'starting', false],
  ] as Array<[BackendState, BackendState, boolean]>)('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('lets every live state reach stopping, so a stop can never be stranded', () => {
    for (const state of ['starting', 'ready', 'unhealthy', 'restarting'] as BackendState[]) expect(TRANSITIONS[state]).toContain('stopping');
  });

  it('serves only when ready or merely unhealthy', () => {
    const serving = (Object.keys(TRANSITIONS) as BackendState[]).filter(isServing);
    expect(serving.sort()).toEqual(['ready', 'unhealthy']);
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 500, 5_000))).toEqual([500, 1000, 2000, 4000, 5000]);
  });
});
