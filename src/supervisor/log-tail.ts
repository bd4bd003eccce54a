// Keeps the child's last output lines for error messages, and when it last said anything,
// which is the load-progress signal behind the readiness stall deadline.
export class LogTail {
  private readonly lines: string[] = [];
  private partial = '';
  lastOutputAt: number;

  constructor(
    private readonly maxLines = 30,
    private readonly now: () => number = Date.now,
    private readonly onLine?: (line: string) => void,
  ) {
    this.lastOutputAt = now();
  }

  push(chunk: string | Buffer): void {
    this.lastOutputAt = this.now();
    this.partial += chunk.toString();
    const parts = this.partial.split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line = raw.replace(/\r$/, '');
      if (!line) continue;
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
      this.onLine?.(line);
    }
  }

  tail(count = this.maxLines): string[] {
    const all = this.partial ? [...this.lines, this.partial] : [...this.lines];
    return all.slice(-count);
  }

  // llama-server's own reason for giving up, in its words: the first error line is usually the cause
  // (`error loading model: ...`), the last one what it did about it (`exiting due to ...`).
  errorSummary(): string | undefined {
    const errors = [...new Set(this.tail().filter(isErrorLine).map(stripLogPrefix))];
    if (errors.length === 0) return undefined;
    return errors.length === 1 ? errors[0] : `${errors[0]} ... ${errors[errors.length - 1]}`;
  }
}

// llama-server's text log: `0.00.018.761 E message`; the level letter E marks errors.
const LOG_PREFIX = /^\d+\.\d+\.\d+\.\d+ [IWED] /;

function isErrorLine(line: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+ E /.test(line) || /\b(error|GGML_ASSERT|exiting due to)\b/i.test(line);
}

function stripLogPrefix(line: string): string {
  return line.replace(LOG_PREFIX, '').trim();
}
