import { execa } from 'execa';
import { EmbedhostError } from '../errors.js';

export interface Toolchain {
  cmake: string;
  compiler: string;
  generator: 'Ninja' | 'Unix Makefiles';
}

const REQUIRED = ['cmake', 'git', 'tar', 'npm'] as const;

export function installHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'xcode-select --install && brew install cmake';
    case 'linux':
      return 'sudo apt-get install -y cmake g++ git   (Fedora: sudo dnf install -y cmake gcc-c++ git)';
    default:
      return 'install CMake (https://cmake.org/download/), a C++17 compiler and git';
  }
}

async function has(command: string, args: string[] = ['--version']): Promise<boolean> {
  const run = await execa(command, args, { reject: false, stdin: 'ignore', timeout: 10_000 });
  return run.exitCode === 0;
}

// Checked up front so a missing tool is one clear message, not a cmake error page six minutes in.
export async function checkToolchain(platform: NodeJS.Platform = process.platform): Promise<Toolchain> {
  const missing: string[] = [];
  for (const tool of REQUIRED) if (!(await has(tool))) missing.push(tool);
  const compilers = platform === 'darwin' ? ['clang++', 'c++'] : ['c++', 'g++', 'clang++'];
  let compiler: string | undefined;
  for (const candidate of compilers) {
    if (await has(candidate)) {
      compiler = candidate;
      break;
    }
  }
  if (!compiler) missing.push('a C++ compiler');
  if (missing.length > 0) {
    throw new EmbedhostError(
      'EMBEDHOST_TOOLCHAIN_MISSING',
      `Building llama-server needs ${missing.join(', ')}. Install with: ${installHint(platform)}`,
    );
  }
  return { cmake: 'cmake', compiler: compiler!, generator: (await has('ninja')) ? 'Ninja' : 'Unix Makefiles' };
}
