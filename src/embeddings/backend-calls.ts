import { EmbedhostError } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { callBackend } from '../upstream/call-backend.js';
import type { UpstreamResponse } from '../upstream/llama-client.js';
import { decodeBase64Float32 } from './vectors.js';

// Typed llama-server calls that survive restarts (see callBackend), shared by the embedder's parts.
export class BackendCalls {
  constructor(
    private readonly supervisor: Supervisor,
    private readonly retryDeadlineMs: number,
  ) {}

  private call(send: Parameters<typeof callBackend>[1], signal?: AbortSignal): Promise<UpstreamResponse> {
    return callBackend(this.supervisor, send, { deadlineMs: this.retryDeadlineMs, ...(signal ? { signal } : {}) });
  }

  async tokenize(content: string, addSpecial: boolean, signal?: AbortSignal): Promise<number[]> {
    const response = await this.call((b) => b.client.postJson('/tokenize', { content, add_special: addSpecial, parse_special: true }, { signal }), signal);
    const tokens = (response.body as { tokens?: number[] } | undefined)?.tokens;
    if (response.status !== 200 || !tokens) throw backendFailure(response, 'tokenize');
    return tokens;
  }

  async detokenize(tokens: number[], signal?: AbortSignal): Promise<string> {
    const response = await this.call((b) => b.client.postJson('/detokenize', { tokens }, { signal }), signal);
    const content = (response.body as { content?: string } | undefined)?.content;
    if (response.status !== 200 || typeof content !== 'string') throw backendFailure(response, 'detokenize');
    return content;
  }

  async modelMeta(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const models = await this.call((b) => b.client.getJson('/v1/models', { signal }), signal);
    const meta = (models.body as { data?: Array<{ meta?: Record<string, unknown> }> } | undefined)?.data?.[0]?.meta;
    if (models.status !== 200 || !meta) throw backendFailure(models, 'describe its model');
    return meta;
  }

  async props(signal?: AbortSignal): Promise<{ mediaMarker: string | undefined; vision: boolean }> {
    const response = await this.call((b) => b.client.getJson('/props', { signal }), signal);
    const body = response.body as { media_marker?: string; modalities?: { vision?: boolean } } | undefined;
    if (response.status !== 200 || !body) throw backendFailure(response, 'describe itself');
    return { mediaMarker: body.media_marker, vision: body.modalities?.vision === true };
  }

  /**
   * One prompt with images (its media markers in place), alone in its upstream request so a bad image
   * fails only itself and the usage llama-server reports is its own.
   */
  async embedWithImages(prompt: string, images: readonly Buffer[], signal?: AbortSignal): Promise<{ vector: Float32Array; tokens: number }> {
    const item = { prompt_string: prompt, multimodal_data: images.map((image) => image.toString('base64')) };
    const response = await this.call((b) => b.client.postJson('/v1/embeddings', { input: [item], encoding_format: 'base64' }, { signal }), signal);
    const body = response.body as { data?: Array<{ embedding: string }>; usage?: { prompt_tokens?: number }; error?: { message?: string } } | undefined;
    if (response.status !== 200 || !body?.data?.[0]) {
      const message = body?.error?.message ?? '';
      if (/load image|decode|media/i.test(message)) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `An image could not be decoded: ${message}`);
      throw backendFailure(response, 'embed an image');
    }
    return { vector: decodeBase64Float32(body.data[0].embedding), tokens: body.usage?.prompt_tokens ?? 0 };
  }

  /** One upstream request; base64 so no float is parsed from JSON. */
  async embed(inputs: ReadonlyArray<string | readonly number[]>, signal?: AbortSignal): Promise<Float32Array[]> {
    const response = await this.call((b) => b.client.postJson('/v1/embeddings', { input: inputs, encoding_format: 'base64' }, { signal }), signal);
    const data = (response.body as { data?: Array<{ index: number; embedding: string }> } | undefined)?.data;
    if (response.status !== 200 || !data) throw backendFailure(response, 'embed');
    if (data.length !== inputs.length) {
      throw new EmbedhostError('EMBEDHOST_BACKEND_ERROR', `The embedding backend returned ${data.length} vectors for ${inputs.length} inputs`);
    }
    const vectors = new Array<Float32Array>(inputs.length);
    for (const item of data) vectors[item.index] = decodeBase64Float32(item.embedding);
    return vectors;
  }
}

export function backendFailure(response: UpstreamResponse, what: string): EmbedhostError {
  const message = (response.body as { error?: { message?: string } } | undefined)?.error?.message ?? `status ${response.status}`;
  return new EmbedhostError('EMBEDHOST_BACKEND_ERROR', `The embedding backend failed to ${what}: ${message}`);
}
