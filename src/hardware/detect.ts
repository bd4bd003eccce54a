import os from 'node:os';
import { execa } from 'execa';

export interface GpuFacts {
  vendor: 'nvidia' | 'apple';
  name: string;
  /** Dedicated memory; on Apple Silicon the GPU shares system memory, so this is total memory. */
  memoryBytes: number;
}

export interface HardwareFacts {
  platform: NodeJS.Platform;
  arch: string;
  cpuModel: string;
  cpuCores: number;
  totalMemoryBytes: number;
  appleSilicon: boolean;
  gpus: GpuFacts[];
}

const MIB = 2 ** 20;

// Pure: `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits` → one GPU per line, memory in MiB.
export function parseNvidiaSmi(output: string): GpuFacts[] {
  return output
    .split('\n')
    .map((line) => line.split(',').map((field) => field.trim()))
    .filter(([name, memory]) => name && memory && /^\d+$/.test(memory))
    .map(([name, memory]) => ({ vendor: 'nvidia' as const, name: name!, memoryBytes: Number(memory) * MIB }));
}

async function detectNvidiaGpus(): Promise<GpuFacts[]> {
  const run = await execa('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], {
    reject: false,
    timeout: 5_000,
    stdin: 'ignore',
  });
  return run.exitCode === 0 ? parseNvidiaSmi(String(run.stdout)) : [];
}

// Detected once per process: nvidia-smi can take a second, and none of this changes while we run.
let cached: Promise<HardwareFacts> | undefined;

export function detectHardware(): Promise<HardwareFacts> {
  cached ??= (async () => {
    const cpus = os.cpus();
    const appleSilicon = process.platform === 'darwin' && process.arch === 'arm64';
    const totalMemoryBytes = os.totalmem();
    const gpus = appleSilicon
      ? [{ vendor: 'apple' as const, name: cpus[0]?.model ?? 'Apple Silicon', memoryBytes: totalMemoryBytes }]
      : await detectNvidiaGpus();
    return {
      platform: process.platform,
      arch: process.arch,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      cpuCores: os.availableParallelism(),
      totalMemoryBytes,
      appleSilicon,
      gpus,
    };
  })();
  return cached;
}
