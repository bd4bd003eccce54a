import { Pool } from 'undici';

// A closed loop: `concurrency` workers, each sending its next request as soon as the last is answered.

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  inputs: number;
  seconds: number;
  inputsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Status → count, for every non-200 answer. */
  failures: Record<number, number>;
  latencies: number[];
}

export const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

export async function runClosedLoop(target: LoadTarget, bodies: () => { body: string; inputs: number }, concurrency: number, seconds: number): Promise<LoadResult> {
  const pool = new Pool(target.url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 4_000 });
  const latencies: number[] = [];
  const failures: Record<number, number> = {};
  let inputs = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const next = bodies();
      const sent = performance.now();
      let status: number;
      try {
        const response = await pool.request({ method: 'POST', path: '/v1/embeddings', headers: { 'content-type': 'application/json', ...target.headers }, body: next.body });
        await response.body.text();
        status = response.statusCode;
      } catch {
        // A refused or dropped connection: counted as status 0, and the loop goes on.
        status = 0;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (status !== 200) {
        failures[status] = (failures[status] ?? 0) + 1;
        continue;
      }
      latencies.push(performance.now() - sent);
      inputs += next.inputs;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, inputs, seconds: elapsed, inputsPerSecond: inputs / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), failures, latencies };
}

const WORDS = (
  'search index vector query document model token layer batch cache server local private fast embed text image semantic ' +
  'retrieval ranking cluster memory window context apple linux graph node latency throughput queue slot machine learning ' +
  'language question answer summary topic paper research team project data store table field value result score weight'
).split(' ');

/** Distinct texts of 12–20 words; `salt` makes every run's texts new, so no cache carries over. */
export function textGenerator(salt: string): () => string {
  let n = 0;
  return () => {
    const i = n++;
    const length = 12 + (i % 9);
    const words = Array.from({ length }, (_, k) => WORDS[(i * 31 + k * 17 + k * k) % WORDS.length]!);
    return `${salt} ${i} ${words.join(' ')}`;
  };
}
