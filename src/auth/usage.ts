import fs from 'node:fs';
import path from 'node:path';

export interface UsageTotals {
  requests: number;
  inputs: number;
  tokens: number;
  cacheHits: number;
  errors: number;
}

export interface UsageEvent {
  keyId: string;
  route: string;
  status: number;
  inputs: number;
  tokens: number;
  cacheHits: number;
}

const zero = (): UsageTotals => ({ requests: 0, inputs: 0, tokens: 0, cacheHits: 0, errors: 0 });

// Totals per key, optionally appended to a JSON-lines file and read back at start, so they survive restarts.
export class UsageTracker {
  private readonly totals = new Map<string, UsageTotals>();
  private readonly stream: fs.WriteStream | undefined;

  constructor(private readonly file?: string) {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file)) {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          this.add(JSON.parse(line) as UsageEvent);
        } catch {
          // A torn last line from a crash: skipped, not fatal.
        }
      }
    }
    this.stream = fs.createWriteStream(file, { flags: 'a' });
  }

  private add(event: UsageEvent): void {
    const totals = this.totals.get(event.keyId) ?? zero();
    totals.requests += 1;
    totals.inputs += event.inputs;
    totals.tokens += event.tokens;
    totals.cacheHits += event.cacheHits;
    if (event.status >= 400) totals.errors += 1;
    this.totals.set(event.keyId, totals);
  }

  record(event: UsageEvent): void {
    this.add(event);
    this.stream?.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  }

  snapshot(): Record<string, UsageTotals> {
    return Object.fromEntries([...this.totals].map(([key, totals]) => [key, { ...totals }]));
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    await new Promise<void>((resolve) => this.stream!.end(() => resolve()));
  }
}
