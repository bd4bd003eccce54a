import { formatEffectiveConfig } from '../config/print.js';
import { jsonSchemas } from '../config/json-schemas.js';
import { createLogger } from '../logger.js';
import { CONFIG_FLAGS_HELP } from './config-flags.js';
import { loadCommandConfig, parseCommand } from './prepare.js';
import { reportFailure } from './start.js';

const HELP = `Usage: embedhost config --print [options]
       embedhost config --schema

  --print    the effective configuration, each value with where it came from
             (default < profile < config file < environment < flags)
  --schema   the JSON Schema of the config file

${CONFIG_FLAGS_HELP}`;

export async function runConfig(argv: string[]): Promise<number> {
  const print = argv.includes('--print');
  const schema = argv.includes('--schema');
  const command = parseCommand(argv.filter((arg) => arg !== '--print' && arg !== '--schema'));
  if (command.values.help || (!print && !schema)) {
    console.log(HELP);
    return command.values.help ? 0 : 2;
  }
  if (schema) {
    console.log(JSON.stringify(jsonSchemas()['config.schema.json'], null, 2));
    return 0;
  }
  try {
    console.log(formatEffectiveConfig(await loadCommandConfig(command)));
    return 0;
  } catch (error) {
    return reportFailure(error, createLogger());
  }
}
