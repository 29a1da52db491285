import { CustodyError, ExitCode } from '../core/errors.ts';

/** Aligned columns: operators read these over slow SSH links, often without colour. */
export function formatColumns(rows: string[][], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function errorLine(err: CustodyError): string {
  return `custody: ${err.what} — ${err.fix}`;
}

/** Unknown failures still get a one-line message; the stack only with CUSTODY_DEBUG=1. */
export function unexpectedError(err: unknown): CustodyError {
  const message = err instanceof Error ? err.message : String(err);
  return new CustodyError(
    `unexpected error: ${message}`,
    'run again with CUSTODY_DEBUG=1 for details and report it with the log file',
    ExitCode.failed,
    { cause: err },
  );
}
