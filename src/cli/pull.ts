import { loadProfiles } from '../config/profiles.js';
import { createLogger } from '../logger.js';
import { CONFIG_FLAGS_HELP } from './config-flags.js';
import { fetchConfiguredModels, loadCommandConfig, parseCommand } from './prepare.js';
import { reportFailure } from './start.js';

const HELP = `Usage: embedhost pull [PROFILE | hf:owner/repo:QUANT | hf:owner/repo/file.gguf] [options]

Downloads model files into the Hugging Face cache without serving. With no argument, what
\`embedhost start\` would serve here. Prints the local path of each file.

${CONFIG_FLAGS_HELP}`;

export async function runPull(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.values.help) {
    console.log(HELP);
    return 0;
  }
  const logger = createLogger();
  try {
    const [target, ...extra] = command.positionals;
    if (extra.length > 0) throw new TypeError(`pull takes one model or profile, got ${command.positionals.join(' ')}`);
    if (target !== undefined) {
      // A profile name or a model reference, as if given with --profile or --model.
      const isProfile = !target.startsWith('hf:') && loadProfiles().some((p) => p.name === target);
      if (isProfile) command.values.profile = target;
      else command.values.model = [target];
    }
    const loaded = await loadCommandConfig(command);
    for (const { resolved } of await fetchConfiguredModels(loaded, logger)) {
      console.log(resolved.modelFile);
      if (resolved.mmprojFile) console.log(resolved.mmprojFile);
    }
    return 0;
  } catch (error) {
    return reportFailure(error, logger);
  }
}
