import { execa } from 'execa';
import { EmbedhostError } from '../errors.js';

export interface LlamaServerBinary {
  path: string;
  /** As printed by `--version`, e.g. `0.5.0-dev`. */
  version: string;
  build: string | undefined;
  commit: string | undefined;
}

const VERSION_LINE = /version:\s*(\S+)(?:\s*\(build\s+(\S+),\s*commit\s+([0-9a-f]+)\))?/i;

export function parseVersionOutput(output: string): Pick<LlamaServerBinary, 'version' | 'build' | 'commit'> | undefined {
  const match = VERSION_LINE.exec(output);
  if (!match?.[1]) return undefined;
  return { version: match[1], build: match[2], commit: match[3] };
}

export type LlamaServerVersion = LlamaServerBinary;

// Only `--version`: what /info reports, without the slower `--help` check.
export async function readLlamaServerVersion(binaryPath: string, timeoutMs = 15_000): Promise<LlamaServerVersion> {
  const run = await execa(binaryPath, ['--version'], { reject: false, timeout: timeoutMs, all: true, stdin: 'ignore' });
  return { path: binaryPath, ...(parseVersionOutput(run.all ?? '') ?? { version: 'unknown', build: undefined, commit: undefined }) };
}

// A binary is checked before it is trusted with a model: an old or foreign llama-server
// fails here with a clear reason instead of later with an obscure flag error.
export async function probeLlamaServer(binaryPath: string, timeoutMs = 15_000): Promise<LlamaServerBinary> {
  const unusable = (why: string, cause?: unknown) =>
    new EmbedhostError('EMBEDHOST_BINARY_UNUSABLE', `llama-server at ${binaryPath} is not usable: ${why}`, { cause });

  const versionRun = await execa(binaryPath, ['--version'], { reject: false, timeout: timeoutMs, all: true, stdin: 'ignore' });
  if (versionRun.failed && versionRun.exitCode === undefined) {
    throw unusable(versionRun.timedOut ? `--version did not answer within ${timeoutMs} ms` : (versionRun.shortMessage ?? 'it could not be run'), versionRun);
  }
  const parsed = parseVersionOutput(versionRun.all ?? '');
  if (!parsed) throw unusable(`\`--version\` printed no version line (exit ${String(versionRun.exitCode)}): ${(versionRun.all ?? '').slice(0, 300)}`);

  const helpRun = await execa(binaryPath, ['--help'], { reject: false, timeout: timeoutMs, all: true, stdin: 'ignore' });
  if (!/--embedding/.test(helpRun.all ?? '')) {
    throw unusable('it does not accept `--embedding`; it is not a llama-server build with embedding support');
  }
  return { path: binaryPath, ...parsed };
}
