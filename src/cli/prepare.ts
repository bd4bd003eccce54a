import { parseArgs } from 'node:util';
import { effectiveModels, loadConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { detectHardware } from '../hardware/detect.js';
import type { Logger } from '../logger.js';
import { ensureModel, type EnsureModelOptions, type ResolvedModel } from '../models/ensure-model.js';
import { hfHubCacheDir } from '../models/hf-cache.js';
import { formatBytes } from '../models/hf-download.js';
import type { ModelSpec } from '../server.js';
import type { LaunchOverrides } from '../supervisor/launch-defaults.js';
import { CONFIG_FLAGS, flagsLayer } from './config-flags.js';
import { createProgressReporter } from './progress.js';

export interface ParsedCommand {
  values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof CONFIG_FLAGS & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: true }>>['values'];
  positionals: string[];
}

export function parseCommand(argv: string[]): ParsedCommand {
  const { values, positionals } = parseArgs({ args: argv, options: { ...CONFIG_FLAGS, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  return { values, positionals };
}

export function loadCommandConfig(command: ParsedCommand, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<LoadedConfig> {
  return loadConfig({ flags: flagsLayer(command.values), env, cwd, configFile: command.values.config, hardware: detectHardware });
}

export function hubOptions(config: Config, logger: Logger, env: NodeJS.ProcessEnv = process.env): EnsureModelOptions {
  const bars = new Map<string, ReturnType<typeof createProgressReporter>>();
  return {
    endpoint: config.huggingFace.endpoint,
    token: config.huggingFace.token,
    offline: config.huggingFace.offline,
    cacheDir: config.huggingFace.cacheDir ?? hfHubCacheDir(env),
    log: (message) => logger.info(message),
    onProgress: (file, done, total) => {
      let bar = bars.get(file);
      if (!bar) bars.set(file, (bar = createProgressReporter(`downloading ${file}`, process.stderr, (d, t) => `${formatBytes(d)} of ${formatBytes(t)}`)));
      bar({ done, total });
    },
  };
}

export function launchOverrides(config: Config): LaunchOverrides {
  const l = config.llamaServer;
  return {
    parallel: l.parallel,
    contextPerSlot: l.contextPerSlot,
    ubatchSize: l.ubatch,
    threads: l.threads,
    gpuLayers: l.gpuLayers,
    pooling: l.pooling,
    flashAttention: l.flashAttention,
  };
}

// Every model the configuration names, on disk: downloaded into the HF cache where needed.
export async function fetchConfiguredModels(loaded: LoadedConfig, logger: Logger): Promise<Array<{ spec: ModelSpec; resolved: ResolvedModel }>> {
  const options = hubOptions(loaded.config, logger);
  const launch = launchOverrides(loaded.config);
  const results = [];
  for (const entry of effectiveModels(loaded.config, loaded.sources)) {
    const resolved = await ensureModel(entry.model, entry.mmproj, options);
    logger.info({ model: entry.model, file: resolved.modelFile, mmproj: resolved.mmprojFile }, `model ready: ${resolved.source}`);
    results.push({
      spec: { file: resolved.modelFile, mmprojFile: resolved.mmprojFile, id: entry.id, profile: loaded.profile?.name, launch, prompts: entry.prompts },
      resolved,
    });
  }
  return results;
}
