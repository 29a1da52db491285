import { z } from 'zod';
import { closest } from '../config/closest.ts';
import { CustodyError, ExitCode } from '../core/errors.ts';
import {
  type CommandInput,
  type CommandName,
  type CommandOutput,
  commandSchemas,
} from '../protocol/control.ts';

/** What a command's handler receives: its input parsed, defaults filled in. */
export type ParsedInput<K extends CommandName> = z.output<(typeof commandSchemas)[K][0]>;

export type CommandHandlers = {
  [K in CommandName]: (input: ParsedInput<K>) => Promise<CommandOutput<K>>;
};

/** Checks the input against the command's schema, so a bad input names its field. */
export async function runCommand<K extends CommandName>(
  handlers: CommandHandlers,
  command: K,
  input: CommandInput<K>,
): Promise<CommandOutput<K>> {
  const schemas = commandSchemas[command];
  if (!schemas) {
    throw new CustodyError(
      `unknown command "${String(command)}"`,
      `use one of: ${Object.keys(commandSchemas).join(', ')}`,
      ExitCode.badInput,
    );
  }
  refuseUnknownFields(command, schemas[0], input);
  const parsed = schemas[0].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'input';
    throw new CustodyError(
      `${command}: ${field} ${issue?.message ?? 'is invalid'}`,
      `correct ${field} and try again`,
      ExitCode.badInput,
    );
  }
  const handler = handlers[command] as (input: unknown) => Promise<CommandOutput<K>>;
  return handler(parsed.data);
}

/**
 * A field the command does not take is refused, not dropped: `kind` for `kinds` would
 * otherwise list every event as if no filter had been asked for.
 */
function refuseUnknownFields(command: string, schema: z.ZodType, input: unknown): void {
  if (!(schema instanceof z.ZodObject) || typeof input !== 'object' || input === null) return;
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(input).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  const near = closest(unknown, known);
  throw new CustodyError(
    `${command}: no field "${unknown}"`,
    near
      ? `did you mean "${near}"?`
      : known.length > 0
        ? `it takes ${known.join(', ')}`
        : 'it takes no fields',
    ExitCode.badInput,
  );
}
