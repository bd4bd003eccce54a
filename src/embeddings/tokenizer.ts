import type { BackendCalls } from './backend-calls.js';
import type { TokenPolicy } from './token-limits.js';

/**
 * How to tokenize many texts in one call: join them with a special token and split the result.
 * llama.cpp cuts special tokens out of the text before tokenizing the pieces between them, so each
 * piece gets exactly the tokens it would alone; the probe below checks that for this model.
 */
export interface JoinedTokenization {
  separatorText: string;
  separatorId: number;
}

// Pure: the tokens of each text from the tokens of the joined texts.
export function splitJoinedTokens(tokens: readonly number[], separatorId: number, count: number, policy: TokenPolicy): number[][] | undefined {
  const parts: number[][] = [[]];
  for (const token of tokens) {
    if (token === separatorId) parts.push([]);
    else parts.at(-1)!.push(token);
  }
  if (parts.length !== count) return undefined;
  return parts.map((part) => [...policy.prefix, ...part, ...policy.suffix]);
}

const PROBE_TEXTS = ['Hello world, ', ' semantic search\n', 'naïve café: 42 tokens!'];

export async function probeJoinedTokenization(calls: BackendCalls, policy: TokenPolicy, signal?: AbortSignal): Promise<JoinedTokenization | undefined> {
  const separatorId = policy.suffix.at(-1) ?? policy.prefix[0];
  if (separatorId === undefined) return undefined;
  const separatorText = await calls.detokenize([separatorId], signal);
  if (!separatorText) return undefined;
  const joined = await calls.tokenize(PROBE_TEXTS.join(separatorText), false, signal);
  const split = splitJoinedTokens(joined, separatorId, PROBE_TEXTS.length, policy);
  const alone = await Promise.all(PROBE_TEXTS.map((text) => calls.tokenize(text, true, signal)));
  const same = split !== undefined && split.every((tokens, i) => tokens.length === alone[i]!.length && tokens.every((t, j) => t === alone[i]![j]));
  return same ? { separatorText, separatorId } : undefined;
}

/** Tokens of each text, with the model's special tokens, in as few calls as the texts allow. */
export async function tokenizeMany(calls: BackendCalls, texts: readonly string[], policy: TokenPolicy, joined: JoinedTokenization | undefined): Promise<number[][]> {
  const alone = (text: string) => calls.tokenize(text, true);
  if (!joined || texts.length === 1) return Promise.all(texts.map(alone));
  // A text holding the separator itself would split in the wrong place: those go alone.
  const together = texts.map((text, i) => (text.includes(joined.separatorText) ? -1 : i)).filter((i) => i >= 0);
  const results = new Array<number[]>(texts.length);
  const joinedSet = new Set(together);
  const lone = texts.map((_, i) => i).filter((i) => !joinedSet.has(i));
  await Promise.all([
    (async () => {
      if (together.length === 0) return;
      const tokens = await calls.tokenize(together.map((i) => texts[i]).join(joined.separatorText), false);
      const split = splitJoinedTokens(tokens, joined.separatorId, together.length, policy);
      if (split) together.forEach((i, j) => (results[i] = split[j]!));
      else await Promise.all(together.map(async (i) => (results[i] = await alone(texts[i]!))));
    })(),
    ...lone.map(async (i) => (results[i] = await alone(texts[i]!))),
  ]);
  return results;
}
