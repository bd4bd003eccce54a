import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EmbedhostError } from '../errors.js';
import type { HardwareFacts } from '../hardware/detect.js';
import { findProfile, selectProfile } from '../hardware/select-profile.js';
import { configError } from './config-error.js';
import { ENV_VARIABLES, parseEnvValue } from './env.js';
import type { Profile } from './profile-schema.js';
import { loadProfiles } from './profiles.js';
import { ConfigSchema, type Config, type ModelEntry } from './schema.js';

// defaults < profile < config file < environment < flags. Each layer is flattened to dotted keys
// (arrays are values, not merged), so every effective value can say where it came from.

export type Flat = Map<string, { value: unknown; source: string }>;

const RANK: Record<string, number> = { default: 0, profile: 1, file: 2, env: 3, flag: 4 };
export const rankOf = (source: string | undefined) => RANK[(source ?? 'default').split(' ')[0]!] ?? 0;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function flatten(value: Record<string, unknown>, source: string | ((key: string) => string), into: Flat = new Map(), prefix = ''): Flat {
  for (const [key, child] of Object.entries(value)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (child === undefined) continue;
    if (isPlainObject(child) && Object.keys(child).length > 0) flatten(child, source, into, dotted);
    else into.set(dotted, { value: child, source: typeof source === 'string' ? source : source(dotted) });
  }
  return into;
}

export function unflatten(flat: Flat): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, { value }] of flat) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return root;
}

const CONFIG_FILE_NAMES = ['embedhost.yaml', 'embedhost.yml', 'embedhost.json'];

export function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) throw new EmbedhostError('EMBEDHOST_CONFIG', `The config file ${explicit} does not exist`);
    return file;
  }
  return CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => fs.existsSync(file));
}

export function readConfigFile(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    data = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`, { cause: error });
  }
  if (data === null || data === undefined) return {};
  const checked = ConfigSchema.safeParse(data);
  if (!checked.success) throw configError(file, checked.error.issues);
  if (!isPlainObject(data)) throw new EmbedhostError('EMBEDHOST_CONFIG', `${file}: expected a mapping of keys to values`);
  return data;
}

export function readEnvLayer(env: NodeJS.ProcessEnv): Flat {
  const flat: Flat = new Map();
  const problems: string[] = [];
  for (const variable of ENV_VARIABLES) {
    const text = env[variable.name];
    if (text === undefined || text === '') continue;
    const parsed = parseEnvValue(variable, text);
    if ('error' in parsed) problems.push(`${variable.name}: ${parsed.error}`);
    else flat.set(variable.key, { value: parsed.value, source: `env ${variable.name}` });
  }
  if (problems.length > 0) throw new EmbedhostError('EMBEDHOST_CONFIG', `environment: invalid configuration\n  ${problems.join('\n  ')}`);
  return flat;
}

/** The profile's share of the configuration: its model, projector and tuning. */
export function profileLayer(profile: Profile, modelOverridden: boolean): Record<string, unknown> {
  const { pooling, ...tuning } = profile.llamaServer;
  return {
    ...(modelOverridden ? {} : { model: profile.model, mmproj: profile.mmproj, ...(profile.prompts ? { prompts: profile.prompts } : {}) }),
    // Pooling belongs to the profile's model; another model keeps its own.
    llamaServer: modelOverridden ? tuning : { ...tuning, pooling },
    batching: profile.batching,
  };
}

export interface LoadConfigOptions {
  /** The flags layer, already in configuration shape, with a label per key (`flag --port`). */
  flags: Flat;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --config, else EMBEDHOST_CONFIG, else embedhost.yaml|yml|json in cwd. */
  configFile?: string | undefined;
  profilesDir?: string;
  hardware: () => Promise<HardwareFacts>;
}

export interface LoadedConfig {
  config: Config;
  /** Where each dotted key's value came from; absent keys are defaults. */
  sources: Map<string, string>;
  profile: Profile | undefined;
  profileReason: string | undefined;
  configFile: string | undefined;
}

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const configFile = findConfigFile(options.configFile ?? (options.env.EMBEDHOST_CONFIG || undefined), options.cwd);
  const upper: Flat = new Map();
  if (configFile) flatten(readConfigFile(configFile), `file ${path.relative(options.cwd, configFile) || configFile}`, upper);
  for (const [key, entry] of readEnvLayer(options.env)) upper.set(key, entry);
  for (const [key, entry] of options.flags) upper.set(key, entry);

  const profileName = (upper.get('profile')?.value as string | undefined) ?? 'auto';
  const modelGiven = upper.has('model') || upper.has('models');
  let profile: Profile | undefined;
  let profileReason: string | undefined;
  // A named model with profile auto needs no profile: its tuning belongs to the profile's own model.
  if (profileName !== 'auto' || !modelGiven) {
    const profiles = loadProfiles(options.profilesDir);
    if (profileName === 'auto') {
      const choice = selectProfile(profiles, await options.hardware());
      profile = choice.profile;
      profileReason = choice.reason;
    } else {
      profile = findProfile(profiles, profileName);
      profileReason = `chosen by ${upper.get('profile')!.source}`;
    }
  }
  const merged: Flat = new Map();
  if (profile) flatten(profileLayer(profile, modelGiven), `profile ${profile.name}`, merged);
  for (const [key, entry] of upper) merged.set(key, entry);

  const parsed = ConfigSchema.safeParse(unflatten(merged));
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const source = merged.get(first.path.map(String).join('.'))?.source ?? 'configuration';
    throw configError(source, parsed.error.issues);
  }
  const sources = new Map([...merged].map(([key, entry]) => [key, entry.source]));
  return { config: parsed.data, sources, profile, profileReason, configFile };
}

/** The models to serve, each with its projector choice. */
export function effectiveModels(config: Config, sources: Map<string, string>): Array<ModelEntry & { mmproj: string }> {
  const entries: ModelEntry[] = config.models ?? (config.model ? [{ model: config.model }] : []);
  if (entries.length === 0) throw new EmbedhostError('EMBEDHOST_CONFIG', 'No model to serve: give --model, set `model` in the config file, or use a profile');
  const modelRank = Math.max(rankOf(sources.get('models')), rankOf(sources.get('model')));
  // A projector set below the layer that chose the model belonged to another model (say, the profile's).
  const firstMmproj = rankOf(sources.get('mmproj')) >= modelRank ? config.mmproj : 'auto';
  // Prompts too: the profile's templates belong to the profile's model.
  const promptsRank = Math.max(...[...sources.entries()].filter(([key]) => key === 'prompts' || key.startsWith('prompts.')).map(([, source]) => rankOf(source)), 0);
  const firstPrompts = config.prompts && promptsRank >= modelRank ? config.prompts : undefined;
  return entries.map((entry, index) => ({
    ...entry,
    mmproj: entry.mmproj ?? (index === 0 ? firstMmproj : 'auto'),
    ...(entry.prompts ?? (index === 0 ? firstPrompts : undefined) ? { prompts: entry.prompts ?? firstPrompts } : {}),
  }));
}
