// npm run bench [-- --seconds 5 --rounds 2 --write]
// Starts, on the generated small BERT, (a) embedhost, (b) llama-server with exactly embedhost's flags,
// (c) llama-server with its defaults; drives each with the same closed-loop load, alternating runs so
// machine noise cancels, and prints inputs/s, p50/p99 latency and the ratios a/b and a/c.
import fs from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readLlamaServerVersion } from '../src/runtime/check-binary.js';
import { ensureLlamaSource } from '../src/runtime/llama-source.js';
import { locateLlamaServer } from '../src/runtime/locate-llama-server.js';
import { embedhostCacheDir } from '../src/runtime/paths.js';
import { ensureTestModel } from '../test/fixtures/test-models.js';
import { percentile, runClosedLoop, textGenerator, type LoadResult } from './bench/load.js';
import { peakRssMiB, startEmbedhost, startLlamaServer, type RunningTarget } from './bench/targets.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    write: { type: 'boolean', default: false },
    profile: { type: 'string', default: 'cpu-small' },
    only: { type: 'string' },
    'embedhost-args': { type: 'string', default: '' },
    'no-baselines': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const BIN = fileURLToPath(new URL('../bin/embedhost.js', import.meta.url));

interface Scenario {
  name: string;
  concurrency: number;
  inputsPerRequest: number;
  repeatedHalf?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: '1 input, c=1', concurrency: 1, inputsPerRequest: 1 },
  { name: '1 input, c=8', concurrency: 8, inputsPerRequest: 1 },
  { name: '1 input, c=32', concurrency: 32, inputsPerRequest: 1 },
  { name: '1 input, c=128', concurrency: 128, inputsPerRequest: 1 },
  { name: '32 inputs, c=4', concurrency: 4, inputsPerRequest: 32 },
  { name: '1 input, c=32, half repeated', concurrency: 32, inputsPerRequest: 1, repeatedHalf: true },
];

function bodies(scenario: Scenario, salt: string): () => { body: string; inputs: number } {
  const fresh = textGenerator(salt);
  // A small set, so a repeated input really was seen before even in a short run.
  const pool = Array.from({ length: 8 }, textGenerator(`${salt}-repeated`));
  let n = 0;
  return () => {
    const input = Array.from({ length: scenario.inputsPerRequest }, () => (scenario.repeatedHalf && n++ % 2 === 1 ? pool[(n * 7) % pool.length]! : fresh()));
    return { body: JSON.stringify({ input: scenario.inputsPerRequest === 1 ? input[0] : input, model: 'text-embedding-3-small' }), inputs: input.length };
  };
}

const cacheDir = embedhostCacheDir();
const located = await locateLlamaServer({ cacheDir });
if (!located) throw new Error('No llama-server found: run `npm test` or `embedhost install-server` first');
const binary = located.binary.path;
const source = await ensureLlamaSource({ cacheDir, log: (line) => console.error(line) });
const model = await ensureTestModel(cacheDir, source, 'small-bert');

console.error(`starting the three targets on ${model}`);
const extra = values['embedhost-args'].split(' ').filter(Boolean);
const embedhost = await startEmbedhost(BIN, ['--model', model, '--profile', values.profile, '--llama-server', binary, ...extra], {});
const info = (await (await fetch(`${embedhost.url}/info`)).json()) as { models: Array<{ launch: { flags: string[] } }> };
// embedhost's own command line for llama-server, with a key of our own in place of the redacted one.
const flags = [...info.models[0]!.launch.flags];
for (const option of ['--port', '--host']) flags.splice(flags.indexOf(option), 2);
flags[flags.indexOf('--api-key') + 1] = randomBytes(16).toString('hex');
const sameFlags = await startLlamaServer('llama-server, same flags', binary, flags);
const defaults = await startLlamaServer('llama-server, defaults', binary, ['-m', model, '--embedding']);
const targets: RunningTarget[] = values['no-baselines'] ? [embedhost] : [embedhost, sameFlags, defaults];

const results = new Map<string, LoadResult[]>();
const record = (scenario: Scenario, target: RunningTarget, result: LoadResult) => {
  const key = `${scenario.name}|${target.name}`;
  results.set(key, [...(results.get(key) ?? []), result]);
};

try {
  for (const target of targets) await runClosedLoop(target, bodies(SCENARIOS[1]!, `warmup-${target.name}`), 8, 2);
  const scenarios = values.only ? SCENARIOS.filter((s) => s.name.includes(values.only!)) : SCENARIOS;
  for (const scenario of scenarios) {
    for (let round = 0; round < rounds; round++) {
      // ABC, then CBA: each target sees the machine in every state as often.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const result = await runClosedLoop(target, bodies(scenario, `${scenario.name}-${round}-${target.name}-${Date.now()}`), scenario.concurrency, seconds);
        record(scenario, target, result);
        console.error(`${scenario.name.padEnd(30)} ${target.name.padEnd(26)} ${result.inputsPerSecond.toFixed(1).padStart(8)} inputs/s  p50 ${result.p50Ms.toFixed(2)} ms`);
      }
    }
  }
  const rss = await peakRssMiB(embedhost.pid);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const version = await readLlamaServerVersion(binary);
  const lines: string[] = [];
  lines.push(`Machine: ${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`);
  lines.push(`llama-server ${version.version} (${version.commit ?? '?'}), model small-bert (generated: BERT, 12 layers × 384, F16), profile ${values.profile} tuning`);
  lines.push(`embedhost's llama-server flags: ${flags.filter((f, i) => flags[i - 1] !== '--api-key').join(' ')}`);
  lines.push(`${rounds} alternating rounds of ${seconds} s per scenario and target; inputs are distinct unless noted; each input is 12–20 words.`);
  lines.push('');
  lines.push('| scenario | target | inputs/s | p50 ms | p99 ms | a/b | a/c | non-200 |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---|');
  const summary = (scenario: Scenario, target: RunningTarget) => {
    const runs = results.get(`${scenario.name}|${target.name}`) ?? [];
    const inputs = runs.reduce((s, r) => s + r.inputs, 0);
    const secs = runs.reduce((s, r) => s + r.seconds, 0);
    const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const failures: Record<number, number> = {};
    for (const r of runs) for (const [status, count] of Object.entries(r.failures)) failures[Number(status)] = (failures[Number(status)] ?? 0) + count;
    return { rate: inputs / secs, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures, runs: runs.length };
  };
  for (const scenario of SCENARIOS) {
    const a = summary(scenario, embedhost);
    if (a.runs === 0) continue;
    const b = summary(scenario, sameFlags);
    const c = summary(scenario, defaults);
    for (const [target, s] of [[embedhost, a], [sameFlags, b], [defaults, c]] as const) {
      const isA = target === embedhost;
      const failures = Object.entries(s.failures).map(([status, count]) => `${count}× ${status}`).join(', ') || 'none';
      lines.push(`| ${scenario.name} | ${isA ? '**(a) embedhost**' : target === sameFlags ? '(b) llama-server, same flags' : '(c) llama-server, defaults'} | ${s.rate.toFixed(1)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${isA ? `${(a.rate / b.rate).toFixed(2)}×` : ''} | ${isA ? `${(a.rate / c.rate).toFixed(2)}×` : ''} | ${failures} |`);
    }
  }
  const byName = (name: string) => SCENARIOS.find((s) => s.name === name)!;
  const a1 = summary(byName('1 input, c=1'), embedhost);
  const b1 = summary(byName('1 input, c=1'), sameFlags);
  const distinct = summary(byName('1 input, c=32'), embedhost);
  const repeated = summary(byName('1 input, c=32, half repeated'), embedhost);
  lines.push('');
  if (a1.runs > 0) lines.push(`Added p50 latency at concurrency 1 (a − b): ${(a1.p50 - b1.p50).toFixed(2)} ms`);
  if (distinct.runs > 0 && repeated.runs > 0) lines.push(`Half-repeated vs distinct at c=32 (embedhost): ${(repeated.rate / distinct.rate).toFixed(2)}×`);
  lines.push(`embedhost gateway peak RSS: ${rss === undefined ? 'n/a (needs /proc)' : `${rss.toFixed(0)} MiB`} (cache cap 256 MiB)`);
  const table = lines.join('\n');
  console.log(`\n${table}`);
  if (values.write) {
    const doc = fs.readFileSync(new URL('../docs/benchmarks.md', import.meta.url), 'utf8');
    const marker = '<!-- results -->';
    const head = doc.includes(marker) ? doc.slice(0, doc.indexOf(marker) + marker.length) : `${doc}\n${marker}`;
    fs.writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), `${head}\n\n${table}\n`);
    console.error('wrote docs/benchmarks.md');
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()));
}
