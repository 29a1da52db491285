import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState } from '../../../src/protocol/engine-state.ts';
import { openCase } from '../../../src/server/open-case.ts';
import { SqliteRepository } from '../../../src/server/sqlite-repository.ts';
import { CamerasPane } from '../../../src/ui/panes/CamerasPane.tsx';
import { openTestEngine } from '../../helpers/engine.ts';
import { keys, renderSized, type Screen } from '../../helpers/ink.ts';
import { expectFits, recordingApi, sleep, type, waitForFrame } from '../support.tsx';

describe('CamerasPane', () => {
  let test: Awaited<ReturnType<typeof openTestEngine>> | undefined;
  let screen: Screen | undefined;
  afterEach(async () => {
    screen?.instance.unmount();
    await test?.close();
  });

  async function mount(
    columns = 80,
    rows = 21,
    state: (s: EngineState) => EngineState = (s) => s,
    overrides = {},
  ) {
    test = await openTestEngine(overrides);
    const { api, calls } = recordingApi(test.engine);
    const engine = test.engine;
    const element = () => (
      <CamerasPane
        state={state(engine.state())}
        api={api}
        width={columns}
        height={rows}
        active
        onCapture={() => {}}
      />
    );
    screen = await renderSized(element(), columns, rows);
    const s = screen;
    // The pane gets its state from the App; here the test hands it the engine's, live.
    const unsubscribe = engine.subscribe(() => s.instance.rerender(element()));
    return { screen, calls, engine, unsubscribe };
  }

  it('shows a tile per camera with a live picture, polling at most once a second', async () => {
    const { screen, calls, unsubscribe } = await mount();
    for (const name of [
      'Front lobby',
      'Loading dock door',
      'North car park',
      '2nd floor corridor',
    ]) {
      expect(screen.frame()).toContain(name);
    }
    // NO_COLOR: the picture is drawn with a character ramp instead of coloured half blocks.
    await waitForFrame(screen.frame, /● recording · lobby/, 15_000);
    await waitForFrame(screen.frame, /^ [ .:\-=+*#%@]{20,}/m, 15_000);
    const before = calls.filter((c) => c.command === 'thumbnails.get').length;
    await sleep(2000);
    const polled = calls.filter((c) => c.command === 'thumbnails.get').length - before;
    expect(polled).toBeLessThanOrEqual(4 * 3);
    expect(expectFits(screen.frame(), 80, 21)).toEqual([]);
    unsubscribe();
  });

  it('moves between tiles with the arrows', async () => {
    const { screen, unsubscribe } = await mount();
    expect(screen.frame()).toContain('▶ Front lobby');
    await screen.press(keys.down);
    expect(screen.frame()).toContain('▶ North car park');
    await screen.press('\u001B[C');
    expect(screen.frame()).toContain('▶ 2nd floor corridor');
    expect(screen.frame()).toContain('camera 4 of 4 · 2nd floor, east wing');
    unsubscribe();
  });

  it('takes a snapshot into a new case through the wizard', async () => {
    const { screen, calls, engine, unsubscribe } = await mount();
    await waitForFrame(screen.frame, /● recording · lobby/, 15_000);
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('Snapshot from Front lobby (lobby) — step 1 of 3');
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('give the snapshot a name');
    await type(screen, 'Suspect at desk');
    await screen.press(keys.enter);
    await type(screen, 'red jacket, 14:02');
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, 'step 2 of 3');
    expect(screen.frame()).toContain('> Select existing case');
    await screen.press(keys.down);
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('Create new case');
    // The department comes prefilled with the service's default.
    await waitForFrame(screen.frame, /Department\s+‹ .*\(default\) ›/);
    await type(screen, 'Front desk burglary');
    for (let i = 0; i < 5; i++) await screen.press(keys.enter);
    const finish = await waitForFrame(screen.frame, 'Enter Finish');
    expect(finish).toContain('step 3 of 3');
    expect(finish).toContain('Name         Suspect at desk');
    expect(finish).toMatch(/Case\s+new case "Front desk burglary" in /);
    // The engine may refuse while the camera's first segment is still being written (see the
    // report): Enter in a refusal goes back to Finish, so the operator simply tries again.
    let done = '';
    for (let attempt = 0; attempt < 5 && !done.includes('Queued'); attempt++) {
      if (attempt > 0) {
        await sleep(2000);
        await screen.press(keys.enter);
      }
      await screen.press(keys.enter);
      done = await waitForFrame(
        screen.frame,
        /Queued: "Suspect at desk" \(\d+x\d+|Refused: /,
        20_000,
      );
    }
    expect(done).toMatch(/Queued: "Suspect at desk" \(\d+x\d+/);
    expect(done).toContain('into new case "Front desk burglary"');
    const call = calls.find((c) => c.command === 'snapshot.export');
    expect(call?.input).toMatchObject({
      cameraId: 'lobby',
      name: 'Suspect at desk',
      description: 'red jacket, 14:02',
      caseChoice: { newCase: 'Front desk burglary' },
    });
    expect(engine.state().uploads.jobs.some((j) => j.sourceKind === 'snapshot')).toBe(true);
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, '▶ Front lobby');
    unsubscribe();
  });

  it('shows the refusal in the wizard when the camera is not recording', async () => {
    const { screen, calls, unsubscribe } = await mount(80, 21, (s) => ({
      ...s,
      cameras: s.cameras.map((c) =>
        c.id === 'lobby' ? { ...c, state: 'offline' as const, reason: 'no frames for 30s' } : c,
      ),
    }));
    await screen.press(keys.enter);
    expect(screen.frame()).toMatch(
      /Cannot take it now: Front lobby is not recording \(offline: no/,
    );
    await type(screen, 'x');
    await screen.press(keys.enter);
    await screen.press(keys.enter);
    await screen.press(keys.down);
    await screen.press(keys.down);
    await screen.press(keys.enter); // Skip
    await screen.press(keys.enter); // Finish
    expect(screen.frame()).toContain('Refused: Front lobby is not recording');
    expect(calls.some((c) => c.command === 'snapshot.export')).toBe(false);
    await screen.press(keys.escape);
    expect(screen.frame()).toContain('▶ Front lobby');
    unsubscribe();
  });

  it('refuses in the wizard a case the workstation may only view, and files nothing', async () => {
    const { screen, calls, engine, unsubscribe } = await mount();
    await waitForFrame(screen.frame, /● recording · lobby/, 15_000);
    // A detective's case, shown to this workstation with view only.
    const repo = new SqliteRepository(path.join(test?.dir ?? '', 'data', 'service'));
    try {
      const system = repo.listPrincipals('system')[0];
      const owner = repo.createPrincipal({ kind: 'user', name: 'Det. Moss', role: 'investigator' });
      const sealed = openCase(
        repo,
        {
          name: 'Sealed inquiry',
          departmentId: repo.defaultDepartment().id,
          categoryId: null,
          description: '',
          info: {},
        },
        owner,
      );
      repo.grant(sealed.id, system?.id ?? '', 'view');
    } finally {
      repo.close();
    }
    await screen.press(keys.enter);
    await type(screen, 'Desk');
    await screen.press(keys.enter);
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, 'step 2 of 3');
    await screen.press(keys.enter); // Select existing case
    await waitForFrame(screen.frame, /Select existing case · search: .* · 1 of 1/);
    await type(screen, 'sealed');
    // The list says so before the operator picks it.
    expect(await waitForFrame(screen.frame, 'Sealed inquiry')).toMatch(
      /Sealed inquiry\s+\(view only\)/,
    );
    await screen.press(keys.enter);
    await waitForFrame(screen.frame, 'Enter Finish');
    await screen.press(keys.enter);
    const refused = await waitForFrame(screen.frame, 'Refused: ', 20_000);
    expect(refused.replace(/\s+/g, ' ')).toContain(
      'Refused: no Manage permission on case "Sealed inquiry"',
    );
    expect(calls.some((c) => c.command === 'snapshot.export')).toBe(true);
    expect(engine.state().uploads.jobs).toEqual([]);
    expect(readdirSync(path.join(test?.dir ?? '', 'data', 'snapshots'))).toEqual([]);
    unsubscribe();
  });

  it('tells an operator without the export privilege why, in the wizard', async () => {
    const { screen, unsubscribe } = await mount(80, 21, (s) => s, { operator: 'guest' });
    await screen.press(keys.enter);
    expect(screen.frame()).toContain('snapshots need the export privilege; guest (viewer)');
    unsubscribe();
  });

  it('opens the clip form on c, validates the times, and shows the engine refusal', async () => {
    const { screen, calls, engine, unsubscribe } = await mount();
    await screen.press('c');
    expect(screen.frame()).toContain('Clip from Front lobby (lobby)');
    expect(screen.frame()).toMatch(/From\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    // Offered by its full path in the engine's data folder, wherever the engine was started.
    expect(screen.frame()).toContain(
      `Write to     ${path.join(engine.state().dataDir, 'clips', 'lobby-')}`,
    );
    // Clear the start and type a bad one: the form says so as you type.
    screen.stdin.write('\u0015');
    await type(screen, '25:99');
    expect(screen.frame()).toContain('write HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS]');
    screen.stdin.write('\u0015');
    await type(screen, '00:00:01');
    await screen.press(keys.enter);
    await screen.press(keys.enter);
    await screen.press(keys.enter);
    // Midnight is before the archive (15 minutes of demo footage): the engine refuses or
    // reports gaps; either way the pane shows its answer, never a stack.
    await waitForFrame(screen.frame, /Refused: [\s\S]+ — |Wrote [\s\S]+sha256/, 20_000);
    const call = calls.find((c) => c.command === 'clip.export');
    expect((call?.input as { out?: string } | undefined)?.out).toMatch(
      new RegExp(`^${engine.state().dataDir}/clips/lobby-\\d{8}-\\d{6}\\.mp4$`),
    );
    unsubscribe();
  });

  it('fits 200x47 with larger pictures', async () => {
    const { screen, unsubscribe } = await mount(200, 47);
    await waitForFrame(screen.frame, /^ [ .:\-=+*#%@]{40,}/m, 15_000);
    expect(expectFits(screen.frame(), 200, 47)).toEqual([]);
    unsubscribe();
  });
});
