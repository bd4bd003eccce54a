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

  // llama-server's own reason for giving up, when it printed one (`error: ...`, `exiting due to ...`).
  lastErrorLine(): string | undefined {
    return [...this.tail()].reverse().find((line) => /\b(error|failed|GGML_ASSERT|exiting due to)\b/i.test(line));
  }
}
