// A self-contained API page rendered from /openapi.json: no scripts or assets from a CDN, so it works
// offline and leaks nothing about a private service to third parties.

interface OpenApiOperation {
  summary?: string;
  description?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

// JSON with every `$ref` turned into a link to the schema it names.
function schemaHtml(schema: unknown): string {
  const json = escapeHtml(JSON.stringify(schema, null, 2));
  return json.replace(/&#34;#\/components\/schemas\/([\w.-]+)&#34;/g, (_, name: string) => `<a href="#schema-${name}">${name}</a>`);
}

function operationHtml(method: string, path: string, operation: OpenApiOperation): string {
  const id = `${method}-${path}`.replace(/[^\w-]/g, '_');
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(operation.responses ?? {})
    .map(([status, response]) => {
      const schema = response.content?.['application/json']?.schema;
      return `<li><code>${escapeHtml(status)}</code> ${escapeHtml(response.description ?? '')}${schema ? `<pre>${schemaHtml(schema)}</pre>` : ''}</li>`;
    })
    .join('');
  return `<section id="${id}"><h2><span class="method">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(operation.summary ?? '')}</p>${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}
${body ? `<h3>Request body (application/json)</h3><pre>${schemaHtml(body)}</pre>` : ''}
<h3>Responses</h3><ul>${responses}</ul></section>`;
}

export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  const index = operations
    .map(({ path, method, operation }) => `<li><a href="#${`${method}-${path}`.replace(/[^\w-]/g, '_')}">${method.toUpperCase()} ${escapeHtml(path)}</a> — ${escapeHtml(operation.summary ?? '')}</li>`)
    .join('');
  const schemas = Object.entries(document.components?.schemas ?? {})
    .map(([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><pre>${schemaHtml(schema)}</pre></section>`)
    .join('');
  const title = `${document.info.title} ${document.info.version}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f5f5f5;padding:.75rem;overflow-x:auto;font-size:13px}
.method{font:600 13px monospace;background:#234;color:#fff;padding:.1rem .4rem;border-radius:3px}
section{border-top:1px solid #ddd;margin-top:1.5rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(document.info.description ?? '')} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.
Errors always have the shape <code>{"error": {"message", "type", "param", "code"}}</code>.</p>
<ul>${index}</ul>
${operations.map(({ path, method, operation }) => operationHtml(method, path, operation)).join('\n')}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
