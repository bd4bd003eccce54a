import { execa, type ResultPromise } from 'execa';
import { LogTail } from './log-tail.js';

export interface ChildExit {
  exitCode: number | undefined;
  signal: string | undefined;
}

export interface BackendChild {
  pid: number;
  logs: LogTail;
  exited: Promise<ChildExit>;
  hasExited: () => boolean;
  /** Signals the whole process group: llama-server and anything it spawned. */
  signal: (signal: NodeJS.Signals) => void;
}

export interface SpawnChildOptions {
  binaryPath: string;
  args: string[];
  env: Record<string, string>;
  onLine?: (line: string) => void;
}

const live = new Set<BackendChild>();
let exitHookInstalled = false;

// Last line of defence: whatever way this process ends, no llama-server it started outlives it.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.signal('SIGKILL');
  });
}

// Detached, so the child leads its own process group: a Ctrl-C on the terminal reaches embedhost
// alone, which drains requests before it stops llama-server, instead of both dying at once.
export function spawnBackendChild(options: SpawnChildOptions): BackendChild {
  installExitHook();
  const subprocess: ResultPromise = execa(options.binaryPath, options.args, {
    env: options.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    reject: false,
    buffer: false,
  });
  const logs = new LogTail(40, Date.now, options.onLine);
  subprocess.stdout?.on('data', (chunk: Buffer) => logs.push(chunk));
  subprocess.stderr?.on('data', (chunk: Buffer) => logs.push(chunk));
  let done = false;
  const pid = subprocess.pid ?? -1;
  const child: BackendChild = {
    pid,
    logs,
    exited: subprocess.then(
      (result) => ({ exitCode: result.exitCode, signal: result.signal }),
      (error: { exitCode?: number; signal?: string }) => ({ exitCode: error.exitCode, signal: error.signal }),
    ),
    hasExited: () => done,
    signal: (signal) => {
      if (done || pid <= 0) return;
      try {
        process.kill(-pid, signal);
      } catch {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
    },
  };
  live.add(child);
  void child.exited.then(() => {
    done = true;
    live.delete(child);
  });
  return child;
}

export function describeExit(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${String(exit.exitCode)}`;
}
