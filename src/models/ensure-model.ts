import fs from 'node:fs';
import path from 'node:path';
import { EmbedhostError } from '../errors.js';
import { readCachedSnapshot, repoCachePaths } from './hf-cache.js';
import { fetchIntoCache, writeRef, type FetchOptions, type RemoteFile } from './hf-download.js';
import { isUnreachable, listRepo, type HubOptions } from './hf-hub.js';
import { partsOf, selectMmprojFile, selectModelFile } from './hf-select.js';
import { formatModelRef, parseModelRef, type ModelRef } from './model-ref.js';

/** `auto`: the nearest `mmproj` file in the model's repo, if it has one; `none`: never a projector. */
export type MmprojChoice = 'auto' | 'none' | (string & {});

export interface EnsureModelOptions extends HubOptions {
  cacheDir: string;
  /** Cache only: never touch the network. */
  offline: boolean;
  log: (message: string) => void;
  onProgress?: (file: string, done: number, total: number) => void;
  download?: Pick<FetchOptions, 'attempts' | 'retryDelayMs' | 'idleTimeoutMs'>;
}

export interface ResolvedModel {
  /** The first (or only) part: what llama-server's --model takes; it finds the other parts itself. */
  modelFile: string;
  mmprojFile: string | undefined;
  /** The files in the repo, or the local path, that were used. */
  source: string;
}

interface RepoFiles {
  commit: string;
  names: string[];
  fetch: (name: string) => Promise<string>;
}

// Listing first; when the Hub is unreachable (not when it refuses), cached files stand in, as llama.cpp does.
async function openRepo(ref: Extract<ModelRef, { kind: 'hf' }>, options: EnsureModelOptions): Promise<RepoFiles> {
  const cached = () => readCachedSnapshot(options.cacheDir, ref.repo, ref.revision);
  const fromCache = (): RepoFiles | undefined => {
    const snapshot = cached();
    if (!snapshot) return undefined;
    return {
      commit: snapshot.commit,
      names: snapshot.files,
      fetch: async (name) => repoCachePaths(options.cacheDir, ref.repo).snapshot(snapshot.commit, name),
    };
  };
  if (options.offline) {
    const local = fromCache();
    if (!local) throw offlineMissing(ref, undefined, options);
    return local;
  }
  let listing;
  try {
    listing = await listRepo(ref.repo, ref.revision, options);
  } catch (error) {
    const local = isUnreachable(error) ? fromCache() : undefined;
    if (!local) throw error;
    options.log(`${(error as Error).message}; using the cached ${ref.repo}@${local.commit.slice(0, 8)}`);
    return local;
  }
  writeRef(options.cacheDir, ref.repo, ref.revision, listing.commit);
  const byName = new Map(listing.files.map((file) => [file.path, file]));
  return {
    commit: listing.commit,
    names: [...byName.keys()],
    fetch: (name) =>
      fetchIntoCache(byName.get(name) as RemoteFile, {
        ...options.download,
        hubUrl: options.endpoint,
        token: options.token,
        cacheDir: options.cacheDir,
        repo: ref.repo,
        commit: listing.commit,
        log: options.log,
        ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress!(name, done, total) } : {}),
      }),
  };
}

function offlineMissing(ref: ModelRef, file: string | undefined, options: EnsureModelOptions): EmbedhostError {
  const what = file ? `${file} of ${formatModelRef(ref)}` : formatModelRef(ref);
  return new EmbedhostError(
    'EMBEDHOST_OFFLINE_MISSING',
    `Offline, and ${what} is not in the Hugging Face cache (${options.cacheDir}); run \`embedhost pull ${formatModelRef(ref)}\` while online`,
  );
}

function localFile(file: string, what: string): string {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) throw new EmbedhostError('EMBEDHOST_CONFIG', `The ${what} ${file} does not exist`);
  return resolved;
}

// Turns a model reference into files on disk, downloading what the cache lacks.
export async function ensureModel(model: string, mmproj: MmprojChoice | undefined, options: EnsureModelOptions): Promise<ResolvedModel> {
  const ref = parseModelRef(model);
  if (ref.kind === 'file') {
    const modelFile = localFile(ref.path, 'model file');
    if (mmproj === undefined || mmproj === 'none' || mmproj === 'auto') return { modelFile, mmprojFile: undefined, source: modelFile };
    return { modelFile, mmprojFile: (await ensureModel(mmproj, 'none', options)).modelFile, source: modelFile };
  }
  const repo = await openRepo(ref, options);
  let name: string;
  try {
    name = ref.file ?? selectModelFile(repo.names, ref.tag, ref.repo);
  } catch (error) {
    if (options.offline) throw offlineMissing(ref, ref.tag ? `the ${ref.tag} file` : undefined, options);
    throw error;
  }
  if (!repo.names.includes(name)) {
    if (options.offline) throw offlineMissing(ref, name, options);
    throw new EmbedhostError('EMBEDHOST_MODEL_UNAVAILABLE', `${ref.repo} has no file ${name}`);
  }
  const parts = partsOf(name, repo.names);
  const projectorName = mmproj === 'auto' ? selectMmprojFile(repo.names, name) : undefined;
  const [modelFile] = await Promise.all(parts.map((part) => repo.fetch(part)));
  let mmprojFile: string | undefined;
  if (projectorName) mmprojFile = await repo.fetch(projectorName);
  else if (mmproj !== undefined && mmproj !== 'auto' && mmproj !== 'none') mmprojFile = (await ensureModel(mmproj, 'none', options)).modelFile;
  return { modelFile: modelFile!, mmprojFile, source: `${ref.repo}@${repo.commit.slice(0, 8)}/${name}` };
}
