import { Pool, errors as undiciErrors } from 'undici';

export interface LlamaClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Keep-alive connections to the backend; keep it under llama-server's HTTP threads. @default 4 */
  connections?: number;
}

export interface UpstreamResponse {
  status: number;
  body: unknown;
}

export type HealthStatus = 'ok' | 'loading' | 'error';

// Typed calls to one llama-server process. A new client is made for each process the
// supervisor starts, since each has its own port and key.
export class LlamaClient {
  readonly baseUrl: string;
  private readonly pool: Pool;
  private readonly authorization: string;

  constructor(options: LlamaClientOptions) {
    this.baseUrl = options.baseUrl;
    this.authorization = `Bearer ${options.apiKey}`;
    // llama-server closes idle keep-alive sockets after 5 s; stay under that so we never write into a closing socket.
    this.pool = new Pool(options.baseUrl, { connections: options.connections ?? 4, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
  }

  async health(timeoutMs: number): Promise<HealthStatus> {
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: '/health',
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      if (response.statusCode === 200) return 'ok';
      return response.statusCode === 503 ? 'loading' : 'error';
    } catch {
      return 'error';
    }
  }

  async postJson(path: string, payload: unknown, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<UpstreamResponse> {
    const signals = [options.signal, options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const response = await this.pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', authorization: this.authorization },
      body: JSON.stringify(payload),
      signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      // A hung backend is the supervisor's to detect and kill; these only bound a broken socket.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const text = await response.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // llama-server always answers JSON; keep the raw text for the error message if it did not.
    }
    return { status: response.statusCode, body };
  }

  async getText(path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
    const response = await this.pool.request({ method: 'GET', path, headers: { authorization: this.authorization }, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.statusCode, body: await response.body.text() };
  }

  async getJson(path: string, options: { signal?: AbortSignal } = {}): Promise<UpstreamResponse> {
    const response = await this.pool.request({
      method: 'GET',
      path,
      headers: { authorization: this.authorization },
      signal: options.signal,
    });
    return { status: response.statusCode, body: await response.body.json().catch(() => undefined) };
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }
}

// The backend went away under the request (killed, crashed, restarting): safe to retry, embeddings are idempotent.
export function isConnectionError(error: unknown): boolean {
  if (error instanceof undiciErrors.SocketError) return true;
  if (error instanceof undiciErrors.ClientDestroyedError || error instanceof undiciErrors.ClientClosedError) return true;
  const code = (error as { code?: string } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED';
}
