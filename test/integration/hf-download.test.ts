import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureModel, type EnsureModelOptions } from '../../src/models/ensure-model.js';
import { readCachedSnapshot } from '../../src/models/hf-cache.js';
import { FakeHub } from '../fixtures/fake-hub.js';
import { testModel } from '../helpers/real-service.js';
import { tempDir } from '../helpers/supervised.js';

const hub = new FakeHub();
const TOKEN = 'hf_testtokenthatgrantsaccess0000000000';
let bert: Buffer;
let small: Buffer;

beforeAll(async () => {
  bert = fs.readFileSync(testModel('tiny-bert'));
  small = randomBytes(256 * 1024);
  hub.addRepo({
    name: 'test-org/tiny-bert-GGUF',
    files: [
      { path: 'README.md', content: Buffer.from('# tiny bert\n') },
      { path: 'tiny-bert-Q4_K_M.gguf', content: small },
      { path: 'tiny-bert-Q8_0.gguf', content: bert },
      { path: 'mmproj-tiny-bert-F16.gguf', content: Buffer.from('projector f16') },
      { path: 'mmproj-tiny-bert-Q8_0.gguf', content: Buffer.from('projector q8') },
    ],
  });
  hub.addRepo({ name: 'test-org/gated-GGUF', token: TOKEN, files: [{ path: 'gated-Q8_0.gguf', content: small }] });
  hub.addRepo({ name: 'test-org/huge-GGUF', files: [{ path: 'huge-F16.gguf', content: small, advertisedSize: 2 ** 60 }] });
  await hub.start();
});
afterAll(() => hub.stop());

let cacheDir: string;
let logs: string[];
beforeEach(() => {
  cacheDir = tempDir();
  logs = [];
  hub.faults = {};
  hub.requests.length = 0;
});

const options = (overrides: Partial<EnsureModelOptions> = {}): EnsureModelOptions => ({
  endpoint: hub.url,
  token: undefined,
  offline: false,
  cacheDir,
  log: (message) => logs.push(message),
  download: { retryDelayMs: 10 },
  ...overrides,
});

const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string }) => error.code);

describe('downloads from the Hub into the HF cache', () => {
  it('fetches the tagged file and the nearest projector, in the shared cache layout', async () => {
    const resolved = await ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'auto', options());
    expect(fs.readFileSync(resolved.modelFile).equals(bert)).toBe(true);
    expect(path.basename(resolved.mmprojFile!)).toBe('mmproj-tiny-bert-Q8_0.gguf');
    const root = path.join(cacheDir, 'models--test-org--tiny-bert-GGUF');
    const commit = fs.readFileSync(path.join(root, 'refs', 'main'), 'utf8');
    expect(resolved.modelFile).toBe(path.join(root, 'snapshots', commit, 'tiny-bert-Q8_0.gguf'));
    // Blobs are named by sha256 and the snapshot entry is a relative link to one, as huggingface_hub does.
    expect(fs.lstatSync(resolved.modelFile).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(resolved.modelFile)).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    expect(fs.readdirSync(path.join(root, 'blobs')).some((name) => name.endsWith('.incomplete'))).toBe(false);
  });

  it('picks Q4_K_M when no tag is given, as llama.cpp does, and names the tags it has when one is missing', async () => {
    const resolved = await ensureModel('hf:test-org/tiny-bert-GGUF', 'none', options());
    expect(path.basename(resolved.modelFile)).toBe('tiny-bert-Q4_K_M.gguf');
    expect(resolved.mmprojFile).toBeUndefined();
    await expect(ensureModel('hf:test-org/tiny-bert-GGUF:Q2_K', 'none', options())).rejects.toThrow(/no GGUF file for the quantization Q2_K; it has Q4_K_M, Q8_0/);
  });

  it('resumes with a Range request after the connection is cut mid-file', async () => {
    hub.faults.cutAfterBytes = { bytes: 1_000_000, times: 1 };
    const resolved = await ensureModel('hf:test-org/tiny-bert-GGUF/tiny-bert-Q8_0.gguf', 'none', options());
    expect(fs.readFileSync(resolved.modelFile).equals(bert)).toBe(true);
    const transfers = hub.cdnRequests();
    expect(transfers).toHaveLength(2);
    expect(transfers[1]!.range).toMatch(/^bytes=\d+-$/);
    // Resumed from what arrived (bytes in flight when the socket dropped are lost), not from zero.
    const resumedAt = Number(/\d+/.exec(transfers[1]!.range!)![0]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(1_000_000);
    expect(logs.join('\n')).toMatch(/interrupted .* resuming/);
  });

  it('discards a download that does not match its sha256 and fetches it again, never using the bad bytes', async () => {
    hub.faults.corrupt = { times: 1 };
    const resolved = await ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'none', options());
    expect(fs.readFileSync(resolved.modelFile).equals(bert)).toBe(true);
    expect(hub.cdnRequests()).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/did not match its published digest/);
  });

  it('fails, leaving nothing in the cache, when the bytes never match', async () => {
    hub.faults.corrupt = { times: 10 };
    await expect(ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'none', options())).rejects.toMatchObject({ code: 'EMBEDHOST_DOWNLOAD_FAILED' });
    const root = path.join(cacheDir, 'models--test-org--tiny-bert-GGUF');
    expect(fs.readdirSync(path.join(root, 'blobs')).filter((name) => !name.endsWith('.lock'))).toEqual([]);
    expect(readCachedSnapshot(cacheDir, 'test-org/tiny-bert-GGUF', 'main')).toBeUndefined();
  });

  it('explains how to get access to a gated repo: 401 without a token, 403 with the wrong one', async () => {
    const without = ensureModel('hf:test-org/gated-GGUF:Q8_0', 'none', options());
    await expect(without).rejects.toMatchObject({ code: 'EMBEDHOST_HUB_ACCESS_DENIED' });
    await expect(without).rejects.toThrow(/HTTP 401.*accept its terms.*set HF_TOKEN/);
    const wrong = ensureModel('hf:test-org/gated-GGUF:Q8_0', 'none', options({ token: 'hf_wrongtoken000000000000000000000000000' }));
    await expect(wrong).rejects.toThrow(/HTTP 403.*token in HF_TOKEN has no access/);
    const resolved = await ensureModel('hf:test-org/gated-GGUF:Q8_0', 'none', options({ token: TOKEN }));
    expect(fs.readFileSync(resolved.modelFile).equals(small)).toBe(true);
  });

  it('offline: serves from the cache without a single request, and names the missing file otherwise', async () => {
    const missing = ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'auto', options({ offline: true }));
    await expect(missing).rejects.toMatchObject({ code: 'EMBEDHOST_OFFLINE_MISSING' });
    await expect(missing).rejects.toThrow(/hf:test-org\/tiny-bert-GGUF:Q8_0 is not in the Hugging Face cache.*embedhost pull/);
    const online = await ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'auto', options());
    hub.requests.length = 0;
    const offline = await ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'auto', options({ offline: true }));
    expect(offline).toMatchObject({ modelFile: online.modelFile, mmprojFile: online.mmprojFile });
    expect(hub.requests).toEqual([]);
    await expect(ensureModel('hf:test-org/tiny-bert-GGUF:Q4_K_M', 'none', options({ offline: true }))).rejects.toThrow(/the Q4_K_M file of hf:test-org\/tiny-bert-GGUF:Q4_K_M is not in the Hugging Face cache/);
  });

  it('falls back to the cached files when the Hub cannot be reached', async () => {
    const online = await ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'none', options());
    const unreachable = await ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'none', options({ endpoint: 'http://127.0.0.1:9' }));
    expect(unreachable.modelFile).toBe(online.modelFile);
    expect(logs.join('\n')).toMatch(/Could not reach .* using the cached test-org\/tiny-bert-GGUF/);
  });

  it('downloads a file once when two pulls race for it', async () => {
    const [a, b] = await Promise.all([
      ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'none', options()),
      ensureModel('hf:test-org/tiny-bert-GGUF:Q8_0', 'none', options()),
    ]);
    expect(a.modelFile).toBe(b.modelFile);
    expect(fs.readFileSync(a.modelFile).equals(bert)).toBe(true);
    expect(hub.cdnRequests()).toHaveLength(1);
  });

  it('refuses to start a download the disk cannot hold', async () => {
    expect(await code(ensureModel('hf:test-org/huge-GGUF:F16', 'none', options()))).toBe('EMBEDHOST_DISK_FULL');
    expect(hub.cdnRequests()).toEqual([]);
  });

  it('reports an unknown repo clearly', async () => {
    await expect(ensureModel('hf:test-org/nope-GGUF:Q8_0', 'none', options())).rejects.toThrow(/test-org\/nope-GGUF was not found on http.*set HF_TOKEN/);
  });
});
