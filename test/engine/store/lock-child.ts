// Run by lock.test.ts as a real second process:
//   node --experimental-transform-types lock-child.ts <dataDir> <try|hold|exit>
// try: acquire, report, release; hold: acquire, report, wait to be killed; exit: acquire and
// exit without calling release.
import { acquireLock } from '../../../src/engine/store/lock.ts';

const [dataDir = '', mode = 'try'] = process.argv.slice(2);

try {
  const lock = acquireLock(dataDir, { command: `lock-child ${mode}` });
  process.stdout.write(
    `${JSON.stringify({ ok: true, pid: process.pid, replaced: lock.replaced })}\n`,
  );
  if (mode === 'hold') setInterval(() => {}, 60_000);
  else if (mode === 'exit') process.exit(0);
  else lock.release();
} catch (err) {
  const { name, message, exitCode } = err as Error & { exitCode?: number };
  process.stdout.write(
    `${JSON.stringify({ ok: false, pid: process.pid, name, message, exitCode })}\n`,
  );
}
