import { expect } from 'vitest';
import { CustodyError } from '../../src/core/errors.ts';

/** The CustodyError `work` is refused with; fails the test when it resolves or throws another. */
export async function refusal(work: Promise<unknown>): Promise<CustodyError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CustodyError);
  return err as CustodyError;
}
