import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/engine/events/event-log.ts';
import { openStore } from '../../src/engine/store/database.ts';
import { custodyEventSchema } from '../../src/protocol/events.ts';
import { runCli, tempDir } from '../helpers/cli.ts';

describe('custody events --search', () => {
  const dir = tempDir();
  beforeAll(() => {
    // A log written earlier: the matches sit under hundreds of newer events.
    const store = openStore(dir.path);
    const log = new EventLog(store);
    log.append({
      level: 'warn',
      kind: 'upload.failed',
      subject: 'job-old',
      message: 'interview-Room-7.mp4 failed',
      data: { requestId: 'req_lastmonth' },
    });
    log.append({
      level: 'info',
      kind: 'request.received',
      subject: 'req_lastmonth',
      message: 'request from Det. Ruiz',
    });
    for (let i = 0; i < 600; i++) {
      log.append({
        level: 'info',
        kind: 'upload.progress',
        subject: 'job-2',
        message: `chunk ${i}`,
      });
    }
    store.close();
  });
  afterAll(() => dir.remove());

  it('finds old events in any case, in the data too, one line each', async () => {
    const result = await runCli(['events', '--data', dir.path, '--search', 'REQ_LASTMONTH']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/WARN +upload\.failed +job-old +interview-Room-7\.mp4 failed$/);
    expect(lines[1]).toMatch(/INFO +request\.received +req_lastmonth +request from Det\. Ruiz$/);
  });

  it('combines with --level, --kind and --limit, as JSON lines with --json', async () => {
    const result = await runCli([
      'events',
      '--data',
      dir.path,
      '--search',
      'lastmonth',
      '--level',
      'warn',
      '--kind',
      'upload',
      '--limit',
      '5',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => custodyEventSchema.parse(JSON.parse(line)));
    expect(events.map((event) => [event.seq, event.kind])).toEqual([[1, 'upload.failed']]);
  });

  it('prints nothing for no match, and exits 2 for an empty --search', async () => {
    const none = await runCli(['events', '--data', dir.path, '--search', 'nobody']);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    const empty = await runCli(['events', '--data', dir.path, '--search', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^custody: --search is empty — /);
  });
});
