import { EmbedhostError } from '../errors.js';

interface IssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

// A config error names the file, each key and what was expected: `embedhost.yaml: port: expected a number, got "x"`.
export function configError(source: string, issues: readonly IssueLike[]): EmbedhostError {
  const lines = issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys' && issue.keys) return `${key === '(top level)' ? '' : `${key}: `}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    return `${key}: ${issue.message}`;
  });
  return new EmbedhostError('EMBEDHOST_CONFIG', `${source}: invalid configuration\n  ${lines.join('\n  ')}`);
}
