import { describe, expect, it } from 'vitest';
import { CustodyError, ExitCode } from '../../src/core/errors.ts';
import { type CommandHandlers, runCommand } from '../../src/engine/commands.ts';

// Only the handler under test: runCommand checks the input before it calls one.
const handlers = {
  'events.list': async (input: unknown) => [input],
} as unknown as CommandHandlers;

async function refusal(input: unknown): Promise<CustodyError> {
  const err = await runCommand(handlers, 'events.list', input as never).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CustodyError);
  return err as CustodyError;
}

describe('command input', () => {
  it('refuses a field the command does not take, naming the one meant', async () => {
    const err = await refusal({ kind: ['upload'] });
    expect(err.what).toBe('events.list: no field "kind"');
    expect(err.fix).toBe('did you mean "kinds"?');
    expect(err.exitCode).toBe(ExitCode.badInput);
  });

  it('lists the fields when nothing is close', async () => {
    const err = await refusal({ colour: 'red' });
    expect(err.fix).toMatch(/^it takes since, afterSeq, beforeSeq, kinds, /);
  });

  it('names a bad value by its field', async () => {
    const err = await refusal({ limit: 0 });
    expect(err.what).toMatch(/^events\.list: limit /);
  });

  it('passes a good input on, parsed', async () => {
    expect(await runCommand(handlers, 'events.list', { kinds: ['upload'] })).toEqual([
      { kinds: ['upload'] },
    ]);
  });
});
