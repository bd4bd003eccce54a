import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { EmbedhostError } from '../errors.js';
import { configError } from './config-error.js';
import { ProfileSchema, type Profile } from './profile-schema.js';

// profiles/ sits two levels above both src/config/ and dist/config/.
export const BUILTIN_PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

export function loadProfileFile(file: string): Profile {
  let data: unknown;
  try {
    data = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `${file}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const result = ProfileSchema.safeParse(data);
  if (!result.success) throw configError(file, result.error.issues);
  const expected = path.basename(file).replace(/\.ya?ml$/i, '');
  if (result.data.name !== expected) throw new EmbedhostError('EMBEDHOST_CONFIG', `${file}: \`name\` must be \`${expected}\`, as the file is named; got \`${result.data.name}\``);
  return result.data;
}

const ACCELERATOR_ORDER = ['apple', 'nvidia', 'cpu'];

/** Every profile in a folder, by hardware class and then memory. */
export function loadProfiles(dir: string = BUILTIN_PROFILES_DIR): Profile[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/i.test(name))
    .map((name) => loadProfileFile(path.join(dir, name)))
    .sort(
      (a, b) =>
        ACCELERATOR_ORDER.indexOf(a.hardware.accelerator) - ACCELERATOR_ORDER.indexOf(b.hardware.accelerator) ||
        a.hardware.minMemoryGiB - b.hardware.minMemoryGiB,
    );
}
