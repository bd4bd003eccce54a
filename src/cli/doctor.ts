import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadProfiles } from '../config/profiles.js';
import { isEmbedhostError } from '../errors.js';
import { detectHardware } from '../hardware/detect.js';
import { classifyHardware, selectProfile } from '../hardware/select-profile.js';
import { hfHubCacheDir } from '../models/hf-cache.js';
import { LLAMA_RELEASE } from '../runtime/llama-release.js';
import { locateLlamaServer, resolveVariant } from '../runtime/locate-llama-server.js';
import { cachedBinaryLocation, embedhostCacheDir } from '../runtime/paths.js';

export async function runDoctor(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'llama-server': { type: 'string' } } });
  const cacheDir = embedhostCacheDir();
  const facts = await detectHardware();
  console.log(`platform:        ${facts.platform} ${facts.arch}, ${facts.cpuCores} cores (${facts.cpuModel}), ${(facts.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB memory`);
  console.log(`apple silicon:   ${facts.appleSilicon ? 'yes' : 'no'}`);
  console.log(`gpus:            ${facts.gpus.length > 0 ? facts.gpus.map((g) => `${g.name} (${(g.memoryBytes / 2 ** 30).toFixed(1)} GiB)`).join(', ') : `none detected${facts.platform === 'darwin' ? '' : ' (nvidia-smi absent or found no GPU)'}`}`);
  console.log(`hardware class:  ${classifyHardware(facts).map((c) => c.description).join('; ')}`);
  try {
    const choice = selectProfile(loadProfiles(), facts);
    console.log(`profile:         ${choice.profile.name}: ${choice.reason}`);
  } catch (error) {
    console.log(`profile:         ${(error as Error).message}`);
  }
  console.log(`node:            ${process.version}`);
  console.log(`cache:           ${cacheDir}`);
  console.log(`hf cache:        ${hfHubCacheDir()}${process.env.HF_ENDPOINT ? ` (HF_ENDPOINT ${process.env.HF_ENDPOINT})` : ''}`);
  console.log(`pinned llama.cpp ${LLAMA_RELEASE.llamaCppVersion} (${LLAMA_RELEASE.llamaCppCommit}), built into ${cachedBinaryLocation(cacheDir, resolveVariant({})).binaryPath}`);
  try {
    const located = await locateLlamaServer({ flagPath: values['llama-server'], cacheDir });
    if (!located) {
      console.log('llama-server:    none found (flag, LLAMA_SERVER_BIN, PATH, cache); run `embedhost install-server`');
      return 1;
    }
    const { candidate, binary } = located;
    console.log(`llama-server:    ${candidate.path}`);
    console.log(`  chosen because ${candidate.reason}`);
    console.log(`  version        ${binary.version} (build ${binary.build ?? '?'}, commit ${binary.commit ?? '?'})`);
    if (binary.commit && binary.commit !== LLAMA_RELEASE.llamaCppCommit) {
      console.log(`  note           embedhost is tested with commit ${LLAMA_RELEASE.llamaCppCommit}; other builds usually work`);
    }
    return 0;
  } catch (error) {
    console.log(`llama-server:    ${isEmbedhostError(error) ? error.message : String(error)}`);
    return 1;
  }
}
