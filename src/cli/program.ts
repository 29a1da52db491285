/** The `custody` command line: every command, and errors as `custody: what — fix`. */
import { Command, CommanderError } from 'commander';
import { ConfigError, formatConfigIssues } from '../config/load.ts';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { version } from '../version.ts';
import { registerAttach } from './attach.ts';
import { registerBandwidth } from './bandwidth.ts';
import { registerCameras } from './cameras.ts';
import { registerConfig } from './config.ts';
import { registerConsole } from './console.ts';
import { registerDoctor } from './doctor.ts';
import { registerEngine } from './engine.ts';
import { registerEvents } from './events.ts';
import { registerExport } from './export.ts';
import { errorLine, unexpectedError } from './output.ts';
import { registerRequest } from './request.ts';
import { registerRequests } from './requests.ts';
import { registerSchedule } from './schedule.ts';
import { registerServer } from './server.ts';
import { registerSnapshot } from './snapshot.ts';
import { registerStatus } from './status.ts';
import { registerUpload } from './upload.ts';
import { registerUploads } from './uploads.ts';

const exitCodesHelp = `
Exit codes:
  0  done
  1  failed
  2  bad input (config, arguments, files)
  3  not permitted
  4  engine or service unreachable`;

function buildProgram(): Command {
  const program = new Command('custody')
    .description('Custody — terminal operator console for video evidence')
    .version(version, '-V, --version')
    .option('--config <file>', 'config file (env CUSTODY_CONFIG; default ./config.json)')
    .option(
      '--data <dir>',
      'data directory (env CUSTODY_DATA; default from the config, else ./data)',
    )
    .option('--json', 'print data as JSON')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .addHelpText('after', exitCodesHelp)
    .showHelpAfterError('(run custody --help for usage)')
    .exitOverride();
  registerConsole(program);
  registerConfig(program);
  registerEvents(program);
  registerDoctor(program);
  registerServer(program);
  registerRequest(program);
  registerEngine(program);
  registerAttach(program);
  registerStatus(program);
  registerUpload(program);
  registerUploads(program);
  registerBandwidth(program);
  registerSchedule(program);
  registerCameras(program);
  registerSnapshot(program);
  registerExport(program);
  registerRequests(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

function report(err: unknown, json: boolean): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help / version we asked for).
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  }
  const error = err instanceof CustodyError ? err : unexpectedError(err);
  if (json) {
    const issues = err instanceof ConfigError ? err.issues : undefined;
    process.stderr.write(
      `${JSON.stringify({ error: { what: error.what, fix: error.fix, exitCode: error.exitCode, issues } })}\n`,
    );
  } else {
    process.stderr.write(
      `${err instanceof ConfigError ? formatConfigIssues(err) : errorLine(error)}\n`,
    );
  }
  if (process.env.CUSTODY_DEBUG === '1' && error.cause instanceof Error) {
    process.stderr.write(`${error.cause.stack}\n`);
  }
  return error.exitCode;
}

// `custody events | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  throw err;
});

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err, process.argv.includes('--json'));
}
