import { parseArgs } from 'node:util';
import { buildLlamaServer } from '../runtime/build-llama-server.js';
import type { BuildVariant } from '../runtime/llama-release.js';
import { resolveVariant } from '../runtime/locate-llama-server.js';
import { embedhostCacheDir } from '../runtime/paths.js';
import { createProgressReporter } from './progress.js';

const HELP = `Usage: embedhost install-server [--variant cpu|metal|cuda] [--jobs N]

Builds llama-server from the pinned llama.cpp source into ${embedhostCacheDir()}.`;

export async function installServer(variant?: BuildVariant, jobs?: number): Promise<string> {
  const binary = await buildLlamaServer({
    cacheDir: embedhostCacheDir(),
    variant: resolveVariant({ variant }),
    jobs,
    log: (line) => console.error(line),
    onProgress: createProgressReporter('Building llama-server'),
  });
  return binary.path;
}

export async function runInstallServer(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { variant: { type: 'string' }, jobs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const variant = values.variant as BuildVariant | undefined;
  if (variant && !['cpu', 'metal', 'cuda'].includes(variant)) {
    console.error(`--variant must be cpu, metal or cuda, got \`${variant}\``);
    return 2;
  }
  const path = await installServer(variant, values.jobs ? Number(values.jobs) : undefined);
  console.log(path);
  return 0;
}
