import { z } from 'zod';
import { CustodyError, ExitCode } from '../../core/errors.ts';

/** A buffer file's id names its file on disk and binds its key, so it must be a safe file name. */
export const fileIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)
  .brand<'BufferFileId'>();

export type FileId = z.infer<typeof fileIdSchema>;

export function parseFileId(value: string): FileId {
  const result = fileIdSchema.safeParse(value);
  if (!result.success) {
    throw new CustodyError(
      `buffer file id ${JSON.stringify(value)} is not valid`,
      "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit",
      ExitCode.badInput,
    );
  }
  return result.data;
}
