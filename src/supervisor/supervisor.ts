import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbedhostError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LlamaClient } from '../upstream/llama-client.js';
import { buildChildEnv, buildLaunchArgs, redactLaunchArgs, type LaunchSpec } from './args.js';
import { describeExit, spawnBackendChild, type BackendChild } from './child-process.js';
import { probeBackend, waitUntilReady, type HealthOptions, type ReadinessOptions } from './health.js';
import { removePidRecord, writePidRecord } from './pid-file.js';
import { findFreePort } from './port.js';
import { backoffDelayMs, canTransition, isServing, type BackendState, type StateChange } from './states.js';

export interface SupervisorOptions {
  binaryPath: string;
  /** Everything but the port and key, which the supervisor picks for each process. */
  launch: Omit<LaunchSpec, 'port' | 'apiKey'>;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  extraEnv?: Record<string, string>;
  readiness?: Partial<ReadinessOptions>;
  health?: Partial<HealthOptions>;
  /** First restart delay, doubled per consecutive failure. @default 500 */
  restartInitialDelayMs?: number;
  /** @default 30000 */
  restartMaxDelayMs?: number;
  /** Consecutive failed starts (or crashes within `stableAfterMs` of becoming ready) before giving up. @default 5 */
  maxConsecutiveFailures?: number;
  /** A process that served this long resets the failure count. @default 10000 */
  stableAfterMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping. @default 5000 */
  killGraceMs?: number;
  pidFile?: string;
}

export interface Backend {
  generation: number;
  pid: number;
  port: number;
  client: LlamaClient;
  launchArgs: string[];
}

export interface SupervisorSnapshot {
  state: BackendState;
  restarts: number;
  pid: number | undefined;
  port: number | undefined;
  readySince: number | undefined;
  lastError: string | undefined;
}

const DEFAULT_READINESS: ReadinessOptions = { pollIntervalMs: 50, stallTimeoutMs: 120_000, requestTimeoutMs: 2_000 };
const DEFAULT_HEALTH: HealthOptions = { intervalMs: 5_000, timeoutMs: 3_000, failuresBeforeRestart: 2, idleProbeAfterMs: 15_000 };

// Owns the llama-server child. One loop (`run`) makes every transition; everything else only asks it to
// stop, so the state a caller observes is always the state the child is really in.
export class Supervisor extends EventEmitter<{ state: [StateChange]; line: [string] }> {
  private stateValue: BackendState = 'stopped';
  private backendValue: Backend | undefined;
  private generation = 0;
  private restartCount = 0;
  private readySince: number | undefined;
  private lastErrorValue: string | undefined;
  private lastActivityAt = Date.now();
  private stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private child: { process: BackendChild; client: LlamaClient } | undefined;
  private readonly apiKey = randomBytes(24).toString('hex');
  private readonly readiness: ReadinessOptions;
  private readonly healthOptions: HealthOptions;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.readiness = { ...DEFAULT_READINESS, ...options.readiness };
    this.healthOptions = { ...DEFAULT_HEALTH, ...options.health };
  }

  get state(): BackendState {
    return this.stateValue;
  }

  get backend(): Backend | undefined {
    return isServing(this.stateValue) ? this.backendValue : undefined;
  }

  snapshot(): SupervisorSnapshot {
    return {
      state: this.stateValue,
      restarts: this.restartCount,
      pid: this.child && !this.child.process.hasExited() ? this.child.process.pid : undefined,
      port: this.backendValue?.port,
      readySince: isServing(this.stateValue) ? this.readySince : undefined,
      lastError: this.lastErrorValue,
    };
  }

  /** Called by the request path after a backend answer, so idle-time probes only run when nothing else proves liveness. */
  noteActivity(): void {
    this.lastActivityAt = Date.now();
  }

  /** Starts the loop; resolves once the backend first serves, rejects if it ends in `failed`. */
  async start(): Promise<void> {
    if (this.stateValue !== 'stopped' && this.stateValue !== 'failed') throw new Error(`Cannot start from ${this.stateValue}`);
    this.stopController = new AbortController();
    this.loop = this.run();
    await this.whenServing(Number.POSITIVE_INFINITY);
  }

  /** Waits until the backend can take requests. Rejects when it fails, stops, or `timeoutMs` passes. */
  async whenServing(timeoutMs: number, signal?: AbortSignal): Promise<Backend> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const backend = this.backend;
      if (backend) return backend;
      if (this.stateValue === 'failed') {
        throw new EmbedhostError('EMBEDHOST_BACKEND_FAILED', `llama-server failed: ${this.lastErrorValue ?? 'unknown reason'}`, { retryAfterSeconds: 30 });
      }
      if (this.stateValue === 'stopping' || this.stateValue === 'stopped') {
        throw new EmbedhostError('EMBEDHOST_SHUTTING_DOWN', 'The embedding backend is shutting down', { retryAfterSeconds: 5 });
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new EmbedhostError('EMBEDHOST_BACKEND_UNAVAILABLE', `The embedding backend is ${this.stateValue}; try again shortly`, { retryAfterSeconds: 2 });
      }
      await this.nextStateChange(Math.min(remaining, 2_147_483_647), signal);
    }
  }

  private nextStateChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('state', done);
        signal?.removeEventListener('abort', aborted);
        resolve();
      };
      const aborted = () => {
        done();
        reject(signal?.reason);
      };
      const timer = setTimeout(done, timeoutMs);
      this.on('state', done);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    if (this.stateValue === 'failed') this.transition('stopped', 'stop requested');
  }

  private transition(to: BackendState, reason: string): void {
    const from = this.stateValue;
    if (from === to) return;
    if (!canTransition(from, to)) throw new Error(`Illegal backend transition ${from} -> ${to} (${reason})`);
    this.stateValue = to;
    if (to === 'ready' && from !== 'unhealthy') this.readySince = Date.now();
    const change: StateChange = { from, to, reason, at: Date.now() };
    this.options.logger.info({ event: 'backend_state', from, to, reason }, `backend ${from} -> ${to}: ${reason}`);
    this.emit('state', change);
  }

  private async run(): Promise<void> {
    const stopSignal = this.stopController.signal;
    const maxFailures = this.options.maxConsecutiveFailures ?? 5;
    let failures = 0;
    this.transition('starting', 'start requested');
    while (!stopSignal.aborted) {
      const outcome = await this.runOneProcess(stopSignal);
      if (stopSignal.aborted) break;
      this.lastErrorValue = outcome.reason;
      failures = outcome.servedMs >= (this.options.stableAfterMs ?? 10_000) ? 1 : failures + 1;
      if (failures >= maxFailures) {
        this.transition('failed', `${outcome.reason} (${failures} consecutive failures)`);
        return;
      }
      this.restartCount += 1;
      const delay = backoffDelayMs(failures, this.options.restartInitialDelayMs ?? 500, this.options.restartMaxDelayMs ?? 30_000);
      this.transition('restarting', `${outcome.reason}; restarting in ${delay} ms`);
      await sleep(delay, undefined, { signal: stopSignal }).catch(() => undefined);
      if (!stopSignal.aborted) this.transition('starting', `restart ${this.restartCount}`);
    }
    this.transition('stopping', 'stop requested');
    await this.terminateChild();
    this.transition('stopped', 'stopped');
  }

  // One llama-server process from spawn to exit. Resolves with why it ended and how long it served.
  private async runOneProcess(stopSignal: AbortSignal): Promise<{ reason: string; servedMs: number }> {
    const port = await findFreePort();
    const args = buildLaunchArgs({ ...this.options.launch, port, apiKey: this.apiKey });
    const env = buildChildEnv(this.options.env ?? process.env, this.options.extraEnv);
    const generation = ++this.generation;
    this.options.logger.info({ event: 'backend_spawn', binary: this.options.binaryPath, args: redactLaunchArgs(args) }, 'starting llama-server');
    const child = spawnBackendChild({ binaryPath: this.options.binaryPath, args, env, onLine: (line) => this.emit('line', line) });
    // llama-server serves HTTP with max(np + 4, cores - 1) threads, each held by a keep-alive connection
    // until it idles 5 s; a client with more connections than that waits seconds for a thread. Stay below.
    const client = new LlamaClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: this.apiKey, connections: this.options.launch.parallel + 2 });
    this.child = { process: child, client };
    if (this.options.pidFile) writePidRecord(this.options.pidFile, { gatewayPid: process.pid, childPid: child.pid, binaryPath: this.options.binaryPath });
    try {
      const startedAt = Date.now();
      const ready = await waitUntilReady(child, client, this.readiness, stopSignal);
      if (!ready.ok) {
        child.signal('SIGKILL');
        return { reason: ready.reason, servedMs: 0 };
      }
      this.backendValue = { generation, pid: child.pid, port, client, launchArgs: args };
      this.lastActivityAt = Date.now();
      this.options.logger.info({ event: 'backend_ready', port, pid: child.pid, startMs: Date.now() - startedAt }, `llama-server ready in ${Date.now() - startedAt} ms`);
      this.transition('ready', `llama-server listening on 127.0.0.1:${port}`);
      const servedFrom = Date.now();
      const reason = await this.watch(child, client, stopSignal);
      return { reason, servedMs: Date.now() - servedFrom };
    } finally {
      // When stopping, the run loop still needs the child: it terminates it after the transition to `stopping`.
      if (!stopSignal.aborted) {
        this.backendValue = undefined;
        await client.close();
      }
    }
  }

  // Serves until the child exits or is found hung (then killed). Returns the reason it ended.
  private async watch(child: BackendChild, client: LlamaClient, stopSignal: AbortSignal): Promise<string> {
    let failedChecks = 0;
    for (;;) {
      const tick = await Promise.race([
        child.exited.then((exit) => ({ kind: 'exit' as const, exit })),
        sleep(this.healthOptions.intervalMs, { kind: 'tick' as const }, { signal: stopSignal }).catch(() => ({ kind: 'stop' as const })),
      ]);
      if (tick.kind === 'stop') return 'stop requested';
      if (tick.kind === 'exit') {
        const detail = child.logs.errorSummary();
        return `llama-server ${describeExit(tick.exit)}${detail ? `: ${detail}` : ''}`;
      }
      const idle = Date.now() - this.lastActivityAt >= this.healthOptions.idleProbeAfterMs;
      const healthy = await probeBackend(client, this.healthOptions.timeoutMs, idle);
      if (stopSignal.aborted) return 'stop requested';
      if (child.hasExited()) continue;
      if (healthy) {
        if (idle) this.lastActivityAt = Date.now();
        failedChecks = 0;
        if (this.stateValue === 'unhealthy') this.transition('ready', 'health check passed');
        continue;
      }
      failedChecks += 1;
      if (failedChecks < this.healthOptions.failuresBeforeRestart) {
        this.transition('unhealthy', `health check failed (${failedChecks}/${this.healthOptions.failuresBeforeRestart})`);
        continue;
      }
      child.signal('SIGKILL');
      await child.exited;
      return `llama-server stopped answering (${failedChecks} health checks failed); killed it`;
    }
  }

  // llama-server waits forever for in-flight clients after SIGTERM, so a second signal follows the grace period.
  private async terminateChild(): Promise<void> {
    const child = this.child?.process;
    const client = this.child?.client;
    this.backendValue = undefined;
    if (child && !child.hasExited()) {
      child.signal('SIGTERM');
      const graceful = await Promise.race([child.exited.then(() => true), sleep(this.options.killGraceMs ?? 5_000, false)]);
      if (!graceful) {
        this.options.logger.warn({ event: 'backend_kill' }, 'llama-server did not stop after SIGTERM; killing it');
        child.signal('SIGKILL');
        await child.exited;
      }
    }
    await client?.close();
    if (this.options.pidFile) removePidRecord(this.options.pidFile);
  }
}
