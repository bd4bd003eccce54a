import { execa, execaSync, type ResultPromise } from 'execa';
import { findFreePort } from '../../src/supervisor/port.js';
import { tempDir } from './supervised.js';

export function hasRedisServer(): boolean {
  return execaSync('redis-server', ['--version'], { reject: false }).exitCode === 0;
}

export interface RedisServer {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

// A throwaway redis-server on loopback, no persistence; resolves when it accepts connections.
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const listenPort = port ?? (await findFreePort());
  const child: ResultPromise = execa('redis-server', ['--port', String(listenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tempDir()], {
    reject: false,
    stdin: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (/Ready to accept connections/.test(chunk.toString())) resolve();
    });
    void child.then((result) => reject(new Error(`redis-server exited: ${String(result.stdout)} ${String(result.stderr)}`)));
  });
  return {
    url: `redis://127.0.0.1:${listenPort}`,
    port: listenPort,
    stop: async () => {
      child.kill('SIGKILL');
      await child;
    },
  };
}
