// Generates the test models into embedhost's cache (the test setup does this too) and prints their paths.
import { ensureLlamaSource } from '../src/runtime/llama-source.js';
import { embedhostCacheDir } from '../src/runtime/paths.js';
import { ensureTestModel, type TestModelName } from '../test/fixtures/test-models.js';

const cacheDir = embedhostCacheDir();
const source = await ensureLlamaSource({ cacheDir, log: (line) => console.error(line) });
const names: TestModelName[] = ['tiny-bert', 'tiny-qwen3', 'small-bert', 'tiny-qwen2vl', 'tiny-qwen2vl-mmproj'];
for (const name of names) console.log(`${name}\t${await ensureTestModel(cacheDir, source, name)}`);
