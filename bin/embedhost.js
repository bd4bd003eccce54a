#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// The command owns the process: once it has finished (a server stops only after draining and
// stopping llama-server), exit at once rather than wait on idle keep-alive sockets and timers.
main(process.argv.slice(2)).then(
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (error) => {
    console.error(`embedhost: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
