import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../src/config/profiles.js';
import type { HardwareFacts } from '../../src/hardware/detect.js';
import { profileFits, selectProfile } from '../../src/hardware/select-profile.js';
import { parseModelRef } from '../../src/models/model-ref.js';

const GIB = 2 ** 30;
const profiles = loadProfiles();

function machine(overrides: Partial<HardwareFacts>): HardwareFacts {
  return { platform: 'linux', arch: 'x64', cpuModel: 'test', cpuCores: 8, totalMemoryBytes: 16 * GIB, appleSilicon: false, gpus: [], ...overrides };
}
const mac = (gb: number) => machine({ platform: 'darwin', arch: 'arm64', appleSilicon: true, totalMemoryBytes: gb * GIB, gpus: [{ vendor: 'apple', name: 'M', memoryBytes: gb * GIB }] });
const linux = (gb: number) => machine({ totalMemoryBytes: gb * GIB });
const nvidia = (vramMiB: number, ramGb = 64) => machine({ totalMemoryBytes: ramGb * GIB, gpus: [{ vendor: 'nvidia', name: 'GPU', memoryBytes: vramMiB * 2 ** 20 }] });
const intelMac = (gb: number) => machine({ platform: 'darwin', totalMemoryBytes: gb * GIB });

describe('the shipped profiles', () => {
  it('cover every hardware class the product promises, and each validates', () => {
    expect(profiles.map((p) => p.name)).toEqual(['apple-8gb', 'apple-16gb', 'apple-32gb', 'apple-64gb', 'nvidia-8gb', 'nvidia-16gb', 'nvidia-24gb', 'cpu-small', 'cpu-large']);
  });

  it('name real hf: references, and need less memory than the machines they are for', () => {
    for (const profile of profiles) {
      const ref = parseModelRef(profile.model);
      expect(ref.kind, profile.name).toBe('hf');
      expect(profile.memory.totalGiB, profile.name).toBeGreaterThanOrEqual(profile.memory.modelGiB + profile.memory.mmprojGiB);
      // Budgets as in the model notes: Metal's working set is ~2/3 of RAM; keep 1 GiB of VRAM and 4 GiB of RAM free.
      const { accelerator, minMemoryGiB } = profile.hardware;
      const budget = accelerator === 'apple' ? minMemoryGiB * 0.66 : accelerator === 'nvidia' ? minMemoryGiB - 1 : minMemoryGiB - 4;
      if (minMemoryGiB > 0) expect(profile.memory.totalGiB, profile.name).toBeLessThanOrEqual(budget);
      if (profile.modalities.includes('image')) expect(profile.mmproj, profile.name).not.toBe('none');
      if (profile.hardware.accelerator !== 'cpu') expect(profile.llamaServer.gpuLayers, profile.name).toBe(99);
    }
  });

  it('follow the plan: Q4 at 16 GB, Q8_0 at 32 GB, F16 at 64 GB on Apple Silicon', () => {
    const quant = (name: string) => profiles.find((p) => p.name === name)!.quantization;
    expect([quant('apple-16gb'), quant('apple-32gb'), quant('apple-64gb')]).toEqual(['Q4_K_M', 'Q8_0', 'F16']);
  });
});

describe('selectProfile', () => {
  it.each([
    ['Apple 8 GB', mac(8), 'apple-8gb'],
    ['Apple 16 GB', mac(16), 'apple-16gb'],
    ['Apple 18 GB', mac(18), 'apple-16gb'],
    ['Apple 24 GB', mac(24), 'apple-16gb'],
    ['Apple 32 GB', mac(32), 'apple-32gb'],
    ['Apple 36 GB', mac(36), 'apple-32gb'],
    ['Apple 64 GB', mac(64), 'apple-64gb'],
    ['Apple 128 GB', mac(128), 'apple-64gb'],
    ['Linux 4 GB', linux(4), 'cpu-small'],
    ['Linux 8 GB', linux(8), 'cpu-small'],
    // A "16 GB" Linux box reports a little less; it still counts as 16.
    ['Linux 15.5 GiB', linux(15.5), 'cpu-large'],
    ['Linux 24 GB', linux(24), 'cpu-large'],
    ['Intel Mac 16 GB', intelMac(16), 'cpu-large'],
    ['RTX 3070 8 GB', nvidia(8192), 'nvidia-8gb'],
    ['RTX 4080 16 GB', nvidia(16376), 'nvidia-16gb'],
    ['RTX 4090 24 GB', nvidia(24564), 'nvidia-24gb'],
    ['H200 141 GB', nvidia(143771), 'nvidia-24gb'],
    ['GTX 1650 4 GB on 32 GB RAM: too small a GPU, so CPU', nvidia(4096, 32), 'cpu-large'],
  ])('%s → %s', (_, facts, expected) => {
    const choice = selectProfile(profiles, facts);
    expect(choice.profile.name).toBe(expected);
    expect(choice.reason).toContain(expected);
  });

  it('explains why a profile does not fit', () => {
    const apple32 = profiles.find((p) => p.name === 'apple-32gb')!;
    expect(profileFits(apple32, linux(64)).why).toBe('for darwin, this is linux');
    expect(profileFits(apple32, mac(16))).toMatchObject({ fits: false, why: 'needs 32 GiB, Apple Silicon, 16.0 GiB unified memory' });
    const nvidia16 = profiles.find((p) => p.name === 'nvidia-16gb')!;
    expect(profileFits(nvidia16, linux(64)).why).toBe('needs an NVIDIA GPU');
  });

  it('says when nothing fits', () => {
    expect(() => selectProfile(profiles.filter((p) => p.hardware.accelerator === 'apple'), linux(8))).toThrow(/No profile fits this machine \(CPU only, 8.0 GiB RAM\)/);
  });
});
