import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/server.js';
import { postEmbeddings, startRealService, testModel, type EmbeddingsBody } from '../helpers/real-service.js';
import { isProcessAlive, tempDir, waitForState } from '../helpers/supervised.js';

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function direct(service: Service, input: unknown): Promise<EmbeddingsBody> {
  const backend = service.models[0]!.supervisor.backend!;
  return (await backend.client.postJson('/v1/embeddings', { input })).body as EmbeddingsBody;
}

describe('embedhost in front of the real llama-server', () => {
  it.each(['tiny-bert', 'tiny-qwen3'] as const)('returns exactly what llama-server returns directly (%s)', async (model) => {
    service = await startRealService(model);
    const inputs = ['Hello, world!', 'The quick brown fox jumps over the lazy dog.', 'naïve café — 東京'];
    const { status, body } = await postEmbeddings(service.url, inputs);
    expect(status).toBe(200);
    const viaGateway = body as EmbeddingsBody;
    const expected = await direct(service, inputs);
    expect(viaGateway.data.map((d) => d.embedding)).toEqual(expected.data.map((d) => d.embedding));
    expect(viaGateway.usage).toEqual(expected.usage);
    expect(viaGateway.model).toBe(model);
    expect(viaGateway.data[0]!.embedding).toHaveLength(32);
  });

  it('keeps the backend unreachable without its own key', async () => {
    service = await startRealService('tiny-bert');
    const port = service.models[0]!.supervisor.backend!.port;
    const response = await fetch(`http://127.0.0.1:${port}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ input: 'x' }) });
    expect(response.status).toBe(401);
  });

  it('loses no request when the backend is killed with SIGKILL under load', async () => {
    service = await startRealService('tiny-bert');
    const running = service;
    const victim = running.models[0]!.supervisor.snapshot().pid!;
    const statuses: number[] = [];
    let sent = 0;
    const killAfter = 20;
    let killedAt = 0;
    const worker = async (id: number) => {
      for (let i = 0; i < 15; i++) {
        const n = sent++;
        if (n === killAfter) {
          killedAt = Date.now();
          process.kill(victim, 'SIGKILL');
        }
        const { status } = await postEmbeddings(running.url, `worker ${id} request ${i}`);
        statuses.push(status);
      }
    };
    const recovered = new Promise<number>((resolve) =>
      running.models[0]!.supervisor.on('state', (change) => change.to === 'ready' && resolve(Date.now())),
    );
    await Promise.all([0, 1, 2, 3].map(worker));
    const recoveryMs = (await recovered) - killedAt;
    expect(statuses).toHaveLength(60);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(running.models[0]!.supervisor.snapshot().restarts).toBe(1);
    console.log(`[measure] SIGKILL recovery: ${recoveryMs} ms to ready again; ${statuses.filter((s) => s !== 200).length}/60 requests failed`);
  });

  it('detects a SIGSTOPped backend and replaces it', async () => {
    service = await startRealService('tiny-bert');
    const frozen = service.models[0]!.supervisor.snapshot().pid!;
    const replaced = waitForState(service.models[0]!.supervisor, 'restarting');
    process.kill(frozen, 'SIGSTOP');
    const { status } = await postEmbeddings(service.url, 'sent to a frozen backend');
    await replaced;
    expect(status).toBe(200);
    expect(service.models[0]!.supervisor.snapshot().pid).not.toBe(frozen);
    await expect.poll(() => isProcessAlive(frozen)).toBe(false);
  });

  it("ends in failed on a corrupt GGUF, with llama-server's own error text", async () => {
    const corrupt = path.join(tempDir(), 'corrupt.gguf');
    const bytes = fs.readFileSync(testModel('tiny-bert'));
    fs.writeFileSync(corrupt, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(startRealService(corrupt, { supervisor: { maxConsecutiveFailures: 2, restartInitialDelayMs: 10 } })).rejects.toThrow(
      /not within the file bounds, model is corrupted or incomplete/,
    );
  });
});
