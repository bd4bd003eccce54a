import { EmbedhostError } from '../errors.js';

// Where a model comes from: a file on disk, or a Hugging Face repo with a quant tag or an exact file.
export type ModelRef =
  | { kind: 'file'; path: string }
  | { kind: 'hf'; repo: string; tag: string | undefined; file: string | undefined; revision: string };

const REPO = /^[\w.-]+\/[\w.-]+$/;

// Pure. `hf:owner/repo[:TAG][@revision]` picks by quant tag the way llama.cpp's `-hf` does;
// `hf:owner/repo/path/to/file.gguf[@revision]` names the file; anything else is a local path.
export function parseModelRef(text: string): ModelRef {
  const trimmed = text.trim();
  if (!trimmed.startsWith('hf:')) {
    if (!trimmed) throw new EmbedhostError('EMBEDHOST_CONFIG', 'A model reference must not be empty');
    return { kind: 'file', path: trimmed };
  }
  let rest = trimmed.slice(3);
  let revision = 'main';
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    revision = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const invalid = () =>
    new EmbedhostError('EMBEDHOST_CONFIG', `\`${text}\` is not a model reference; expected hf:owner/repo:QUANT, hf:owner/repo/file.gguf or a path to a .gguf file`);
  if (!revision || !/^[\w.\-/]+$/.test(revision)) throw invalid();
  const parts = rest.split('/');
  if (parts.length > 2) {
    const repo = parts.slice(0, 2).join('/');
    const file = parts.slice(2).join('/');
    if (!REPO.test(repo) || !file.toLowerCase().endsWith('.gguf') || file.split('/').includes('..')) throw invalid();
    return { kind: 'hf', repo, tag: undefined, file, revision };
  }
  const [repo, tag, ...extra] = rest.split(':');
  if (!repo || !REPO.test(repo) || extra.length > 0 || tag === '') throw invalid();
  return { kind: 'hf', repo, tag: tag?.toUpperCase(), file: undefined, revision };
}

export function formatModelRef(ref: ModelRef): string {
  if (ref.kind === 'file') return ref.path;
  const where = ref.file ? `${ref.repo}/${ref.file}` : `${ref.repo}${ref.tag ? `:${ref.tag}` : ''}`;
  return `hf:${where}${ref.revision === 'main' ? '' : `@${ref.revision}`}`;
}
