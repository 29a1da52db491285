/**
 * Exit codes shared by every command (DESIGN.md, Command-line conventions).
 * Engine code throws CustodyError so the CLI and the console can show `what — fix`
 * without a stack trace and pick the exit code from the error itself.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  notPermitted: 3,
  unreachable: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CustodyError extends Error {
  constructor(
    /** What went wrong, naming the field or thing. */
    readonly what: string,
    /** What the user can do about it. */
    readonly fix: string,
    readonly exitCode: ExitCode = ExitCode.failed,
    options?: { cause?: unknown },
  ) {
    super(`${what} — ${fix}`, options);
    this.name = 'CustodyError';
  }
}
