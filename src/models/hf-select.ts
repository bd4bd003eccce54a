import path from 'node:path';
import { EmbedhostError } from '../errors.js';

// Which files of a GGUF repo to fetch, chosen exactly as llama.cpp's `-hf` chooses
// (common/download.cpp: find_best_model, find_best_sibling), so both agree on what `:Q4_0` means.

const NOT_A_MODEL = ['mmproj', 'imatrix', 'mtp-', 'eagle3-', 'dflash-', 'dspark-'];
const DEFAULT_TAGS = ['Q4_K_M', 'Q8_0'];
const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;

const isGguf = (file: string) => file.toLowerCase().endsWith('.gguf');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function isModelFile(file: string): boolean {
  const base = path.posix.basename(file).toLowerCase();
  if (!isGguf(file) || NOT_A_MODEL.some((marker) => base.includes(marker))) return false;
  const split = SPLIT.exec(base);
  return !split || split[1] === '00001';
}

/** The quant label of a file name: `Qwen3-Embedding-0.6B-Q8_0.gguf` → `Q8_0`. */
export function quantTagOf(file: string): string | undefined {
  const stem = path.posix.basename(file).replace(SPLIT, '.gguf').replace(/\.gguf$/i, '');
  return /[-.]([A-Za-z0-9_]+)$/.exec(stem)?.[1]?.toUpperCase();
}

/** Bits per weight a tag stands for: Q4_K_M → 4, Q8_0 → 8, F16/BF16 → 16. */
export function bitsOfTag(tag: string | undefined): number | undefined {
  if (!tag) return undefined;
  const upper = tag.toUpperCase();
  if (/^(BF|FP?)16$/.test(upper)) return 16;
  if (/^FP?32$/.test(upper)) return 32;
  const quant = /^(?:I?Q|TQ)(\d)/.exec(upper);
  return quant ? Number(quant[1]) : undefined;
}

/** All parts of a split model (`-00001-of-00003`), or the file alone. */
export function partsOf(file: string, files: readonly string[]): string[] {
  const split = SPLIT.exec(file);
  if (!split) return [file];
  const prefix = file.slice(0, split.index);
  const count = Number(split[2]);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}-of-${split[2]}.gguf`).filter((part) => files.includes(part));
}

export function selectModelFile(files: readonly string[], tag: string | undefined, repo: string): string {
  const candidates = files.filter(isModelFile).sort();
  for (const wanted of tag ? [tag] : DEFAULT_TAGS) {
    const pattern = new RegExp(`${escapeRegExp(wanted)}[.-]`, 'i');
    const match = candidates.find((file) => pattern.test(path.posix.basename(file)));
    if (match) return match;
  }
  if (!tag && candidates[0]) return candidates[0];
  const available = [...new Set(candidates.map(quantTagOf).filter(Boolean))].sort().join(', ');
  throw new EmbedhostError(
    'EMBEDHOST_MODEL_UNAVAILABLE',
    tag
      ? `${repo} has no GGUF file for the quantization ${tag}${available ? `; it has ${available}` : ''}`
      : `${repo} has no GGUF model file`,
  );
}

const sharedPrefixDepth = (a: string, b: string) => {
  const x = path.posix.dirname(a).split('/');
  const y = path.posix.dirname(b).split('/');
  let depth = 0;
  while (depth < x.length && x[depth] === y[depth]) depth++;
  return depth;
};

/** The projector for a model: an `mmproj` GGUF nearest in folder, then in bits per weight. */
export function selectMmprojFile(files: readonly string[], modelFile: string): string | undefined {
  const modelBits = bitsOfTag(quantTagOf(modelFile)) ?? 16;
  const projectors = files.filter((file) => isGguf(file) && path.posix.basename(file).toLowerCase().includes('mmproj'));
  const ranked = projectors
    .map((file) => ({
      file,
      depth: sharedPrefixDepth(file, modelFile),
      distance: Math.abs((bitsOfTag(quantTagOf(file)) ?? 16) - modelBits),
    }))
    .sort((a, b) => b.depth - a.depth || a.distance - b.distance || a.file.localeCompare(b.file));
  return ranked[0]?.file;
}
