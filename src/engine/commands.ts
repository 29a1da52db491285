import type { z } from 'zod';
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
