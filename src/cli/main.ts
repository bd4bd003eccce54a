import { runConfig } from './config.js';
import { runDoctor } from './doctor.js';
import { runInstallServer } from './install-server.js';
import { runProfiles } from './profiles.js';
import { runPull } from './pull.js';
import { runStart } from './start.js';

const USAGE = `Usage: embedhost <command> [options]

Commands:
  start            serve embeddings (llama-server behind an OpenAI-compatible gateway)
  pull             download a model (or a profile's) into the Hugging Face cache, without serving
  profiles         list hardware profiles, which fit this machine, and the one start would pick
  config           print the effective configuration (--print) or the config file's JSON Schema (--schema)
  install-server   build llama-server from source into embedhost's cache
  doctor           show this machine's hardware, the profile and llama-server that would be used, and why
  help             show this text

Run \`embedhost <command> --help\` for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(rest);
    case 'pull':
      return runPull(rest);
    case 'profiles':
      return runProfiles(rest);
    case 'config':
      return runConfig(rest);
    case 'install-server':
      return runInstallServer(rest);
    case 'doctor':
      return runDoctor(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command \`${command}\`.\n\n${USAGE}`);
      return 2;
  }
}
