import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { EmbedhostError } from '../errors.js';
import { withLock } from '../util/with-lock.js';
import { probeLlamaServer, type LlamaServerBinary } from './check-binary.js';
import type { BuildVariant } from './llama-release.js';
import { ensureLlamaSource } from './llama-source.js';
import { cachedBinaryLocation } from './paths.js';
import { checkToolchain, type Toolchain } from './toolchain.js';

export interface BuildProgress {
  done: number;
  total: number;
}

export interface BuildLlamaServerOptions {
  cacheDir: string;
  variant: BuildVariant;
  /** Parallel compile jobs. @default the number of CPUs */
  jobs?: number;
  log?: (line: string) => void;
  onProgress?: (progress: BuildProgress) => void;
}

// Pure: the cmake configure line for a platform and GPU backend. Hermetic (no UI download, no TLS)
// and static, so the installed binary depends on nothing but the system C/C++ runtime.
export function cmakeConfigureArgs(sourceDir: string, buildDir: string, variant: BuildVariant, toolchain: Pick<Toolchain, 'generator'>): string[] {
  const args = [
    '-S', sourceDir,
    '-B', buildDir,
    '-G', toolchain.generator,
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    '-DLLAMA_BUILD_APP=OFF',
    '-DLLAMA_USE_PREBUILT_UI=OFF',
    '-DLLAMA_OPENSSL=OFF',
  ];
  if (variant === 'metal') args.push('-DGGML_METAL=ON', '-DGGML_METAL_EMBED_LIBRARY=ON');
  if (variant === 'cuda') args.push('-DGGML_CUDA=ON');
  // A portable x86 baseline (AVX2/FMA) keeps a cache copied between machines working; Apple builds target the host.
  if (variant !== 'metal') args.push('-DGGML_NATIVE=OFF');
  return args;
}

// Ninja prints `[12/190] ...`, make prints `[ 45%] ...`.
export function parseBuildProgress(line: string): BuildProgress | undefined {
  const ninja = /^\[(\d+)\/(\d+)\]/.exec(line);
  if (ninja) return { done: Number(ninja[1]), total: Number(ninja[2]) };
  const make = /^\[\s*(\d+)%\]/.exec(line);
  if (make) return { done: Number(make[1]), total: 100 };
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

async function runStep(command: string, args: string[], label: string, onLine: (line: string) => void): Promise<void> {
  const child = execa(command, args, { reject: false, all: true, stdin: 'ignore', buffer: { all: true } });
  const tail: string[] = [];
  child.all?.setEncoding('utf8');
  let pending = '';
  child.all?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      onLine(line);
    }
  });
  const result = await child;
  if (result.exitCode !== 0) {
    throw new EmbedhostError('EMBEDHOST_BUILD_FAILED', `${label} failed (exit ${String(result.exitCode)}):\n${tail.join('\n')}`);
  }
}

// Builds only the llama-server target and installs it into the cache atomically: compile in a
// temporary directory, then rename into place under a lock, so two builds never collide and a
// killed build never leaves a half-written binary behind.
export async function buildLlamaServer(options: BuildLlamaServerOptions): Promise<LlamaServerBinary> {
  const log = options.log ?? (() => undefined);
  const location = cachedBinaryLocation(options.cacheDir, options.variant);
  if (await isFile(location.binaryPath)) return probeLlamaServer(location.binaryPath);

  return withLock(
    location.dir,
    async () => {
      if (await isFile(location.binaryPath)) return probeLlamaServer(location.binaryPath);
      const toolchain = await checkToolchain();
      const sourceDir = await ensureLlamaSource({ cacheDir: options.cacheDir, log });
      await fs.mkdir(path.join(options.cacheDir, 'tmp'), { recursive: true });
      const work = await fs.mkdtemp(path.join(options.cacheDir, 'tmp', `build-${location.key}-`));
      try {
        const buildDir = path.join(work, 'build');
        const jobs = options.jobs ?? Math.max(1, os.availableParallelism());
        log(`Configuring llama-server (${options.variant}, ${toolchain.generator})...`);
        await runStep('cmake', cmakeConfigureArgs(sourceDir, buildDir, options.variant, toolchain), 'cmake configure', () => undefined);
        log(`Building llama-server with ${jobs} job(s); this takes several minutes on a small machine...`);
        await runStep('cmake', ['--build', buildDir, '--target', 'llama-server', '-j', String(jobs)], 'cmake build', (line) => {
          const progress = parseBuildProgress(line);
          if (progress) options.onProgress?.(progress);
        });
        const built = path.join(buildDir, 'bin', path.basename(location.binaryPath));
        const staged = path.join(work, 'install');
        await fs.mkdir(staged);
        await fs.copyFile(built, path.join(staged, path.basename(location.binaryPath)));
        await fs.chmod(path.join(staged, path.basename(location.binaryPath)), 0o755);
        const binary = await probeLlamaServer(path.join(staged, path.basename(location.binaryPath)));
        await fs.rm(location.dir, { recursive: true, force: true });
        await fs.rename(staged, location.dir);
        log(`Installed llama-server ${binary.version} (${binary.commit ?? 'unknown commit'}) at ${location.binaryPath}`);
        return { ...binary, path: location.binaryPath };
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    },
    { onWait: () => log('Another embedhost process is building llama-server; waiting for it...') },
  );
}
