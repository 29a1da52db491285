import { CustodyError, ExitCode } from '../core/errors.ts';
import { formatCount } from '../core/format.ts';

export type ConfigIssue = {
  /** Field path such as `uploads.concurrency` or `cameras[1].id`; `(file)` for the file itself. */
  path: string;
  /** The bad value as JSON, cut to 60 characters; '' when the value is missing. */
  value: string;
  message: string;
  fix: string;
};

export const FILE_PATH = '(file)';

const MAX_VALUE_LENGTH = 60;

/** A value as it should be quoted back to the operator; secrets are never echoed. */
export function showValue(value: unknown, secret = false): string {
  if (value === undefined) return '';
  if (secret) return '"(hidden)"';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_VALUE_LENGTH ? `${json.slice(0, MAX_VALUE_LENGTH - 1)}…` : json;
}

/** `cameras[1].source.url`; keys that are not identifiers get brackets: `headers["X-Key"]`. */
export function showPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key))
      text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text || FILE_PATH;
}

/** Every problem found in one config file; the loader never throws after the first one. */
export class ConfigError extends CustodyError {
  /** The config file as the operator named it. */
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    const [first] = issues;
    super(
      first && issues.length === 1
        ? `${file}: ${describeIssue(first)}`
        : `config ${file} has ${formatCount(issues.length, 'problem')}`,
      first && issues.length === 1 ? first.fix : 'fix each field listed',
      ExitCode.badInput,
    );
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}

/** `<path>: <message> (got <value>)`. */
export function describeIssue(issue: ConfigIssue): string {
  const where = issue.path === FILE_PATH ? '' : `${issue.path}: `;
  const got = issue.value === '' ? '' : ` (got ${issue.value})`;
  return `${where}${issue.message}${got}`;
}

/** One line per issue: `custody: <file>: <path>: <message> (got <value>) — <fix>`. */
export function formatConfigIssues(error: ConfigError): string {
  return error.issues
    .map((issue) => `custody: ${error.file}: ${describeIssue(issue)} — ${issue.fix}`)
    .join('\n');
}
