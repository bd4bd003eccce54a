import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { EmbedhostError } from '../errors.js';
import { withLock } from '../util/with-lock.js';
import { LLAMA_RELEASE } from './llama-release.js';
import { llamaSourceDir } from './paths.js';

export interface EnsureSourceOptions {
  cacheDir: string;
  log?: (line: string) => void;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

// The pinned llama.cpp tree, cloned once from the git bundle inside the node-llama-cpp tarball.
// Cached because both the build and the test-model generator (vocab files) read it.
export async function ensureLlamaSource(options: EnsureSourceOptions): Promise<string> {
  const { llamaCppCommit, nodeLlamaCppVersion } = LLAMA_RELEASE;
  const target = llamaSourceDir(options.cacheDir, llamaCppCommit);
  if (await exists(path.join(target, 'CMakeLists.txt'))) return target;
  const log = options.log ?? (() => undefined);

  return withLock(target, async () => {
    if (await exists(path.join(target, 'CMakeLists.txt'))) return target;
    const work = await fs.mkdtemp(path.join(path.dirname(target), 'fetch-'));
    try {
      log(`Fetching llama.cpp ${llamaCppCommit} (node-llama-cpp@${nodeLlamaCppVersion} from the npm registry)...`);
      const pack = await execa('npm', ['pack', `node-llama-cpp@${nodeLlamaCppVersion}`, '--silent', '--pack-destination', work], {
        reject: false,
        all: true,
        stdin: 'ignore',
      });
      if (pack.exitCode !== 0) {
        throw new EmbedhostError('EMBEDHOST_BUILD_FAILED', `npm pack node-llama-cpp@${nodeLlamaCppVersion} failed: ${pack.all ?? ''}`);
      }
      const tarball = path.join(work, `node-llama-cpp-${nodeLlamaCppVersion}.tgz`);
      await execa('tar', ['-xzf', tarball, '-C', work, 'package/llama/gitRelease.bundle'], { stdin: 'ignore' });
      const clone = path.join(work, 'source');
      await execa('git', ['clone', '--quiet', path.join(work, 'package/llama/gitRelease.bundle'), clone], { stdin: 'ignore' });
      const head = (await execa('git', ['-C', clone, 'rev-parse', '--short=7', 'HEAD'])).stdout.trim();
      if (head !== llamaCppCommit) {
        throw new EmbedhostError('EMBEDHOST_BUILD_FAILED', `The bundle holds llama.cpp ${head}, expected ${llamaCppCommit}`);
      }
      await fs.rm(target, { recursive: true, force: true });
      await fs.rename(clone, target);
      return target;
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  });
}
