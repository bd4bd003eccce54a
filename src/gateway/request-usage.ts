// What a request consumed, set by the route that served it and read by the logging, metrics, usage and
// rate-limit layers around it. Keyed by the Request object, so no untyped context variables are needed.

export interface RequestUsage {
  model: string;
  inputs: number;
  tokens: number;
  cacheHits: number;
  /** The longest any of its inputs waited for a batch, in ms. */
  queueMs: number;
  /** The longest upstream request its inputs rode in, in ms. */
  backendMs: number;
}

const usage = new WeakMap<Request, RequestUsage>();

export function recordUsage(request: Request, value: RequestUsage): void {
  usage.set(request, value);
}

export function usageOf(request: Request): RequestUsage | undefined {
  return usage.get(request);
}
