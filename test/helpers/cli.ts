import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { inject } from 'vitest';
import { findFreePort } from '../../src/supervisor/port.js';

export const BIN = fileURLToPath(new URL('../../bin/embedhost.js', import.meta.url));

export interface RunningCli {
  child: ResultPromise;
  url: string;
  logLines: Array<Record<string, unknown>>;
}

/** Children to SIGKILL after each test. */
export const startedClis: ResultPromise[] = [];

// SIGTERM first, so each embedhost stops its llama-server; SIGKILL would leave that child behind.
export async function killStartedClis(): Promise<void> {
  await Promise.all(
    startedClis.splice(0).map(async (child) => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await child;
      clearTimeout(forced);
    }),
  );
}

// `embedhost start` in a child process; resolves on the gateway's own "listening" log line: an event, not a poll.
export async function startCli(args: string[], env: Record<string, string>, port?: number): Promise<RunningCli> {
  const listenPort = port ?? (await findFreePort());
  const child = execa('node', [BIN, 'start', ...args], {
    env: { LLAMA_SERVER_BIN: inject('llamaServer'), EMBEDHOST_PORT: String(listenPort), EMBEDHOST_THREADS: '1', ...env },
    reject: false,
    stdin: 'ignore',
  });
  startedClis.push(child);
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
  return { child, url: `http://127.0.0.1:${listenPort}`, logLines };
}
