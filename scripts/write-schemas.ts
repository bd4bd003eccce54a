// Writes the JSON Schemas of the config file and of profiles from the zod schemas (the single source).
// A test fails when they are stale: run `npm run write-schemas`.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemas } from '../src/config/json-schemas.js';

const dir = fileURLToPath(new URL('../schema/', import.meta.url));
fs.mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  fs.writeFileSync(`${dir}${name}`, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schema/${name}`);
}
