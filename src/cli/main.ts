import { runDoctor } from './doctor.js';
import { runInstallServer } from './install-server.js';
import { runStart } from './start.js';

const USAGE = `Usage: embedhost <command> [options]

Commands:
  start            serve embeddings (llama-server behind an OpenAI-compatible gateway)
  install-server   build llama-server from source into embedhost's cache
  doctor           show which llama-server would be used, and why
  help             show this text

Run \`embedhost <command> --help\` for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(rest);
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
