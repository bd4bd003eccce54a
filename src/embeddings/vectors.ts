// Pure vector helpers. Vectors stay Float32Array from the backend to the response, so no float is
// parsed from or printed to JSON unless a client asked for `float`.

export function decodeBase64Float32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(bytes.length / 4));
}

export function encodeBase64Float32(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return vector;
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}

// Matryoshka: keep the leading `dimensions` components and re-normalize, as OpenAI's `dimensions` does.
export function shortenVector(vector: Float32Array, dimensions: number | undefined): Float32Array {
  if (dimensions === undefined || dimensions >= vector.length) return vector;
  return l2Normalize(vector.subarray(0, dimensions));
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function toNumberArray(vector: Float32Array): number[] {
  return Array.from(vector);
}

/** A response's vectors: shortened to `dimensions` (re-normalized), optionally L2-normalized, as JSON numbers. */
export function shapeVectors(vectors: readonly Float32Array[], dimensions: number | undefined, normalize: boolean): number[][] {
  return vectors.map((vector) => {
    const shortened = shortenVector(vector, dimensions);
    return toNumberArray(normalize ? l2Normalize(shortened) : shortened);
  });
}
