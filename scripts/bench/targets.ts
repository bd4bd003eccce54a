import { execa, type ResultPromise } from 'execa';
import { findFreePort } from '../../src/supervisor/port.js';

export interface RunningTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  pid: number;
  stop: () => Promise<void>;
}

async function waitForHealth(url: string, child: ResultPromise, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${url}: the process exited before it was ready`);
    const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

const stopper = (child: ResultPromise) => async () => {
  child.kill('SIGTERM');
  await child;
};

export async function startEmbedhost(bin: string, args: string[], env: Record<string, string>): Promise<RunningTarget> {
  const port = await findFreePort();
  const child = execa('node', [bin, 'start', '--port', String(port), ...args], { env: { ...env, EMBEDHOST_LOG_LEVEL: 'warn' }, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  return { name: 'embedhost', url, headers: {}, pid: child.pid!, stop: stopper(child) };
}

export async function startLlamaServer(name: string, binary: string, args: string[]): Promise<RunningTarget> {
  const port = await findFreePort();
  const child = execa(binary, [...args, '--host', '127.0.0.1', '--port', String(port)], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  const key = args[args.indexOf('--api-key') + 1];
  return { name, url, headers: args.includes('--api-key') && key ? { authorization: `Bearer ${key}` } : {}, pid: child.pid!, stop: stopper(child) };
}

/** Peak resident memory of a process (Linux), in MiB. */
export async function peakRssMiB(pid: number): Promise<number | undefined> {
  const status = await import('node:fs/promises').then((fs) => fs.readFile(`/proc/${pid}/status`, 'utf8')).catch(() => undefined);
  const match = status ? /VmHWM:\s+(\d+) kB/.exec(status) : null;
  return match ? Number(match[1]) / 1024 : undefined;
}
