import { z } from 'zod';
import { ProfileSchema } from './profile-schema.js';
import { ConfigSchema } from './schema.js';

/** The JSON Schemas published in schema/, for editors (YAML language server) and other tools. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    'config.schema.json': { title: 'embedhost configuration file', ...z.toJSONSchema(ConfigSchema, { io: 'input' }) },
    'profile.schema.json': { title: 'embedhost hardware profile', ...z.toJSONSchema(ProfileSchema, { io: 'input' }) },
  };
}
