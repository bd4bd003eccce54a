import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../src/supervisor/port.js';
import { BIN, killStartedClis, startCli, startedClis } from '../helpers/cli.js';
import { postEmbeddings, testModel } from '../helpers/real-service.js';
import { isProcessAlive, tempDir } from '../helpers/supervised.js';

afterEach(killStartedClis);

async function backendPid(url: string): Promise<number> {
  const health = (await (await fetch(`${url}/health`)).json()) as { backends: Array<{ pid: number }> };
  return health.backends[0]!.pid;
}

describe('embedhost start', () => {
  it('serves embeddings, and SIGTERM leaves no llama-server behind', async () => {
    const cli = await startCli(['--model', testModel('tiny-bert')], { XDG_CACHE_HOME: tempDir() });
    const ready = cli.logLines.find((l) => l.event === 'backend_ready');
    console.log(`[measure] spawn to ready (tiny-bert): ${String(ready?.startMs)} ms`);
    const { status } = await postEmbeddings(cli.url, ['one', 'two']);
    expect(status).toBe(200);
    const pid = await backendPid(cli.url);
    expect(isProcessAlive(pid)).toBe(true);
    cli.child.kill('SIGTERM');
    const result = await cli.child;
    expect(result.exitCode).toBe(0);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('cleans up after a gateway that was killed with SIGKILL', async () => {
    const cacheDir = tempDir();
    const model = testModel('tiny-bert');
    const first = await startCli(['--model', model], { XDG_CACHE_HOME: cacheDir });
    const orphan = await backendPid(first.url);
    first.child.kill('SIGKILL');
    await first.child;
    expect(isProcessAlive(orphan)).toBe(true);
    const port = new URL(first.url).port;
    const second = execa('node', [BIN, 'start', '--port', port, '--threads', '1', '--model', model], {
      env: { LLAMA_SERVER_BIN: inject('llamaServer'), XDG_CACHE_HOME: cacheDir },
      reject: false,
      stdin: 'ignore',
    });
    startedClis.push(second);
    await expect.poll(() => isProcessAlive(orphan), { timeout: 10_000 }).toBe(false);
    second.kill('SIGINT');
    expect((await second).exitCode).toBe(0);
  });

  it('exits non-zero with the reason when llama-server cannot load the model', async () => {
    const corrupt = path.join(tempDir(), 'corrupt.gguf');
    const bytes = fs.readFileSync(testModel('tiny-bert'));
    fs.writeFileSync(corrupt, bytes.subarray(0, 4096));
    const port = await findFreePort();
    const result = await execa('node', [BIN, 'start', '--port', String(port), '--model', corrupt], {
      env: { LLAMA_SERVER_BIN: inject('llamaServer'), XDG_CACHE_HOME: tempDir() },
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/embedhost: llama-server failed: .*gguf_init_from_reader: .*exiting due to model loading error/);
  });

  it('with no arguments and no network, says which Hub it could not reach and how to run offline', async () => {
    const result = await execa('node', [BIN, 'start'], {
      reject: false,
      stdin: 'ignore',
      env: { XDG_CACHE_HOME: tempDir(), HF_HUB_CACHE: tempDir(), HF_ENDPOINT: 'http://127.0.0.1:9', EMBEDHOST_PROFILE: 'cpu-small' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/embedhost: Could not reach http:\/\/127\.0\.0\.1:9 for Qwen\/Qwen3-Embedding-0\.6B-GGUF: .*--offline/);
  });
});
