import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbedhostError } from '../errors.js';
import { withLock } from '../util/with-lock.js';
import { repoCachePaths } from './hf-cache.js';

// What @huggingface/hub's downloadFileToCacheDir lacks: resume (HTTP Range), progress, verification
// against the Hub's digest before a file is used, a cross-process lock, and a free-disk check.

export interface RemoteFile {
  /** Path inside the repo. */
  path: string;
  size: number;
  /** The LFS sha256, for large files; small files only have a git blob id. */
  sha256: string | undefined;
  /** The git blob sha1 (`blob <size>\0<bytes>`). */
  gitOid: string;
}

export interface FetchOptions {
  hubUrl: string;
  token: string | undefined;
  cacheDir: string;
  repo: string;
  commit: string;
  onProgress?: (done: number, total: number) => void;
  log?: (message: string) => void;
  /** Attempts per file, resuming where the last one stopped. @default 4 */
  attempts?: number;
  /** @default 1000 */
  retryDelayMs?: number;
  /** A connection that sends nothing for this long is cut and resumed. @default 60000 */
  idleTimeoutMs?: number;
}

// Blobs are named as huggingface_hub names them: the sha256 for LFS files, the git oid otherwise.
const blobName = (file: RemoteFile) => file.sha256 ?? file.gitOid;

function newDigest(file: RemoteFile): Hash {
  if (file.sha256) return createHash('sha256');
  return createHash('sha1').update(`blob ${file.size}\0`);
}

export function accessDenied(repo: string, status: number, hasToken: boolean): EmbedhostError {
  const how = hasToken
    ? `the token in HF_TOKEN has no access to it: accept the model's terms at https://huggingface.co/${repo} with that account, or use a token with read access`
    : `it is gated or private: accept its terms at https://huggingface.co/${repo}, create a read token at https://huggingface.co/settings/tokens and set HF_TOKEN`;
  return new EmbedhostError('EMBEDHOST_HUB_ACCESS_DENIED', `Hugging Face refused access to ${repo} (HTTP ${status}); ${how}`);
}

async function checkFreeDisk(dir: string, needed: number): Promise<void> {
  const stats = await fs.promises.statfs(dir).catch(() => undefined);
  if (!stats) return;
  const free = stats.bavail * stats.bsize;
  // Room for the file plus a margin, so a download never fills the disk to the last byte.
  const margin = 256 * 2 ** 20;
  if (free < needed + margin) {
    throw new EmbedhostError('EMBEDHOST_DISK_FULL', `Not enough free disk in ${dir}: ${formatBytes(needed)} needed, ${formatBytes(free)} free`);
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

async function hashExisting(file: string, digest: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) digest.update(chunk as Buffer);
}

// One attempt: continue `part` from its current length. Resolves when the whole file is there.
async function transfer(url: string, part: string, file: RemoteFile, digest: Hash, options: FetchOptions): Promise<void> {
  let have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (have > file.size) {
    fs.truncateSync(part, 0);
    have = 0;
  }
  const idle = new AbortController();
  let idleTimer = setTimeout(() => idle.abort(), options.idleTimeoutMs ?? 60_000);
  const headers: Record<string, string> = { 'user-agent': 'embedhost' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (have > 0) headers.range = `bytes=${have}-`;
  try {
    const response = await fetch(url, { headers, redirect: 'follow', signal: idle.signal });
    if (response.status === 401 || response.status === 403) throw accessDenied(options.repo, response.status, Boolean(options.token));
    if (response.status === 404) throw new EmbedhostError('EMBEDHOST_MODEL_UNAVAILABLE', `${options.repo} has no file ${file.path} at ${options.commit}`);
    if (response.status === 416 && have === file.size) {
      await hashExisting(part, digest);
      return;
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${url}`);
    // A server that ignores Range sends the whole file again: start over rather than append it.
    const resuming = have > 0 && response.status === 206;
    if (!resuming) have = 0;
    if (resuming) await hashExisting(part, digest);
    const out = fs.createWriteStream(part, { flags: resuming ? 'a' : 'w' });
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => idle.abort(), options.idleTimeoutMs ?? 60_000);
        digest.update(chunk);
        have += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
        options.onProgress?.(have, file.size);
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    if (have !== file.size) throw new Error(`connection closed after ${have} of ${file.size} bytes`);
  } finally {
    clearTimeout(idleTimer);
  }
}

/**
 * Fetches one repo file into the HF cache and returns its snapshot path. Safe to call from several
 * processes at once: one downloads under a lock, the others wait and then find the blob.
 */
export async function fetchIntoCache(file: RemoteFile, options: FetchOptions): Promise<string> {
  const paths = repoCachePaths(options.cacheDir, options.repo);
  const pointer = paths.snapshot(options.commit, file.path);
  if (fs.existsSync(pointer)) return pointer;
  const blob = paths.blob(blobName(file));
  await fs.promises.mkdir(path.dirname(blob), { recursive: true });
  await withLock(blob, async () => {
    if (fs.existsSync(blob) && fs.statSync(blob).size === file.size) return;
    const part = `${blob}.incomplete`;
    const already = fs.existsSync(part) ? fs.statSync(part).size : 0;
    await checkFreeDisk(path.dirname(blob), Math.max(0, file.size - already));
    const url = `${options.hubUrl.replace(/\/+$/, '')}/${options.repo}/resolve/${options.commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
    const attempts = options.attempts ?? 4;
    let mismatches = 0;
    for (let attempt = 1; ; attempt++) {
      const digest = newDigest(file);
      try {
        await transfer(url, part, file, digest, options);
      } catch (error) {
        if (error instanceof EmbedhostError || attempt >= attempts) {
          if (error instanceof EmbedhostError) throw error;
          throw new EmbedhostError('EMBEDHOST_DOWNLOAD_FAILED', `Downloading ${options.repo}/${file.path} failed after ${attempt} attempts: ${(error as Error).message}`, { cause: error });
        }
        options.log?.(`download of ${file.path} interrupted (${(error as Error).message}); resuming`);
        await sleep((options.retryDelayMs ?? 1_000) * attempt);
        continue;
      }
      const actual = digest.digest('hex');
      if (actual === blobName(file)) break;
      // Never keep or use bytes that do not match the Hub's digest: fetch the whole file again, once.
      fs.rmSync(part, { force: true });
      mismatches++;
      if (mismatches >= 2) {
        throw new EmbedhostError('EMBEDHOST_DOWNLOAD_FAILED', `${options.repo}/${file.path} does not match its published digest ${blobName(file)} (got ${actual}), twice; the download was discarded`);
      }
      options.log?.(`${file.path} did not match its published digest; discarded, downloading again`);
    }
    fs.renameSync(part, blob);
  }, { onWait: () => options.log?.(`waiting for another download of ${file.path} to finish`) });
  await fs.promises.mkdir(path.dirname(pointer), { recursive: true });
  try {
    fs.symlinkSync(path.relative(path.dirname(pointer), blob), pointer);
  } catch (error) {
    // Where symlinks are not allowed (some Windows setups), huggingface_hub copies; so do we.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') fs.copyFileSync(blob, pointer);
  }
  return pointer;
}

export function writeRef(cacheDir: string, repo: string, revision: string, commit: string): void {
  if (revision === commit) return;
  const ref = repoCachePaths(cacheDir, repo).ref(revision);
  fs.mkdirSync(path.dirname(ref), { recursive: true });
  fs.writeFileSync(ref, commit);
}
