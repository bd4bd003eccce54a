import { EmbedhostError } from '../errors.js';
import type { Profile } from '../config/profile-schema.js';
import type { HardwareFacts } from './detect.js';

const GIB = 2 ** 30;

// Reported memory runs a little under the label (a "16 GB" Linux box shows ~15.5 GiB, a 24 GB GPU 23.99 GiB).
const LABEL_TOLERANCE = 0.93;

export type Accelerator = Profile['hardware']['accelerator'];

export interface HardwareClass {
  accelerator: Accelerator;
  /** Unified memory, the largest GPU's VRAM, or RAM. */
  memoryGiB: number;
  description: string;
}

/** Pure: what the profiles are matched against. */
export function classifyHardware(facts: HardwareFacts): HardwareClass[] {
  const ram = facts.totalMemoryBytes / GIB;
  const cpu = { accelerator: 'cpu' as const, memoryGiB: ram, description: `CPU only, ${ram.toFixed(1)} GiB RAM` };
  if (facts.appleSilicon) return [{ accelerator: 'apple', memoryGiB: ram, description: `Apple Silicon, ${ram.toFixed(1)} GiB unified memory` }];
  const nvidia = facts.gpus.filter((gpu) => gpu.vendor === 'nvidia').sort((a, b) => b.memoryBytes - a.memoryBytes)[0];
  // A GPU too small for every NVIDIA profile still leaves the CPU profiles.
  if (nvidia) return [{ accelerator: 'nvidia', memoryGiB: nvidia.memoryBytes / GIB, description: `${nvidia.name}, ${(nvidia.memoryBytes / GIB).toFixed(1)} GiB VRAM` }, cpu];
  return [cpu];
}

export interface ProfileFit {
  profile: Profile;
  fits: boolean;
  why: string;
}

export function profileFits(profile: Profile, facts: HardwareFacts): ProfileFit {
  const { accelerator, platform, minMemoryGiB } = profile.hardware;
  if (platform !== 'any' && platform !== facts.platform) return { profile, fits: false, why: `for ${platform}, this is ${facts.platform}` };
  const match = classifyHardware(facts).find((c) => c.accelerator === accelerator);
  if (!match) return { profile, fits: false, why: `needs ${accelerator === 'apple' ? 'Apple Silicon' : 'an NVIDIA GPU'}` };
  if (match.memoryGiB < minMemoryGiB * LABEL_TOLERANCE) return { profile, fits: false, why: `needs ${minMemoryGiB} GiB, ${match.description}` };
  return { profile, fits: true, why: match.description };
}

export interface ProfileChoice {
  profile: Profile;
  reason: string;
}

// Pure: the largest profile for the best accelerator this machine has (Apple or NVIDIA before CPU).
export function selectProfile(profiles: readonly Profile[], facts: HardwareFacts): ProfileChoice {
  for (const hardware of classifyHardware(facts)) {
    const fitting = profiles
      .map((profile) => profileFits(profile, facts))
      .filter((fit) => fit.fits && fit.profile.hardware.accelerator === hardware.accelerator)
      .sort((a, b) => b.profile.hardware.minMemoryGiB - a.profile.hardware.minMemoryGiB);
    const best = fitting[0];
    if (best) {
      return { profile: best.profile, reason: `${hardware.description}: the largest ${hardware.accelerator} profile that fits is ${best.profile.name} (for ${best.profile.hardware.minMemoryGiB} GiB and up)` };
    }
  }
  throw new EmbedhostError('EMBEDHOST_NO_PROFILE_FITS', `No profile fits this machine (${classifyHardware(facts).map((c) => c.description).join('; ')}); pick one with --profile or name a model with --model`);
}

export function findProfile(profiles: readonly Profile[], name: string): Profile {
  const profile = profiles.find((p) => p.name === name);
  if (!profile) throw new EmbedhostError('EMBEDHOST_CONFIG', `No profile named \`${name}\`; profiles: ${profiles.map((p) => p.name).join(', ')}`);
  return profile;
}
