import { EmbedhostError } from '../errors.js';

export interface TokenPolicy {
  /** Tokens the tokenizer adds before the text (e.g. [CLS]). */
  prefix: readonly number[];
  /** Tokens it adds after (e.g. [SEP], <|endoftext|>). */
  suffix: readonly number[];
  /** Most tokens one input may have, special tokens included. */
  maxTokens: number;
  vocabSize: number;
}

const startsWith = (tokens: readonly number[], part: readonly number[]) => part.every((t, i) => tokens[i] === t);
const endsWith = (tokens: readonly number[], part: readonly number[]) => part.every((t, i) => tokens[tokens.length - part.length + i] === t);

// Pure: an input's tokens made to fit, or the 400 OpenAI would give. Truncation cuts from the right
// but keeps the special tokens the model was trained to see at both ends.
export function fitTokens(tokens: readonly number[], policy: TokenPolicy, index: number, truncate: boolean): number[] {
  if (tokens.length === 0) {
    throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `Input ${index} is empty; every input must have at least one token`, { param: `input[${index}]` });
  }
  if (tokens.length <= policy.maxTokens) return [...tokens];
  if (!truncate) {
    throw new EmbedhostError(
      'EMBEDHOST_INPUT_TOO_LONG',
      `Input ${index} has ${tokens.length} tokens, over this model's limit of ${policy.maxTokens}. Shorten it, or set "truncate": true to cut it to the limit.`,
      { param: `input[${index}]` },
    );
  }
  const head = startsWith(tokens, policy.prefix) ? policy.prefix : [];
  const tail = endsWith(tokens, policy.suffix) ? policy.suffix : [];
  const body = tokens.slice(head.length, tokens.length - tail.length);
  return [...head, ...body.slice(0, policy.maxTokens - head.length - tail.length), ...tail];
}

export function checkTokenIds(tokens: readonly number[], policy: TokenPolicy, index: number): void {
  for (const id of tokens) {
    if (!Number.isInteger(id) || id < 0 || id >= policy.vocabSize) {
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `Input ${index} contains token id ${id}, outside this model's vocabulary (0..${policy.vocabSize - 1})`, {
        param: `input[${index}]`,
      });
    }
  }
}
