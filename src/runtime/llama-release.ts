// The llama.cpp release embedhost is tested with. Its source ships inside the node-llama-cpp
// npm package as a git bundle, which is the one source reachable from every machine we support.
export const LLAMA_RELEASE = {
  nodeLlamaCppVersion: '3.22.1',
  llamaCppVersion: '0.5.0-dev',
  llamaCppCommit: 'de3ff81',
} as const;

export type BuildVariant = 'cpu' | 'metal' | 'cuda';

export function defaultBuildVariant(platform: NodeJS.Platform, hasNvidiaGpu: boolean): BuildVariant {
  if (platform === 'darwin') return 'metal';
  return hasNvidiaGpu ? 'cuda' : 'cpu';
}

// One cache entry per release, platform and GPU backend, so upgrading or moving a cache never mixes builds.
export function buildCacheKey(platform: NodeJS.Platform, arch: string, variant: BuildVariant): string {
  return `${LLAMA_RELEASE.llamaCppVersion}-${LLAMA_RELEASE.llamaCppCommit}-${platform}-${arch}-${variant}`;
}
