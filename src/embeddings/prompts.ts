import { z } from 'zod';

// The prompt a model expects around an input: Qwen3-Embedding wants `Instruct: …\nQuery:…` for
// queries and nothing for documents; GME wants a chat template with the image between vision tokens;
// nomic wants `search_query: ` / `search_document: `. Templates use {text}, {instruction} and {image}.

export const PromptTemplatesSchema = z
  .object({
    query: z.string().optional().describe('Template for input_type query, e.g. "Instruct: {instruction}\\nQuery:{text}"'),
    document: z.string().optional().describe('Template for input_type document (default "{text}")'),
    image: z.string().optional().describe('Template for an image, {image} marking where it goes (default "{image}")'),
    imageText: z.string().optional().describe('Template for images with text (default "{image}{text}")'),
    instruction: z.string().optional().describe('The default {instruction}'),
    defaultInputType: z.enum(['query', 'document']).default('document').describe('input_type when a request gives none'),
  })
  .strict();

export type PromptTemplates = z.infer<typeof PromptTemplatesSchema>;
export type InputType = 'query' | 'document';

export const NO_PROMPTS: PromptTemplates = { defaultInputType: 'document' };

/** Pure: a text input as the model should see it. */
export function renderTextPrompt(templates: PromptTemplates, text: string, inputType: InputType | undefined, instruction: string | undefined): string {
  const type = inputType ?? templates.defaultInputType;
  const template = (type === 'query' ? templates.query : templates.document) ?? '{text}';
  return fill(template, { text, instruction: instruction ?? templates.instruction ?? '' });
}

/** Pure: images (and optional text) with `marker` once per image where the template puts {image}. */
export function renderImagePrompt(templates: PromptTemplates, imageCount: number, marker: string, text: string | undefined, instruction: string | undefined): string {
  const template = text ? (templates.imageText ?? '{image}{text}') : (templates.image ?? '{image}');
  const images = Array.from({ length: imageCount }, () => marker).join('');
  // Some text after the image keeps the pooled (last) token a text token, as llama-server needs.
  return fill(template, { image: images, text: text ?? '', instruction: instruction ?? templates.instruction ?? '' });
}

// One pass, so an input containing "{text}" is never expanded again.
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(text|instruction|image)\}/g, (whole, name: string) => values[name] ?? whole);
}
