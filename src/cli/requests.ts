import type { Command } from 'commander';
import { CustodyError, ExitCode } from '../core/errors.ts';
import { exportSize, exportTotal } from '../core/export-progress.ts';
import { formatRelative } from '../core/format.ts';
import type { RequestView } from '../protocol/engine-state.ts';
import { badInput, shortTime, withEngine } from './engine-link.ts';
import { formatColumns, printJson } from './output.ts';

function requestTable(requests: RequestView[], now = new Date()): string {
  if (requests.length === 0) return 'No requests.';
  return formatColumns([
    ['ID', 'STATE', 'REQUESTER', 'CASE', 'CAMERAS', 'EXPORTED', 'FOOTAGE', 'AGE', 'EXPIRES'],
    ...requests.map((r) => [
      r.id,
      r.state,
      r.requester,
      r.caseId,
      r.cameras.map((c) => c.id).join(','),
      percentExported(r),
      `${shortTime(r.from)} → ${shortTime(r.to)}`,
      formatRelative(new Date(r.receivedAt), now),
      formatRelative(new Date(r.expiresAt), now),
    ]),
  ]);
}

/** While the footage is still going into the buffer: how far, all cameras together. */
function percentExported(r: RequestView): string {
  const total = exportTotal(r.cameras);
  return total ? `${Math.floor(total.fraction * 100)}%` : '—';
}

function requestDetail(r: RequestView): string {
  const rows = [
    ['request', r.id],
    ['state', r.state],
    ['requester', `${r.requester} (${r.requesterId})`],
    ['case', r.caseId],
    ['footage', `${shortTime(r.from)} → ${shortTime(r.to)}`],
    ['reason', r.reason],
    ['received', shortTime(r.receivedAt)],
    ['expires', shortTime(r.expiresAt)],
  ];
  for (const camera of r.cameras) {
    const gaps = camera.gaps.length
      ? ` · gaps ${camera.gaps.map((g) => `${shortTime(g.from)}–${shortTime(g.to)}`).join(', ')}`
      : '';
    const running = camera.progress !== null && camera.progress < 1;
    rows.push([
      'camera',
      `${camera.id} (${camera.name}): ${camera.state}${running ? ` · ${Math.floor((camera.progress ?? 0) * 100)}%` : ''} · ${exportSize(camera.bytes, camera.expectedBytes)}${camera.sha256 ? ` · sha256 ${camera.sha256}` : ''}${gaps}${camera.error ? ` · ${camera.error}` : ''}`,
    ]);
  }
  if (r.decision) {
    const { decision, by, at, reason } = r.decision;
    rows.push([
      'decision',
      `${decision === 'approve' ? 'approved' : 'denied'} by ${by} at ${shortTime(at)}${reason ? `: ${reason}` : ''}`,
    ]);
  }
  if (r.failureReason) rows.push(['failure', r.failureReason]);
  return formatColumns(rows);
}

function findRequest(requests: RequestView[], id: string): RequestView {
  const found = requests.find((r) => r.id === id);
  if (!found) {
    throw new CustodyError(
      `no request ${id} on this workstation`,
      'list them with `custody requests list`',
      ExitCode.badInput,
    );
  }
  return found;
}

export function registerRequests(program: Command): void {
  const requests = program
    .command('requests')
    .description('the video requests sent to this workstation: list, show, approve, deny');

  requests
    .command('list', { isDefault: true })
    .description('undecided requests first, then recent ones')
    .action((_opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const list = engine.state().requests;
        if (options.json) printJson(list);
        else process.stdout.write(`${requestTable(list)}\n`);
      }),
    );

  requests
    .command('show')
    .description('one request: cameras, export progress, gaps, decision')
    .argument('<id>', 'request id')
    .action((id: string, _opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const found = findRequest(engine.state().requests, id);
        if (options.json) printJson(found);
        else process.stdout.write(`${requestDetail(found)}\n`);
      }),
    );

  requests
    .command('approve')
    .description('send the held footage to the request’s case')
    .argument('<id>', 'request id')
    .action((id: string, _opts, command: Command) =>
      withEngine(command, async (engine, options) => {
        const result = await engine.run('requests.approve', { id });
        if (options.json) printJson({ id, ...result });
        else process.stdout.write(`request ${id} approved: ${result.state}\n`);
      }),
    );

  requests
    .command('deny')
    .description('refuse the request: the held footage is destroyed, never sent')
    .argument('<id>', 'request id')
    .requiredOption('--reason <text>', 'why (the requester sees it)')
    .action((id: string, opts: { reason: string }, command: Command) => {
      if (opts.reason.trim() === '') throw badInput('--reason is empty', 'say why it is denied');
      return withEngine(command, async (engine, options) => {
        const result = await engine.run('requests.deny', { id, reason: opts.reason });
        if (options.json) printJson({ id, ...result });
        else process.stdout.write(`request ${id} denied: ${result.state}\n`);
      });
    });
}
