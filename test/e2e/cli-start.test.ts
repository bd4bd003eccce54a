import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../src/supervisor/port.js';
import { postEmbeddings, testModel } from '../helpers/real-service.js';
import { isProcessAlive, tempDir } from '../helpers/supervised.js';

const BIN = fileURLToPath(new URL('../../bin/embedhost.js', import.meta.url));
const started: ResultPromise[] = [];

afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

interface RunningCli {
  child: ResultPromise;
  url: string;
  logLines: Array<Record<string, unknown>>;
}

// Resolves on the gateway's own "listening" log line: an event, not a poll.
async function startCli(args: string[], cacheDir: string): Promise<RunningCli> {
  const port = await findFreePort();
  const child = execa('node', [BIN, 'start', '--port', String(port), '--threads', '1', ...args], {
    env: { LLAMA_SERVER_BIN: inject('llamaServer'), XDG_CACHE_HOME: cacheDir },
    reject: false,
    stdin: 'ignore',
  });
  started.push(child);
  const logLines: Array<Record<string, unknown>> = [];
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logLines.push(entry);
          if (String(entry.msg).startsWith('embedhost listening')) resolve();
        } catch {
          // plain text lines (errors printed for humans)
        }
      }
    });
    void child.then((result) => reject(new Error(`embedhost exited early (${String(result.exitCode)}): ${String(result.stderr)}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, logLines };
}

async function backendPid(url: string): Promise<number> {
  const health = (await (await fetch(`${url}/health`)).json()) as { backends: Array<{ pid: number }> };
  return health.backends[0]!.pid;
}

describe('embedhost start', () => {
  it('serves embeddings, and SIGTERM leaves no llama-server behind', async () => {
    const cli = await startCli(['--model', testModel('tiny-bert')], tempDir());
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
    const first = await startCli(['--model', model], cacheDir);
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
    started.push(second);
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

  it('explains what is missing when no model is given', async () => {
    const result = await execa('node', [BIN, 'start'], { reject: false, stdin: 'ignore', env: { XDG_CACHE_HOME: tempDir() } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/--model FILE\.gguf is required/);
  });
});
