import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { EmbedhostError } from '../errors.js';

export interface KeyLimits {
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
}

export interface ApiKeyRecord extends KeyLimits {
  /** Shown in logs, metrics and usage; never the key itself. */
  id: string;
  /** sha256 of the key, hex. */
  sha256: string;
  /** May read GET /v1/usage for every key. */
  admin: boolean;
}

export interface ApiKeySpec extends KeyLimits {
  id?: string | undefined;
  key?: string | undefined;
  sha256?: string | undefined;
  admin?: boolean | undefined;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const SHA256 = /^[0-9a-f]{64}$/i;

/** Pure: a key's default id, stable and not revealing: `key-` and 8 hex digits of its hash. */
export const defaultKeyId = (sha256: string) => `key-${sha256.slice(0, 8).toLowerCase()}`;

export function keyRecord(spec: ApiKeySpec, where: string): ApiKeyRecord {
  const sha = spec.sha256 ?? (spec.key !== undefined ? sha256Hex(spec.key) : undefined);
  if (!sha || !SHA256.test(sha)) throw new EmbedhostError('EMBEDHOST_CONFIG', `${where}: an API key needs \`key\` or a 64-digit hex \`sha256\``);
  if (spec.key !== undefined && spec.key.length < 8) throw new EmbedhostError('EMBEDHOST_CONFIG', `${where}: API keys must be at least 8 characters`);
  return { id: spec.id ?? defaultKeyId(sha), sha256: sha.toLowerCase(), admin: spec.admin ?? false, requestsPerMinute: spec.requestsPerMinute, tokensPerMinute: spec.tokensPerMinute };
}

/**
 * Pure: a keys file, one key per line: `KEY`, `id:KEY`, or `id:sha256:HEX` (so the file holds no secret),
 * optionally followed by ` admin`. Blank lines and `#` comments are skipped.
 */
export function parseKeysFile(text: string, file: string): ApiKeyRecord[] {
  const records: ApiKeyRecord[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const where = `${file}:${index + 1}`;
    const [entry, ...flags] = line.split(/\s+/);
    const admin = flags.includes('admin');
    const unknown = flags.filter((f) => f !== 'admin');
    if (unknown.length > 0) throw new EmbedhostError('EMBEDHOST_CONFIG', `${where}: unknown word ${unknown.join(' ')} (only \`admin\` may follow a key)`);
    const hashed = /^([^:]+):sha256:([0-9a-fA-F]{64})$/.exec(entry!);
    if (hashed) return void records.push(keyRecord({ id: hashed[1], sha256: hashed[2], admin }, where));
    const named = /^([\w.-]+):(.+)$/.exec(entry!);
    records.push(keyRecord(named ? { id: named[1], key: named[2], admin } : { key: entry, admin }, where));
  });
  return records;
}

export function readKeysFile(file: string): ApiKeyRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new EmbedhostError('EMBEDHOST_CONFIG', `The keys file ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return parseKeysFile(text, file);
}

/** Pure: the key a request presents, from `Authorization: Bearer` or `x-api-key`. */
export function presentedKey(headers: { authorization?: string | undefined; 'x-api-key'?: string | undefined }): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return bearer?.[1]?.trim() || headers['x-api-key']?.trim() || undefined;
}

export class KeyStore {
  private readonly records: readonly ApiKeyRecord[];
  private readonly digests: Buffer[];

  constructor(records: readonly ApiKeyRecord[]) {
    const ids = new Set<string>();
    for (const record of records) {
      if (ids.has(record.id)) throw new EmbedhostError('EMBEDHOST_CONFIG', `Two API keys share the id \`${record.id}\``);
      ids.add(record.id);
    }
    this.records = records;
    this.digests = records.map((r) => Buffer.from(r.sha256, 'hex'));
  }

  get size(): number {
    return this.records.length;
  }

  get all(): readonly ApiKeyRecord[] {
    return this.records;
  }

  // Every stored digest is compared, in constant time, whatever matches: how long this takes says nothing about the keys.
  verify(key: string | undefined): ApiKeyRecord | undefined {
    if (key === undefined) return undefined;
    const digest = createHash('sha256').update(key).digest();
    let found: ApiKeyRecord | undefined;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(digest, this.digests[i]!) && !found) found = this.records[i];
    }
    return found;
  }
}
