import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeHub } from '../fixtures/fake-hub.js';
import { BIN, killStartedClis, startCli } from '../helpers/cli.js';
import { postEmbeddings, testModel } from '../helpers/real-service.js';
import { tempDir } from '../helpers/supervised.js';

// `embedhost start` with no arguments: profile, download, llama-server, serve; then the same offline.
// The local Hub serves the generated tiny Qwen3 model under the name the cpu-small profile asks for.
const hub = new FakeHub();
beforeAll(async () => {
  hub.addRepo({
    name: 'Qwen/Qwen3-Embedding-0.6B-GGUF',
    files: [
      { path: 'README.md', content: Buffer.from('# Qwen3-Embedding-0.6B-GGUF\n') },
      { path: 'Qwen3-Embedding-0.6B-Q8_0.gguf', content: fs.readFileSync(testModel('tiny-qwen3')) },
      { path: 'Qwen3-Embedding-0.6B-f16.gguf', content: randomBytes(1024) },
    ],
  });
  await hub.start();
});
afterAll(() => hub.stop());
afterEach(killStartedClis);

describe('embedhost start with no arguments', () => {
  it('selects a profile, downloads its model, serves it; then starts offline from the cache', async () => {
    const env = { XDG_CACHE_HOME: tempDir(), HF_HUB_CACHE: tempDir(), HF_ENDPOINT: hub.url, EMBEDHOST_PROFILE: 'cpu-small' };
    const online = await startCli([], env);
    expect(online.logLines.some((l) => String(l.msg).startsWith('profile cpu-small'))).toBe(true);
    const { status, body } = await postEmbeddings(online.url, 'hello');
    expect(status).toBe(200);
    expect((body as { model: string }).model).toBe('Qwen3-Embedding-0.6B-Q8_0');
    const info = (await (await fetch(`${online.url}/info`)).json()) as { models: Array<{ profile: string; file: string; quantization: string }> };
    expect(info.models[0]).toMatchObject({ profile: 'cpu-small' });
    expect(info.models[0]!.file).toContain(`${env.HF_HUB_CACHE}/models--Qwen--Qwen3-Embedding-0.6B-GGUF/snapshots/`);
    // Only the Q8_0 file was fetched, not the F16 one beside it.
    expect(hub.cdnRequests()).toHaveLength(1);
    online.child.kill('SIGTERM');
    expect((await online.child).exitCode).toBe(0);

    await hub.stop();
    const offline = await startCli(['--offline'], env);
    expect((await postEmbeddings(offline.url, 'hello')).status).toBe(200);
    offline.child.kill('SIGTERM');
    expect((await offline.child).exitCode).toBe(0);
    await hub.start();
  });

  it('pull downloads without serving and prints the path; offline with nothing cached names the file', async () => {
    const env = { XDG_CACHE_HOME: tempDir(), HF_HUB_CACHE: tempDir(), HF_ENDPOINT: hub.url, LLAMA_SERVER_BIN: inject('llamaServer') };
    const missing = await execa('node', [BIN, 'pull', 'cpu-small', '--offline'], { env, reject: false, stdin: 'ignore' });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/Offline, and hf:Qwen\/Qwen3-Embedding-0\.6B-GGUF:Q8_0 is not in the Hugging Face cache/);
    const pulled = await execa('node', [BIN, 'pull', 'hf:Qwen/Qwen3-Embedding-0.6B-GGUF:Q8_0'], { env, reject: false, stdin: 'ignore' });
    expect(pulled.exitCode).toBe(0);
    expect(pulled.stdout.trim()).toMatch(/snapshots\/[0-9a-f]{40}\/Qwen3-Embedding-0\.6B-Q8_0\.gguf$/);
    expect(pulled.stderr).toMatch(/downloading Qwen3-Embedding-0\.6B-Q8_0\.gguf: 100%/);
    const again = await execa('node', [BIN, 'pull', 'cpu-small', '--offline'], { env, reject: false, stdin: 'ignore' });
    expect(again.stdout.trim()).toBe(pulled.stdout.trim());
  });
});
