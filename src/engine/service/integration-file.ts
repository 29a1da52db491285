import { readFileSync } from 'node:fs';
import { findJsonSyntaxError } from '../../config/json-syntax.ts';
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { type Integration, integrationSchema } from '../../protocol/service.ts';

const fix = 'write it again with `custody server associate --name NAME --out FILE` on the service';

/** The file `custody server associate` writes; every problem names the field to fix. */
export function readIntegrationFile(file: string): Integration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new CustodyError(
      `cannot read the integration file ${file} (${code})`,
      fix,
      ExitCode.badInput,
      {
        cause: err,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const syntax = findJsonSyntaxError(text);
    const where = syntax
      ? ` at line ${syntax.line}, column ${syntax.column}: ${syntax.message}`
      : '';
    throw new CustodyError(
      `the integration file ${file} is not JSON${where}`,
      fix,
      ExitCode.badInput,
      {
        cause: err,
      },
    );
  }
  const result = integrationSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => {
      const field = issue.path.join('.') || '(file)';
      if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.join(', ')}`;
      // Never echo the value: apiKey is a secret.
      return `${field}: ${issue.message}`;
    })
    .join('; ');
  throw new CustodyError(
    `the integration file ${file} is invalid — ${problems}`,
    fix,
    ExitCode.badInput,
  );
}
