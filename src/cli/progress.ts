import type { BuildProgress } from '../runtime/build-llama-server.js';

// A bar on a terminal; otherwise a log line every 10%, so CI logs stay readable.
export function createProgressReporter(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  format: (done: number, total: number) => string = (done, total) => `${done}/${total}`,
): (progress: BuildProgress) => void {
  let lastDecile = -1;
  return ({ done, total }) => {
    const fraction = total > 0 ? done / total : 0;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${format(done, total)}`);
      if (done >= total) stream.write('\n');
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${label}: ${Math.round(fraction * 100)}% (${format(done, total)})\n`);
    }
  };
}
