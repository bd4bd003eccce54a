import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The Hugging Face cache layout (huggingface.co/docs/hub/local-cache), shared with Python's
// huggingface_hub and llama.cpp's `-hf`: models--owner--repo/{blobs/<oid>, snapshots/<commit>/<path>, refs/<revision>}.

/** Pure: the hub cache folder, with the same precedence as huggingface_hub. */
export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const set = (name: string) => (env[name] && env[name]!.length > 0 ? env[name] : undefined);
  const explicit = set('HF_HUB_CACHE') ?? set('HUGGINGFACE_HUB_CACHE');
  if (explicit) return explicit;
  const home = set('HF_HOME') ?? path.join(set('XDG_CACHE_HOME') ?? path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

export interface RepoCachePaths {
  root: string;
  blob: (oid: string) => string;
  snapshot: (commit: string, file: string) => string;
  ref: (revision: string) => string;
}

export function repoCachePaths(cacheDir: string, repo: string): RepoCachePaths {
  const root = path.join(cacheDir, `models--${repo.split('/').join('--')}`);
  return {
    root,
    blob: (oid) => path.join(root, 'blobs', oid),
    snapshot: (commit, file) => path.join(root, 'snapshots', commit, ...file.split('/')),
    ref: (revision) => path.join(root, 'refs', ...revision.split('/')),
  };
}

const COMMIT = /^[0-9a-f]{40}$/;

export interface CachedSnapshot {
  commit: string;
  /** Paths inside the repo whose file is present (a dangling link does not count). */
  files: string[];
}

function listFiles(dir: string, prefix = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full, relative);
    return fs.existsSync(full) ? [relative] : [];
  });
}

// What is on disk for a revision, for offline use: refs/<revision> names the commit (or the revision is one).
export function readCachedSnapshot(cacheDir: string, repo: string, revision: string): CachedSnapshot | undefined {
  const paths = repoCachePaths(cacheDir, repo);
  let commit = COMMIT.test(revision) ? revision : undefined;
  if (!commit) {
    try {
      commit = fs.readFileSync(paths.ref(revision), 'utf8').trim();
    } catch {
      return undefined;
    }
  }
  const files = listFiles(path.join(paths.root, 'snapshots', commit));
  return files.length > 0 ? { commit, files } : undefined;
}
