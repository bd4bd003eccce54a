import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeLlamaServer } from '../../src/runtime/check-binary.js';
import { embedRequest, FAKE_LLAMA_SERVER, isProcessAlive, supervise, tempDir, waitForState, type Supervised } from '../helpers/supervised.js';

let current: Supervised | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

function start(options: Parameters<typeof supervise>[0]): Supervised {
  current = supervise(options);
  return current;
}

describe('supervisor against a fake llama-server', () => {
  it('waits through a slow load (503) and then serves', async () => {
    const { supervisor, gateway, changes } = start({ env: { FAKE_LOAD_MS: '400' } });
    const started = Date.now();
    await supervisor.start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(changes.map((c) => c.to)).toEqual(['starting', 'ready']);
    const response = await embedRequest(gateway, 'hello');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; data: unknown[] };
    expect(body.model).toBe('test-model');
    expect(body.data).toHaveLength(1);
  });

  it('restarts after a crash and still answers every request', async () => {
    const once = path.join(tempDir(), 'crashed');
    const { supervisor, gateway, changes } = start({ env: { FAKE_CRASH_AFTER: '3', FAKE_FAULT_ONCE: once } });
    await supervisor.start();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => embedRequest(gateway, `input ${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(changes.map((c) => c.to)).toContain('restarting');
    expect(supervisor.snapshot().restarts).toBe(1);
  });

  it('detects a backend that stops answering, kills it and serves from a new one', async () => {
    const once = path.join(tempDir(), 'hung');
    const { supervisor, gateway, changes } = start({ env: { FAKE_HANG_AFTER: '1', FAKE_FAULT_ONCE: once } });
    await supervisor.start();
    const hungPid = supervisor.snapshot().pid!;
    const response = await embedRequest(gateway, 'caught by the hang');
    expect(response.status).toBe(200);
    expect(isProcessAlive(hungPid)).toBe(false);
    expect(changes.map((c) => c.to)).toEqual(['starting', 'ready', 'unhealthy', 'restarting', 'starting', 'ready']);
  });

  it('ends in failed with the child output after a crash loop', async () => {
    const { supervisor, changes } = start({
      env: { FAKE_EXIT_AT_START: '1', FAKE_EXIT_MESSAGE: 'llama_model_load: error loading model: corrupt file' },
      supervisor: { maxConsecutiveFailures: 3 },
    });
    await expect(supervisor.start()).rejects.toThrow(/error loading model: corrupt file/);
    expect(supervisor.state).toBe('failed');
    expect(changes.filter((c) => c.to === 'starting')).toHaveLength(3);
    expect(supervisor.snapshot().lastError).toMatch(/exited with code 1/);
  });

  it('escalates to SIGKILL when the backend ignores SIGTERM', async () => {
    const { supervisor } = start({ env: { FAKE_IGNORE_SIGTERM: '1' }, supervisor: { killGraceMs: 300 } });
    await supervisor.start();
    const pid = supervisor.snapshot().pid!;
    const started = Date.now();
    await supervisor.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(isProcessAlive(pid)).toBe(false);
    expect(supervisor.state).toBe('stopped');
  });

  it('answers 503 with Retry-After when the backend cannot recover in time', async () => {
    const once = path.join(tempDir(), 'slow');
    const { supervisor, gateway } = start({
      env: { FAKE_CRASH_AFTER: '1', FAKE_FAULT_ONCE: once, FAKE_LOAD_MS: '0' },
      retryDeadlineMs: 1,
      supervisor: { restartInitialDelayMs: 2_000 },
    });
    await supervisor.start();
    const response = await embedRequest(gateway, 'x');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBeTruthy();
    const body = (await response.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'server_error', code: 'EMBEDHOST_BACKEND_UNAVAILABLE' });
  });

  it('reports gateway and backend state at /health', async () => {
    const { supervisor, gateway } = start({});
    const before = await gateway.app.request('/health');
    expect(before.status).toBe(503);
    await supervisor.start();
    const after = await gateway.app.request('/health');
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ status: 'ok', backends: [{ model: 'test-model', state: 'ready', restarts: 0 }] });
  });
});

describe('binary checks', () => {
  it('accepts a binary that prints a version and supports --embedding', async () => {
    expect(await probeLlamaServer(FAKE_LLAMA_SERVER)).toMatchObject({ version: '0.0.1-fake', commit: 'abcdef0' });
  });

  it('refuses a binary that is not llama-server, with the reason', async () => {
    const impostor = path.join(tempDir(), 'llama-server');
    fs.writeFileSync(impostor, '#!/bin/sh\necho "version: 1.0"\n', { mode: 0o755 });
    await expect(probeLlamaServer(impostor)).rejects.toThrow(/does not accept `--embedding`/);
  });
});
