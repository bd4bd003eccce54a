import { HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import { EmbedhostError } from '../errors.js';
import { accessDenied, type RemoteFile } from './hf-download.js';

export interface HubOptions {
  /** `HF_ENDPOINT`, or https://huggingface.co */
  endpoint: string;
  token: string | undefined;
}

export interface RepoListing {
  repo: string;
  /** The commit the revision points at now: files are fetched by commit, so a push mid-download cannot mix versions. */
  commit: string;
  files: RemoteFile[];
}

// The library reads neither HF_TOKEN nor HF_ENDPOINT; both are passed explicitly.
function credentials(options: HubOptions) {
  if (options.token && !options.token.startsWith('hf_')) {
    throw new EmbedhostError('EMBEDHOST_CONFIG', 'HF_TOKEN does not look like a Hugging Face token (they start with `hf_`); see https://huggingface.co/settings/tokens');
  }
  return { hubUrl: options.endpoint.replace(/\/+$/, ''), ...(options.token ? { accessToken: options.token as `hf_${string}` } : {}) };
}

/** True for failures that mean "the Hub could not be reached", where cached files may stand in. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof EmbedhostError && error.code === 'EMBEDHOST_DOWNLOAD_FAILED';
}

function translate(error: unknown, repo: string, options: HubOptions): EmbedhostError {
  if (error instanceof HubApiError) {
    if (error.statusCode === 401 || error.statusCode === 403) return accessDenied(repo, error.statusCode, Boolean(options.token));
    if (error.statusCode === 404) {
      return new EmbedhostError('EMBEDHOST_MODEL_UNAVAILABLE', `${repo} was not found on ${options.endpoint}${options.token ? '' : ' (if it is private, set HF_TOKEN)'}`);
    }
    return new EmbedhostError('EMBEDHOST_DOWNLOAD_FAILED', `${options.endpoint} answered HTTP ${error.statusCode} for ${repo}`, { cause: error });
  }
  return new EmbedhostError('EMBEDHOST_DOWNLOAD_FAILED', `Could not reach ${options.endpoint} for ${repo}: ${(error as Error).message}; with the files cached, --offline starts without the network`, {
    cause: error,
  });
}

export async function listRepo(repo: string, revision: string, options: HubOptions): Promise<RepoListing> {
  try {
    const info = await modelInfo({ name: repo, revision, additionalFields: ['sha'], ...credentials(options) });
    const commit = (info as { sha?: string }).sha;
    if (!commit) throw new Error(`the Hub gave no commit for ${repo}@${revision}`);
    const files: RemoteFile[] = [];
    for await (const entry of listFiles({ repo: { type: 'model', name: repo }, revision: commit, recursive: true, ...credentials(options) })) {
      if (entry.type !== 'file') continue;
      files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, sha256: entry.lfs?.oid, gitOid: entry.oid ?? '' });
    }
    return { repo, commit, files };
  } catch (error) {
    if (error instanceof EmbedhostError) throw error;
    throw translate(error, repo, options);
  }
}
